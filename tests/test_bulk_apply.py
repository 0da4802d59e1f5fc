import copy
from unittest.mock import patch

from odoo import api
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import StudentImportCase
from .grants import grant_safeguards

CANONICAL = (
    "student_number,first_name,middle_name,last_name,birthdate,gender,grade,homeroom,"
    "school_code,eligibility,pin,email,guardian_name,guardian_phone,guardian_email,street,"
    "city,zip"
)
# Two students as different as a file makes them: every column, and the
# fewest (no middle name, no school, lower-case number with spaces).
FULL = (
    "{n},Ana María,Luz,Pérez-Gómez,03/04/2015,F,4,R12,WAS,R,4321,ana@example.com,"
    "Rosa Pérez,555-0100,rosa@example.com,12 Elm St,Springfield,01234"
)
SPARSE = " {n} ,Bo,,Li,,,K,,,,,,,,,,,"


def counted_queries(env, function):
    """``(result, number of SQL queries)`` of ``function()``."""
    env.flush_all()
    before = env.cr.sql_log_count
    result = function()
    env.flush_all()
    return result, env.cr.sql_log_count - before


@tagged("post_install", "-at_install")
class TestBulkApply(StudentImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Files of new students only: the others are not missing.
        cls.importer.inactivate_missing = False

    def add_and_apply(self, rows):
        run = self.run_file(("\n".join([CANONICAL, *rows]) + "\n").encode())
        self.assertEqual(run.count_add, len(rows), run.line_ids.mapped("error"))
        run.with_user(self.user).action_apply()
        self.assertEqual(run.state, "done")
        return run

    def stored(self, student):
        """Every stored column of ``student`` as PostgreSQL holds it."""
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM school_student WHERE id = %s", [student.id])
        names = [column.name for column in self.env.cr.description]
        return dict(zip(names, self.env.cr.fetchone(), strict=True))

    def test_bulk_insert_stores_what_create_stores(self):
        Student = self.env["school.student"]
        self.assertTrue(Student._bulk_insert_supported())
        bulk = self.add_and_apply([FULL.format(n=300001), SPARSE.format(n="b300002")])
        with patch.object(type(Student), "_bulk_insert_supported", return_value=False):
            orm = self.add_and_apply([FULL.format(n=300003), SPARSE.format(n="b300004")])
        for made_in_bulk, made_by_create in (("300001", "300003"), ("B300002", "B300004")):
            one = self.stored(self.student(made_in_bulk))
            other = self.stored(self.student(made_by_create))
            self.assertEqual(one.keys(), other.keys())
            self.assertEqual(set(one), set(Student._fields) & set(one))
            for column in one.keys() - {"id", "student_number", "last_run_id"}:
                self.assertEqual(one[column], other[column], f"column {column}")
            self.assertEqual(one["last_run_id"], bulk.id)
            self.assertEqual(other["last_run_id"], orm.id)
        self.assertEqual(self.student("300001").name, "Pérez-Gómez, Ana María Luz")
        self.assertEqual(self.student("300001").school_id, self.washington)
        self.assertEqual(self.student("B300002").name, "Li, Bo")
        for run in (bulk, orm):
            for line in run.line_ids:
                self.assertEqual(line.student_id, self.student(line.student_number))

    def test_bulk_insert_leaves_no_stale_cache(self):
        before = len(self.lincoln.student_ids)
        run = self.run_file(self.export(extra=["300001,New,Kid,1,02/02/2019,LIN,F,R100"]))
        line = run.line_ids
        self.assertFalse(line.student_id)
        run.with_user(self.user).action_apply()
        self.assertEqual(len(self.lincoln.student_ids), before + 1)
        self.assertEqual(line.student_id.name, "Kid, New")
        self.assertEqual(line.student_id.last_run_id, run)
        self.assertIn(
            line.student_id, self.env["school.student"].search([("name", "=", "Kid, New")])
        )

    def test_bulk_insert_keeps_the_number_unique_per_company(self):
        other = self.env["res.company"].create({"name": "Next District"})
        self.env["school.student"].create(
            {"student_number": "300001", "last_name": "Elsewhere", "company_id": other.id}
        )
        self.add_and_apply([SPARSE.format(n=300001)])
        self.assertEqual(self.student("300001").last_name, "Li")
        # A student given the same number after the preview, in the same
        # company: Apply refuses (the roster check first, the database last).
        run = self.run_file(("\n".join([CANONICAL, SPARSE.format(n=300002)]) + "\n").encode())
        self.env["school.student"].create({"student_number": "300002", "last_name": "Late"})
        with self.assertRaisesRegex(UserError, "The roster changed since"):
            run.with_user(self.user).action_apply()
        with (
            self.assertRaisesRegex(UserError, "already has the student number 300002"),
            mute_logger("odoo.sql_db"),
        ):
            run._apply_adds()
        self.assertEqual(self.student("300002").last_name, "Late")

    def test_create_is_used_when_another_module_overrides_it(self):
        Student = self.env["school.student"]
        calls = []
        original = type(Student).create

        @api.model_create_multi
        def create(self, vals_list):
            calls.append(len(vals_list))
            return original(self, vals_list)

        with patch.object(type(Student), "create", create):
            self.assertFalse(Student._bulk_insert_supported())
            run = self.add_and_apply([FULL.format(n=300001), SPARSE.format(n=300002)])
        self.assertEqual(calls, [2])
        self.assertEqual(run.line_ids.student_id, self.student("300001") | self.student("300002"))

    def test_create_is_used_when_another_module_adds_a_stored_field(self):
        Student = self.env["school.student"]
        computed = copy.copy(Student._fields["name"])
        with patch.dict(type(Student)._fields, {"x_rank": computed}):
            self.assertFalse(Student._bulk_insert_supported())

    def test_an_unknown_school_code_stops_apply(self):
        run = self.run_file(("\n".join([CANONICAL, FULL.format(n=300001)]) + "\n").encode())
        self.washington.code = "WAX"
        with self.assertRaisesRegex(UserError, "School code WAS is not a school of this company"):
            run._apply_adds()


@tagged("post_install", "-at_install")
class TestQueryCount(StudentImportCase):
    """Run Now and Apply cost a bounded number of queries, whatever the
    number of students: a query per student would show here at once."""

    STUDENTS = 3000
    # Measured (2026-12-02): 49, 34, 19 and 72 queries, Apply's with the
    # check of the students it wrote (_remember_written, 6 queries a slice);
    # a query per student would be thousands.
    BOUNDS = {
        "Run Now of a first load": 55,
        "Apply of a first load": 42,
        "Run Now of a nightly file": 25,
        "Apply of a nightly file": 80,
    }

    def assertBounded(self, queries, label):
        self.assertLess(queries, self.BOUNDS[label], label)

    def test_first_load_and_nightly_file(self):
        rows = [
            f"{500000 + n},First{n},Last{n % 97},{n % 11 + 1},02/02/2012,LIN,F,R{n}"
            for n in range(self.STUDENTS)
        ]
        run, queries = counted_queries(self.env, lambda: self.run_file(self.export(extra=rows)))
        self.assertEqual(run.count_add, self.STUDENTS)
        self.assertBounded(queries, "Run Now of a first load")
        grant_safeguards(run)
        _, queries = counted_queries(self.env, run.with_user(self.user).action_apply)
        self.assertEqual(run.state, "done")
        self.assertBounded(queries, "Apply of a first load")
        # The nightly file: every student promoted, each with a homeroom of
        # its own, a tenth gone (inactivated).
        nightly = [
            f"{500000 + n},First{n},Last{n % 97},{n % 11 + 2},02/02/2012,LIN,F,H{n}"
            for n in range(self.STUDENTS)
            if n % 10
        ]
        current = self.students.filtered("active")
        run, queries = counted_queries(
            self.env, lambda: self.run_file(self.export(current, extra=nightly))
        )
        self.assertEqual(run.count_update, len(nightly))
        self.assertBounded(queries, "Run Now of a nightly file")
        grant_safeguards(run)
        _, queries = counted_queries(self.env, run.with_user(self.user).action_apply)
        self.assertEqual(run.state, "done")
        self.assertBounded(queries, "Apply of a nightly file")
        self.assertEqual(self.student("500001").homeroom, "H1")
        self.assertEqual(self.student("500001").grade, "03")
        self.assertFalse(self.student("500010").active)
