from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import StudentImportCase, new_kids


@tagged("post_install", "-at_install")
class TestSafeguards(StudentImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approver = cls.new_user("support", "group_student_import_approver", "Sam Support")
        cls.approver2 = cls.new_user("support2", "group_student_import_approver", "Sue Support")
        # A clerk who is also a Support representative: may never approve
        # their own request or use their own code.
        cls.both = cls.new_user("both", "group_student_import_user", "Bo Both")
        cls.both.groups_id += cls.env.ref("school_student_import.group_student_import_approver")

    def updates(self, count):
        numbers = [str(200001 + n) for n in range(count)]
        return self.export(changes={number: {"homeroom": "R900"} for number in numbers})

    def big_add(self, count=8):
        """8 adds of 40 students: 20%, an authorization and a confirmation."""
        return self.run_file(self.export(extra=new_kids(count)))

    # Thresholds

    def test_warning_thresholds_just_below_at_and_above(self):
        for count, expected in ((3, False), (4, True), (5, True)):
            run = self.run_file(self.updates(count))
            self.assertEqual(run.pct_update, count * 2.5)
            self.assertEqual(run.requires_confirmation, expected, count)
            self.assertFalse(run.requires_authorization)
        for count, expected in ((3, False), (4, True), (5, True)):
            skip = {str(200001 + n) for n in range(count)}
            run = self.run_file(self.export(skip=skip))
            self.assertEqual(run.count_inactivate, count)
            self.assertEqual(run.requires_confirmation, expected, count)

    def test_add_thresholds_just_below_at_and_above(self):
        for count, confirm, authorize in (
            (3, False, False),
            (4, True, False),
            (7, True, False),
            (8, True, True),
            (9, True, True),
        ):
            run = self.run_file(self.export(extra=new_kids(count)))
            self.assertEqual(
                (run.requires_confirmation, run.requires_authorization), (confirm, authorize), count
            )
            self.assertEqual(run.pct_add, count * 2.5)

    def test_reactivations_count_as_adds(self):
        self.students.filtered(lambda s: s.student_number in ("200001", "200002")).write(
            {"active": False}
        )
        # 38 active: 2 reactivations + 2 adds = 4 = 10.5%.
        run = self.run_file(
            self.export(
                students=self.env["school.student"]
                .with_context(active_test=False)
                .search([("company_id", "=", self.company.id), ("student_number", "!=", "209999")]),
                extra=new_kids(2),
            )
        )
        self.assertEqual((run.count_add, run.count_reactivate), (2, 2))
        self.assertTrue(run.requires_confirmation)
        self.assertIn("Adds: 4 students", run.trip_summary)

    def test_an_empty_roster_needs_authorization_for_any_add(self):
        company = self.env["res.company"].create({"name": "New District"})
        self.env["school.site"].create({"name": "L", "code": "LIN", "company_id": company.id})
        importer = self.env["student.importer"].create(
            {"name": "First load", "company_id": company.id}
        )
        run = importer.run_import(b"Student_Number,First_Name,Last_Name\n1,A,B\n", "first.csv")
        self.assertEqual(run.pct_add, 100.0)
        self.assertTrue(run.requires_authorization)
        with self.assertRaisesRegex(UserError, "needs a confirmation"):
            run.action_apply()

    def test_thresholds_are_per_importer_and_only_managers_change_them(self):
        self.importer.with_user(self.manager).warn_update_pct = 5
        run = self.run_file(self.updates(2))
        self.assertTrue(run.requires_confirmation)
        with self.assertRaises(AccessError):
            self.importer.with_user(self.user).write({"warn_update_pct": 50})
        for vals, message in (
            ({"warn_update_pct": 0}, "between 1 and 100"),
            ({"auth_add_pct": 150}, "between 1 and 100"),
            ({"warn_add_pct": 30}, "below the warning"),
        ):
            with self.assertRaisesRegex(ValidationError, message):
                with self.env.cr.savepoint():
                    self.importer.with_user(self.manager).write(vals)
            self.env.invalidate_all()
        self.assertEqual(self.importer.warn_add_pct, 10.0)

    # Confirmation

    def test_apply_refused_without_confirmation_then_confirmation_recorded(self):
        run = self.run_file(self.updates(4))
        with self.assertRaisesRegex(
            UserError, "(?s)needs a confirmation.*Updates: 4 students, 10.0%"
        ):
            run.with_user(self.user).action_apply()
        self.assertEqual(self.student("200001").homeroom, "R100")
        run.with_user(self.user).action_confirm_warning()
        self.assertEqual(run.confirmed_by_id, self.user)
        self.assertTrue(run.confirmed_date)
        self.assertEqual(run.state, "done")
        self.assertEqual(self.student("200001").homeroom, "R900")
        self.assertTrue(
            run.message_ids.filtered(lambda m: "Warning confirmed by Clara Clerk" in m.body)
        )

    def test_confirmation_dialog_says_yes_apply(self):
        run = self.run_file(
            self.export(changes={str(200001 + n): {"last": f"{n} Oak St"} for n in range(4)})
        )
        action = run.with_user(self.user).action_start_apply()
        self.assertEqual(action["res_model"], "student.import.confirm")
        dialog = Form(
            self.env["student.import.confirm"].with_user(self.user).with_context(action["context"])
        ).save()
        self.assertEqual(len(dialog.suspicious_line_ids), 4)
        dialog.action_yes()
        self.assertEqual(run.state, "done")

    # Authorization: requests

    def test_request_without_comment_is_refused(self):
        run = self.big_add()
        for comment in ("", "   ", None):
            with self.assertRaisesRegex(UserError, "comment is required"):
                run.with_user(self.user).action_request_authorization(comment)
        self.assertFalse(run.authorization_ids)

    def test_request_approval_then_apply(self):
        run = self.big_add()
        with self.assertRaisesRegex(UserError, "needs a confirmation"):
            run.with_user(self.user).action_apply()
        run.with_user(self.user).action_confirm_warning()
        self.assertEqual(run.state, "review")
        with self.assertRaisesRegex(UserError, "approval of a Support representative"):
            run.with_user(self.user).action_apply()
        request = run.with_user(self.user).action_request_authorization("New school opened")
        self.assertEqual(request._name, "student.import.authorization")
        self.assertEqual((request.state, request.requester_id), ("pending", self.user))
        self.assertEqual(run.authorization_state, "requested")
        activities = run.activity_ids
        self.assertEqual(activities.user_id, self.approver | self.approver2 | self.both)
        self.assertEqual(set(activities.mapped("note")), {"<p>New school opened</p>"})
        request_message = run.message_ids.filtered(lambda m: "New school opened" in m.body)
        self.assertIn(self.approver.partner_id, request_message.partner_ids)
        with self.assertRaisesRegex(UserError, "already waiting"):
            run.with_user(self.user).action_request_authorization("again")
        request.with_user(self.approver).action_approve("Checked with the district")
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.approver_id, self.approver)
        self.assertEqual(request.decision_comment, "Checked with the district")
        self.assertTrue(request.decision_date)
        # The approvers' activities are done; the run is applied for the
        # requester (below): nobody has anything left to do.
        self.assertFalse(run.activity_ids)
        self.assertEqual(run.authorization_state, "authorized")
        decision = run.message_ids.filtered(lambda m: "approved by Sam Support" in m.body)
        self.assertIn(self.user.partner_id, decision.partner_ids)
        # Approval finishes the job: applied at once, on behalf of the requester.
        self.assertEqual(run.state, "done")
        self.assertEqual(run.applied_by_id, self.user)
        self.assertTrue(self.student("300008"))

    def test_reject_needs_a_comment_and_blocks_apply(self):
        run = self.big_add()
        run.with_user(self.user).action_confirm_warning()
        request = run.with_user(self.user).action_request_authorization("Merge of districts")
        with self.assertRaisesRegex(UserError, "Say why"):
            request.with_user(self.approver).action_reject("")
        request.with_user(self.approver).action_reject("Wrong file, call us")
        self.assertEqual(request.state, "rejected")
        self.assertEqual(run.authorization_state, "rejected")
        with self.assertRaisesRegex(UserError, "approval of a Support representative"):
            run.with_user(self.user).action_apply()
        with self.assertRaisesRegex(UserError, "already been decided"):
            request.with_user(self.approver).action_approve()

    def test_no_one_approves_their_own_request(self):
        run = self.big_add()
        request = run.with_user(self.both).action_request_authorization("Mine")
        with self.assertRaisesRegex(UserError, "you submitted yourself"):
            request.with_user(self.both).action_approve()
        self.assertEqual(request.state, "pending")

    def test_a_plain_user_cannot_approve_or_forge_an_authorization(self):
        run = self.big_add()
        request = run.with_user(self.user).action_request_authorization("Please")
        with self.assertRaises(AccessError):
            request.with_user(self.user).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.user).write({"state": "approved"})
        with self.assertRaises(AccessError):
            self.env["student.import.authorization"].with_user(self.user).create(
                {"run_id": run.id, "kind": "request", "state": "approved"}
            )
        with self.assertRaises(AccessError):
            run.with_user(self.user).action_issue_code()
        self.assertEqual(run.authorization_state, "requested")

    def test_an_approver_sees_runs_but_cannot_apply(self):
        run = self.big_add()
        self.assertEqual(run.with_user(self.approver).read(["count_add"])[0]["count_add"], 8)
        with self.assertRaises(AccessError):
            run.with_user(self.approver).action_apply()
        with self.assertRaises(AccessError):
            run.with_user(self.approver).action_confirm_warning()

    def test_approval_is_bound_to_the_previewed_change_set(self):
        run = self.big_add()
        request = run.with_user(self.user).action_request_authorization("Please")
        self.student("200001").write({"homeroom": "R555"})
        run.with_user(self.user).action_refresh()
        with self.assertRaisesRegex(UserError, "previewed again with other changes"):
            request.with_user(self.approver).action_approve()

    # Authorization: manual codes

    def test_code_issued_and_entered(self):
        run = self.big_add()
        code = run.with_user(self.approver).action_issue_code()
        self.assertEqual(len(code), 10)
        self.assertFalse(set(code) & set("0O1IL5S8B"))
        stored = run.sudo().authorization_ids
        self.assertEqual(stored.kind, "code")
        self.assertNotIn(code, stored.code_hash)
        self.assertTrue(stored.code_hash.startswith("$pbkdf2-sha512$"))
        run.with_user(self.user).action_enter_code(code.lower()[:5] + " " + code[5:])
        self.assertEqual(run.authorization_state, "authorized")
        self.assertEqual((stored.state, stored.used_by_id), ("used", self.user))
        run.with_user(self.user).action_confirm_warning()
        self.assertEqual(run.state, "done")

    def test_the_authorize_dialog_enters_the_code_and_applies(self):
        run = self.big_add()
        run.with_user(self.user).action_confirm_warning()
        action = run.with_user(self.user).action_start_apply()
        self.assertEqual(action["res_model"], "student.import.authorize")
        dialog = Form(
            self.env["student.import.authorize"]
            .with_user(self.user)
            .with_context(action["context"])
        )
        dialog.code = run.with_user(self.approver).action_issue_code()
        dialog.save().action_enter_code()
        self.assertEqual(run.state, "done")

    def test_a_used_code_is_refused(self):
        run = self.big_add()
        code = run.with_user(self.approver).action_issue_code()
        run.with_user(self.user).action_enter_code(code)
        # Preview Again with another roster: the run needs authorization again.
        self.student("200001").write({"homeroom": "R555"})
        run.with_user(self.user).action_refresh()
        self.assertEqual(run.authorization_state, "to_authorize")
        with self.assertRaisesRegex(UserError, "already used"):
            run.with_user(self.user).action_enter_code(code)

    def test_an_expired_code_is_refused(self):
        run = self.big_add()
        code = run.with_user(self.approver).action_issue_code()
        run.sudo().authorization_ids.write(
            {"expires_at": fields.Datetime.now() - timedelta(minutes=1)}
        )
        with self.assertRaisesRegex(UserError, "expired"):
            run.with_user(self.user).action_enter_code(code)
        self.assertEqual(run.authorization_state, "to_authorize")

    def test_a_code_for_another_run_is_refused(self):
        first, second = self.big_add(), self.big_add(9)
        code = first.with_user(self.approver).action_issue_code()
        with self.assertRaisesRegex(UserError, "not valid for"):
            second.with_user(self.user).action_enter_code(code)
        self.assertEqual(second.code_attempts, 1)
        self.assertEqual(second.authorization_state, "to_authorize")

    def test_a_code_is_bound_to_the_change_set_it_was_issued_for(self):
        run = self.big_add()
        code = run.with_user(self.approver).action_issue_code()
        self.student("200001").write({"homeroom": "R555"})
        run.with_user(self.user).action_refresh()
        self.assertEqual(run.count_update, 1)
        with self.assertRaisesRegex(UserError, "issued for other changes"):
            run.with_user(self.user).action_enter_code(code)

    def test_no_one_enters_a_code_they_issued(self):
        run = self.big_add()
        code = run.with_user(self.both).action_issue_code()
        with self.assertRaisesRegex(UserError, "code you issued yourself"):
            run.with_user(self.both).action_enter_code(code)

    def test_five_wrong_codes_lock_the_run_even_when_each_call_rolls_back(self):
        run = self.big_add()
        code = run.with_user(self.approver).action_issue_code()
        for attempt in range(5):
            # Each failed call rolls its work back, as a web request would.
            with self.assertRaisesRegex(UserError, f"Attempts left: {4 - attempt}"):
                with self.env.cr.savepoint():
                    run.with_user(self.user).action_enter_code(f"WRONG{attempt}")
        run.invalidate_recordset()
        self.assertEqual(run.code_attempts, 5)
        self.assertEqual(run.authorization_state, "locked")
        with self.assertRaisesRegex(UserError, "Too many wrong codes"):
            run.with_user(self.user).action_enter_code(code)
        with self.assertRaises(AccessError):
            run.with_user(self.user).action_unlock_codes()
        run.with_user(self.approver).action_unlock_codes()
        run.with_user(self.user).action_enter_code(code)
        self.assertEqual(run.authorization_state, "authorized")

    # Several runs at once

    def test_apply_server_action_says_per_run_what_was_refused(self):
        small = self.run_file(self.export(changes={"200001": {"homeroom": "R300"}}))
        action = self.env.ref("school_student_import.student_import_run_action_server_apply")
        # Both runs were previewed against the same roster; the first applied
        # makes the second stale, and that refusal is reported, not raised.
        other = self.run_file(self.export(changes={"200002": {"homeroom": "R300"}}))
        result = (
            action.with_user(self.user)
            .with_context(active_model="student.import.run", active_ids=[small.id, other.id])
            .run()
        )
        self.assertEqual(small.state, "done")
        self.assertEqual(other.state, "review")
        message = result["params"]["message"]
        self.assertIn(f"Done: {small.name}", message)
        self.assertIn(f"Refused: {other.name}: The roster changed since", message)

    def test_run_now_server_action_runs_each_importer_on_its_kept_file(self):
        attachment = self.env["ir.attachment"].create(
            {"name": "kept.csv", "raw": self.export(extra=new_kids(1))}
        )
        self.importer.attachment_ids = attachment
        empty = self.env["student.importer"].create({"name": "No files"})
        action = self.env.ref("school_student_import.student_importer_action_server_run_now")
        result = (
            action.with_user(self.user)
            .with_context(active_model="student.importer", active_ids=[self.importer.id, empty.id])
            .run()
        )
        self.assertIn("Done: Mosaic Student (IMP/", result["params"]["message"])
        self.assertIn("Refused: No files: no kept file to run.", result["params"]["message"])
        self.assertEqual(self.importer.run_ids.count_add, 1)

    def test_new_test_user_helper_is_not_an_approver(self):
        # The approver group must be given explicitly: a plain clerk is not one.
        clerk = new_test_user(
            self.env,
            "clerk2",
            groups="school_student_import.group_student_import_user",
            company_id=self.company.id,
        )
        self.assertFalse(clerk.has_group("school_student_import.group_student_import_approver"))
