from odoo import fields, models


class StudentImportCodeIssue(models.TransientModel):
    _name = "student.import.code.issue"
    _description = "Issue a Manual Approval Code"
    _inherit = ["student.import.dialog"]

    run_id = fields.Many2one("student.import.run", required=True, readonly=True)
    pct_add = fields.Float(related="run_id.pct_add", compute_sudo=False, digits=(5, 1))
    trip_summary = fields.Text(related="run_id.trip_summary", compute_sudo=False)
    # Filled only in the dialog that shows a new code, from its context:
    # that dialog is never saved, so the code is never stored in clear.
    code = fields.Char(readonly=True)
    code_minutes = fields.Integer(readonly=True)

    def action_issue(self):
        """Show the new code once, in a dialog from which it can be copied."""
        self.ensure_one()
        code = self.run_id.action_issue_code()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Approval code for %(run)s", run=self.run_id.name),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_run_id": self.run_id.id,
                "default_code": code,
                "default_code_minutes": self.env["student.import.authorization"]._code_minutes(),
            },
        }
