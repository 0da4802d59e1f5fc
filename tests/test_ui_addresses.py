"""The addresses file in a real browser: the problem is named at the top.

The tour (``static/tests/tours/student_import_addresses_tour.js``) runs as a
clerk of the test district: a file in which 10 of the 40 last names became
street addresses (updates of 25%, past the 10% confirmation).
"""

from odoo.tests import tagged

from .common import StudentImportTourCase

TOUR = "school_student_import_addresses"
KEPT_FILE = "addresses_export.csv"


@tagged("post_install", "-at_install")
class TestUiAddresses(StudentImportTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        numbers = [str(200001 + 4 * n) for n in range(10)]
        changes = {number: {"last": f"{100 + n} Oak Street"} for n, number in enumerate(numbers)}
        cls.keep_file(KEPT_FILE, cls.export(changes=changes))

    def test_the_banner_names_the_problem_and_no_is_the_default(self):
        self.run_tour("/odoo", TOUR, self.user)
        run = self.env["student.import.run"].search([("importer_id", "=", self.importer.id)])
        self.assertEqual(len(run), 1)
        self.assertEqual((run.count_update, run.count_suspicious), (10, 10))
        self.assertEqual(run.suspicious_top, "10 last names look like street addresses")
        self.assertEqual(run.state, "review", "No applied nothing")
        self.assertEqual(run.confirmation_state, "to_confirm")
        self.assertFalse(run.confirmed_by_id)
        self.assertEqual(self.student("200001").last_name, "Lee")
