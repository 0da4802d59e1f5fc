from odoo import fields, models
from odoo.exceptions import UserError


class SchoolCompanyMixin(models.AbstractModel):
    """A record of one district (company): the roster's students, its schools,
    its importers.

    The company is set when the record is created and never changes through
    the interface or RPC, administrators included: moving a student to
    another district would change two rosters at once (and invalidate both
    districts' runs in review), and moving a school or an importer would
    carry another district's codes and files into this one.  A move is an
    import in each district.  Code running as superuser (a migration) may.
    """

    _name = "school.company.mixin"
    _description = "Record of One District"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    def write(self, vals):
        if "company_id" in vals and not self.env.su:
            company = self.env["res.company"].browse(vals["company_id"])
            moved = self.sudo().filtered(lambda record: record.company_id != company)
            if moved:
                raise UserError(
                    self.env._(
                        "%(record)s belongs to %(company)s for good: the company of a "
                        "%(model)s cannot be changed. Archive it here and create or import "
                        "it in the other company instead.",
                        record=moved[0].display_name,
                        company=moved[0].company_id.name,
                        model=self._description.lower(),
                    )
                )
        return super().write(vals)
