"""Direct mass changes of students are guarded like imports (district A: 40 active)."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TwoDistrictsCase

REFUSED = "at once.*Use an import, or ask an import administrator"


@tagged("post_install", "-at_install")
class TestMassChange(TwoDistrictsCase):
    def active_count(self):
        return self.env["school.student"].search_count([("company_id", "=", self.company.id)])

    def test_staff_change_at_most_what_an_import_would_not_warn_about(self):
        # 10% of 40 needs an import's confirmation: 4 refused, 3 allowed.
        clerk_students = self.students.with_user(self.user)
        with self.assertRaisesRegex(
            UserError, f"(?s)archive 4 students of Test District {REFUSED}"
        ):
            clerk_students[:4].write({"active": False})
        with self.assertRaisesRegex(UserError, "(?s)change 4 students.*10.0% of its 40 active"):
            clerk_students[:4].write({"homeroom": "R999"})
        with self.assertRaisesRegex(UserError, REFUSED):
            clerk_students.action_archive()
        self.assertEqual(self.active_count(), 40)
        clerk_students[:3].write({"homeroom": "R999"})
        clerk_students[:3].action_archive()
        self.assertEqual(self.active_count(), 37)
        with self.assertRaisesRegex(UserError, "(?s)restore 4 students"):
            self.students.with_context(active_test=False)[:4].with_user(self.user).write(
                {"active": True}
            )

    def test_single_edits_stay_free(self):
        # District B has 10 students: 2 at once is 20%, one at a time is free.
        for student in self.as_b(self.students_b[:5], self.clerk_b):
            student.write({"homeroom": "B1"})
        self.assertEqual(set(self.students_b[:5].mapped("homeroom")), {"B1"})
        with self.assertRaisesRegex(UserError, REFUSED):
            self.as_b(self.students_b[:2], self.clerk_b).write({"homeroom": "B2"})

    def test_creating_many_students_at_once_is_refused(self):
        Student = self.env["school.student"].with_user(self.user)
        vals = [{"student_number": str(600001 + n), "last_name": "New"} for n in range(4)]
        with self.assertRaisesRegex(UserError, f"(?s)create 4 students of Test District {REFUSED}"):
            Student.create(vals)
        Student.create(vals[:3])
        self.assertEqual(self.active_count(), 43)

    def test_generic_import_counts_the_rows(self):
        Student = self.env["school.student"].with_user(self.user)
        rows = [[student.student_number, "Renamed"] for student in self.students[:5]]
        with self.assertRaisesRegex(UserError, REFUSED):
            Student.load(["student_number", "first_name"], rows)
        self.assertFalse(self.students.filtered(lambda student: student.first_name == "Renamed"))

    def test_a_server_action_obeys_the_same_rule(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Archive the selection",
                "model_id": self.env.ref("school_student_import.model_school_student").id,
                "state": "code",
                "code": "records.write({'active': False})",
            }
        )
        context = {"active_model": "school.student", "active_ids": self.students.ids}
        with self.assertRaisesRegex(UserError, REFUSED):
            action.with_user(self.user).with_context(**context).run()
        self.assertEqual(self.active_count(), 40)

    def test_the_limit_is_configurable_and_follows_the_importer_thresholds(self):
        self.env["ir.config_parameter"].set_param("school_student_import.mass_change_limit", "2")
        with self.assertRaisesRegex(UserError, "at most 2 may change"):
            self.students[:3].with_user(self.user).write({"homeroom": "R999"})
        self.env["ir.config_parameter"].set_param("school_student_import.mass_change_limit", "50")
        # An importer warning at 5% leaves 1 at a time (2 of 40 is 5%).
        self.importer.with_user(self.manager).warn_inactivate_pct = 5
        with self.assertRaisesRegex(UserError, "at most 1 may change"):
            self.students[:2].with_user(self.user).action_archive()
        self.students[:2].with_user(self.user).write({"homeroom": "R999"})

    def test_import_administrators_and_apply_may_change_many(self):
        skip = {student.student_number for student in self.students[:6]}
        run = self.run_file(self.export(skip=skip))
        self.assertEqual(run.count_inactivate, 6)
        run.with_user(self.user).action_confirm_warning()
        self.assertEqual(run.state, "done")
        self.assertEqual(self.active_count(), 34)
        run.with_user(self.user).action_revert()
        self.assertEqual(self.active_count(), 40)
        self.students.with_user(self.manager).action_archive()
        self.assertEqual(self.active_count(), 0)
