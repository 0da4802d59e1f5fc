"""Presets, real layouts and OneRoster bundles through Run Now's model API."""

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..engine.tests import layouts
from .common import StudentImportCase

SCHOOLS = (("org-lin", "LIN", "Lincoln Elementary"), ("org-was", "WAS", "Washington Middle"))


@tagged("post_install", "-at_install")
class TestLayouts(StudentImportCase):
    @classmethod
    def district(cls):
        """The active students of the test district, in canonical values, by number."""
        roster = cls.env["student.import.run"]._load_roster(cls.company).to_dict()
        return [
            dict(student, student_number=number)
            for number, student in sorted(roster.items())
            if student["active"]
        ]

    def importer_with(self, preset):
        return self.env["student.importer"].create({"name": f"{preset} nightly", "preset": preset})

    def assertUnchanged(self, run):
        counts = (run.count_add, run.count_update, run.count_inactivate, run.count_error)
        self.assertEqual(counts, (0, 0, 0, 0), run.line_ids.mapped("error"))
        self.assertEqual(run.count_unchanged, 40)

    def test_a_preset_fills_the_mapping_lines_which_stay_editable(self):
        importer = self.importer_with("clever")
        lines = {line.column_name: line for line in importer.column_ids}
        self.assertEqual(lines["Student_number"].field_name, "student_number")
        self.assertTrue(lines["Student_number"].required)
        self.assertNotIn("Student_id", lines, "Clever's internal id is not the key")
        self.assertEqual(lines["Student_street"].field_name, "street")
        lines["Student_email"].unlink()
        self.assertNotIn("Student_email", importer.column_ids.mapped("column_name"))

    def test_choosing_a_preset_in_the_form_fills_the_lines(self):
        with Form(self.env["student.importer"].with_user(self.manager)) as form:
            form.name = "PowerSchool"
            form.preset = "powerschool"
            self.assertEqual(len(form.column_ids), 16)
            with form.column_ids.edit(0) as line:
                self.assertEqual(line.column_name, "Student_Number")
                line.transform = "strip_zeros"
        importer = form.record
        self.assertEqual(importer.column_ids[0].transform, "strip_zeros")
        self.assertIn("LunchStatus", importer.column_ids.mapped("column_name"))

    def test_clever_students_csv_of_an_unchanged_roster_previews_as_unchanged(self):
        run = self.importer_with("clever").run_import(
            layouts.clever(self.district()), "students.csv"
        )
        self.assertUnchanged(run)
        for used in (
            "Student_number → Student Number",
            "Student_street → Street",
            "Student_city → City",
            "Student_zip → ZIP",
            "Student_email → Email",
        ):
            self.assertIn(used, run.columns_used)
        self.assertIn("Student_id", run.ignored_columns)

    def test_clever_is_recognised_by_an_importer_without_mapping(self):
        run = self.run_file(layouts.clever(self.district()), filename="students.csv")
        self.assertUnchanged(run)
        self.assertIn("Student_number → Student Number", run.columns_used)
        self.assertIn("Clever students.csv", run.file_notes)

    def test_powerschool_export_of_an_unchanged_roster_previews_as_unchanged(self):
        run = self.importer_with("powerschool").run_import(
            layouts.powerschool(self.district()), "students.csv"
        )
        self.assertUnchanged(run)
        self.assertIn("Student_Number → Student Number", run.columns_used)
        self.assertIn("ID", run.ignored_columns)

    def test_a_oneroster_bundle_with_a_teacher_previews_through_run_now(self):
        students = self.district()
        students[0] = dict(students[0], grade="05")
        data = layouts.oneroster(students, teachers=1, schools=SCHOOLS)
        run = self.importer_with("oneroster").run_import(data, "oneroster.zip")
        self.assertEqual((run.count_update, run.count_unchanged, run.count_add), (1, 39, 0))
        self.assertEqual((run.count_inactivate, run.count_error), (0, 0))
        self.assertEqual(run.file_format, "oneroster")
        self.assertIn("1 teacher", run.file_notes)
        change = run.line_ids.change_ids
        self.assertEqual((change.field_name, change.new_value), ("grade", "05"))

    def test_a_bundle_user_whose_org_is_not_a_known_school_is_an_error_line(self):
        students = self.district()
        number = students[3]["student_number"]
        data = layouts.oneroster(students, schools=SCHOOLS, org_of={number: "org-elsewhere"})
        run = self.importer_with("oneroster").run_import(data, "oneroster.zip")
        self.assertEqual((run.state, run.count_error, run.count_unchanged), ("review", 1, 39))
        error = run.line_ids.filtered(lambda line: line.change_type == "error")
        self.assertEqual(error.student_number, number)
        self.assertIn("unknown school code 'ORG-ELSEWHERE'", error.error)

    def test_a_bundle_without_users_csv_is_refused_and_leaves_nothing(self):
        data = layouts.oneroster(self.district(), users=False, schools=SCHOOLS)
        importer = self.importer_with("oneroster")
        with self.assertRaisesRegex(UserError, "oneroster.zip is a OneRoster bundle without"):
            importer.with_user(self.user).run_import(data, "oneroster.zip")
        self.assertFalse(importer.run_ids)

    def test_two_columns_that_could_be_the_student_number_are_refused(self):
        data = b"Student ID,Student No,First_Name,Last_Name\n200001,200001,First00,Lee\n"
        with self.assertRaisesRegex(UserError, "'Student ID' and 'Student No'"):
            self.run_file(data)
        self.assertFalse(self.importer.run_ids)
