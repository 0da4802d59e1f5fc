"""The review and approval experience: numbering, posting without an e-mail
address, who is told of a decision, what the screens say, a student's history."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import StudentImportCase, new_kids


@tagged("post_install", "-at_install")
class TestReview(StudentImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approver = cls.new_user("support", "group_student_import_approver", "Sam Support")
        # Many school staff accounts have no e-mail address.
        cls.clerk_no_mail = cls.new_user("nomail", "group_student_import_user", "Nora Nomail")
        cls.support_no_mail = cls.new_user(
            "supportnomail", "group_student_import_approver", "Ned Nomail"
        )
        (cls.clerk_no_mail | cls.support_no_mail).partner_id.email = False
        # Told by e-mail: the decision must reach the Discuss inbox anyway.
        cls.user.notification_type = "email"

    def big_run(self, user=None):
        """8 adds of 40 students: a confirmation and an authorization."""
        return self.run_file(self.export(extra=new_kids(8)), user=user)

    def decide(self, run, state, approver=None, comment="Checked"):
        request = run.authorization_ids.filtered(lambda auth: auth.state == "pending")
        request = request.with_user(approver or self.approver)
        if state == "approved":
            request.action_approve(comment)
        else:
            request.action_reject(comment)
        return request

    # Numbering

    def test_a_failed_preview_never_consumes_a_run_number(self):
        first = self.run_file(self.export(changes={"200001": {"homeroom": "R300"}}))
        prefix, number = first.name.rsplit("/", 1)
        with self.assertRaisesRegex(UserError, "not a readable CSV"):
            self.run_file(b"\x00\xff" * 40)
        # A failure after the run record exists (writing its lines) rolls the
        # run back: its number must not have been drawn yet.
        Run = type(self.env["student.import.run"])
        with (
            patch.object(Run, "_insert_lines", side_effect=UserError("disk full")),
            self.assertRaisesRegex(UserError, "disk full"),
            self.env.cr.savepoint(),
        ):
            self.run_file(self.export(changes={"200002": {"homeroom": "R300"}}))
        second = self.run_file(self.export(changes={"200003": {"homeroom": "R300"}}))
        self.assertEqual(second.name, f"{prefix}/{int(number) + 1:05d}")

    # Posting without an e-mail address

    def test_a_clerk_without_email_runs_requests_and_is_answered(self):
        run = self.big_run(user=self.clerk_no_mail)
        self.assertEqual(run.state, "review")
        self.assertIn("Previewed export.csv", run.message_ids[:1].body)
        self.assertEqual(run.message_ids[:1].author_id, self.clerk_no_mail.partner_id)
        run.with_user(self.clerk_no_mail).action_confirm_warning()
        run.with_user(self.clerk_no_mail).action_request_authorization("New school opened")
        request = self.decide(run, "approved", approver=self.support_no_mail)
        self.assertEqual(request.state, "approved")
        decision = run.message_ids.filtered(lambda m: "Authorization approved" in (m.body or ""))
        self.assertEqual(decision.author_id, self.support_no_mail.partner_id)
        # Approving applied it, on behalf of the clerk.
        self.assertEqual((run.state, run.applied_by_id), ("done", self.clerk_no_mail))

    # Who is told of a decision

    def assert_told(self, run, summary, text):
        activity = run.activity_ids.filtered(lambda act: act.user_id == self.user)
        self.assertEqual(activity.summary, summary)
        self.assertIn(text, str(activity.note))
        message = run.message_ids.filtered(lambda m: text in (m.body or ""))[:1]
        inbox = message.notification_ids.filtered(
            lambda n: n.res_partner_id == self.user.partner_id
        )
        self.assertEqual(inbox.notification_type, "inbox", "even though they get e-mails")

    def test_the_requester_gets_an_activity_and_an_inbox_message_on_approval(self):
        run = self.big_run()
        run.with_user(self.user).action_request_authorization("Transfers")
        self.decide(run, "approved", comment="Fine by the district")
        self.assert_told(
            run,
            f"Apply student import {run.name}: authorized",
            f"Next step: open {run.name} and confirm the large change: it is applied then.",
        )
        # Applying closes the requester's activity.
        run.with_user(self.user).action_confirm_warning()
        self.assertEqual(run.state, "done")
        self.assertFalse(run.activity_ids.filtered(lambda act: act.user_id == self.user))

    def test_the_requester_gets_an_activity_and_an_inbox_message_on_rejection(self):
        run = self.big_run()
        run.with_user(self.user).action_request_authorization("Transfers")
        self.decide(run, "rejected", comment="Those are last year's students")
        self.assert_told(
            run,
            f"Student import {run.name}: authorization rejected",
            "Next step: correct the file and run it again",
        )
        self.assertEqual(run.authorization_state, "rejected")

    # Excluded is read-only outside review

    def test_excluded_is_refused_outside_review(self):
        data = self.export(changes={"200001": {"homeroom": "R300"}})
        run = self.run_file(data)
        # The toggle is offered to staff while the run is in review, never to Support.
        self.assertTrue(run.line_ids.with_user(self.user).can_exclude)
        self.assertFalse(run.line_ids.with_user(self.approver).can_exclude)
        run.with_user(self.user).action_apply()
        line = run.line_ids.with_user(self.user)
        line.invalidate_recordset()
        self.assertFalse(line.can_exclude)
        with self.assertRaisesRegex(UserError, "only be excluded while their run is in review"):
            line.excluded = True
        run.with_user(self.user).action_revert()
        with self.assertRaisesRegex(UserError, "only be excluded while their run is in review"):
            line.excluded = True
        self.assertFalse(run.line_ids.excluded)

    # Apply asks in one order: errors first

    def test_apply_names_the_errors_before_any_dialog(self):
        run = self.run_file(
            self.export(extra=[*new_kids(8), ",NoNumber,Kid,1,02/02/2019,LIN,F,R1"])
        )
        self.assertEqual(run.count_error_open, 1)
        self.assertIn("1 row of the file cannot be used", run.error_notice)
        self.assertIn("1 error line to exclude", run.apply_checklist)
        with self.assertRaisesRegex(UserError, "has 1 error line"):
            run.with_user(self.user).action_start_apply()
        run.with_user(self.user).action_exclude_errors()
        run.invalidate_recordset()
        action = run.with_user(self.user).action_start_apply()
        self.assertEqual(action["res_model"], "student.import.confirm")
        checklist = run.apply_checklist
        self.assertIn("Error lines excluded", checklist)
        self.assertLess(
            checklist.index("Confirmation"), checklist.index("Authorization by Support")
        )

    def test_checklist_names_who_requested_and_who_approved(self):
        run = self.big_run()
        run.with_user(self.user).action_request_authorization("Transfers")
        self.assertIn("requested just now by Clara Clerk", run.apply_checklist)
        self.decide(run, "approved")
        run.invalidate_recordset()
        self.assertIn("approved by Sam Support", run.apply_checklist)

    # What the screens say

    def test_the_banner_names_the_most_frequent_suspicious_values(self):
        numbers = [str(200001 + n) for n in range(5)]
        changes = {n: {"last": f"{10 + i} Oak Street"} for i, n in enumerate(numbers)}
        run = self.run_file(self.export(changes=changes))
        self.assertEqual(run.count_suspicious, 5)
        self.assertEqual(run.suspicious_top, "5 last names look like street addresses")
        action = run.action_view_suspicious()
        self.assertEqual(action["context"]["search_default_suspicious"], 1)
        confirm = self.env["student.import.confirm"].with_user(self.user).create({"run_id": run.id})
        self.assertEqual(len(confirm.suspicious_line_ids), 5)
        self.assertEqual(
            confirm.suspicious_line_ids.sorted("student_number")[0].suspicious_changes,
            "Last Name: Lee → 10 Oak Street (looks like a street address)",
        )

    def test_the_change_mix_shows_counts_percentages_and_thresholds(self):
        run = self.big_run()
        mix = str(run.change_mix)
        self.assertIn("<strong>8</strong>", mix)
        self.assertIn("20.0%", mix)
        self.assertIn("Authorization at 20.0%", mix)
        self.assertIn("Confirmation at 10.0%", mix)
        self.assertIn("bg-danger", mix, "adds reach the authorization")

    # Support's desk

    def test_support_finds_the_request_and_decides_from_the_run(self):
        run = self.big_run()
        run.with_user(self.user).action_request_authorization("Transfers")
        Auth = self.env["student.import.authorization"].with_user(self.approver)
        pending = Auth.search(
            [("kind", "=", "request"), ("state", "=", "pending"), ("run_state", "=", "review")]
        )
        self.assertEqual(pending.run_id, run)
        self.assertEqual(pending.adds_summary, "8 (20.0%)")
        awaiting = (
            self.env["student.import.run"]
            .with_user(self.approver)
            .search(
                [
                    ("state", "=", "review"),
                    (
                        "authorization_ids",
                        "any",
                        [("kind", "=", "request"), ("state", "=", "pending")],
                    ),
                ]
            )
        )
        self.assertEqual(awaiting, run)
        self.assertEqual(pending.action_open_run()["res_id"], run.id)
        as_support = run.with_user(self.approver)
        self.assertTrue(as_support.can_decide)
        self.assertFalse(run.with_user(self.user).can_decide)
        action = as_support.action_open_decision()
        dialog = Form(
            self.env[action["res_model"]].with_user(self.approver).with_context(**action["context"])
        )
        self.assertEqual(dialog.request_comment, "Transfers")
        self.assertEqual(dialog.count_error_open, 0)
        self.assertIn("20.0%", str(dialog.change_mix))
        self.assertIn("Authorization: Adds", dialog.trip_summary)
        dialog.comment = "OK"
        dialog.save().action_approve()
        self.assertEqual(run.authorization_state, "authorized")
        self.assertFalse(as_support.can_decide)
        with self.assertRaisesRegex(UserError, "No request"):
            as_support.action_open_decision()

    def test_an_issued_code_is_shown_once_in_a_dialog_and_never_stored(self):
        run = self.big_run()
        issue = (
            self.env["student.import.code.issue"]
            .with_user(self.approver)
            .create({"run_id": run.id})
        )
        action = issue.action_issue()
        code = action["context"]["default_code"]
        self.assertEqual(
            (action["res_model"], action["target"]), ("student.import.code.issue", "new")
        )
        self.assertEqual(len(code), 10)
        self.assertFalse(self.env["student.import.code.issue"].search([("code", "!=", False)]))
        run.with_user(self.user).action_enter_code(code)
        self.assertEqual(run.authorization_state, "authorized")

    def test_internal_fields_are_left_out_of_filters_and_groupings(self):
        for model, names in (
            ("student.import.run", ("change_digest", "code_attempt_sequence_id")),
            ("student.import.line", ("sequence",)),
            ("student.import.authorization", ("change_digest",)),
        ):
            described = (
                self.env[model]
                .with_user(self.user)
                .fields_get(attributes=["searchable", "groupable"])
            )
            for name in names:
                self.assertFalse(described[name]["searchable"], (model, name))
                self.assertFalse(described[name]["groupable"], (model, name))
        self.assertTrue(self.env["student.import.run"].fields_get()["importer_id"]["groupable"])

    # A student's import history

    def test_the_student_lists_the_imports_that_changed_them(self):
        student = self.student("200001").with_user(self.user)
        self.assertEqual(student.import_line_count, 0)
        run = self.run_file(self.export(changes={"200001": {"homeroom": "R300"}}))
        self.assertEqual(student.import_line_count, 0, "a run in review changed nothing yet")
        run.with_user(self.user).action_apply()
        student.invalidate_recordset()
        self.assertEqual(student.import_line_count, 1)
        action = student.action_view_imports()
        lines = self.env["student.import.line"].with_user(self.user).search(action["domain"])
        self.assertEqual(lines.run_id, run)
        self.assertEqual(lines.change_type, "update")
        self.assertEqual(lines.summary, "Homeroom: R100 → R300")
        self.assertEqual(lines.run_date, run.applied_date)
        self.assertFalse(
            self.student("200002").with_user(self.user).import_line_count,
            "an unchanged student has no import history",
        )
