from odoo import fields, models


class StudentImportAuthorize(models.TransientModel):
    _name = "student.import.authorize"
    _description = "Authorization Required"
    _inherit = ["student.import.dialog"]

    run_id = fields.Many2one("student.import.run", required=True, readonly=True)
    pct_add = fields.Float(related="run_id.pct_add", compute_sudo=False, digits=(5, 1))
    trip_summary = fields.Text(related="run_id.trip_summary", compute_sudo=False)
    authorization_state = fields.Selection(related="run_id.authorization_state", compute_sudo=False)
    count_error_open = fields.Integer(related="run_id.count_error_open", compute_sudo=False)
    pending_request_id = fields.Many2one(related="run_id.pending_request_id", compute_sudo=False)
    pending_requester_id = fields.Many2one(
        related="run_id.pending_request_id.requester_id", compute_sudo=False
    )
    pending_date = fields.Datetime(
        related="run_id.pending_request_id.create_date", compute_sudo=False, string="Requested On"
    )
    pending_comment = fields.Text(
        related="run_id.pending_request_id.comment", compute_sudo=False, string="Request Comment"
    )
    comment = fields.Text(help="Why are so many students added? Support reads this.")
    code = fields.Char(string="Approval Code")

    def action_submit_request(self):
        """Submit Request: the comment is required (checked by the run); say
        who was told and what comes next."""
        self.ensure_one()
        run = self.run_id
        run.action_request_authorization(self.comment)
        count = len(run._approvers())
        told = (
            self.env._("1 Support representative got an activity.")
            if count == 1
            else self.env._("%(count)s Support representatives got an activity.", count=count)
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Request sent for %(run)s", run=run.name),
                "message": self.env._(
                    "%(told)s You will get one when they decide; then press Apply.", told=told
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_enter_code(self):
        """Manual Approval: authorize with the code, then apply when nothing else waits."""
        self.ensure_one()
        run = self.run_id
        run.action_enter_code(self.code)
        if run.confirmation_state != "to_confirm":
            run.action_apply()
        return {"type": "ir.actions.act_window_close"}
