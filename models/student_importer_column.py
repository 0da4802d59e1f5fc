from odoo import fields, models

from ..engine import FIELDS, LABELS, TRANSFORMS

TRANSFORM_LABELS = {
    "none": "None",
    "upper": "UPPER CASE",
    "lower": "lower case",
    "title": "Title Case",
    "digits": "Digits only",
    "strip_zeros": "Strip leading zeros",
}


class StudentImporterColumn(models.Model):
    _name = "student.importer.column"
    _description = "Importer Column Mapping"
    _order = "importer_id, sequence, id"

    _sql_constraints = [
        (
            "field_importer_uniq",
            "unique(importer_id, field_name)",
            "Each student field can be fed by one column only.",
        ),
    ]

    importer_id = fields.Many2one("student.importer", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    column_name = fields.Char(
        string="File Column", required=True, help="The header of the column in the file."
    )
    field_name = fields.Selection(
        [(name, LABELS[name]) for name in FIELDS], string="Student Field", required=True
    )
    required = fields.Boolean(
        help="A row whose value is blank in this column is an error and is not imported."
    )
    transform = fields.Selection(
        [(name, TRANSFORM_LABELS[name]) for name in TRANSFORMS],
        default="none",
        required=True,
        help="Applied to the cell's text before it is checked and compared.",
    )
