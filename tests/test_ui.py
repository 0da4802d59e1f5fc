"""The review screen in a real browser: Run Now, filter, a line's details, Apply.

The tour (``static/tests/tours/student_import_tour.js``) runs as a school
clerk of the test district from ``common.py``, so the demo district's roster
and importer stay out of its way whether demo data is loaded or not.
"""

from odoo.tests import tagged

from .common import StudentImportTourCase

TOUR = "school_student_import_review_apply"
KEPT_FILE = "daily_export.csv"
NEW_STUDENT = "200101,Nova,Young,2,03/14/2018,LIN,F,R101"
BAD_GRADE = "200102,Max,Broken,14,05/05/2015,LIN,P,R102"


@tagged("post_install", "-at_install")
class TestUi(StudentImportTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        archived = cls.students.filtered(lambda student: not student.active)
        # An ordinary night of 40 students, all under the 10% warning: two
        # updates, one add, one archived student back, one gone, one bad row.
        data = cls.export(
            skip={"200040"},
            changes={"200002": {"homeroom": "R109"}, "200003": {"meal": "F"}},
            extra=[NEW_STUDENT, cls.row_of(archived), BAD_GRADE],
        )
        cls.keep_file(KEPT_FILE, data)

    def test_review_and_apply_in_the_browser(self):
        self.assertEqual(self.student("200003").eligibility, "paid")
        self.run_tour("/odoo", TOUR, self.user)
        run = self.env["student.import.run"].search([("importer_id", "=", self.importer.id)])
        self.assertEqual(len(run), 1, "the tour previews the kept file once")
        self.assertEqual(run.file_name, KEPT_FILE)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.applied_by_id, self.user)
        error_line = run.line_ids.filtered(lambda line: line.change_type == "error")
        self.assertEqual(error_line.student_number, "200102")
        self.assertTrue(error_line.excluded, "Exclude Errors excluded the bad row")
        self.assertEqual(self.student("200003").eligibility, "free")
        self.assertEqual(self.student("200002").homeroom, "R109")
        self.assertFalse(self.student("200040").active)
        self.assertTrue(self.student("209999").active)
        added = self.student("200101")
        self.assertEqual((added.first_name, added.grade, added.active), ("Nova", "02", True))
        self.assertFalse(self.student("200102"), "the excluded error row added nobody")
