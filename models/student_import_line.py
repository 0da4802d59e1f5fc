from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

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
    _order = "run_id, sequence, id"
    _rec_name = "name"
    _check_company_auto = True

    run_id = fields.Many2one(
        "student.import.run",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
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
    row_number = fields.Integer(string="File Row", readonly=True)
    summary = fields.Char(string="Changes", readonly=True)
    changed_fields = fields.Char(readonly=True, help="The changed fields' names, to group by.")
    suspicious = fields.Boolean(index=True, readonly=True)
    suspicious_reasons = fields.Text(readonly=True)
    error = fields.Text(readonly=True)
    excluded = fields.Boolean(
        help="An excluded line is not applied. Error lines must be excluded before Apply."
    )
    change_ids = fields.One2many("student.import.change", "line_id", string="Field Changes")

    def write(self, vals):
        # Staff may only include or exclude a line, and only while its run
        # is in review; everything else is the preview's record of the file.
        if not self.env.su:
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
