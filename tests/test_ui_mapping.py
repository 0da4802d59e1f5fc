"""The mapping assistant in a real browser, as an import administrator."""

from odoo.tests import tagged

from ..engine.tests import layouts
from .common import StudentImportTourCase

TOUR = "school_student_import_mapping_assistant"


@tagged("post_install", "-at_install")
class TestUiMapping(StudentImportTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        roster = cls.env["student.import.run"]._load_roster(cls.company).to_dict()
        students = [
            dict(student, student_number=number)
            for number, student in sorted(roster.items())
            if student["active"]
        ]
        # The district's Clever students.csv, unchanged but for Clever's
        # State_id, which the district's point of sale uses as the PIN.
        cls.env["ir.attachment"].create(
            {"name": "clever_students.csv", "raw": layouts.clever(students), "public": True}
        )

    def test_create_from_a_preset_and_change_a_column_in_the_assistant(self):
        self.run_tour("/odoo", TOUR, self.manager)
        importer = self.env["student.importer"].search([("name", "=", "Clever Nightly")])
        self.assertEqual(importer.preset, "clever")
        mapping = {column.column_name: column.field_name for column in importer.column_ids}
        self.assertEqual(mapping["State_id"], "pin")
        self.assertEqual(mapping["Student_number"], "student_number")
        run = importer.run_ids
        self.assertEqual(len(run), 1, "Run Now previewed the file once")
        self.assertEqual(run.state, "review")
        self.assertIn("State_id → PIN", run.columns_used)
        # The PIN is the only change: every student gets Clever's State_id.
        self.assertEqual((run.count_update, run.count_add, run.count_inactivate), (40, 0, 0))
        line = run.line_ids.filtered(lambda line: line.student_number == "200001")
        self.assertEqual(
            [(c.field_name, c.new_value) for c in line.change_ids], [("pin", "IL9000")]
        )
