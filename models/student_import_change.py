from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..engine import FIELDS, LABELS


class StudentImportChange(models.Model):
    _name = "student.import.change"
    _description = "Student Import Field Change"
    _order = "line_id, sequence, id"
    # Only updates and reactivations keep field changes (an add keeps its
    # values on its line). No create/write columns (the line and the run
    # carry who and when), no run or company (the line's): the bulk COPY
    # checks one foreign key per row.
    _log_access = False

    line_id = fields.Many2one(
        "student.import.line", required=True, ondelete="cascade", index=True, readonly=True
    )
    sequence = fields.Integer(readonly=True)
    field_name = fields.Selection(
        [(name, LABELS[name]) for name in FIELDS], string="Field", required=True, readonly=True
    )
    old_value = fields.Char(string="Old Value", readonly=True)
    new_value = fields.Char(string="New Value", readonly=True)
    suspicious = fields.Boolean(readonly=True)
    suspicious_reason = fields.Char(readonly=True)

    def _field_label(self):
        return dict(self._fields["field_name"]._description_selection(self.env)).get(
            self.field_name, self.field_name
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Field changes are created by Run Now only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("Field changes are a record of the file: read-only."))
        return super().write(vals)
