"""A run that needs an authorization, in a real browser, by two users.

The three tours of ``static/tests/tours/student_import_authorization_tour.js``
run in turn: the clerk, who has no e-mail address, previews a file adding 20%
of the roster, confirms the large change and submits an authorization
request; a Support representative finds it under Authorizations to Decide
and approves it from the run's header, which applies the run on the
clerk's behalf; the clerk finds it applied.
"""

from odoo.tests import tagged

from .common import StudentImportTourCase

TOUR_REQUEST = "school_student_import_authorization_request"
TOUR_APPROVE = "school_student_import_authorization_approve"
TOUR_APPLY = "school_student_import_authorization_apply"
KEPT_FILE = "large_export.csv"
# Typed by the tours: keep them equal to the tour file's constants.
REQUEST_COMMENT = "Eight kindergarten transfers from the closed Elm school"
DECISION_COMMENT = "Checked with the district office"
NEW_NUMBERS = [str(300001 + n) for n in range(8)]


@tagged("post_install", "-at_install")
class TestUiAuthorization(StudentImportTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approver = cls.new_user("support", "group_student_import_approver", "Sam Support")
        # Many school staff accounts have no e-mail address.
        cls.user.partner_id.email = False
        # 8 new students of 40: 20%, both the 10% confirmation and the 20%
        # authorization.
        data = cls.export(
            extra=[
                f"{number},Transfer{n},Elm,K,09/0{n + 1}/2019,LIN,F,R100"
                for n, number in enumerate(NEW_NUMBERS)
            ]
        )
        cls.keep_file(KEPT_FILE, data)

    def test_request_approve_and_apply_in_the_browser(self):
        self.assertFalse(self.student(NEW_NUMBERS[0]))

        # 1. The clerk: preview, "Yes, apply", Submit Request.
        self.run_tour("/odoo", TOUR_REQUEST, self.user)
        run = self.env["student.import.run"].search([("importer_id", "=", self.importer.id)])
        self.assertEqual(len(run), 1, "the tour previews the kept file once")
        self.assertEqual(run.file_name, KEPT_FILE)
        self.assertEqual((run.state, run.count_add), ("review", 8))
        self.assertTrue(run.requires_confirmation and run.requires_authorization)
        self.assertEqual(run.confirmed_by_id, self.user)
        request = run.authorization_ids
        self.assertEqual(len(request), 1, "the empty comment was refused, not recorded")
        self.assertEqual(
            (request.kind, request.state, request.requester_id, request.comment),
            ("request", "pending", self.user, REQUEST_COMMENT),
        )
        self.assertFalse(self.student(NEW_NUMBERS[0]), "nothing is written before the approval")

        # 2. The Support representative: Authorizations to Decide, the run,
        # Approve in its header.
        self.run_tour("/odoo", TOUR_APPROVE, self.approver)
        self.assertEqual(run.state, "done", "approving now applies, for the requester")
        self.assertEqual(run.authorization_state, "authorized")

        # 3. The clerk again: the run is applied.
        self.run_tour("/odoo", TOUR_APPLY, self.user)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.applied_by_id, self.user)
        self.assertEqual(run.confirmed_by_id, self.user)
        self.assertEqual(
            (request.state, request.approver_id, request.decision_comment),
            ("approved", self.approver, DECISION_COMMENT),
        )
        self.assertEqual(len(run.authorization_ids), 1)
        self.assertFalse(run.activity_ids, "applying closed the clerk's activity")
        for n, number in enumerate(NEW_NUMBERS):
            student = self.student(number)
            self.assertEqual(
                (student.first_name, student.last_name, student.grade, student.active),
                (f"Transfer{n}", "Elm", "KG", True),
            )
        bodies = run.message_ids.mapped("body")
        self.assertTrue(
            any(
                "Authorization requested by Clara Clerk" in b and REQUEST_COMMENT in b
                for b in bodies
            ),
            bodies,
        )
        self.assertTrue(
            any(
                "Authorization approved by Sam Support" in b and DECISION_COMMENT in b
                for b in bodies
            ),
            bodies,
        )
