import re

from psycopg2 import errors

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from .. import engine
from .school_student import BULK_VALUE_FIELDS

# create() in batches of this many students on the ORM path.
CREATE_BATCH = 2000


class StudentImportRun(models.Model):
    """Apply's adds: new students, made in bulk, each linked to its line."""

    _inherit = "student.import.run"

    def _apply_adds(self, id_range=None, staged=False):
        """Create the students of this run's add lines; returns how many.

        Lines already linked to a student (staged by an Apply job) are
        skipped.  The new students found normal are remembered
        (``_remember_written``; a staged one's memory follows it when it is
        switched in).  ``id_range``: only the lines whose ids are in ``(low,
        high)``.  ``staged``: the students are created archived and marked
        with this run (``import_stage_run_id``), for the Apply job to switch
        them in later (student_import_run_job.py).

        Each slice of line ids is one pass: its students are created and its
        lines linked to them.  With the bulk INSERT (when it makes what
        ``create()`` would make, see ``school.student._bulk_insert_supported``)
        PostgreSQL does all of it in one statement per slice, from the lines'
        ``add_values``, without a Python object per student; otherwise the
        ORM's ``create()`` gets complete values in large batches.
        """
        self.ensure_one()
        Student = self.env["school.student"].with_context(tracking_disable=True, active_test=False)
        Student.flush_model()
        self._check_add_school_codes()
        bulk = Student._bulk_insert_supported()
        count = 0
        try:
            with self.env.cr.savepoint():
                for low, high in [id_range] if id_range else self._line_id_slices():
                    if bulk:
                        added = self._insert_added_students(low, high, staged)
                    else:
                        added = self._create_added_students(Student, low, high, staged)
                    if added:
                        self._remember_written(self._added_student_ids(low, high))
                    count += added
        except errors.UniqueViolation as error:
            # Only when another transaction added the number since the
            # roster check of Apply: the database's unique index has the
            # last word, and nothing of this Apply stays.
            match = re.search(r"\(\d+, (.*)\) already exists", error.diag.message_detail or "")
            raise UserError(
                self.env._(
                    "Another student of this company already has the student number "
                    "%(number)s: run the import again.",
                    number=match.group(1) if match else "?",
                )
            ) from None
        self.env["student.import.line"].invalidate_model(["student_id"])
        Student.invalidate_model()
        self.env["school.site"].invalidate_model(["student_ids", "student_count"])
        return count

    def _added_student_ids(self, low, high):
        """The students of the add lines whose ids are in ``[low, high)``."""
        self.env["student.import.line"].flush_model(["student_id"])
        self.env.cr.execute(
            SQL(
                """SELECT student_id FROM student_import_line
                    WHERE run_id = %s AND id >= %s AND id < %s AND change_type = 'add'
                      AND NOT excluded AND student_id IS NOT NULL""",
                self.id,
                low,
                high,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _check_add_school_codes(self):
        """Every school code of an add must still be one of the company's
        schools (the bulk INSERT would otherwise leave the school blank)."""
        self.env["school.site"].flush_model(["code", "company_id"])
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT l.add_values->>'school_code'
                     FROM student_import_line l
                    WHERE l.run_id = %s AND l.change_type = 'add' AND NOT l.excluded
                      AND coalesce(l.add_values->>'school_code', '') <> ''
                      AND NOT EXISTS (SELECT 1 FROM school_site s WHERE s.company_id = %s
                                         AND s.code = l.add_values->>'school_code')
                    LIMIT 1""",
                self.id,
                self.company_id.id,
            )
        )
        row = self.env.cr.fetchone()
        if row:
            raise UserError(
                self.env._("School code %(code)s is not a school of this company.", code=row[0])
            )

    def _insert_added_students(self, low, high, staged=False):
        """One statement: read the slice's add lines, INSERT their students
        with the values ``create()`` would store (defaults, the computed
        name, audit columns) and link each line to its student."""
        text = SQL("text")
        record = SQL(", ").join(
            SQL("%s %s", SQL.identifier(name), text) for name in (*BULK_VALUE_FIELDS, "school_code")
        )
        value = {
            name: SQL("nullif(src.%s, '')", SQL.identifier(name)) for name in BULK_VALUE_FIELDS
        }
        value["birthdate"] = SQL("nullif(src.birthdate, '')::date")
        given = SQL("concat_ws(' ', %s, %s)", value["first_name"], value["middle_name"])
        # school.student._compute_name, in SQL
        name = SQL(
            """CASE WHEN %(last)s IS NOT NULL AND %(given)s <> ''
                    THEN %(last)s || ', ' || %(given)s
                    ELSE coalesce(%(last)s, %(given)s) END""",
            last=value["last_name"],
            given=given,
        )
        columns = SQL(", ").join(SQL.identifier(name) for name in BULK_VALUE_FIELDS)
        values = SQL(", ").join(value[name] for name in BULK_VALUE_FIELDS)
        now, uid = self.env.cr.now(), self.env.uid
        self.env.cr.execute(
            SQL(
                """
                WITH src AS MATERIALIZED (
                    SELECT nextval('school_student_id_seq') AS student_id, x.*
                      FROM (SELECT l.id AS line_id, l.student_number, v.*
                              FROM student_import_line l
                        CROSS JOIN LATERAL jsonb_to_record(coalesce(l.add_values, '{}'))
                                   AS v(%(record)s)
                             WHERE l.run_id = %(run)s AND l.id >= %(low)s AND l.id < %(high)s
                               AND l.change_type = 'add' AND NOT l.excluded
                               AND l.student_id IS NULL
                          ORDER BY l.id) x
                ), inserted AS (
                    INSERT INTO school_student (
                        id, student_number, company_id, active, import_stage_run_id, last_run_id,
                        school_id, name, %(columns)s, create_uid, create_date, write_uid,
                        write_date)
                    SELECT src.student_id, src.student_number, %(company)s, %(active)s,
                           %(stage)s, %(run)s, site.id, %(name)s, %(values)s, %(uid)s, %(now)s,
                           %(uid)s, %(now)s
                      FROM src
                 LEFT JOIN school_site site
                        ON site.company_id = %(company)s AND site.code = src.school_code
                    RETURNING id
                ), linked AS (
                    UPDATE student_import_line l SET student_id = src.student_id
                      FROM src WHERE l.id = src.line_id
                    RETURNING l.id
                )
                SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM linked)
                """,
                record=record,
                run=self.id,
                low=low,
                high=high,
                columns=columns,
                company=self.company_id.id,
                active=not staged,
                stage=self.id if staged else None,
                name=name,
                values=values,
                uid=uid,
                now=now,
            )
        )
        inserted, linked = self.env.cr.fetchone()
        assert inserted == linked, "every added student is linked to its line"
        return inserted

    def _create_added_students(self, Student, low, high, staged=False):
        """The ORM path: ``create()`` with complete values, then the lines of
        the batch linked to their students in one UPDATE."""
        self.env.cr.execute(
            SQL(
                """SELECT id, student_number, add_values FROM student_import_line
                    WHERE run_id = %s AND id >= %s AND id < %s
                      AND change_type = 'add' AND NOT excluded AND student_id IS NULL
                 ORDER BY id""",
                self.id,
                low,
                high,
            )
        )
        rows = self.env.cr.fetchall()
        schools = self._school_ids()
        blank = dict.fromkeys(engine.FIELDS, "")
        count = 0
        for batch in split_every(CREATE_BATCH, rows):
            vals_list = []
            for _line_id, number, values in batch:
                vals = self._student_vals({**blank, **(values or {})}, schools)
                vals.update(
                    student_number=number,
                    company_id=self.company_id.id,
                    last_run_id=self.id,
                    active=not staged,
                    import_stage_run_id=self.id if staged else False,
                )
                vals_list.append(vals)
            students = Student.create(vals_list)
            # create() returns its records in the order of its values.
            self.env.cr.execute(
                SQL(
                    """UPDATE student_import_line l SET student_id = v.student_id
                         FROM unnest(%s::int[], %s::int[]) AS v(line_id, student_id)
                        WHERE l.id = v.line_id""",
                    [row[0] for row in batch],
                    students.ids,
                )
            )
            count += len(students)
        Student.flush_model()
        return count
