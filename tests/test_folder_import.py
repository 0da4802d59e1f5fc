"""Folder importers and the scheduler, on temporary folders below a temporary base."""

import os
import shutil
import tempfile
import time
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.sql_db import db_connect

from .common import StudentImportCase

STREET = "123 Main Street"


class FolderCase(StudentImportCase):
    """The district of ``StudentImportCase`` with a base folder and a folder importer."""

    def setUp(self):
        super().setUp()
        self.base = tempfile.mkdtemp(prefix="ssi-base-")
        self.outside = tempfile.mkdtemp(prefix="ssi-outside-")
        self.addCleanup(shutil.rmtree, self.base, ignore_errors=True)
        self.addCleanup(shutil.rmtree, self.outside, ignore_errors=True)
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("school_student_import.base_folder", self.base)
        # No real wait: the test that is about it stands in for the writer.
        params.set_param("school_student_import.settle_seconds", "0")
        self.inbox = self.path("inbox")
        os.makedirs(self.inbox)
        self.importer.write(
            {
                "source": "folder",
                "folder": "inbox",
                "file_pattern": "*.csv",
                "auto_apply": True,
                "responsible_ids": [(6, 0, self.user.ids)],
            }
        )
        self.bot = self.env.ref("base.user_root")

    def path(self, *parts):
        return os.path.join(self.base, *parts)

    def drop(self, name, data, folder=None, age=120):
        """Write ``data`` as an export that finished ``age`` seconds ago."""
        target = os.path.join(folder or self.inbox, name)
        with open(target, "wb") as handle:
            handle.write(data)
        stamp = time.time() - age
        os.utime(target, (stamp, stamp))
        return target

    def tick(self, *importers):
        """Make ``importers`` due, run the scheduler as its cron does, then what
        follows the commit (moving the files)."""
        past = fields.Datetime.now() - timedelta(minutes=1)
        for importer in importers or (self.importer,):
            importer.next_run_at = past
        ran = self.env["student.importer"].with_user(self.bot)._cron_run_due()
        # The test's transaction is never committed: run the post-commit
        # hooks ourselves, where the file moves happen.
        self.env.cr.postcommit.run()
        return ran

    def runs(self, importer=None):
        return self.env["student.import.run"].search(
            [("importer_id", "=", (importer or self.importer).id)]
        )

    def files(self, *parts):
        folder = self.path(*parts)
        return sorted(os.listdir(folder)) if os.path.isdir(folder) else []

    def big_add(self):
        """An export that adds 9 students to 40: 22.5%, past the authorization line."""
        extra = [f"{300001 + n},New{n},Kid,1,02/02/2019,LIN,F,R100" for n in range(9)]
        return self.export(extra=extra)

    def activity_notes(self, run, user):
        return " ".join(
            run.activity_ids.filtered(lambda activity: activity.user_id == user).mapped("note")
        )


