from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import ELIGIBILITIES, FIELDS, GENDERS, GRADES

GRADE_LABELS = {"PK": "Pre-K", "KG": "Kindergarten"}
# The fields an import's bulk INSERT copies from a line's values as they are
# (the student number, the school, the name and the defaults it sets itself).
BULK_VALUE_FIELDS = tuple(name for name in FIELDS if name not in ("student_number", "school_code"))
# Every stored field the bulk INSERT writes: any other (another module's)
# sends Apply back to create().
BULK_STORED_FIELDS = frozenset(
    {
        *BULK_VALUE_FIELDS,
        "id",
        "student_number",
        "school_id",
        "name",
        "active",
        "company_id",
        "last_run_id",
        "import_stage_run_id",
        "create_uid",
        "create_date",
        "write_uid",
        "write_date",
    }
)
# Methods whose overrides would make create() store something the bulk
# INSERT does not; the modules whose definitions of them it reproduces.
BULK_SENSITIVE_METHODS = ("create", "_create", "_compute_name", "default_get")
BULK_KNOWN_MODULES = frozenset(
    {
        "odoo.models",
        "odoo.addons.mail.models.mail_thread",
        "odoo.addons.mail.models.mail_activity_mixin",
        __name__,
        # Its create() only refuses a user's mass change; it stores nothing.
        f"{__name__.rpartition('.')[0]}.school_student_mass_change",
    }
)


class SchoolStudent(models.Model):
    _name = "school.student"
    _description = "Student"
    _inherit = ["school.company.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "last_name, first_name, student_number"
    _rec_names_search = ["name", "student_number"]

    _sql_constraints = [
        (
            "student_number_company_uniq",
            "unique(company_id, student_number)",
            "Another student of this company already has this student number.",
        ),
    ]

    student_number = fields.Char(required=True, index=True, tracking=True)
    first_name = fields.Char(tracking=True)
    middle_name = fields.Char()
    last_name = fields.Char(tracking=True)
    # precompute: an import creates thousands of students at once, and a
    # name computed after the INSERT costs one UPDATE per student.
    name = fields.Char(compute="_compute_name", store=True, index=True, precompute=True)
    birthdate = fields.Date(tracking=True)
    gender = fields.Selection(
        [(code, label) for code, label in zip(GENDERS, ("Male", "Female", "Other"), strict=True)]
    )
    grade = fields.Selection(
        [(grade, GRADE_LABELS.get(grade) or f"Grade {int(grade)}") for grade in GRADES],
        tracking=True,
    )
    homeroom = fields.Char()
    school_id = fields.Many2one(
        "school.site",
        string="School",
        tracking=True,
        index=True,
        check_company=True,
        domain="[('company_id', '=', company_id)]",
    )
    eligibility = fields.Selection(
        [(code, code.capitalize()) for code in ELIGIBILITIES],
        string="Meal Eligibility",
        tracking=True,
    )
    pin = fields.Char(string="PIN", groups="school_student_import.group_student_import_user")
    email = fields.Char()
    guardian_name = fields.Char()
    guardian_phone = fields.Char()
    guardian_email = fields.Char()
    street = fields.Char()
    city = fields.Char()
    zip = fields.Char(string="ZIP")
    active = fields.Boolean(default=True, tracking=True)
    last_run_id = fields.Many2one(
        "student.import.run",
        string="Last Import",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    # Set while an Apply job stages this (archived) student: it is not part
    # of the roster until the job switches it in, and goes with its run.
    import_stage_run_id = fields.Many2one(
        "student.import.run",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="cascade",
    )

    import_line_count = fields.Integer(
        compute="_compute_import_line_count",
        string="Imports",
        groups="school_student_import.group_student_import_user,"
        "school_student_import.group_student_import_approver",
    )

    def _import_line_domain(self):
        """The import lines that changed these students: applied runs only."""
        return [
            ("student_id", "in", self.ids),
            ("run_id.state", "in", ("done", "reverted")),
            ("excluded", "=", False),
        ]

    def _compute_import_line_count(self):
        counts = dict(
            self.env["student.import.line"]._read_group(
                self._import_line_domain(), ["student_id"], ["__count"]
            )
        )
        for student in self:
            student.import_line_count = counts.get(student, 0)

    @api.depends("first_name", "last_name", "middle_name")
    def _compute_name(self):
        for student in self:
            first = " ".join(p for p in (student.first_name, student.middle_name) if p)
            if student.last_name and first:
                student.name = f"{student.last_name}, {first}"
            else:
                student.name = student.last_name or first or ""

    @api.depends("name", "student_number")
    def _compute_display_name(self):
        for student in self:
            student.display_name = f"{student.name} ({student.student_number})"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("student_number"):
                vals["student_number"] = vals["student_number"].strip().upper()
        return super().create(vals_list)

    def _bulk_insert_supported(self):
        """Whether an import may INSERT students in SQL instead of create().

        The bulk INSERT of ``student.import.run._insert_added_students``
        stores what ``create()`` of this module stores (a test compares both
        field by field).  Another installed module could make create() do
        more: override it or the name's computation, add a stored field
        (perhaps computed, or with a default) or a Python constraint.  Then
        the import uses create() and is only slower.
        """
        registry_class = type(self)
        for klass in registry_class.__mro__:
            module = klass.__module__
            if klass is not registry_class and (
                module in BULK_KNOWN_MODULES or not module.startswith("odoo")
            ):
                continue
            if any(name in vars(klass) for name in BULK_SENSITIVE_METHODS):
                return False
        stored = {name for name, field in self._fields.items() if field.store and field.column_type}
        return stored == BULK_STORED_FIELDS and not self._constraint_methods

    def init(self):
        # The students whose stored values a preview found normal (what the
        # import engine's normalisers give back as they are), with the row
        # version it read: the student's and its school's (PostgreSQL's
        # xmin and ctid, which every UPDATE of a row changes, whoever makes
        # it: a form, an import, a revert, SQL).  The next preview checks
        # again only the students whose version is no longer the same
        # (student.import.run._load_roster).  A cache, not an Odoo model:
        # nothing else reads it; uninstall_hook drops it.  No foreign key:
        # its check would lock each remembered student's row (a million
        # students' first preview took 75 s instead of 35); the row of a
        # deleted student matches no student again (ids are not reused, and
        # a new row would have another version anyway).
        self.env.cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS student_import_normal (
                       student_id integer PRIMARY KEY,
                       student_xmin xid NOT NULL,
                       student_ctid tid NOT NULL,
                       site_xmin xid,
                       site_ctid tid)"""
            )
        )

    def write(self, vals):
        if vals.get("student_number"):
            vals["student_number"] = vals["student_number"].strip().upper()
        return super().write(vals)

    def action_view_imports(self):
        """The Imports smart button: what each applied import changed for this
        student, read from the runs' lines (bulk writes stay untracked)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Imports of %(student)s", student=self.display_name),
            "res_model": "student.import.line",
            "view_mode": "list,form",
            "views": [
                (
                    self.env.ref("school_student_import.student_import_line_view_list_student").id,
                    "list",
                ),
                (False, "form"),
            ],
            "domain": self._import_line_domain(),
            "context": {"create": False},
        }
