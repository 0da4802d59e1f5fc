from odoo import fields, models


class StudentImportDecision(models.TransientModel):
    _name = "student.import.decision"
    _description = "Decide on an Authorization Request"
    _inherit = ["student.import.dialog"]
    _dialog_record_field = "authorization_id"

    authorization_id = fields.Many2one("student.import.authorization", required=True, readonly=True)
    run_id = fields.Many2one(related="authorization_id.run_id", compute_sudo=False)
    requester_id = fields.Many2one(related="authorization_id.requester_id", compute_sudo=False)
    request_date = fields.Datetime(
        related="authorization_id.create_date", compute_sudo=False, string="Requested On"
    )
    request_comment = fields.Text(
        related="authorization_id.comment", compute_sudo=False, string="Request"
    )
    # What is being approved, as the run's review screen shows it.
    change_mix = fields.Html(related="run_id.change_mix", compute_sudo=False)
    trip_summary = fields.Text(related="run_id.trip_summary", compute_sudo=False)
    count_suspicious = fields.Integer(related="run_id.count_suspicious", compute_sudo=False)
    suspicious_top = fields.Text(related="run_id.suspicious_top", compute_sudo=False)
    signal_summary = fields.Text(related="run_id.signal_summary", compute_sudo=False)
    count_error_open = fields.Integer(related="run_id.count_error_open", compute_sudo=False)
    confirmation_state = fields.Selection(related="run_id.confirmation_state", compute_sudo=False)
    comment = fields.Text(string="Your Answer", help="Required to reject; optional to approve.")

    def action_approve(self):
        self.ensure_one()
        self.authorization_id.action_approve(self.comment)
        return {"type": "ir.actions.act_window_close"}

    def action_reject(self):
        self.ensure_one()
        self.authorization_id.action_reject(self.comment)
        return {"type": "ir.actions.act_window_close"}
