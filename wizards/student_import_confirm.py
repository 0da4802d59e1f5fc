from odoo import api, fields, models


class StudentImportConfirm(models.TransientModel):
    _name = "student.import.confirm"
    _description = "Confirm a Large Student Import"
    _inherit = ["student.import.dialog"]

    run_id = fields.Many2one("student.import.run", required=True, readonly=True)
    trip_summary = fields.Text(related="run_id.trip_summary", compute_sudo=False)
    pct_add = fields.Float(related="run_id.pct_add", compute_sudo=False)
    pct_update = fields.Float(related="run_id.pct_update", compute_sudo=False)
    pct_inactivate = fields.Float(related="run_id.pct_inactivate", compute_sudo=False)
    count_suspicious = fields.Integer(related="run_id.count_suspicious", compute_sudo=False)
    suspicious_top = fields.Text(related="run_id.suspicious_top", compute_sudo=False)
    change_mix = fields.Html(related="run_id.change_mix", compute_sudo=False)
    authorization_state = fields.Selection(related="run_id.authorization_state", compute_sudo=False)
    suspicious_line_ids = fields.Many2many(
        "student.import.line", compute="_compute_suspicious_line_ids"
    )

    @api.depends("run_id")
    def _compute_suspicious_line_ids(self):
        for confirm in self:
            confirm.suspicious_line_ids = self.env["student.import.line"].search(
                [("run_id", "=", confirm.run_id.id), ("suspicious", "=", True)], limit=50
            )

    def action_yes(self):
        """Yes, apply; or, when an authorization still misses, go on to ask for it."""
        self.ensure_one()
        run = self.run_id
        result = run.action_confirm_warning()
        if isinstance(result, dict):
            return result
        if run.state == "review" and run.authorization_state != "authorized":
            return run.action_start_apply()
        return {"type": "ir.actions.act_window_close"}
