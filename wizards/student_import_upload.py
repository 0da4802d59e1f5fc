import base64

from odoo import api, fields, models
from odoo.exceptions import UserError


class StudentImportUpload(models.TransientModel):
    _name = "student.import.upload"
    _description = "Run a Student Import"
    _inherit = ["student.import.dialog"]
    _dialog_record_field = "importer_id"

    importer_id = fields.Many2one("student.importer", required=True, readonly=True)
    file = fields.Binary(attachment=False)
    file_name = fields.Char()
    attachment_id = fields.Many2one(
        "ir.attachment",
        string="Or a Kept File",
        domain="[('id', 'in', available_attachment_ids)]",
        help="One of the files kept with the importer.",
    )
    available_attachment_ids = fields.Many2many(
        "ir.attachment", compute="_compute_available_attachment_ids"
    )

    @api.depends("importer_id")
    def _compute_available_attachment_ids(self):
        for upload in self:
            upload.available_attachment_ids = upload.importer_id.attachment_ids

    def action_run(self):
        """Preview the file and open the run's review screen."""
        self.ensure_one()
        if self.file:
            data, name = base64.b64decode(self.file), self.file_name or "upload.csv"
        elif self.attachment_id:
            if self.attachment_id not in self.importer_id.attachment_ids:
                raise UserError(self.env._("That file is not kept with this importer."))
            data, name = self.attachment_id.raw, self.attachment_id.name
        else:
            raise UserError(self.env._("Choose the file to import."))
        run = self.importer_id.run_import(data, name)
        return {
            "type": "ir.actions.act_window",
            "res_model": "student.import.run",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }
