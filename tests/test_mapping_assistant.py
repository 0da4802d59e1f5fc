"""The mapping assistant: a sample's columns, a field to change, the mapping saved."""

import base64

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from ..engine.tests import layouts
from .common import StudentImportCase


@tagged("post_install", "-at_install")
class TestMappingAssistant(StudentImportCase):
    def assistant(self, importer, data, name="students.csv", user=None):
        Mapping = self.env["student.importer.mapping"].with_user(user or self.manager)
        # The web client sets the file name with the file; Form cannot write
        # an invisible field, so the name comes as a default.
        form = Form(Mapping.with_context(default_importer_id=importer.id, default_file_name=name))
        form.file = base64.b64encode(data)
        return form

    @staticmethod
    def choose(form, fields):
        """Set the field of the columns named in ``fields`` (column -> field or False)."""
        for index in range(len(form.line_ids)):
            with form.line_ids.edit(index) as line:
                if line.column_name in fields:
                    line.field_name = fields[line.column_name]

    @staticmethod
    def columns(form):
        """``{column: (field, matched by, first values)}`` as the assistant lists them."""
        found = {}
        for index in range(len(form.line_ids)):
            with form.line_ids.edit(index) as line:
                found[line.column_name] = (line.field_name, line.how, line.sample)
        return found

    def clever_sample(self):
        students = [
            dict(
                dict.fromkeys(layouts.STUDENTS[0], ""),
                student_number="200001",
                first_name="First00",
                last_name="Lee",
                grade="KG",
                birthdate="2020-01-10",
                school_code="LIN",
                eligibility="free",
            )
        ]
        return layouts.clever(students)

    def test_a_sample_shows_every_column_with_its_match_and_first_values(self):
        form = self.assistant(self.importer, self.clever_sample())
        self.assertEqual(form.layout, "Clever students.csv")
        rows = self.columns(form)
        self.assertEqual(len(rows), len(layouts.PRESETS["clever"].headers))
        self.assertEqual(rows["Student_number"], ("student_number", "layout", "200001"))
        self.assertEqual(rows["Student_id"][:2], (False, "ignored"))
        self.assertEqual(rows["Grade"][2], "Kindergarten")

    def test_saving_writes_the_mapping_lines_with_the_changed_field(self):
        form = self.assistant(self.importer, self.clever_sample())
        self.choose(form, {"State_id": "pin", "Student_email": False})
        assistant = form.save()
        assistant.action_save()
        mapping = {c.column_name: c.field_name for c in self.importer.column_ids}
        self.assertEqual(mapping["State_id"], "pin")
        self.assertEqual(mapping["Student_number"], "student_number")
        self.assertNotIn("Student_email", mapping)
        self.assertNotIn("Student_id", mapping)
        run = self.run_file(self.clever_sample(), filename="students.csv")
        change = run.line_ids.filtered(lambda line: line.student_number == "200001").change_ids
        self.assertEqual((change.field_name, change.new_value), ("pin", "IL9000"))

    def test_the_importer_mapping_is_what_the_assistant_starts_from(self):
        importer = self.env["student.importer"].create(
            {
                "name": "Hand-made",
                "column_ids": [
                    Command.create({"column_name": "Student No", "field_name": "student_number"}),
                    Command.create({"column_name": "Last_name", "field_name": "last_name"}),
                ],
            }
        )
        form = self.assistant(importer, self.clever_sample())
        rows = self.columns(form)
        self.assertEqual(rows["Last_name"][:2], ("last_name", "mapping"))
        self.assertEqual(rows["First_name"][:2], (False, "ignored"), "the mapping decides")
        self.assertEqual(rows["Student_number"][:2], (False, "ignored"))
        self.assertIn("'Student No' is not in the file", form.warnings)

    def test_two_columns_for_one_field_are_refused_on_save(self):
        form = self.assistant(self.importer, self.clever_sample())
        self.choose(form, {"Student_id": "student_number"})
        with self.assertRaisesRegex(UserError, "Student_id and Student_number|Student_number and"):
            form.save().action_save()
        self.assertFalse(self.importer.column_ids, "nothing was written")

    def test_a_mapping_without_student_number_is_refused_on_save(self):
        form = self.assistant(self.importer, self.clever_sample())
        self.choose(form, {"Student_number": False})
        with self.assertRaisesRegex(UserError, "No column feeds the Student Number"):
            form.save().action_save()
        self.assertFalse(self.importer.column_ids)

    def test_an_unreadable_sample_is_refused_with_the_reason(self):
        with self.assertRaisesRegex(UserError, "OneRoster bundle without users.csv"):
            self.assistant(self.importer, layouts.oneroster(users=False), "bundle.zip")

    def test_staff_cannot_change_the_mapping(self):
        Mapping = self.env["student.importer.mapping"].with_user(self.user)
        with self.assertRaises(AccessError):
            Mapping.create({"importer_id": self.importer.id})
        with self.assertRaises(AccessError):
            self.importer.with_user(self.user).action_open_mapping()
