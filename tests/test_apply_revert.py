from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import StudentImportCase

NEW_KID = "300001,New,Kid,1,02/02/2019,LIN,F,R100"


@tagged("post_install", "-at_install")
class TestApplyRevert(StudentImportCase):
    def mixed_run(self):
        """One of each change type, no error."""
        return self.run_file(
            self.export(
                skip={"200003"},
                changes={"200002": {"last": "Lee-Park", "grade": "3"}},
                extra=[NEW_KID, "209999,Gone,Away,4,05/05/2017,WAS,P,R100"],
            )
        )

    def test_apply_writes_exactly_the_previewed_changes(self):
        before = self.snapshot()
        run = self.mixed_run()
        run.with_user(self.user).action_apply()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.applied_by_id, self.user)
        self.assertTrue(run.applied_date)
        after = self.snapshot()
        expected = {number: dict(student) for number, student in before.items()}
        expected["200002"].update(last_name="Lee-Park", grade="03")
        expected["200003"]["active"] = False
        expected["209999"].update(active=True, grade="04", school_code="WAS")
        self.assertEqual({k: v for k, v in after.items() if k != "300001"}, expected)
        added = after["300001"]
        self.assertEqual(
            (
                added["first_name"],
                added["last_name"],
                added["grade"],
                added["birthdate"],
                added["school_code"],
                added["eligibility"],
                added["homeroom"],
                added["active"],
            ),
            ("New", "Kid", "01", "2019-02-02", "LIN", "free", "R100", True),
        )
        new_student = self.student("300001")
        self.assertEqual(new_student.school_id, self.lincoln)
        self.assertEqual(new_student.last_run_id, run)
        self.assertEqual(self.student("200002").last_run_id, run)
        add_line = run.line_ids.filtered(lambda line: line.change_type == "add")
        self.assertEqual(add_line.student_id, new_student)

    def test_apply_twice_is_refused(self):
        run = self.mixed_run()
        run.with_user(self.user).action_apply()
        with self.assertRaisesRegex(UserError, "only a run in review can be applied"):
            run.with_user(self.user).action_apply()

    def test_apply_refused_when_the_roster_changed_since_the_preview(self):
        for change in (
            lambda: self.student("200010").write({"homeroom": "R999"}),
            lambda: self.student("200011").write({"active": False}),
            lambda: self.env["school.student"].create(
                {"student_number": "555555", "first_name": "X", "last_name": "Y"}
            ),
        ):
            run = self.mixed_run()
            before = self.snapshot()
            change()
            changed = self.snapshot()
            self.assertNotEqual(changed, before)
            with self.assertRaisesRegex(UserError, "The roster changed since"):
                run.with_user(self.user).action_apply()
            self.assertEqual(run.state, "review")
            self.assertEqual(self.snapshot(), changed)

    def test_errors_block_apply_until_excluded(self):
        run = self.run_file(
            self.export(
                changes={"200002": {"homeroom": "R300"}},
                extra=["300002,Bad,Date,1,02/30/2019,LIN,F,R100"],
            )
        )
        with self.assertRaisesRegex(UserError, "has 1 error line"):
            run.with_user(self.user).action_apply()
        self.assertEqual(self.student("200002").homeroom, "R101")
        run.with_user(self.user).action_exclude_errors()
        run.with_user(self.user).action_apply()
        self.assertEqual(self.student("200002").homeroom, "R300")
        self.assertFalse(self.student("300002"))

    def test_excluded_lines_are_not_applied(self):
        run = self.run_file(
            self.export(
                changes={"200002": {"homeroom": "R300"}, "200004": {"homeroom": "R301"}},
            )
        )
        line = run.line_ids.filtered(lambda line: line.student_number == "200004")
        line.with_user(self.user).excluded = True
        run.with_user(self.user).action_apply()
        self.assertEqual(self.student("200002").homeroom, "R300")
        self.assertEqual(self.student("200004").homeroom, "R103")

    def test_cancel_discards_and_writes_nothing(self):
        before = self.snapshot()
        run = self.mixed_run()
        run.with_user(self.user).action_cancel()
        self.assertEqual(run.state, "cancelled")
        self.assertFalse(run.line_ids)
        self.assertEqual(self.snapshot(), before)
        with self.assertRaisesRegex(UserError, "only a run in review can be applied"):
            run.with_user(self.user).action_apply()

    def test_revert_restores_the_roster(self):
        before = self.snapshot()
        run = self.mixed_run()
        run.with_user(self.user).action_apply()
        run.with_user(self.user).action_revert()
        self.assertEqual(run.state, "reverted")
        self.assertEqual(run.reverted_by_id, self.user)
        after = self.snapshot()
        # The added student is archived, not deleted: others may refer to it.
        self.assertFalse(after.pop("300001")["active"])
        self.assertEqual(after, before)

    def test_revert_refuses_and_names_students_changed_since(self):
        run = self.mixed_run()
        run.with_user(self.user).action_apply()
        self.student("200002").write({"last_name": "Lee-Parker"})
        self.student("300001").write({"active": False})
        with self.assertRaisesRegex(UserError, r"Kid, New \(300001\), Ortiz, First01 \(200002\)"):
            run.with_user(self.user).action_revert()
        self.assertEqual(run.state, "done")
        self.assertEqual(self.student("200002").last_name, "Lee-Parker")
        self.assertEqual(self.student("200002").grade, "03")

    def test_revert_of_a_run_not_applied_is_refused(self):
        run = self.mixed_run()
        with self.assertRaisesRegex(UserError, "only an applied run can be reverted"):
            run.with_user(self.user).action_revert()

    def test_a_later_run_blocks_the_revert_of_an_earlier_one(self):
        first = self.run_file(self.export(changes={"200002": {"homeroom": "R300"}}))
        first.with_user(self.user).action_apply()
        second = self.run_file(self.export(changes={"200002": {"homeroom": "R400"}}))
        second.with_user(self.user).action_apply()
        with self.assertRaisesRegex(UserError, "changed after"):
            first.with_user(self.user).action_revert()
        second.with_user(self.user).action_revert()
        self.assertEqual(self.student("200002").homeroom, "R300")
