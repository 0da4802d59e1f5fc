"""Background jobs: big files previewed and applied by the scheduler.

The job threshold is lowered to a few rows so that the test district's
files count as big.  The scheduler's job is run from the test as Odoo's
cron worker runs it (``method_direct_trigger()``); each of its steps runs
in a savepoint here, where the server commits it.
"""

import time
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import student_import_run_job as job
from .common import StudentImportCase

NEW_KIDS = [f"{300001 + n},New{n},Kid,1,02/02/2019,LIN,F,R100" for n in range(3)]


@tagged("post_install", "-at_install")
class TestJobs(StudentImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk2 = cls.new_user("clerk2", "group_student_import_user", "Carl Clerk")
        cls.approver = cls.new_user("support", "group_student_import_approver", "Sam Support")
        cls.cron = cls.env.ref("school_student_import.ir_cron_student_import_jobs")
        # An ordinary night, under every safeguard: 3 adds, 2 updates, 1 gone.
        cls.night = cls.export(
            skip={"200040"},
            changes={"200002": {"homeroom": "R109"}, "200003": {"meal": "F"}},
            extra=NEW_KIDS,
        )

    def setUp(self):
        super().setUp()
        self.set_threshold(5)

    def set_threshold(self, rows):
        self.env["ir.config_parameter"].sudo().set_param(job.THRESHOLD_PARAM, str(rows))

    def run_jobs(self):
        self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def staged(self):
        return (
            self.env["school.student"]
            .with_context(active_test=False)
            .search_count([("import_stage_run_id", "!=", False)])
        )

    def lines_of(self, run):
        return [
            (line.change_type, line.student_number, line.summary, line.sequence)
            for line in run.line_ids.sorted(lambda line: (line.sequence, line.id))
        ]

    # Preview

    def test_big_file_is_queued_then_previewed_like_in_the_request(self):
        run = self.run_file(self.night)
        self.assertEqual(run.state, "queued")
        self.assertFalse(run.line_ids)
        self.assertEqual(run.attachment_id.raw, self.night, "the file is kept for the job")
        self.assertEqual(run.job_user_id, self.user)
        self.assertFalse(run.preview_done, "no figures nor lines are shown before the preview")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]))
        with patch.object(job, "PREVIEW_SLICE", 2):  # several steps, several slices
            self.run_jobs()
        self.assertEqual(run.state, "review")
        self.assertTrue(run.preview_done)
        self.assertEqual((run.job_done, run.job_total), (6, 6))
        self.assertEqual(run.job_progress, 100)
        self.set_threshold(100000)
        direct = self.run_file(self.night)
        self.assertEqual(direct.state, "review", "a small file is previewed in the request")
        for name in ("count_add", "count_update", "count_inactivate", "count_reactivate"):
            self.assertEqual(run[name], direct[name], name)
        self.assertEqual((run.count_add, run.count_update, run.count_inactivate), (3, 2, 1))
        self.assertEqual(run.change_digest, direct.change_digest)
        self.assertEqual(
            [line[:3] for line in self.lines_of(run)], [line[:3] for line in self.lines_of(direct)]
        )
        self.assertEqual([line[3] for line in self.lines_of(run)], list(range(6)))
        # The person who pressed Run Now is told, and has the review to do.
        self.assertIn("ready for review", run.activity_ids.note)
        self.assertEqual(run.activity_ids.user_id, self.user)

    def test_a_preview_restarts_when_the_roster_changes_between_steps(self):
        run = self.run_file(self.night)
        with patch.object(job, "PREVIEW_SLICE", 2):
            run._job_step()  # a first slice, then the worker dies
            self.assertEqual(run.state, "previewing")
            self.assertEqual(len(run.line_ids), 2)
            job._PREVIEW_CACHE.clear()  # another worker takes over
            self.student("200005").write({"homeroom": "R777"})
            self.run_jobs()
        self.assertEqual(run.state, "review")
        self.assertEqual(run.count_update, 3, "the job previewed the roster as it is now")
        self.assertEqual(len(run.line_ids), 7)

    def test_a_spent_cycle_leaves_the_rest_to_the_next_one(self):
        run = self.run_file(self.night)
        self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]).unlink()
        with patch.object(job, "_budget_left", lambda cycle: -1):
            self.run_jobs()
        self.assertEqual(run.state, "queued", "no step starts without its reserve")
        trigger = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        self.assertEqual(len(trigger), 1, "the job triggers itself for the next cycle")
        self.run_jobs()
        self.assertEqual(run.state, "review")

    def test_the_next_slice_of_a_preview_held_in_memory_needs_a_smaller_reserve(self):
        run = self.run_file(self.night)
        # Enough of the cycle for a slice, not for the engine.
        tight = job.SLICE_RESERVE - job.STEP_RESERVE + 1
        with (
            patch.object(job, "PREVIEW_SLICE", 2),
            patch.object(job, "_budget_left", lambda cycle: tight),
        ):
            self.run_jobs()
            self.assertEqual(run.state, "queued", "the engine's step waits for a fresh cycle")
            run._job_step()  # the engine's step, in a fresh cycle
            self.assertTrue(run._job_holds_preview())
            self.run_jobs()
        self.assertEqual(run.state, "review", "the slices went on in the same cycle")
        self.assertEqual(len(run.line_ids), 6)
        self.assertFalse(run._job_holds_preview())

    def test_the_engine_waits_for_a_cycle_with_the_real_time_it_needs(self):
        run = self.run_file(self.night)
        now = time.monotonic()
        # Under worker limits (120 s of real time), after the longest sleep.
        with (
            patch.object(job, "_cycle", lambda: (now - job.MAX_SLEEP, 1000, 120)),
            patch.object(job, "_budget_left", lambda cycle: 100),
        ):
            job._CYCLE["key"] = 42
            self.run_jobs()
            self.assertEqual(run.state, "queued", "50 s left: the engine would be cut short")
            self.assertIsNone(job._CYCLE["key"], "the next call is a new cycle")
        with (
            patch.object(job, "_cycle", lambda: (time.monotonic(), 1000, 120)),
            patch.object(job, "_budget_left", lambda cycle: 100),
        ):
            self.run_jobs()
        self.assertEqual(run.state, "review", "a fresh cycle runs it")

    def test_a_bad_big_file_fails_with_the_reason_and_keeps_the_file(self):
        data = b"Name,Grade\n" + b"Someone,3\n" * 10
        run = self.run_file(data)
        self.run_jobs()
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.failed_step, "preview")
        self.assertFalse(run.preview_done, "a failed preview shows its reason, not empty figures")
        self.assertIn("student number", run.failure_reason.lower())
        self.assertFalse(run.line_ids)
        self.assertEqual(run.attachment_id.raw, data)
        self.assertEqual(run.activity_ids.user_id, self.user)

    def test_a_step_that_keeps_killing_its_worker_fails_the_run(self):
        run = self.run_file(self.night)
        run.sudo().job_attempts = job.MAX_ATTEMPTS
        self.run_jobs()
        self.assertEqual(run.state, "failed")
        self.assertIn("stopped 3 times", run.failure_reason)
        run.with_user(self.user).action_retry()
        self.assertEqual(run.state, "queued")
        self.run_jobs()
        self.assertEqual(run.state, "review")

    def test_run_now_is_refused_while_a_job_of_the_importer_is_under_way(self):
        run = self.run_file(self.night)
        with self.assertRaisesRegex(UserError, r"Mosaic Student is busy: IMP/.* is queued"):
            self.run_file(self.night, user=self.clerk2)
        self.set_threshold(100000)
        with self.assertRaisesRegex(UserError, "is busy"):
            self.run_file(self.night, user=self.clerk2)
        self.run_jobs()
        self.assertEqual(run.state, "review")
        self.assertEqual(self.run_file(self.night, user=self.clerk2).state, "review")

    # Apply

    def big_run(self):
        run = self.run_file(self.night)
        self.run_jobs()
        self.assertEqual(run.state, "review")
        return run

    def test_big_apply_is_queued_and_switched_all_at_once(self):
        run = self.big_run()
        before = self.snapshot()
        run.with_user(self.user).action_apply()
        self.assertEqual(run.state, "applying")
        self.assertEqual(run.job_total, 3, "three students to add")
        with patch.object(job, "APPLY_SLICE", 1):
            run._job_step()  # one student staged; then the worker is killed
        self.assertEqual(self.staged(), 1)
        self.assertEqual(self.snapshot(), before, "a staged student is not in the roster yet")
        self.assertFalse(self.student("300001").active)
        with patch.object(job, "APPLY_SLICE", 1):
            self.run_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.applied_by_id, self.user)
        self.assertEqual(self.staged(), 0)
        added = self.student("300002")
        self.assertEqual((added.first_name, added.grade, added.active), ("New1", "01", True))
        self.assertEqual(self.student("200002").homeroom, "R109")
        self.assertFalse(self.student("200040").active)
        self.assertEqual(
            run.line_ids.filtered(lambda line: line.student_number == "300002").student_id, added
        )
        run.with_user(self.user).action_revert()
        self.assertEqual(run.state, "reverted", "a job-applied run reverts like any other")
        self.assertFalse(added.active)
        self.assertEqual(self.student("200002").homeroom, before["200002"]["homeroom"])

    def test_the_students_a_job_staged_are_remembered_when_switched_in(self):
        # Each step checks the students it stages; the switch gives them a
        # new row version, and carries their memory over, but not for a
        # staged student changed in between (here by SQL, two spaces).
        run = self.big_run()
        run.with_user(self.user).action_apply()
        with patch.object(job, "APPLY_SLICE", 1):
            run._job_step()
            run._job_step()
        self.assertEqual(self.staged(), 2)
        self.env["school.student"].flush_model()
        self.env.cr.execute(
            """UPDATE school_student SET first_name = 'New1  Ann'
                WHERE student_number = '300002' AND import_stage_run_id = %s""",
            [run.id],
        )
        self.assertEqual(self.env.cr.rowcount, 1)
        self.env["school.student"].invalidate_model()
        with patch.object(job, "APPLY_SLICE", 1):
            self.run_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(self.staged(), 0)
        self.assertEqual(
            self.checked_on_load(),
            {self.student("300002").id},
            "the other added students and the updated ones are remembered as written",
        )

    def test_a_job_that_fails_after_its_first_batch_leaves_nothing_and_can_be_retried(self):
        run = self.big_run()
        before = self.snapshot()
        run.with_user(self.user).action_apply()
        stage = type(run)._apply_adds
        calls = []

        def stage_then_crash(self_, id_range=None, staged=False):
            calls.append(staged)
            if len(calls) == 2:
                raise RuntimeError("worker lost its database connection")
            return stage(self_, id_range=id_range, staged=staged)

        with (
            patch.object(job, "APPLY_SLICE", 1),
            patch.object(type(run), "_apply_adds", stage_then_crash),
        ):
            self.run_jobs()
        self.assertEqual(calls, [True, True], "two slices staged, the second one died")
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.failed_step, "apply")
        self.assertTrue(run.preview_done, "a failed Apply still shows what it was to write")
        self.assertIn("worker lost its database connection", run.failure_reason)
        self.assertEqual(self.staged(), 0, "the staged student went with the failure")
        self.assertEqual(self.snapshot(), before)
        self.assertFalse(self.student("300001"))
        run.with_user(self.user).action_retry()
        self.assertEqual(run.state, "review")
        run.with_user(self.user).action_apply()
        self.run_jobs()
        self.assertEqual(run.state, "done")
        self.assertTrue(self.student("300003").active)

    def test_apply_pressed_twice_or_by_two_people_applies_once(self):
        run = self.big_run()
        run.with_user(self.user).action_apply()
        with self.assertRaisesRegex(UserError, "already being applied: Clara Clerk pressed"):
            run.with_user(self.clerk2).action_apply()
        with self.assertRaisesRegex(UserError, "already being applied"):
            run.with_user(self.user).action_apply()
        with self.assertRaisesRegex(UserError, "is busy"):
            self.run_file(self.night, user=self.clerk2)
        self.run_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self.student("300001")), 1)
        with self.assertRaisesRegex(UserError, "only a run in review can be applied"):
            run.with_user(self.clerk2).action_apply()

    def test_a_stale_roster_at_the_switch_fails_and_writes_nothing(self):
        run = self.big_run()
        run.with_user(self.user).action_apply()
        self.student("200010").write({"homeroom": "R555"})
        before = self.snapshot()
        self.run_jobs()
        self.assertEqual(run.state, "failed")
        self.assertIn("roster changed", run.failure_reason)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.staged(), 0)
        self.assertFalse(self.student("300001"))


