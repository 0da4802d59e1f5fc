from odoo import api, fields, models
from odoo.exceptions import UserError


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
    apply_when = fields.Selection(
        [("now", "Now"), ("at", "At a date and time")],
        string="Apply",
        default="now",
        required=True,
        help="When approved, the system applies the run on behalf of the requester, after "
        "checking every safeguard and the roster again.",
    )
    apply_at = fields.Datetime(string="Apply At", help="A time of least impact on the staff.")
    needs_confirmation = fields.Boolean(compute="_compute_needs_confirmation")

    @api.depends("authorization_id")
    def _compute_needs_confirmation(self):
        for decision in self:
            run = decision.authorization_id.run_id.sudo()
            decision.needs_confirmation = run.confirmation_state == "to_confirm"

    def action_approve(self):
        self.ensure_one()
        apply_at = None
        if self.apply_when == "at":
            if not self.apply_at:
                raise UserError(self.env._("Choose when the run is applied."))
            if self.apply_at <= fields.Datetime.now():
                raise UserError(self.env._("The time to apply must be in the future."))
            apply_at = self.apply_at
        self.authorization_id.action_approve(self.comment, apply_at=apply_at)
        return {"type": "ir.actions.act_window_close"}

    def action_reject(self):
        self.ensure_one()
        self.authorization_id.action_reject(self.comment)
        return {"type": "ir.actions.act_window_close"}
