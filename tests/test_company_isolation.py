"""Districts A and B: what A's users must not read nor move of B, through the model API."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import TwoDistrictsCase


@tagged("post_install", "-at_install")
class TestCompanyIsolation(TwoDistrictsCase):
    def dialogs_on_b(self):
        """(A's user, dialog model, values opening it on B's record, a field it shows)."""
        return [
            (self.user, "student.import.confirm", {"run_id": self.run_b.id}, "trip_summary"),
            (
                self.user,
                "student.import.authorize",
                {"run_id": self.run_b.id},
                "authorization_state",
            ),
            (
                self.user,
                "student.import.upload",
                {"importer_id": self.importer_b.id},
                "available_attachment_ids",
            ),
            (self.approver, "student.import.code.issue", {"run_id": self.run_b.id}, "pct_add"),
            (
                self.approver,
                "student.import.decision",
                {"authorization_id": self.request_b.id},
                "request_comment",
            ),
        ]

    # Dialogs

    def test_dialogs_refuse_a_record_of_another_company(self):
        for user, model, vals, field in self.dialogs_on_b():
            with self.subTest(model=model):
                Dialog = self.env[model].with_user(user)
                with self.assertRaises(AccessError):
                    Dialog.create(vals)
                # What the web client does before anything is saved: a new
                # record whose related fields are computed for display.
                with self.assertRaises(AccessError):
                    Dialog.new(vals)[field]  # noqa: B018
        with self.assertRaises(AccessError):
            self.env["student.importer.mapping"].with_user(self.manager).create(
                {"importer_id": self.importer_b.id}
            )

    def test_a_dialog_cannot_be_pointed_at_another_company_later(self):
        run_a = self.run_file(
            self.export(
                extra=[f"{300001 + n},New{n},Kid,1,02/02/2019,LIN,F,R100" for n in range(8)]
            )
        )
        confirm = (
            self.env["student.import.confirm"].with_user(self.user).create({"run_id": run_a.id})
        )
        self.assertIn("Adds: 8 students", confirm.trip_summary)
        with self.assertRaises(AccessError):
            confirm.write({"run_id": self.run_b.id})

    def test_district_b_users_see_their_own_dialogs(self):
        confirm = self.as_b(self.env["student.import.confirm"], self.clerk_b).create(
            {"run_id": self.run_b.id}
        )
        self.assertIn("Adds: 3 students", confirm.trip_summary)
        decision = Form(
            self.as_b(self.env["student.import.decision"], self.approver_b).with_context(
                default_authorization_id=self.request_b.id
            )
        )
        self.assertEqual(decision.request_comment, "B's opening day: secret reasons")
        self.assertEqual(decision.requester_id, self.clerk_b)

    # Moving records between companies

    def test_company_of_a_student_school_or_importer_cannot_change(self):
        student = self.students[0]
        for user, record in (
            (self.user, student),
            (self.manager, student),
            (self.manager, self.lincoln),
            (self.manager, self.importer),
        ):
            with self.subTest(user=user.login, model=record._name):
                with self.assertRaisesRegex(UserError, "cannot be changed"):
                    record.with_user(user).write({"company_id": self.company_b.id})
                self.assertEqual(record.company_id, self.company)
        # Writing the company it already has is no move.
        self.lincoln.with_user(self.manager).write({"company_id": self.company.id})
        run_b = self.as_b(self.run_b, self.clerk_b)
        self.assertEqual(run_b.existing_count, 10)
        self.assertEqual(len(self.students_b), 10)

    def test_a_school_of_another_company_is_refused(self):
        student = self.students[0].with_user(self.user)
        # Each refused call rolls back, as a request would.
        with self.assertRaisesRegex(UserError, "Incompatible companies"), self.env.cr.savepoint():
            student.write({"school_id": self.school_b.id})
        with self.assertRaisesRegex(UserError, "Incompatible companies"), self.env.cr.savepoint():
            self.env["school.student"].with_user(self.user).create(
                {"student_number": "555", "last_name": "X", "school_id": self.school_b.id}
            )
        self.env.invalidate_all()
        self.assertEqual(self.students[0].school_id, self.lincoln)
        self.assertFalse(self.student("555"))

    def test_students_cannot_be_created_or_edited_in_another_company(self):
        Student = self.env["school.student"].with_user(self.user)
        with self.assertRaises(AccessError):
            Student.create(
                {"student_number": "556", "last_name": "X", "company_id": self.company_b.id}
            )
        with self.assertRaises(AccessError):
            self.students_b[0].with_user(self.user).write({"first_name": "Mine"})
        # Several at once: refused for rights, before the mass-change guard
        # could name B's roster and its size.
        with self.assertRaises(AccessError):
            self.students_b.with_user(self.user).write({"first_name": "Mine"})
        with self.assertRaises(AccessError):
            Student.create(
                [
                    {
                        "student_number": str(557 + n),
                        "last_name": "X",
                        "company_id": self.company_b.id,
                    }
                    for n in range(10)
                ]
            )
        with self.assertRaises(AccessError):
            Student.with_context(allowed_company_ids=[self.company_b.id]).search([])
        self.assertEqual(self.students_b[0].first_name, "Bee0")

    def test_responsible_users_belong_to_the_importer_company(self):
        with self.assertRaisesRegex(UserError, "Incompatible companies"), self.env.cr.savepoint():
            self.importer.with_user(self.manager).write({"responsible_ids": [(4, self.clerk_b.id)]})
        self.env.invalidate_all()
        self.importer.with_user(self.manager).write({"responsible_ids": [(4, self.user.id)]})
        self.assertEqual(self.importer.responsible_ids, self.user)

    # Comments become HTML

    def test_request_comments_are_plain_text(self):
        run = self.run_file(
            self.export(
                extra=[f"{300001 + n},New{n},Kid,1,02/02/2019,LIN,F,R100" for n in range(8)]
            )
        )
        comment = 'Opening day <b>now</b> <img src="x">'
        run.with_user(self.user).action_request_authorization(comment)
        activity = run.activity_ids.filtered(lambda act: act.user_id == self.approver)
        self.assertEqual(len(activity), 1)
        request_note, request_message = str(activity.note), str(run.message_ids[0].body)
        run.authorization_ids.with_user(self.approver).action_reject('No <img src="y"> <b>way</b>')
        answer = run.activity_ids.filtered(lambda act: act.user_id == self.user)
        self.assertEqual(len(answer), 1)
        for html in (request_note, request_message, str(answer.note), str(run.message_ids[0].body)):
            self.assertNotIn("<img", html)
            self.assertNotIn("<b>", html)
            self.assertIn("&lt;img src=", html)
