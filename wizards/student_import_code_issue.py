from odoo import fields, models


class StudentImportCodeIssue(models.TransientModel):
    _name = "student.import.code.issue"
    _description = "Issue a Manual Approval Code"
    _inherit = ["student.import.dialog"]

    run_id = fields.Many2one("student.import.run", required=True, readonly=True)
    pct_add = fields.Float(related="run_id.pct_add", compute_sudo=False)
    trip_summary = fields.Text(related="run_id.trip_summary", compute_sudo=False)

    def action_issue(self):
        """Show the new code once, in a notification: it is never stored in clear."""
        self.ensure_one()
        code = self.run_id.action_issue_code()
        minutes = self.env["student.import.authorization"]._code_minutes()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Approval code for %(run)s", run=self.run_id.name),
                "message": self.env._(
                    "%(code)s — read it to the staff member; it works once, for this run "
                    "only, for %(minutes)s minutes.",
                    code=code,
                    minutes=minutes,
                ),
                "type": "info",
                "sticky": True,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
