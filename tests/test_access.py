from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import StudentImportCase


@tagged("post_install", "-at_install")
class TestAccess(StudentImportCase):
    def test_a_user_without_the_group_cannot_import_or_apply(self):
        with self.assertRaises(AccessError):
            self.importer.with_user(self.stranger).run_import(self.export(), "export.csv")
        run = self.run_file(self.export(changes={"200002": {"homeroom": "R300"}}))
        with self.assertRaises(AccessError):
            run.with_user(self.stranger).action_apply()
        with self.assertRaises(AccessError):
            self.env["school.student"].with_user(self.stranger).search([])
        self.assertEqual(run.state, "review")

    def test_state_and_results_cannot_be_written_directly(self):
        run = self.run_file(self.export(changes={"200002": {"homeroom": "R300"}}))
        for vals in (
            {"state": "done"},
            {"requires_confirmation": False},
            {"count_add": 0},
            {"roster_fingerprint": "x"},
        ):
            with self.assertRaises(AccessError):
                run.with_user(self.user).write(vals)
            with self.assertRaises(AccessError):
                run.with_user(self.manager).write(vals)
        self.assertEqual(run.state, "review")

    def test_runs_lines_and_changes_cannot_be_forged(self):
        run = self.run_file(self.export(changes={"200002": {"homeroom": "R300"}}))
        line = run.line_ids
        with self.assertRaises(AccessError):
            self.env["student.import.run"].with_user(self.user).create(
                {"importer_id": self.importer.id, "company_id": self.company.id, "state": "review"}
            )
        with self.assertRaises(AccessError):
            line.with_user(self.user).write({"change_type": "add"})
        with self.assertRaises(AccessError):
            line.change_ids.with_user(self.user).write({"new_value": "R999"})
        with self.assertRaises(AccessError):
            self.env["student.import.line"].with_user(self.user).create(
                {"run_id": run.id, "company_id": self.company.id, "change_type": "add"}
            )

    def test_only_managers_configure_importers(self):
        with self.assertRaises(AccessError):
            self.importer.with_user(self.user).write({"inactivate_missing": False})
        with self.assertRaises(AccessError):
            self.env["student.importer"].with_user(self.user).create({"name": "Mine"})
        self.importer.with_user(self.manager).write({"inactivate_missing": False})
        self.assertFalse(self.importer.inactivate_missing)

    def test_a_second_company_is_invisible_and_untouched(self):
        other = self.env["res.company"].create({"name": "Other District"})
        site = self.env["school.site"].create(
            {"name": "Far School", "code": "FAR", "company_id": other.id}
        )
        far = self.env["school.student"].create(
            {
                "student_number": "700001",
                "first_name": "Far",
                "last_name": "Away",
                "company_id": other.id,
                "school_id": site.id,
            }
        )
        Student = self.env["school.student"].with_user(self.user)
        self.assertFalse(Student.search([("student_number", "=", "700001")]))
        with self.assertRaises(AccessError):
            far.with_user(self.user).read(["first_name"])
        # The other company's student is neither compared nor inactivated.
        run = self.run_file(self.export())
        self.assertEqual(run.existing_count, 40)
        self.assertFalse(run.line_ids)
        # Its school code is not ours: a row using it is an error.
        run = self.run_file(self.export(extra=["300001,New,Kid,1,02/02/2019,FAR,F,R100"]))
        self.assertEqual(run.line_ids.change_type, "error")
        far_clerk = new_test_user(
            self.env,
            "farclerk",
            company_id=other.id,
            groups="school_student_import.group_student_import_user",
        )
        runs = (
            self.env["student.import.run"]
            .with_user(far_clerk)
            .with_context(allowed_company_ids=[other.id])
        )
        self.assertFalse(runs.search([("id", "=", run.id)]))
