"""Districts A and B over XML-RPC: dialogs, cross-company writes and mass changes."""

from odoo.tests import HttpCase, tagged

from .common import RpcMixin, TwoDistrictsCase

# What a curious clerk would try to slip past the guard: the keys Apply uses
# and names that sound like a bypass; none of them means anything to it.
FORGED_CONTEXT = {
    "active_test": False,
    "tracking_disable": True,
    "school_student_import_run_writing": 1,
    "student_import_apply": True,
    "import_file": True,
}
READ_REFUSED = "doesn't have 'read' access"


@tagged("post_install", "-at_install")
class TestCompanyRpc(RpcMixin, HttpCase, TwoDistrictsCase):
    def test_dialogs_on_another_company_are_refused_over_rpc(self):
        for user, model, field, record, shown in (
            (self.user, "student.import.confirm", "run_id", self.run_b, "trip_summary"),
            (self.user, "student.import.authorize", "run_id", self.run_b, "authorization_state"),
            (
                self.user,
                "student.import.upload",
                "importer_id",
                self.importer_b,
                "available_attachment_ids",
            ),
            (self.approver, "student.import.code.issue", "run_id", self.run_b, "pct_add"),
            (
                self.approver,
                "student.import.decision",
                "authorization_id",
                self.request_b,
                "request_comment",
            ),
        ):
            with self.subTest(model=model):
                self.assertFault(READ_REFUSED, user, model, "create", {field: record.id})
                # The form of a new dialog asks the server for its defaults
                # and the fields it shows, before anything is created.
                self.assertFault(
                    READ_REFUSED,
                    user,
                    model,
                    "onchange",
                    [],
                    {},
                    [],
                    {field: {}, shown: {}},
                    context={f"default_{field}": record.id},
                )
        # B's own clerk gets B's figures.
        values = self.rpc(
            self.clerk_b,
            "student.import.confirm",
            "onchange",
            [],
            {},
            [],
            {"run_id": {}, "trip_summary": {}},
            context={"default_run_id": self.run_b.id},
        )
        self.assertIn("Adds: 3 students", values["value"]["trip_summary"])

    def test_cross_company_writes_are_refused_over_rpc(self):
        student = self.students[0]
        self.assertFault(
            "cannot be changed",
            self.user,
            "school.student",
            "write",
            [student.id],
            {"company_id": self.company_b.id},
        )
        self.assertFault(
            "Incompatible companies",
            self.user,
            "school.student",
            "write",
            [student.id],
            {"school_id": self.school_b.id},
        )
        for model, record in (("school.site", self.lincoln), ("student.importer", self.importer)):
            self.assertFault(
                "cannot be changed",
                self.manager,
                model,
                "write",
                [record.id],
                {"company_id": self.company_b.id},
            )
        self.assertFault(
            "Access to unauthorized or invalid companies",
            self.user,
            "school.student",
            "create",
            {"student_number": "557", "last_name": "X", "company_id": self.company_b.id},
            context={"allowed_company_ids": [self.company_b.id]},
        )
        self.assertFault(
            "doesn't have 'write' access",
            self.user,
            "school.student",
            "write",
            self.students_b.ids,
            {"first_name": "Mine"},
        )
        self.env.invalidate_all()
        self.assertEqual((student.company_id, student.school_id), (self.company, self.lincoln))
        self.assertEqual(self.students_b[0].first_name, "Bee0")

    def test_mass_changes_are_refused_over_rpc_whatever_the_context(self):
        ids = self.students.ids
        self.assertFault(
            "Use an import, or ask an import administrator",
            self.user,
            "school.student",
            "write",
            ids,
            {"active": False},
            context=FORGED_CONTEXT,
        )
        self.assertFault(
            "Use an import",
            self.user,
            "school.student",
            "action_archive",
            ids,
            context=FORGED_CONTEXT,
        )
        self.assertFault(
            "Use an import",
            self.user,
            "school.student",
            "create",
            [{"student_number": str(610001 + n), "last_name": "Mass"} for n in range(10)],
            context=FORGED_CONTEXT,
        )
        self.rpc(self.user, "school.student", "write", ids[:1], {"homeroom": "R777"})
        self.env.invalidate_all()
        self.assertEqual(self.env["school.student"].search_count([("id", "in", ids)]), 40)
        self.assertEqual(self.students[0].homeroom, "R777")
