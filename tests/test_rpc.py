"""The refusals hold over external RPC, not only behind hidden buttons."""

import base64

from odoo.tests import HttpCase, new_test_user, tagged

from ..engine.tests import layouts
from .common import RpcMixin, StudentImportCase


@tagged("post_install", "-at_install")
class TestRpc(RpcMixin, HttpCase, StudentImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approver = cls.new_user("support", "group_student_import_approver", "Sam Support")
        cls.stranger2 = new_test_user(
            cls.env, "nobody", groups="base.group_user", company_id=cls.company.id
        )

    def big_run(self):
        extra = [f"{300001 + n},New{n},Kid,1,02/02/2019,LIN,F,R100" for n in range(8)]
        return self.run_file(self.export(extra=extra))

    def test_run_import_over_rpc_returns_the_run(self):
        data = base64.b64encode(self.export(changes={"200001": {"homeroom": "R300"}})).decode()
        run_id = self.rpc(
            self.user, "student.importer", "run_import", [self.importer.id], data, "export.csv"
        )
        run = self.env["student.import.run"].browse(run_id)
        self.assertEqual((run.state, run.count_update), ("review", 1))
        self.assertFault(
            "not a readable CSV",
            self.user,
            "student.importer",
            "run_import",
            [self.importer.id],
            base64.b64encode(b"\x00\xff" * 40).decode(),
            "x.csv",
        )
        self.assertFault(
            "AccessError|not allowed",
            self.stranger2,
            "student.importer",
            "run_import",
            [self.importer.id],
            data,
            "export.csv",
        )

    def test_plain_user_cannot_skip_the_safeguards_over_rpc(self):
        run = self.big_run()
        self.assertFault(
            "needs a confirmation", self.user, "student.import.run", "action_apply", [run.id]
        )
        self.assertFault(
            "state and results of an import run",
            self.user,
            "student.import.run",
            "write",
            [run.id],
            {"state": "done"},
        )
        self.assertFault(
            "state and results of an import run",
            self.user,
            "student.import.run",
            "write",
            [run.id],
            {"requires_authorization": False, "requires_confirmation": False},
        )
        self.rpc(self.user, "student.import.run", "action_confirm_warning", [run.id])
        self.assertFault(
            "approval of a Support representative",
            self.user,
            "student.import.run",
            "action_apply",
            [run.id],
        )
        request_id = self.rpc(
            self.user, "student.import.run", "action_request_authorization", [run.id], "Opening day"
        )
        self.assertFault(
            "Only a Support representative",
            self.user,
            "student.import.authorization",
            "action_approve",
            [request_id],
        )
        self.assertFault(
            "Authorizations change only",
            self.user,
            "student.import.authorization",
            "write",
            [request_id],
            {"state": "approved"},
        )
        self.assertFault(
            "Only Student Import users",
            self.approver,
            "student.import.run",
            "action_apply",
            [run.id],
        )
        run.invalidate_recordset()
        self.assertEqual(run.state, "review")
        self.rpc(self.approver, "student.import.authorization", "action_approve", [request_id])
        run.invalidate_recordset()
        self.assertEqual(run.state, "done", "approving applies, on behalf of the requester")
        self.assertFault(
            "only a run in review can be applied",
            self.user,
            "student.import.run",
            "action_apply",
            [run.id],
        )

    def test_a_busy_importer_and_a_second_apply_are_refused_over_rpc(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "school_student_import.job_threshold_rows", "5"
        )
        data = base64.b64encode(self.export(changes={"200001": {"homeroom": "R300"}})).decode()
        run_id = self.rpc(
            self.user, "student.importer", "run_import", [self.importer.id], data, "big.csv"
        )
        run = self.env["student.import.run"].browse(run_id)
        self.assertEqual(run.state, "queued")
        self.assertFault(
            "is busy", self.user, "student.importer", "run_import", [self.importer.id], data, "b"
        )
        self.env.ref("school_student_import.ir_cron_student_import_jobs").method_direct_trigger()
        run.invalidate_recordset()
        self.assertEqual(run.state, "review")
        self.env["ir.config_parameter"].sudo().set_param(
            "school_student_import.job_threshold_rows", "0"
        )
        self.rpc(self.user, "student.import.run", "action_apply", [run_id])
        run.invalidate_recordset()
        self.assertEqual(run.state, "applying")
        self.assertFault(
            "already being applied", self.user, "student.import.run", "action_apply", [run_id]
        )
        self.assertFault(
            "Only Student Import users",
            self.approver,
            "student.import.run",
            "action_retry",
            [run_id],
        )

    def test_wrong_codes_over_rpc_lock_the_run(self):
        run = self.big_run()
        code = self.rpc(self.approver, "student.import.run", "action_issue_code", [run.id])
        for attempt in range(5):
            self.assertFault(
                f"Attempts left: {4 - attempt}",
                self.user,
                "student.import.run",
                "action_enter_code",
                [run.id],
                f"BAD{attempt}CODE",
            )
        self.assertFault(
            "Too many wrong codes",
            self.user,
            "student.import.run",
            "action_enter_code",
            [run.id],
            code,
        )
        run.invalidate_recordset()
        self.assertEqual(run.authorization_state, "locked")

    def test_layout_refusals_over_rpc(self):
        two_keys = b"Student ID,Student No,First_Name,Last_Name\n200001,200001,Ann,Lee\n"
        self.assertFault(
            "'Student ID' and 'Student No'",
            self.user,
            "student.importer",
            "run_import",
            [self.importer.id],
            base64.b64encode(two_keys).decode(),
            "export.csv",
        )
        self.assertFault(
            "without users.csv",
            self.user,
            "student.importer",
            "run_import",
            [self.importer.id],
            base64.b64encode(layouts.oneroster(users=False)).decode(),
            "oneroster.zip",
        )
        self.assertFalse(self.importer.run_ids)
        # The mapping assistant is an administrator's: staff can neither open
        # it nor write its lines.
        self.assertFault(
            "AccessError|not allowed",
            self.user,
            "student.importer",
            "action_open_mapping",
            [self.importer.id],
        )
        self.assertFault(
            "AccessError|not allowed",
            self.user,
            "student.importer.mapping",
            "create",
            {"importer_id": self.importer.id},
        )

    def test_excluded_is_refused_over_rpc_outside_review(self):
        run = self.run_file(self.export(changes={"200001": {"homeroom": "R300"}}))
        line = run.line_ids
        # In review, the clerk may exclude a line over RPC too.
        self.rpc(self.user, "student.import.line", "write", line.ids, {"excluded": True})
        self.assertTrue(line.excluded)
        self.rpc(self.user, "student.import.line", "write", line.ids, {"excluded": False})
        run.with_user(self.user).action_apply()
        self.assertFault(
            "only be excluded while their run is in review",
            self.user,
            "student.import.line",
            "write",
            line.ids,
            {"excluded": True},
        )
        self.assertFault(
            "AccessError|not allowed",
            self.approver,
            "student.import.line",
            "write",
            line.ids,
            {"excluded": True},
        )
        line.invalidate_recordset()
        self.assertFalse(line.excluded)
