"""Folder importers: paths below the base folder only, the schedule, Run Now, RPC."""

import os
from datetime import datetime
from xmlrpc.client import Fault

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .test_folder_import import FolderCase


class TestFolderPaths(FolderCase):
    def test_a_path_outside_the_base_folder_is_refused_at_save(self):
        os.symlink(self.outside, self.path("link-out"))
        base = os.path.realpath(self.base)
        for field, value in (
            ("folder", "../elsewhere"),
            ("folder", "inbox/../../elsewhere"),
            ("folder", self.outside),
            ("folder", "link-out"),
            ("folder", "link-out/sub"),
            ("archive_folder", "/tmp"),
            ("failed_folder", "../failed"),
        ):
            with (
                self.subTest(field=field, value=value),
                self.assertRaises(ValidationError) as caught,
            ):
                self.importer.write({field: value})
            self.assertIn(f"outside the base folder {base}", str(caught.exception))
        # Inside, relative or absolute, is fine.
        self.importer.write({"folder": self.inbox, "archive_folder": "done"})
        self.assertEqual(self.importer.folder, self.inbox)

    def test_a_folder_importer_needs_the_base_folder(self):
        self.env["ir.config_parameter"].sudo().set_param("school_student_import.base_folder", "")
        with self.assertRaisesRegex(ValidationError, "Folder importers are off"):
            self.env["student.importer"].create(
                {"name": "Nightly", "source": "folder", "folder": "inbox"}
            )

    def test_a_file_pattern_names_files_only(self):
        with self.assertRaisesRegex(ValidationError, "names files, not folders"):
            self.importer.file_pattern = "../*.csv"

    def test_a_path_that_escapes_since_it_was_saved_is_refused_at_read(self):
        self.drop("export.csv", self.export(changes={"200001": {"homeroom": "R300"}}), self.outside)
        # After the importer was saved, inbox becomes a link out of the base.
        os.rmdir(self.inbox)
        os.symlink(self.outside, self.inbox)
        base = os.path.realpath(self.base)
        self.tick()
        self.assertFalse(self.runs())
        self.assertIn(f"outside the base folder {base}", self.importer.message_ids[0].body)
        self.assertEqual(sorted(os.listdir(self.outside)), ["export.csv"], "nothing moved")
        with self.assertRaisesRegex(UserError, f"outside the base folder {base}"):
            self.importer.with_user(self.user).action_run_folder_now()

    def test_a_file_linked_out_of_the_base_is_refused_at_read(self):
        secret = self.drop("roster.csv", self.export(), self.outside)
        os.symlink(secret, os.path.join(self.inbox, "export.csv"))
        with self.assertRaisesRegex(UserError, "File .*export.csv is outside the base folder"):
            self.importer.with_user(self.user).action_run_folder_now()
        self.assertFalse(self.runs())

    def test_an_emptied_base_folder_stops_reading(self):
        self.drop("export.csv", self.export(changes={"200001": {"homeroom": "R300"}}))
        self.env["ir.config_parameter"].sudo().set_param("school_student_import.base_folder", "")
        self.tick()
        self.assertFalse(self.runs())
        self.assertIn("Folder importers are off", self.importer.message_ids[0].body)

    # The schedule

    def test_next_run_follows_the_interval_and_time_of_day(self):
        importer = self.importer
        importer.write({"schedule_interval": 1, "schedule_unit": "days", "schedule_time": 2.5})
        importer.schedule_tz = "UTC"
        self.assertEqual(
            importer._next_slot(datetime(2026, 3, 1, 1, 0)), datetime(2026, 3, 1, 2, 30)
        )
        self.assertEqual(
            importer._next_slot(datetime(2026, 3, 1, 2, 30)), datetime(2026, 3, 2, 2, 30)
        )
        importer.write({"schedule_interval": 6, "schedule_unit": "hours", "schedule_time": 2.0})
        self.assertEqual(
            importer._next_slot(datetime(2026, 3, 1, 9, 0)), datetime(2026, 3, 1, 14, 0)
        )
        self.assertEqual(
            importer._next_slot(datetime(2026, 3, 1, 1, 0)), datetime(2026, 3, 1, 2, 0)
        )
        importer.write({"schedule_interval": 15, "schedule_unit": "minutes"})
        self.assertEqual(
            importer._next_slot(datetime(2026, 3, 1, 9, 7)), datetime(2026, 3, 1, 9, 15)
        )
        # 02:00 in New York stays 02:00 local across the change to summer time.
        importer.write(
            {"schedule_unit": "days", "schedule_interval": 1, "schedule_tz": "America/New_York"}
        )
        self.assertEqual(
            importer._next_slot(datetime(2026, 3, 7, 12, 0)), datetime(2026, 3, 8, 7, 0)
        )
        self.assertEqual(
            importer._next_slot(datetime(2026, 3, 9, 12, 0)), datetime(2026, 3, 10, 6, 0)
        )

    def test_saving_a_schedule_wakes_the_scheduler_at_the_next_run(self):
        cron = self.env.ref("school_student_import.ir_cron_student_importer_scheduler")
        self.importer.write({"schedule_interval": 10, "schedule_unit": "minutes"})
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.assertIn(self.importer.next_run_at, triggers.mapped("call_at"))
        self.importer.source = "upload"
        self.assertFalse(self.importer.next_run_at)

    def test_a_bad_schedule_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "interval of at least 1"):
            with self.env.cr.savepoint():
                self.importer.schedule_interval = 0
        with self.assertRaisesRegex(ValidationError, "between 00:00 and 23:59"):
            with self.env.cr.savepoint():
                self.importer.schedule_time = 24

    # Run Now

    def test_run_now_reads_the_folder_at_once(self):
        self.drop("export.csv", self.export(changes={"200001": {"homeroom": "R300"}}))
        action = self.importer.with_user(self.user).action_run_now()
        run = self.runs()
        self.assertEqual((action["res_model"], action["res_id"]), ("student.import.run", run.id))
        self.assertEqual((run.state, run.trigger, run.applied_by_id), ("done", "manual", self.user))
        action = self.importer.with_user(self.user).action_run_now()
        self.assertIn("No new file", action["params"]["message"])
        self.assertFalse(self.importer.with_user(self.user).action_run_folder_now())

    def test_run_now_of_an_upload_importer_still_opens_the_upload(self):
        self.importer.source = "upload"
        action = self.importer.with_user(self.user).action_run_now()
        self.assertEqual(action["res_model"], "student.import.upload")
        with self.assertRaisesRegex(UserError, "reads uploaded files"):
            self.importer.with_user(self.user).action_run_folder_now()

    def test_run_now_of_the_folder_is_refused_to_others(self):
        with self.assertRaises(AccessError):
            self.importer.with_user(self.stranger).action_run_folder_now()

    def test_only_managers_configure_a_folder(self):
        with self.assertRaises(AccessError):
            self.importer.with_user(self.user).write({"folder": "elsewhere"})


@tagged("post_install", "-at_install")
class TestFolderRpc(HttpCase, FolderCase):
    def rpc(self, user, method, *args):
        password = user.login + "x" * (8 - len(user.login))
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, password, "student.importer", method, list(args), {}
        )

    def test_rpc_refuses_a_folder_outside_the_base(self):
        base = os.path.realpath(self.base)
        with self.assertRaisesRegex(Fault, f"outside the base folder {base}"):
            self.rpc(self.manager, "write", [self.importer.id], {"folder": "../../etc"})
        with self.assertRaisesRegex(Fault, "outside the base folder"):
            self.rpc(
                self.manager,
                "create",
                {"name": "Sneaky", "source": "folder", "folder": "/etc"},
            )

    def test_rpc_runs_the_folder_now(self):
        self.drop("export.csv", self.export(changes={"200001": {"homeroom": "R300"}}))
        run_id = self.rpc(self.user, "action_run_folder_now", [self.importer.id])
        run = self.env["student.import.run"].browse(run_id)
        self.assertEqual((run.state, run.file_name), ("done", "export.csv"))
        with self.assertRaisesRegex(Fault, "AccessError|not allowed|Only Student Import"):
            self.rpc(self.stranger, "action_run_folder_now", [self.importer.id])
