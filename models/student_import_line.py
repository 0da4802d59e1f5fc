from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, create_index

from ..engine import FIELDS, LABELS
from .student_import_authorization import hide_internal_fields

CHANGE_TYPES = [
    ("add", "Add"),
    ("update", "Update"),
    ("inactivate", "Inactivate"),
    ("reactivate", "Reactivate"),
    ("error", "Error"),
]


class StudentImportLine(models.Model):
    _name = "student.import.line"
    _description = "Student Import Line"
    # The newest run first, as runs are listed; "run_id.id", not "run_id",
    # which would join the runs to sort by their own order, and sort every
    # line of a run before Review Changes shows 80 of them.
    _order = "run_id.id desc, sequence, id"
    _rec_name = "name"
    _check_company_auto = True
    # A first load writes 100,000 lines in one COPY: no create/write columns
    # (the run carries who previewed and when), two foreign keys fewer to
    # check per line.
    _log_access = False

    # Indexed with the line's position by init(), not by index=True.
    run_id = fields.Many2one(
        "student.import.run",
        required=True,
        ondelete="cascade",
        readonly=True,
        check_company=True,
    )
    # Not indexed: see init().
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    run_state = fields.Selection(related="run_id.state", string="Run State")
    sequence = fields.Integer(readonly=True)
    change_type = fields.Selection(CHANGE_TYPES, required=True, index=True, readonly=True)
    student_id = fields.Many2one(
        "school.student",
        string="Roster Record",
        ondelete="set null",
        readonly=True,
        check_company=True,
    )
    student_number = fields.Char(index=True, readonly=True)
    name = fields.Char(string="Student", readonly=True)
    # No sum when grouped: adding row numbers means nothing.
    row_number = fields.Integer(string="File Row", readonly=True, aggregator=None)
    summary = fields.Char(string="Changes", readonly=True)
    changed_fields = fields.Char(readonly=True, help="The changed fields' names, to group by.")
    suspicious = fields.Boolean(index=True, readonly=True)
    suspicious_reasons = fields.Text(readonly=True)
    error = fields.Text(readonly=True)
    excluded = fields.Boolean(
        help="An excluded line is not applied. Error lines must be excluded before Apply."
    )
    can_exclude = fields.Boolean(
        compute="_compute_can_exclude",
        help="Excluded may be switched: the run is in review and the user is staff.",
    )
    # An update keeps one field change per changed field; an add keeps its
    # values once, here ({field: canonical value}), and the reasons of its
    # suspicious values ({field: reason}): a first load of 100,000 students
    # is then 100,000 rows, not 1.7 million rows each checked against two
    # foreign keys.
    change_ids = fields.One2many("student.import.change", "line_id", string="Field Changes")
    add_values = fields.Json(readonly=True)
    add_suspicious = fields.Json(readonly=True)
    add_values_html = fields.Html(
        compute="_compute_add_values_html", string="New Student", sanitize=False
    )

    @api.depends("add_values", "add_suspicious")
    def _compute_add_values_html(self):
        for line in self:
            values, flags = line.add_values or {}, line.add_suspicious or {}
            if not values:
                line.add_values_html = False
                continue
            rows = Markup("").join(
                Markup(
                    '<tr class="o_data_row{css}"><td name="field_name">{label}</td>'
                    '<td name="new_value">{value}</td><td name="suspicious_reason">{reason}</td>'
                    "</tr>"
                ).format(
                    css=" text-warning" if flags.get(name) else "",
                    label=LABELS.get(name, name),
                    value=value,
                    reason=flags.get(name, ""),
                )
                for name in FIELDS
                if name in values
                for value in (values[name],)
            )
            line.add_values_html = Markup(
                '<table class="table table-sm o_list_table o_add_values"><thead><tr>'
                "<th>{field}</th><th>{new}</th><th>{suspicious}</th></tr></thead>"
                "<tbody>{rows}</tbody></table>"
            ).format(
                field=escape(self.env._("Field")),
                new=escape(self.env._("New Value")),
                suspicious=escape(self.env._("Suspicious Reason")),
                rows=rows,
            )

    suspicious_changes = fields.Char(
        compute="_compute_suspicious_changes",
        string="Suspicious Values",
        help="Old → new of each suspicious value, with the reason.",
    )
    run_date = fields.Datetime(related="run_id.applied_date", string="Applied On")

    def _compute_suspicious_changes(self):
        for line in self:
            if not line.suspicious:
                line.suspicious_changes = False
                continue
            # An add keeps its values on the line, an update its field changes.
            values, flags = line.add_values or {}, line.add_suspicious or {}
            shown = [
                f"{LABELS.get(name, name)}: ∅ → {values.get(name) or '∅'} ({reason})"
                for name, reason in flags.items()
            ] + [
                f"{change._field_label()}: {change.old_value or '∅'} → "
                f"{change.new_value or '∅'} ({change.suspicious_reason})"
                for change in line.change_ids.filtered("suspicious")
            ]
            line.suspicious_changes = "; ".join(shown) or (line.suspicious_reasons or "").replace(
                "\n", "; "
            )

    def init(self):
        # The run's form shows 80 of a run's lines (its errors, then its
        # suspicious lines, then the others in the preview's order, which is
        # the model's order), and a page of Review Changes 80 too.  These
        # indexes give those lines in order, where an index of run_id alone
        # reads all 100,000 lines of the run and sorts them.  The first one
        # replaces that index, so that a COPY of lines maintains as many full
        # indexes; the partial ones take only the lines that match (a few
        # errors and suspicious lines, no excluded line when a preview writes).
        # No index of company_id: lines are always read by run, and the
        # company rule's condition led PostgreSQL down that index, through
        # every line of the company, while its statistics had not yet seen a
        # new run's 100,000 lines.
        cr, table = self.env.cr, self._table
        cr.execute(SQL("DROP INDEX IF EXISTS student_import_line__run_id_index"))
        cr.execute(SQL("DROP INDEX IF EXISTS student_import_line__company_id_index"))
        position = ["run_id", "sequence", "id"]
        for name, columns, where in (
            ("sequence", position, ""),
            ("error", position, "change_type = 'error'"),
            ("suspicious", position, "suspicious"),
            ("excluded", ["run_id"], "excluded"),
        ):
            create_index(cr, f"{table}_run_id_{name}_index", table, columns, where=where)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        result = super().fields_get(allfields, attributes)
        return hide_internal_fields(result, {"sequence", "changed_fields", "run_state"})

    @api.depends("run_id.state")
    @api.depends_context("uid")
    def _compute_can_exclude(self):
        # The views follow the rule of write() below; Support reads only.
        is_user = self.env.user.has_group("school_student_import.group_student_import_user")
        for line in self:
            line.can_exclude = is_user and line.run_id.state == "review"

    def write(self, vals):
        # Staff may only include or exclude a line, and only while its run
        # is in review; everything else is the preview's record of the file.
        if not self.env.su:
            self.check_access("write")
            if set(vals) - {"excluded"}:
                raise AccessError(self.env._("Import lines are read-only, except Excluded."))
            if any(line.run_id.state != "review" for line in self):
                raise UserError(
                    self.env._("Lines can only be excluded while their run is in review.")
                )
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Import lines are created by Run Now only."))
        return super().create(vals_list)

    def action_open_student(self):
        self.ensure_one()
        if not self.student_id:
            raise UserError(self.env._("This line has no student in the roster yet."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "school.student",
            "res_id": self.student_id.id,
            "view_mode": "form",
        }
