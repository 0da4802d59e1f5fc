"""Direct mass changes of the roster are guarded like imports.

An import that changes 10% of the roster asks for a confirmation; the same
change made from the Students list (select all, Archive), a server action, a
multi-edit, Odoo's generic Import or an RPC ``write`` must not slip past
that.  A user who is not an import administrator may touch, in one call, no
more students than the importer thresholds allow without a confirmation,
and never more than an absolute limit.  One student at a time stays free.

Apply and Revert write thousands of students in one call, after checking
the run's own safeguards: they are let through by a flag that only their
own code sets, in this thread, for the time of the call.  It is a context
variable, not a context key, so that nothing sent over RPC can raise it.
"""

from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar

from odoo import api, models
from odoo.exceptions import UserError

from .. import engine
from ..engine.policy import percent

MASS_LIMIT_PARAM = "school_student_import.mass_change_limit"
DEFAULT_MASS_LIMIT = 50
MANAGER_GROUP = "school_student_import.group_student_import_manager"

# The id of the run whose Apply or Revert is writing students in this thread.
_RUN_WRITING = ContextVar("school_student_import_run_writing", default=None)

# Which importer threshold guards which kind of direct change.
_THRESHOLD_OF = {
    "add": "warn_add_pct",
    "restore": "warn_add_pct",
    "change": "warn_update_pct",
    "archive": "warn_inactivate_pct",
    "delete": "warn_inactivate_pct",
}


class SchoolStudent(models.Model):
    _inherit = "school.student"

    @api.model_create_multi
    def create(self, vals_list):
        if len(vals_list) > 1 and not self._may_change_in_mass():
            per_company = Counter(
                vals.get("company_id") or self.env.company.id for vals in vals_list
            )
            for company_id, count in per_company.items():
                company = self.env["res.company"].browse(company_id)
                # Another company's roster is none of this user's business:
                # its record rule refuses the creation, without figures.
                if company in self.env.companies:
                    self._check_mass_change(company, count, "add")
        return super().create(vals_list)

    def write(self, vals):
        if len(self) > 1 and not self._may_change_in_mass():
            if "active" in vals:
                kind = "restore" if vals["active"] else "archive"
            else:
                kind = "change"
            # Rights first: the refusal below names the roster and its size.
            self.check_access("write")
            for company, students in self.sudo().grouped("company_id").items():
                self._check_mass_change(company, len(students), kind)
        return super().write(vals)

    def unlink(self):
        if len(self) > 1 and not self._may_change_in_mass():
            self.check_access("unlink")
            for company, students in self.sudo().grouped("company_id").items():
                self._check_mass_change(company, len(students), "delete")
        return super().unlink()

    @api.model
    def load(self, fields, data):
        # Odoo's generic Import updates existing students one write at a
        # time: count the file's rows instead.
        if len(data) > 1 and not self._may_change_in_mass():
            self._check_mass_change(self.env.company, len(data), "change")
        return super().load(fields, data)

    def _may_change_in_mass(self):
        return (
            self.env.su or _RUN_WRITING.get() is not None or self.env.user.has_group(MANAGER_GROUP)
        )

    @api.model
    def _mass_change_limit(self, company, kind):
        """The most students a user may touch in one call in ``company``: the
        strictest of its importers' warning thresholds, capped by the
        ``school_student_import.mass_change_limit`` system parameter."""
        importers = self.env["student.importer"].sudo().search([("company_id", "=", company.id)])
        threshold = min(importers.mapped(_THRESHOLD_OF[kind]) or [engine.Thresholds.warn_update])
        active = (
            self.sudo()
            .with_context(active_test=True)
            .search_count([("company_id", "=", company.id)])
        )
        value = self.env["ir.config_parameter"].sudo().get_param(MASS_LIMIT_PARAM)
        try:
            cap = int(value) if value else DEFAULT_MASS_LIMIT
        except ValueError:
            cap = DEFAULT_MASS_LIMIT
        return max(1, min(cap, engine.largest_unguarded(active, threshold))), active

    @api.model
    def _check_mass_change(self, company, count, kind):
        limit, active = self._mass_change_limit(company, kind)
        if count <= limit:
            return
        verb = {
            "add": self.env._("create"),
            "restore": self.env._("restore"),
            "change": self.env._("change"),
            "archive": self.env._("archive"),
            "delete": self.env._("delete"),
        }[kind]
        raise UserError(
            self.env._(
                "You cannot %(verb)s %(count)s students of %(company)s at once: that is "
                "%(pct)s%% of its %(active)s active students, and at most %(limit)s may change "
                "in one go without the confirmation of an import. Use an import, or ask an "
                "import administrator.",
                verb=verb,
                count=count,
                company=company.name,
                pct=round(percent(count, active), 1),
                active=active,
                limit=limit,
            )
        )


class StudentImportRun(models.Model):
    _inherit = "student.import.run"

    def _apply(self):
        with _writing_students_for(self):
            return super()._apply()

    def _revert(self):
        with _writing_students_for(self):
            return super()._revert()


@contextmanager
def _writing_students_for(run):
    """Let ``run``'s own Apply or Revert write students in mass, in this thread."""
    token = _RUN_WRITING.set(run.id)
    try:
        yield
    finally:
        _RUN_WRITING.reset(token)
