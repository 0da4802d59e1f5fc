import base64

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from .. import engine

FIELD_SELECTION = [(name, engine.LABELS[name]) for name in engine.FIELDS]
HOW_SELECTION = [
    ("mapping", "Importer mapping"),
    ("layout", "Known layout"),
    ("exact", "Same name"),
    ("synonym", "Synonym"),
    ("ignored", "Ignored"),
    ("chosen", "Chosen here"),
]


class StudentImporterMapping(models.TransientModel):
    """The base_import column-mapping experience, for an importer's mapping lines.

    A sample file is read with the importer's settings; each of its columns
    gets one line with the student field it feeds (the importer's mapping,
    else automatic matching), how it was matched and its first values.
    Saving writes the lines that feed a field as the importer's mapping.
    """

    _name = "student.importer.mapping"
    _description = "Check and Change an Importer's Column Mapping"
    _inherit = ["student.import.dialog"]
    _dialog_record_field = "importer_id"

    importer_id = fields.Many2one(
        "student.importer", required=True, readonly=True, ondelete="cascade"
    )
    file = fields.Binary(string="Sample File", attachment=False)
    file_name = fields.Char()
    layout = fields.Char(string="Recognised Layout", readonly=True)
    warnings = fields.Text(readonly=True)
    line_ids = fields.One2many("student.importer.mapping.line", "mapping_id", string="Columns")

    @api.onchange("file")
    def _onchange_file(self):
        if not self.file:
            self.line_ids = [Command.clear()]
            self.layout = self.warnings = False
            return
        sample = self.importer_id._sample_columns(
            base64.b64decode(self.file), self.file_name or "sample.csv"
        )
        self.layout = sample.layout.label if sample.layout is not None else False
        self.warnings = "\n".join(sample.warnings) or False
        self.line_ids = [Command.clear()] + [
            Command.create(
                {
                    "sequence": position,
                    "column_name": column.header,
                    "field_name": column.field or False,
                    "how": column.how,
                    "transform": column.transform,
                    "required": column.field in self.importer_id._required_fields(),
                    "sample": " | ".join(value for value in column.values if value)[:200],
                }
            )
            for position, column in enumerate(sample.columns)
        ]

    def action_save(self):
        """Write the columns that feed a field as the importer's mapping lines."""
        self.ensure_one()
        importer = self.importer_id
        importer.check_access("write")
        if not self.line_ids:
            raise UserError(self.env._("Upload a sample file first: its columns are mapped here."))
        by_field = {}
        for line in self.line_ids.filtered("field_name"):
            if line.field_name in by_field:
                raise UserError(
                    self.env._(
                        "Columns %(first)s and %(second)s both feed %(field)s: choose one of them.",
                        first=by_field[line.field_name].column_name,
                        second=line.column_name,
                        field=engine.LABELS[line.field_name],
                    )
                )
            by_field[line.field_name] = line
        if engine.KEY not in by_field:
            raise UserError(
                self.env._(
                    "No column feeds the %(key)s: choose the column that holds it.",
                    key=engine.LABELS[engine.KEY],
                )
            )
        used = self.line_ids.filtered("field_name").sorted("sequence")
        importer.column_ids = [Command.clear()] + [
            Command.create(
                {
                    "sequence": 10 * (position + 1),
                    "column_name": line.column_name,
                    "field_name": line.field_name,
                    "transform": line.transform or "none",
                    "required": line.required or line.field_name == engine.KEY,
                }
            )
            for position, line in enumerate(used)
        ]
        importer.message_post(
            body=self.env._(
                "Column mapping saved from the sample %(file)s: %(count)s columns used.",
                file=self.file_name or "",
                count=len(used),
            )
        )
        return {"type": "ir.actions.act_window_close"}


class StudentImporterMappingLine(models.TransientModel):
    _name = "student.importer.mapping.line"
    _description = "One Column of a Sample File"
    _order = "sequence, id"

    mapping_id = fields.Many2one("student.importer.mapping", required=True, ondelete="cascade")
    sequence = fields.Integer()
    column_name = fields.Char(string="File Column", readonly=True)
    field_name = fields.Selection(
        FIELD_SELECTION, string="Student Field", help="Empty: the column is ignored."
    )
    how = fields.Selection(HOW_SELECTION, string="Matched By", readonly=True)
    transform = fields.Selection(
        [(name, name) for name in engine.TRANSFORMS], default="none", readonly=True
    )
    required = fields.Boolean()
    sample = fields.Char(string="First Values", readonly=True)

    @api.onchange("field_name")
    def _onchange_field_name(self):
        for line in self:
            line.how = "chosen" if line.field_name else "ignored"
            line.required = line.field_name in engine.DEFAULT_REQUIRED
