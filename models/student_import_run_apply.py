from collections import defaultdict
from itertools import groupby
from operator import itemgetter

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .. import engine

# Apply reads its lines this many line ids at a time.
STREAM = 20000
# Apply checks (and remembers) at most this many updated, inactivated or
# reactivated students, in the one transaction that writes them: a year's
# promotion of a million students would add a worker's 20 s to an apply
# job's last step.  Beyond it, the next preview checks them.
REMEMBER_CHANGED = 200000


class StudentImportRun(models.Model):
    """Apply and Revert: the only places where a run writes to students."""

    _inherit = "student.import.run"

    # Apply and revert

    def _check_can_apply(self):
        """Refuse Apply when the run is not ready; the safeguards extend this."""
        self.ensure_one()
        if self.state != "review":
            raise UserError(
                self.env._(
                    "%(run)s is %(state)s: only a run in review can be applied.",
                    run=self.name,
                    state=self._state_label(),
                )
            )
        self._check_no_open_errors()
        if self._roster_fingerprint(self.company_id) != self.roster_fingerprint:
            raise UserError(
                self.env._(
                    "The roster changed since %(run)s was previewed (students were created, "
                    "edited or archived). Run the import again to see the changes as they "
                    "are now.",
                    run=self.name,
                )
            )

    def _check_no_open_errors(self):
        """Apply's first check: error lines are excluded (or the file fixed)."""
        self.ensure_one()
        open_errors = self.env["student.import.line"].search_count(
            [("run_id", "=", self.id), ("change_type", "=", "error"), ("excluded", "=", False)]
        )
        if open_errors:
            raise UserError(
                self.env._(
                    "%(run)s has %(count)s error lines. Fix the file and run it again, or "
                    "exclude those lines to apply the rest.",
                    run=self.name,
                    count=open_errors,
                )
                if open_errors > 1
                else self.env._(
                    "%(run)s has 1 error line. Fix the file and run it again, or exclude "
                    "that line to apply the rest.",
                    run=self.name,
                )
            )

    def _apply(self):
        """Write this run's lines to the roster (entry point of Apply, also
        called by the background jobs: keep its name and signature)."""
        self.ensure_one()
        self._check_can_apply()
        added = self._apply_adds()
        written = self._apply_changes()
        # The adds an Apply job staged (student_import_run_job.py) join the
        # roster now, in this transaction.
        added += self._switch_staged()
        self.sudo().write(
            {
                "state": "done",
                "applied_by_id": self.env.uid,
                "applied_date": self.env.cr.now(),
            }
        )
        self.message_post(
            body=self.env._(
                "Applied by %(user)s; students written: %(count)s.",
                user=self.env.user.name,
                count=added + written,
            )
        )

    def _apply_changes(self):
        """Updates, reactivations and inactivations, read a slice of lines at
        a time; one ``write`` per (field, value).  Returns the lines applied."""
        Student = self.env["school.student"].with_context(tracking_disable=True, active_test=False)
        schools = self._school_ids()
        writes, to_archive, to_restore, touched = defaultdict(list), [], [], []
        query = """SELECT l.id, l.change_type, l.student_id, c.field_name, c.new_value
                     FROM student_import_line l
                LEFT JOIN student_import_change c ON c.line_id = l.id
                    WHERE l.run_id = %s AND l.id >= %s AND l.id < %s AND NOT l.excluded
                      AND l.change_type IN ('update', 'reactivate', 'inactivate')
                 ORDER BY l.id, c.sequence"""
        for low, high in self._line_id_slices():
            self.env.cr.execute(SQL(query, self.id, low, high))
            for _line_id, rows in groupby(self.env.cr.fetchall(), key=itemgetter(0)):
                rows = list(rows)
                kind, student_id = rows[0][1], rows[0][2]
                touched.append(student_id)
                if kind == "inactivate":
                    to_archive.append(student_id)
                    continue
                if kind == "reactivate":
                    to_restore.append(student_id)
                values = {name: new or "" for _i, _k, _s, name, new in rows if name}
                for name, value in self._student_vals(values, schools).items():
                    writes[(name, value)].append(student_id)
        self._write_grouped(Student, writes)
        if to_restore:
            Student.browse(to_restore).write({"active": True})
        if to_archive:
            Student.browse(to_archive).write({"active": False})
        if touched:
            Student.browse(touched).write({"last_run_id": self.id})
            if len(touched) <= REMEMBER_CHANGED:
                self._remember_written(touched)
        Student.flush_model()
        return len(touched)

    def _remember_written(self, student_ids):
        """Check the students this Apply wrote and remember those found normal.

        What a preview does with the roster (``_load_roster``), so that the
        next preview does not check them again: after a first load of a
        million students, the first night would check every one of them.
        Their written values are the engine's own, but the fields that the
        file does not hold are as they were: a student's every value is
        checked, as in a preview.  Nothing is remembered while another
        transaction of the district does it (``_may_remember``).
        """
        self._load_roster(self.company_id, remember=True, student_ids=student_ids)

    def _line_id_slices(self, size=STREAM):
        """``(low, high)`` ranges of this run's line ids, ``size`` ids each:
        Apply reads its lines a slice at a time, through the primary key."""
        self.env["student.import.line"].flush_model()
        self.env.cr.execute(
            SQL("SELECT min(id), max(id) FROM student_import_line WHERE run_id = %s", self.id)
        )
        low, high = self.env.cr.fetchone()
        if low is None:
            return []
        return [(start, start + size) for start in range(low, high + 1, size)]

    def _revert(self):
        self.ensure_one()
        if self.state != "done":
            raise UserError(
                self.env._(
                    "%(run)s is %(state)s: only an applied run can be reverted.",
                    run=self.name,
                    state=self._state_label(),
                )
            )
        Student = self.env["school.student"].with_context(tracking_disable=True, active_test=False)
        lines = self.env["student.import.line"].search_read(
            [("run_id", "=", self.id), ("excluded", "=", False), ("change_type", "!=", "error")],
            ["change_type", "student_id", "student_number", "name"],
        )
        missing = [line for line in lines if not line["student_id"]]
        if missing:
            raise UserError(
                self.env._(
                    "%(count)s students of %(run)s were deleted since it was applied: it "
                    "cannot be reverted.",
                    count=len(missing),
                    run=self.name,
                )
            )
        changes = self._changes_by_line()
        changed = self._changed_since_apply(lines, changes)
        if changed:
            names = ", ".join(changed[:10])
            more = len(changed) - 10
            raise UserError(
                self.env._(
                    "These students changed after %(run)s was applied, so reverting would "
                    "overwrite newer data: %(names)s%(more)s. Correct them by hand or run a "
                    "new import instead.",
                    run=self.name,
                    names=names,
                    more=self.env._(" and %(n)s more", n=more) if more > 0 else "",
                )
            )
        schools = self._school_ids()
        writes, to_archive, to_restore = defaultdict(list), [], []
        for line in lines:
            student_id, kind = line["student_id"][0], line["change_type"]
            if kind in ("add", "reactivate"):
                to_archive.append(student_id)
            elif kind == "inactivate":
                to_restore.append(student_id)
            if kind in ("update", "reactivate"):
                old = {name: before for name, before, _new in changes.get(line["id"], ())}
                for name, value in self._student_vals(old, schools).items():
                    writes[(name, value)].append(student_id)
        self._write_grouped(Student, writes)
        if to_archive:
            Student.browse(to_archive).write({"active": False})
        if to_restore:
            Student.browse(to_restore).write({"active": True})
        self.sudo().write(
            {
                "state": "reverted",
                "reverted_by_id": self.env.uid,
                "reverted_date": self.env.cr.now(),
            }
        )
        self.message_post(
            body=self.env._(
                "Reverted by %(user)s; students restored: %(count)s.",
                user=self.env.user.name,
                count=len(lines),
            )
        )

    def _changed_since_apply(self, lines, changes):
        """Names of the students whose managed values or active flag are no
        longer what this run wrote: reverting them would lose newer data."""
        roster = self._load_roster(self.company_id)
        positions = {name: i for i, name in enumerate(engine.FIELDS)}
        # Any later write shows in write_date; values catch what a write in
        # the same transaction as Apply would hide.
        self.env["school.student"].flush_model(["write_date"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM school_student WHERE company_id = %s AND write_date > %s",
                self.company_id.id,
                self.applied_date,
            )
        )
        written_since = {row[0] for row in self.env.cr.fetchall()}
        changed = []
        for line in lines:
            position = roster.index.get(line["student_number"])
            expect_active = line["change_type"] != "inactivate"
            if (
                position is None
                or roster.refs[position] != line["student_id"][0]
                or line["student_id"][0] in written_since
                or bool(roster.active[position]) != expect_active
                or any(
                    roster.values[position][positions[name]] != (new or "")
                    for name, _old, new in changes.get(line["id"], ())
                )
            ):
                changed.append(f"{line['name']} ({line['student_number']})")
        return changed

    def _changes_by_line(self):
        """``{line id: [(field, old, new), ...]}`` of this run, adds included."""
        self.env["student.import.line"].flush_model()
        self.env["student.import.change"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT c.line_id, c.field_name, c.old_value, c.new_value
                     FROM student_import_change c
                     JOIN student_import_line l ON l.id = c.line_id
                    WHERE l.run_id = %s ORDER BY c.line_id, c.sequence""",
                self.id,
            )
        )
        result = defaultdict(list)
        for line_id, name, old, new in self.env.cr.fetchall():
            result[line_id].append((name, old or "", new or ""))
        self.env.cr.execute(
            SQL(
                """SELECT id, add_values FROM student_import_line
                    WHERE run_id = %s AND change_type = 'add' AND add_values IS NOT NULL""",
                self.id,
            )
        )
        for line_id, values in self.env.cr.fetchall():
            result[line_id] = [(name, "", new or "") for name, new in values.items()]
        return result

    def _school_ids(self):
        schools = (
            self.env["school.site"]
            .with_context(active_test=False)
            .search([("company_id", "=", self.company_id.id)])
        )
        return {school.code: school.id for school in schools}

    def _student_vals(self, values, schools):
        """Canonical text values of the engine -> ``school.student`` write values."""
        vals = {}
        for name, value in values.items():
            if name == "student_number":
                continue
            if name == "school_code":
                if value and value not in schools:
                    raise UserError(
                        self.env._(
                            "School code %(code)s is not a school of this company.", code=value
                        )
                    )
                vals["school_id"] = schools.get(value, False) if value else False
            else:
                vals[name] = value or False
        return vals

    @staticmethod
    def _write_grouped(Student, writes):
        """One ``write`` per (field, value): a promotion of 5,000 students to
        grade 04 is one UPDATE, not 5,000."""
        for (name, value), student_ids in writes.items():
            Student.browse(student_ids).write({name: value})
