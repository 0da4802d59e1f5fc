from odoo import api, models


class StudentImportDialog(models.AbstractModel):
    """A dialog opened on one run (or one request): it shows that record's
    figures, so it opens only for a user who may read that record.

    Its related fields are computed as the user (``compute_sudo=False``), so
    that reading them also obeys the record's company rule; the check at
    creation refuses the dialog itself, before anything is shown or done.
    """

    _name = "student.import.dialog"
    _description = "Dialog on an Import Record"
    # The many2one field that holds the record the dialog is opened on.
    _dialog_record_field = "run_id"

    @api.model_create_multi
    def create(self, vals_list):
        dialogs = super().create(vals_list)
        dialogs._check_dialog_record_access()
        return dialogs

    def write(self, vals):
        result = super().write(vals)
        if self._dialog_record_field in vals:
            self._check_dialog_record_access()
        return result

    def _check_dialog_record_access(self):
        for dialog in self:
            dialog[self._dialog_record_field].check_access("read")