class TestFolderImport(FolderCase):
    def test_due_importer_auto_applies_a_clean_file_and_archives_it(self):
        self.drop("export.csv", self.export(changes={"200001": {"homeroom": "R300"}}))
        ran = self.tick()
        run = self.runs()
        self.assertEqual(ran, self.importer)
        self.assertEqual((run.state, run.trigger, run.count_update), ("done", "scheduled", 1))
        self.assertEqual(run.applied_by_id, self.bot)
        self.assertEqual(self.student("200001").homeroom, "R300")
        self.assertEqual(self.files("inbox"), ["archive"])
        self.assertEqual(
            self.files("inbox", "archive"), [f"export.{run.name.replace('/', '-')}.csv"]
        )
        self.assertFalse(run.activity_ids, "nobody is asked to look at a clean applied run")
        self.assertGreater(self.importer.next_run_at, fields.Datetime.now())

    def test_an_importer_not_due_is_not_run(self):
        self.drop("export.csv", self.export(changes={"200001": {"homeroom": "R300"}}))
        self.importer.next_run_at = fields.Datetime.now() + timedelta(hours=1)
        self.assertFalse(self.env["student.importer"]._cron_run_due())
        self.assertFalse(self.runs())
        self.assertEqual(self.files("inbox"), ["export.csv"])

    def test_the_cron_record_runs_the_due_importers(self):
        self.drop("export.csv", self.export(changes={"200001": {"homeroom": "R300"}}))
        self.importer.next_run_at = fields.Datetime.now() - timedelta(minutes=1)
        cron = self.env.ref("school_student_import.ir_cron_student_importer_scheduler")
        self.assertEqual(cron.user_id, self.bot)
        cron.method_direct_trigger()
        self.assertEqual(self.runs().state, "done")

    def test_a_file_needing_authorization_is_never_auto_applied(self):
        before = self.snapshot()
        self.drop("export.csv", self.big_add())
        self.tick()
        run = self.runs()
        self.assertEqual((run.state, run.requires_authorization), ("review", True))
        self.assertEqual(self.snapshot(), before, "nothing written to students")
        notes = self.activity_notes(run, self.user)
        self.assertIn("Adds 22.5% of the roster: authorization needed", notes)
        self.assertIn("Adds: 9,", notes)
        message = run.message_ids.filtered(lambda m: self.user.partner_id in m.partner_ids)
        self.assertIn("authorization needed", message.body)
        self.assertIn("authorization needed", self.importer.message_ids[0].body)
        self.assertEqual(self.files("inbox", "archive")[0][:7], "export.")

    def test_apply_refuses_a_safeguard_even_when_the_reasons_say_nothing(self):
        # Were the list of reasons ever wrong, Apply's own checks still hold.
        Run = type(self.env["student.import.run"])
        self.drop("export.csv", self.big_add())
        with patch.object(Run, "_review_reasons", lambda run: []):
            self.tick()
        run = self.runs()
        self.assertEqual(run.state, "review")
        self.assertFalse(self.student("300001"))
        self.assertIn("before it is applied", self.activity_notes(run, self.user))

    def test_a_file_needing_confirmation_stays_in_review(self):
        changes = {str(200001 + n): {"homeroom": "R300"} for n in range(5)}
        self.drop("export.csv", self.export(changes=changes))
        self.tick()
        run = self.runs()
        self.assertEqual((run.state, run.requires_confirmation), ("review", True))
        self.assertIn("confirmation needed", self.activity_notes(run, self.user))
        self.assertEqual(self.student("200001").homeroom, "R100")

    def test_a_suspicious_line_stays_in_review(self):
        self.drop("export.csv", self.export(changes={"200002": {"last": STREET}}))
        self.tick()
        run = self.runs()
        self.assertEqual((run.state, run.count_suspicious), ("review", 1))
        self.assertIn(
            "1 last name looks like a street address", self.activity_notes(run, self.user)
        )
        self.assertNotEqual(self.student("200002").last_name, STREET)

    def test_an_error_line_stays_in_review(self):
        self.drop("export.csv", self.export(extra=[",NoNumber,Kid,1,02/02/2019,LIN,F,R100"]))
        self.tick()
        run = self.runs()
        self.assertEqual((run.state, run.count_error), ("review", 1))
        self.assertIn("Rows that cannot be used: 1", self.activity_notes(run, self.user))

    def test_auto_apply_off_leaves_every_run_in_review(self):
        self.importer.auto_apply = False
        self.drop("export.csv", self.export(changes={"200001": {"homeroom": "R300"}}))
        self.tick()
        run = self.runs()
        self.assertEqual(run.state, "review")
        self.assertEqual(self.student("200001").homeroom, "R100")
        self.assertIn("Auto-apply is off", self.activity_notes(run, self.user))

    def test_the_same_file_twice_is_imported_once(self):
        data = self.export(changes={"200001": {"homeroom": "R300"}})
        self.drop("monday.csv", data)
        self.tick()
        self.drop("tuesday.csv", data)
        self.tick()
        run = self.runs()
        self.assertEqual(len(run), 1)
        self.assertIn("tuesday.csv skipped", self.importer.message_ids[0].body)
        self.assertIn(run.name, self.importer.message_ids[0].body)
        self.assertEqual(self.files("inbox"), ["archive"])
        self.assertIn(
            f"tuesday.duplicate-of-{run.name.replace('/', '-')}.csv",
            self.files("inbox", "archive"),
        )

    def test_an_older_new_file_is_set_aside_not_imported_later(self):
        self.drop("monday.csv", self.export(changes={"200001": {"homeroom": "R301"}}), age=600)
        self.drop("tuesday.csv", self.export(changes={"200001": {"homeroom": "R302"}}))
        self.tick()
        self.tick()
        run = self.runs()
        self.assertEqual((len(run), run.file_name), (1, "tuesday.csv"))
        self.assertEqual(self.student("200001").homeroom, "R302")
        self.assertIn("monday.csv skipped", self.importer.message_ids.mapped("body")[0])

    def test_a_file_still_being_written_is_not_read(self):
        path = self.drop("export.csv", self.export(changes={"200001": {"homeroom": "R300"}}))

        def writer_still_busy(importer, seconds):
            with open(path, "ab") as handle:
                handle.write(b"200040,Late,Row,1,02/02/2019,LIN,F,R100\n")

        Importer = type(self.env["student.importer"])
        with patch.object(Importer, "_folder_sleep", writer_still_busy):
            self.tick()
        self.assertFalse(self.runs())
        self.assertEqual(self.files("inbox"), ["export.csv"])
        self.assertLessEqual(
            self.importer.next_run_at, fields.Datetime.now() + timedelta(minutes=1)
        )
        with self.assertRaisesRegex(UserError, "still being written"):
            with patch.object(Importer, "_folder_sleep", writer_still_busy):
                self.importer.with_user(self.user).action_run_folder_now()
        self.tick()
        self.assertEqual(self.runs().rows_count, 42)

    def test_with_a_marker_the_file_waits_for_it(self):
        self.importer.wait_for_marker = True
        path = self.drop("export.csv", self.export(changes={"200001": {"homeroom": "R300"}}))
        self.tick()
        self.assertFalse(self.runs())
        self.assertEqual(self.files("inbox"), ["export.csv"])
        open(path + ".done", "w").close()
        self.tick()
        self.assertEqual(self.runs().state, "done")
        self.assertEqual(self.files("inbox"), ["archive"])

    def test_an_unreadable_file_fails_and_the_next_importer_still_runs(self):
        other = self.second_importer()
        self.drop("broken.csv", b"\x00\xff" * 40)
        self.drop(
            "export.csv", self.export(changes={"200001": {"homeroom": "R300"}}), self.path("sis")
        )
        self.tick(self.importer, other)
        failed = self.runs()
        self.assertEqual(failed.state, "failed")
        self.assertIn("not a readable CSV", failed.failure_reason)
        self.assertEqual(failed.attachment_id.raw, b"\x00\xff" * 40)
        self.assertEqual(
            self.files("inbox", "failed"), [f"broken.{failed.name.replace('/', '-')}.csv"]
        )
        self.assertIn("could not be read", self.importer.message_ids[0].body)
        self.assertEqual(self.runs(other).state, "done")
        self.assertEqual(self.student("200001").homeroom, "R300")

    def test_a_crash_leaves_the_file_in_place_and_the_next_importer_runs(self):
        other = self.second_importer()
        self.drop("export.csv", self.export(changes={"200002": {"homeroom": "R300"}}))
        self.drop(
            "export.csv", self.export(changes={"200001": {"homeroom": "R300"}}), self.path("sis")
        )
        Importer = type(self.env["student.importer"])
        original = Importer.run_import

        def crash_for_mosaic(importer, data, filename, trigger="manual"):
            if importer == self.importer:
                importer.env["school.student"].browse(self.students[1].id).homeroom = "R999"
                raise RuntimeError("worker lost")
            return original(importer, data, filename, trigger=trigger)

        with (
            patch.object(Importer, "run_import", crash_for_mosaic),
            self.assertLogs(
                "odoo.addons.school_student_import.models.student_importer_schedule", "ERROR"
            ),
        ):
            self.tick(self.importer, other)
        self.assertFalse(self.runs())
        self.assertEqual(self.student("200002").homeroom, "R101", "its work was undone")
        self.assertEqual(self.files("inbox"), ["export.csv"])
        self.assertIn("worker lost", self.importer.message_ids[0].body)
        self.assertEqual(self.runs(other).state, "done")
        self.assertEqual(self.student("200001").homeroom, "R300")

    def test_a_crash_after_the_preview_undoes_the_run_and_keeps_the_file(self):
        self.drop("export.csv", self.export(changes={"200001": {"homeroom": "R300"}}))
        Run = type(self.env["student.import.run"])
        with (
            patch.object(Run, "_after_folder_preview", side_effect=RuntimeError("disk full")),
            self.assertLogs(
                "odoo.addons.school_student_import.models.student_importer_schedule", "ERROR"
            ),
        ):
            self.tick()
        self.assertFalse(self.runs())
        self.assertEqual(self.files("inbox"), ["export.csv"], "not archived: the run was undone")
        self.tick()
        self.assertEqual(self.runs().state, "done")
        self.assertEqual(self.files("inbox"), ["archive"])

    def test_a_locked_importer_is_skipped_not_run_twice(self):
        self.drop("export.csv", self.export(changes={"200001": {"homeroom": "R300"}}))
        # Another worker holds the importer: a connection of its own.
        with db_connect(self.env.cr.dbname).cursor() as other_worker:
            other_worker.execute(
                "SELECT pg_advisory_xact_lock(hashtext('student.importer'), %s)",
                [self.importer.id],
            )
            self.assertFalse(self.tick())
            self.assertFalse(self.runs())
            self.assertEqual(self.files("inbox"), ["export.csv"])
            with self.assertRaisesRegex(UserError, "running already"):
                self.importer.with_user(self.user).action_run_folder_now()
            other_worker.rollback()
        self.tick()
        self.assertEqual(len(self.runs()), 1)

    def second_importer(self):
        os.makedirs(self.path("sis"))
        return self.env["student.importer"].create(
            {
                "name": "SIS Nightly",
                "company_id": self.company.id,
                "source": "folder",
                "folder": "sis",
                "auto_apply": True,
            }
        )
