from odoo import fields, models


class StudentImportAuthorize(models.TransientModel):
    _name = "student.import.authorize"
    _description = "Authorization Required"
    _inherit = ["student.import.dialog"]

    run_id = fields.Many2one("student.import.run", required=True, readonly=True)
    pct_add = fields.Float(related="run_id.pct_add", compute_sudo=False)
    trip_summary = fields.Text(related="run_id.trip_summary", compute_sudo=False)
    authorization_state = fields.Selection(related="run_id.authorization_state", compute_sudo=False)
    comment = fields.Text(help="Why are so many students added? Support reads this.")
    code = fields.Char(string="Approval Code")

    def action_submit_request(self):
        """Submit Request: the comment is required (checked by the run)."""
        self.ensure_one()
        self.run_id.action_request_authorization(self.comment)
        return {"type": "ir.actions.act_window_close"}

    def action_enter_code(self):
        """Manual Approval: authorize with the code, then apply when nothing else waits."""
        self.ensure_one()
        run = self.run_id
        run.action_enter_code(self.code)
        if run.confirmation_state != "to_confirm":
            run.action_apply()
        return {"type": "ir.actions.act_window_close"}
