from odoo import fields, models


class StudentImportDecision(models.TransientModel):
    _name = "student.import.decision"
    _description = "Decide on an Authorization Request"
    _inherit = ["student.import.dialog"]
    _dialog_record_field = "authorization_id"

    authorization_id = fields.Many2one("student.import.authorization", required=True, readonly=True)
    run_id = fields.Many2one(related="authorization_id.run_id", compute_sudo=False)
    requester_id = fields.Many2one(related="authorization_id.requester_id", compute_sudo=False)
    request_comment = fields.Text(
        related="authorization_id.comment", compute_sudo=False, string="Request"
    )
    comment = fields.Text(string="Your Answer", help="Required to reject; optional to approve.")

    def action_approve(self):
        self.ensure_one()
        self.authorization_id.action_approve(self.comment)
        return {"type": "ir.actions.act_window_close"}

    def action_reject(self):
        self.ensure_one()
        self.authorization_id.action_reject(self.comment)
        return {"type": "ir.actions.act_window_close"}
