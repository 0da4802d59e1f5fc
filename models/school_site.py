from odoo import api, fields, models


class SchoolSite(models.Model):
    _name = "school.site"
    _description = "School"
    _inherit = ["school.company.mixin"]
    _order = "name"

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(company_id, code)",
            "Another school of this company already has this SIS code.",
        ),
    ]

    name = fields.Char(required=True)
    code = fields.Char(
        string="SIS Code",
        required=True,
        index=True,
        help="The school code of the SIS export (the file's School Code column).",
    )
    active = fields.Boolean(default=True)
    student_ids = fields.One2many("school.student", "school_id")
    student_count = fields.Integer(compute="_compute_student_count")

    @api.depends("student_ids")
    def _compute_student_count(self):
        counts = {
            school.id: count
            for school, count in self.env["school.student"]._read_group(
                [("school_id", "in", self.ids)], ["school_id"], ["__count"]
            )
        }
        for school in self:
            school.student_count = counts.get(school.id, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("code"):
                vals["code"] = vals["code"].strip().upper()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("code"):
            vals["code"] = vals["code"].strip().upper()
        return super().write(vals)

    @api.depends("name", "code")
    def _compute_display_name(self):
        for school in self:
            school.display_name = f"[{school.code}] {school.name}" if school.code else school.name
