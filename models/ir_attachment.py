from odoo import api, models

# The context key under which an import run's file is attached.
NO_INDEX_CONTEXT = "student_import_file"


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.model
    def _index(self, bin_data, file_type, checksum=None):
        """An import run's file is not indexed for attachment search.

        Odoo copies every printable run of a text file into
        ``index_content``: for a district's export that is a second copy of
        150 MB (a million students) in the database, seconds of regular
        expression in the request that uploads it, and every PIN and address
        of the roster in a column that attachment search reads.  The run
        keeps the file itself.
        """
        if self.env.context.get(NO_INDEX_CONTEXT):
            return False
        return super()._index(bin_data, file_type, checksum=checksum)