@tagged("post_install", "-at_install")
class TestApprovalFinishesTheJob(StudentImportCase):
    """Support approves a request: now, or at a time they choose."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approver = cls.new_user("support", "group_student_import_approver", "Sam Support")
        cls.cron = cls.env.ref("school_student_import.ir_cron_student_import_jobs")

    def requested_run(self):
        """8 adds of 40 students: a confirmation, given, and a request."""
        extra = [f"{300001 + n},New{n},Kid,1,02/02/2019,LIN,F,R100" for n in range(8)]
        run = self.run_file(self.export(extra=extra))
        run.with_user(self.user).action_confirm_warning()
        request = run.with_user(self.user).action_request_authorization("New school opened")
        return run, request

    def run_jobs(self):
        self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def test_approve_now_applies_on_behalf_of_the_requester(self):
        run, request = self.requested_run()
        request.with_user(self.approver).action_approve("Fine")
        self.assertEqual(run.state, "done")
        self.assertEqual(run.applied_by_id, self.user)
        self.assertTrue(self.student("300008").active)

    def test_approve_now_a_big_run_queues_it_for_the_requester(self):
        run, request = self.requested_run()
        self.env["ir.config_parameter"].sudo().set_param(job.THRESHOLD_PARAM, "5")
        request.with_user(self.approver).action_approve()
        self.assertEqual((run.state, run.job_user_id), ("applying", self.user))
        self.run_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.applied_by_id, self.user)

    def test_approve_without_the_requesters_confirmation_waits_for_it(self):
        extra = [f"{300001 + n},New{n},Kid,1,02/02/2019,LIN,F,R100" for n in range(8)]
        run = self.run_file(self.export(extra=extra))
        request = run.with_user(self.user).action_request_authorization("Merge")
        decision = (
            self.env["student.import.decision"]
            .with_user(self.approver)
            .create({"authorization_id": request.id})
        )
        self.assertTrue(decision.needs_confirmation, "the approval screen says so")
        decision.action_approve()
        self.assertEqual(run.state, "review")
        self.assertIn("when Clara Clerk confirms", run.message_ids[0].body)
        run.with_user(self.user).action_confirm_warning()
        self.assertEqual(run.state, "done")

    def test_approve_at_a_time_applies_only_when_the_cron_runs_after_it(self):
        run, request = self.requested_run()
        at = fields.Datetime.now() + timedelta(hours=3)
        decision = (
            self.env["student.import.decision"]
            .with_user(self.approver)
            .create({"authorization_id": request.id, "apply_when": "at", "apply_at": at})
        )
        decision.action_approve()
        self.assertEqual((run.state, run.apply_at), ("review", at))
        self.assertEqual(run.apply_approver_id, self.approver)
        checklist = run.with_user(self.user).apply_checklist
        self.assertIn("Scheduled: the system applies it", checklist)
        self.assertNotIn("press Apply", checklist)
        trigger = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        self.assertIn(at, trigger.mapped("call_at"))
        with self.assertRaisesRegex(UserError, "scheduled to be applied at"):
            run.with_user(self.user).action_apply()
        self.run_jobs()
        self.assertEqual(run.state, "review", "not before its time")
        self.assertFalse(self.student("300001"))
        run.sudo().apply_at = fields.Datetime.now() - timedelta(minutes=1)  # time passes
        self.run_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.applied_by_id, self.user)
        self.assertTrue(self.student("300008").active)

    def test_a_scheduled_apply_on_a_stale_roster_fails_and_tells_both(self):
        run, request = self.requested_run()
        request.with_user(self.approver).action_approve(
            apply_at=fields.Datetime.now() + timedelta(hours=1)
        )
        self.student("200010").write({"homeroom": "R555"})
        before = self.snapshot()
        run.sudo().apply_at = fields.Datetime.now() - timedelta(minutes=1)
        self.run_jobs()
        self.assertEqual(run.state, "failed")
        self.assertIn("roster changed", run.failure_reason)
        self.assertEqual(self.snapshot(), before, "nothing written")
        self.assertEqual(run.activity_ids.user_id, self.user | self.approver)
        failure = run.message_ids.filtered(lambda m: "failed" in (m.body or ""))[:1]
        self.assertEqual(failure.partner_ids, (self.user | self.approver).partner_id)

    def test_a_scheduled_run_cancelled_meanwhile_is_not_applied(self):
        run, request = self.requested_run()
        request.with_user(self.approver).action_approve(
            apply_at=fields.Datetime.now() + timedelta(hours=1)
        )
        run.with_user(self.user).action_cancel()
        run.sudo().apply_at = fields.Datetime.now() - timedelta(minutes=1)
        self.run_jobs()
        self.assertEqual(run.state, "cancelled")
        self.assertFalse(run.apply_at)
        self.assertIn("cancelled before its scheduled time", run.failure_reason)
        self.assertEqual(run.activity_ids.user_id, self.user | self.approver)
        self.assertFalse(self.student("300001"))

    def test_the_time_must_be_given_and_in_the_future(self):
        run, request = self.requested_run()
        Decision = self.env["student.import.decision"].with_user(self.approver)
        past = Decision.create(
            {
                "authorization_id": request.id,
                "apply_when": "at",
                "apply_at": fields.Datetime.now() - timedelta(hours=1),
            }
        )
        with self.assertRaisesRegex(UserError, "must be in the future"):
            past.action_approve()
        self.assertEqual(request.state, "pending")
