"""Background jobs of import runs: previews and applies too big for a web request.

Odoo in production runs with workers and kills a request, or a cron cycle,
that passes its limits (``limit_time_cpu`` 60 s, ``limit_time_real`` 120 s,
``limit_memory_hard`` 2.5 GB).  A big file is therefore previewed and applied
by Odoo's own scheduler: one ``ir.cron`` of this module
(``ir_cron_student_import_jobs``), started at once with ``_trigger()``.

The work is cut into *steps*, each in a transaction of its own that is
committed (the one place of this addon that commits: that is the design of
a batch job, and a step that dies is simply done again):

- a preview stores its lines 50,000 at a time; the engine's result is kept
  in the worker's memory between steps, and computed again (it is
  deterministic) when another worker or a restarted server takes over;
- an Apply *stages* the students it adds, 20,000 lines per step, as archived
  records marked with the run (``school.student.import_stage_run_id``),
  invisible to every preview and to the stale-roster check; the last step
  *switches* in one transaction: it checks every safeguard and the roster
  again, turns the staged students into the roster and writes the updates,
  inactivations and reactivations.  The roster changes of one Apply stay all
  or nothing: before the switch nobody sees any of them, and a failed Apply
  deletes what it staged.

One cron call does steps while enough of the worker's cycle is left (the
CPU time under the ``RLIMIT_CPU`` that Odoo's worker sets before each cycle,
and the real time before its watchdog), then triggers itself again so that
the next cycle, with fresh limits, goes on.
"""

import hashlib
import logging
import resource
import threading
import time
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, config

from ..engine.size import estimate_rows
from .student_import_run import PROTECTED_FIELDS

_logger = logging.getLogger(__name__)

JOB_STATES = ("queued", "previewing", "applying")
DEFAULT_THRESHOLD_ROWS = 5000
THRESHOLD_PARAM = "school_student_import.job_threshold_rows"
CRON_XMLID = "school_student_import.ir_cron_student_import_jobs"
# Lines stored per preview step, students staged per apply step: a few
# seconds of one worker each (a preview's first step also runs the engine).
# A nightly file of a million students (3% of changes, 31,000 lines) is
# stored by its first step: a second step on another worker would run the
# engine again.
PREVIEW_SLICE = 50000
APPLY_SLICE = 20000
# A step starts only when this much CPU time and real time is left in the
# worker's cycle: the largest step (the engine on a million rows, then a
# slice) takes about 35 s of CPU.
STEP_RESERVE = 35
# ... or this much, when the step is the next slice of a preview whose
# engine result this worker holds: storing a slice takes seconds.
SLICE_RESERVE = 10
# A step that runs the engine starts only with this much real time left
# before the watchdog (under worker limits; at most two thirds of the
# limit): Odoo's cron workers run niced,
# and on a busy server its 35 s of CPU take twice that.  When the worker's
# sleep before the cycle is unknown (assumed the longest, 70 s of 120), the
# step waits for the next cycle, which starts at once.
ENGINE_REAL_RESERVE = 80
# Without worker limits (threaded server, tests): a call's fair share.
THREADED_SECONDS = 60
# A cron worker pings its watchdog, then sleeps up to 60 s + pid % 10 before
# its cycle: the real-time limit counts that sleep.
MAX_SLEEP = 70
# A step that kills its worker three times in a row fails the run instead.
MAX_ATTEMPTS = 3

PROTECTED_FIELDS.update(
    {
        "job_user_id",
        "job_date",
        "job_done",
        "job_total",
        "job_message",
        "job_attempts",
        "failure_reason",
        "failed_step",
        "apply_at",
        "apply_approver_id",
    }
)

# The engine's result of the preview being stored, kept between the steps
# of one worker process: {run id: (change digest, engine.Preview)}.
_PREVIEW_CACHE = {}
# The cycle our calls belong to, and when our last call ended.
_CYCLE = {"key": None, "start": 0.0, "last_end": None}


def _real_limit():
    """The cron worker's real-time watchdog in seconds, None without workers."""
    if not config["workers"]:
        return None
    limit = config["limit_time_real_cron"]
    if not limit or limit < 0:
        limit = config["limit_time_real"]
    return limit if limit and limit > 0 else None


def _cycle():
    """``(since, cpu_limit, real_limit)`` of the worker cycle this call belongs to.

    Odoo's cron worker sets ``RLIMIT_CPU`` to its CPU time + ``limit_time_cpu``
    before each cycle and calls a job again within the cycle while it
    reports work left: the soft limit tells the cycles apart.  ``since``
    bounds when the watchdog was last pinged: when our previous call ended,
    if the worker slept less than its longest sleep since, else that sleep
    ago.  Without limits (threaded server, tests) the budget counts from
    this call.
    """
    soft, _hard = resource.getrlimit(resource.RLIMIT_CPU)
    now = time.monotonic()
    real = _real_limit()
    if soft == resource.RLIM_INFINITY:
        return now, None, real
    if _CYCLE["key"] != soft or now - _CYCLE["start"] > MAX_SLEEP + (real or 0):
        last = _CYCLE["last_end"]
        since = last if last is not None and now - last < MAX_SLEEP else now - MAX_SLEEP
        _CYCLE.update(key=soft, start=since)
    return _CYCLE["start"], soft, real


def _real_left(cycle):
    """Seconds of real time left in this cycle before the watchdog."""
    since, _cpu_limit, real_limit = cycle
    return (real_limit or THREADED_SECONDS) - (time.monotonic() - since)


def _budget_left(cycle):
    """Seconds of CPU and real time left in this cycle before a step's reserve."""
    since, cpu_limit, real_limit = cycle
    left = (real_limit or THREADED_SECONDS) - (time.monotonic() - since)
    if cpu_limit is not None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        left = min(left, cpu_limit - usage.ru_utime - usage.ru_stime)
    return left - STEP_RESERVE


def _committing():
    """Commit between steps, except in tests (their cursor is shared)."""
    return not getattr(threading.current_thread(), "testing", False)


class StudentImportRun(models.Model):
    _inherit = "student.import.run"

    state = fields.Selection(
        selection_add=[
            ("draft",),
            ("queued", "Queued"),
            ("previewing", "Previewing"),
            ("review",),
            ("applying", "Applying"),
        ],
        ondelete={
            "queued": "set default",
            "previewing": "set default",
            "applying": "set default",
        },
    )
    job_user_id = fields.Many2one(
        "res.users", string="Started By", readonly=True, help="Told when the job is done."
    )
    job_date = fields.Datetime(string="Started On", readonly=True)
    job_done = fields.Integer(readonly=True)
    job_total = fields.Integer(readonly=True)
    job_progress = fields.Float(compute="_compute_job_progress", string="Progress")
    job_message = fields.Char(string="Now", readonly=True)
    job_attempts = fields.Integer(readonly=True)
    failure_reason = fields.Text(readonly=True)
    failed_step = fields.Selection([("preview", "Preview"), ("apply", "Apply")], readonly=True)
    apply_at = fields.Datetime(
        string="Scheduled For", readonly=True, help="When the system applies the approved run."
    )
    apply_approver_id = fields.Many2one("res.users", string="Scheduled By", readonly=True)

    preview_done = fields.Boolean(
        compute="_compute_preview_done",
        help="The run has a preview to show: not queued or previewing, nor failed before it.",
    )

    @api.depends("state", "failed_step")
    def _compute_preview_done(self):
        for run in self:
            run.preview_done = run.state not in ("queued", "previewing") and not (
                run.state == "failed" and run.failed_step != "apply"
            )

    @api.depends("job_done", "job_total")
    def _compute_job_progress(self):
        for run in self:
            run.job_progress = 100.0 * run.job_done / run.job_total if run.job_total else 0.0

    # Where the work runs

    @api.model
    def _job_threshold(self):
        value = self.env["ir.config_parameter"].sudo().get_param(THRESHOLD_PARAM)
        try:
            return max(0, int(value)) if value not in (None, False, "") else DEFAULT_THRESHOLD_ROWS
        except ValueError:
            return DEFAULT_THRESHOLD_ROWS

    @api.model
    def _job_cron(self):
        return self.env.ref(CRON_XMLID).sudo()

    def _job_trigger(self, at=None):
        self._job_cron()._trigger(at)

    @api.model
    def _check_importer_free(self, importer, run=None):
        """Refuse to start work for ``importer`` while one of its jobs is under way."""
        busy = self.sudo().search(
            [
                ("importer_id", "=", importer.id),
                ("state", "in", JOB_STATES),
                ("id", "!=", run.id if run else False),
            ],
            limit=1,
        )
        if busy:
            raise UserError(
                self.env._(
                    "%(importer)s is busy: %(run)s is %(state)s (started by %(user)s). Try "
                    "again when it is done.",
                    importer=importer.display_name,
                    run=busy.name,
                    state=busy._state_label().lower(),
                    user=busy.job_user_id.name or busy.create_uid.name,
                )
            )

    @api.model
    def _lock_importer(self, importer):
        """The importer's job lock for this transaction, or a refusal saying why."""
        self._check_importer_free(importer)
        if not importer._try_lock():
            raise UserError(
                self.env._(
                    "%(importer)s is busy with another preview or Apply right now. Try again "
                    "in a moment.",
                    importer=importer.display_name,
                )
            )

    # Run Now

    @api.model
    def _start_preview(self, importer, data, filename, trigger):
        """Preview ``data`` in this request when small, else queue a job; return the run."""
        if estimate_rows(data) <= self._job_threshold():
            self._lock_importer(importer)
            result = importer._engine_preview(data, filename)
            return self._create_from_preview(importer, result, data, filename, trigger)
        return self._queue_preview(importer, data, filename, trigger)

    @api.model
    def _queue_preview(self, importer, data, filename, trigger):
        self._check_importer_free(importer)
        run = self._create_queued(importer, data, filename, trigger)
        run._job_trigger()
        run.message_post(
            body=self.env._(
                "Queued by %(user)s: %(file)s (about %(rows)s rows) is previewed in the "
                "background.",
                user=self.env.user.name,
                file=filename or "",
                rows=estimate_rows(data),
            )
        )
        return run.with_env(self.env)

    @api.model
    def _create_queued(self, importer, data, filename, trigger):
        """A ``queued`` run holding the file, for the job to preview."""
        run = self.sudo().create(
            {
                "importer_id": importer.id,
                "company_id": importer.company_id.id,
                "state": "queued",
                "trigger": trigger,
                "file_name": filename,
                "file_hash": hashlib.sha256(data).hexdigest(),
                "job_user_id": self.env.uid,
                "job_date": fields.Datetime.now(),
                "job_message": self.env._("Waiting for a worker"),
            }
        )
        run.attachment_id = run._attach_file(data, filename)
        # A queued run is a record people see and name: numbered at once.
        run._take_number()
        return run

    # Apply

    def action_apply(self):
        """Apply each run: at once when it is small, as a background job when big.

        Every safeguard and the stale-roster check are run before the job is
        queued, and again when it switches.  A run being applied is refused:
        Apply pressed twice applies once.
        """
        self._check_user_may_act()
        for run in self:
            run._start_apply()
        return True

    def _start_apply(self):
        self.ensure_one()
        if self.state == "applying":
            raise UserError(
                self.env._(
                    "%(run)s is already being applied: %(user)s pressed Apply at %(time)s.",
                    run=self.name,
                    user=self.job_user_id.name,
                    time=fields.Datetime.to_string(self.job_date),
                )
            )
        if self.state == "review" and self.apply_at:
            raise UserError(
                self.env._(
                    "%(run)s is scheduled to be applied at %(time)s (UTC), as %(approver)s "
                    "decided: it will be applied then.",
                    run=self.name,
                    time=fields.Datetime.to_string(self.apply_at),
                    approver=self.apply_approver_id.name,
                )
            )
        if self._job_apply_rows() > self._job_threshold():
            self._check_can_apply()
            self._check_importer_free(self.importer_id, run=self)
            return self._queue_apply()
        self._lock_importer(self.importer_id)
        return self._apply()

    def _job_apply_rows(self):
        self.ensure_one()
        return self.env["student.import.line"].search_count(
            [("run_id", "=", self.id), ("excluded", "=", False), ("change_type", "!=", "error")]
        )

    def _queue_apply(self):
        self.ensure_one()
        adds = self.env["student.import.line"].search_count(
            [("run_id", "=", self.id), ("excluded", "=", False), ("change_type", "=", "add")]
        )
        self.sudo().write(
            {
                "state": "applying",
                "job_user_id": self.env.uid,
                "job_date": fields.Datetime.now(),
                "job_done": 0,
                "job_total": adds,
                "job_attempts": 0,
                "job_message": self.env._("Waiting for a worker"),
                "failure_reason": False,
                "failed_step": False,
            }
        )
        self._job_trigger()
        self.message_post(
            body=self.env._(
                "Apply queued by %(user)s: the roster changes are written in the background, "
                "all together.",
                user=self.env.user.name,
            )
        )
        return True

    def action_retry(self):
        """A failed run: preview its kept file again, or bring it back to review."""
        self.ensure_one()
        self._check_user_may_act()
        if self.state != "failed":
            raise UserError(self.env._("%(run)s has not failed.", run=self.name))
        if not self.attachment_id:
            raise UserError(self.env._("%(run)s has no file to run again.", run=self.name))
        if self.failed_step == "apply":
            self.sudo().write({"state": "review", "failure_reason": False, "failed_step": False})
            self.message_post(body=self.env._("Back in review: press Apply to try again."))
            return True
        self._check_importer_free(self.importer_id, run=self)
        self.sudo().write(
            {
                "state": "queued",
                "job_user_id": self.env.uid,
                "job_date": fields.Datetime.now(),
                "job_done": 0,
                "job_total": 0,
                "job_attempts": 0,
                "failure_reason": False,
                "failed_step": False,
            }
        )
        self._job_trigger()
        self.message_post(body=self.env._("Queued again by %(user)s.", user=self.env.user.name))
        return True

    # The scheduler

    @api.model
    def _cron_run_jobs(self):
        """The job's entry point: do steps of the runs that wait, oldest first.

        Each step commits.  When this cycle's budget is spent and work is
        left, the job triggers itself: the next cycle goes on.
        """
        cycle = _cycle()
        done, busy = 0, set()
        try:
            while True:
                run = self._job_next(busy)
                if not run:
                    break
                left = _budget_left(cycle)
                if run._job_holds_preview():
                    left += STEP_RESERVE - SLICE_RESERVE
                elif run.state in ("queued", "previewing") and cycle[2] is not None:
                    reserve = min(ENGINE_REAL_RESERVE, cycle[2] * 2 // 3)
                    left = min(left, _real_left(cycle) - reserve)
                if left < 0:
                    if not done:
                        # Odoo ends the job's cycle on a call without
                        # progress: the next call is a new cycle, whatever
                        # the CPU limit says.
                        _CYCLE["key"] = None
                    self._job_continue_later(done)
                    return
                if not run.importer_id._try_lock():
                    busy.add(run.importer_id.id)  # another worker is at it
                    continue
                done += run._job_step()
                if _committing():
                    self.env.cr.commit()  # a step is a batch of its own: keep it
            self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        finally:
            _CYCLE["last_end"] = time.monotonic()

    @api.model
    def _job_next(self, busy):
        return self.sudo().search(
            [
                ("importer_id", "not in", list(busy)),
                "|",
                ("state", "in", JOB_STATES),
                "&",
                ("state", "in", ("review", "cancelled")),
                ("apply_at", "<=", fields.Datetime.now()),
            ],
            order="id",
            limit=1,
        )

    @api.model
    def _job_continue_later(self, done):
        remaining = sum(
            max(run.job_total - run.job_done, 1)
            for run in self.sudo().search([("state", "in", JOB_STATES)])
        )
        # Odoo drops the triggers older than the cycle's start when the job
        # reports that it is done: a trigger at the next whole second after
        # this transaction began is kept, and waited for, so that the worker
        # woken by the notification finds it due.
        at = self.env.cr.now()
        if at.microsecond:
            at = at.replace(microsecond=0) + timedelta(seconds=1)
        wait = (at - datetime.utcnow()).total_seconds()
        if wait > 0:
            time.sleep(min(wait, 1.0))
        cron = self._job_cron()
        cron._trigger(at)
        self.env.cr.postcommit.add(cron._notifydb)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    def _job_step(self):
        """One step of this run's job; return the rows it processed."""
        self.ensure_one()
        run = self.sudo()
        step = "preview" if run.state in ("queued", "previewing") else "apply"
        if run.job_attempts >= MAX_ATTEMPTS:
            run._job_fail(
                self.env._(
                    "The background job stopped %(n)s times at the same step (a time or "
                    "memory limit of the server?). Nothing was written to the roster.",
                    n=MAX_ATTEMPTS,
                ),
                step,
            )
            return 0
        # Counted before the step and committed: a step that kills its
        # worker leaves the count behind.
        run.job_attempts += 1
        if _committing():
            self.env.cr.commit()  # the attempt count must survive a killed worker
        worker = run.with_user(run.job_user_id or run.create_uid)
        try:
            with self.env.cr.savepoint():
                if run.state in ("review", "cancelled"):
                    count = worker._job_start_scheduled_apply()
                elif step == "preview":
                    count = worker._job_preview_step()
                else:
                    count = worker._job_apply_step()
        except (UserError, AccessError) as error:
            run._job_fail(error.args[0], step)
            return 0
        except Exception as error:  # a job must never stay half-run
            _logger.warning("Import run %s: %s step failed", run.name, step, exc_info=True)
            run._job_fail(
                self.env._("The %(step)s stopped on an error: %(error)s", step=step, error=error),
                step,
            )
            return 0
        if run.state not in ("failed",):
            run.job_attempts = 0
        return count

    # Failure and notifications

    def _job_fail(self, reason, step):
        """Leave a ``failed`` run with ``reason``: nothing half-written, the file kept."""
        self.ensure_one()
        run = self.sudo()
        _PREVIEW_CACHE.pop(run.id, None)
        run._job_unstage()
        if step == "preview":
            self.env.cr.execute(SQL("DELETE FROM student_import_line WHERE run_id = %s", run.id))
            self.env["student.import.line"].invalidate_model()
            run.invalidate_recordset(["line_ids"])
        approver = run.apply_approver_id
        was = run.state
        values = {
            "failure_reason": reason,
            "failed_step": step,
            "job_message": False,
            "apply_at": False,
        }
        if was != "cancelled":
            values["state"] = "failed"
        run.write(values)
        users = (run.job_user_id or run.create_uid) | approver
        title = self.env._("%(run)s failed", run=run.name)
        if was == "cancelled":
            title = self.env._("%(run)s was not applied", run=run.name)
        body = f"{title}: {reason}"
        run.message_post(body=body, partner_ids=users.partner_id.ids)
        run._job_notify(users, body, "danger", activity=title)

    def _job_notify(self, users, message, kind, activity=None):
        """Tell ``users``: a notification in the web client, and an activity
        (``activity`` its summary) when they have something to do."""
        self.ensure_one()
        run = self.sudo()
        for user in users.filtered("active"):
            user._bus_send(
                "simple_notification",
                {"title": run.name, "message": message, "type": kind, "sticky": kind != "success"},
            )
            user._bus_send("school_student_import/run_job", {"run_id": run.id})
            if activity:
                run.activity_schedule(
                    "mail.mail_activity_data_todo", user_id=user.id, summary=activity, note=message
                )

    # Preview steps

    def _job_holds_preview(self):
        """Whether this worker holds the engine's result of this run's preview:
        its next step stores a slice without running the engine."""
        self.ensure_one()
        cached = _PREVIEW_CACHE.get(self.id)
        return bool(
            cached and self.state == "previewing" and cached[0] == self.sudo().change_digest
        )

    def _job_preview_step(self):
        self.ensure_one()
        run = self.sudo()
        if run.state == "queued":
            run.write({"state": "previewing"})
        cached = _PREVIEW_CACHE.get(run.id)
        if cached and cached[0] == run.change_digest:
            result = cached[1]
        else:
            _PREVIEW_CACHE.clear()  # one preview's result at a time in a worker
            importer = run.importer_id.with_user(self.env.user)
            result = importer._engine_preview(run.attachment_id.raw, run.file_name)
        self.env.cr.execute(
            SQL("SELECT count(*) FROM student_import_line WHERE run_id = %s", run.id)
        )
        stored = self.env.cr.fetchone()[0]
        if stored and result.digest != run.change_digest:
            # The roster or the importer changed between two steps, in
            # another process: start again from the roster as it is now.
            self.env.cr.execute(SQL("DELETE FROM student_import_line WHERE run_id = %s", run.id))
            self.env["student.import.line"].invalidate_model()
            stored = 0
        if not stored:
            run.write(run._preview_values(run.company_id, result))
        _PREVIEW_CACHE[run.id] = (result.digest, result)
        batch = result.lines[stored : stored + PREVIEW_SLICE]
        run._insert_lines(batch, first_sequence=stored)
        stored += len(batch)
        run.write(
            {
                "job_done": stored,
                "job_total": len(result.lines),
                "job_message": self.env._(
                    "Storing the preview: %(done)s of %(total)s lines",
                    done=f"{stored:,}",
                    total=f"{len(result.lines):,}",
                ),
            }
        )
        if stored >= len(result.lines):
            _PREVIEW_CACHE.pop(run.id, None)
            run._job_preview_done()
        return len(batch) or 1

    def _job_preview_done(self):
        run = self.sudo()
        run.write({"state": "review", "job_message": False})
        if run.requires_authorization:
            run._ensure_code_counter()
        run.message_post(body=run._summary_text())
        user = run.job_user_id or run.create_uid
        message = self.env._(
            "%(run)s is ready for review: %(add)s adds, %(update)s updates, %(inactivate)s "
            "inactivations, %(error)s errors.",
            run=run.name,
            add=run.count_add,
            update=run.count_update,
            inactivate=run.count_inactivate,
            error=run.count_error,
        )
        run._job_notify(
            user, message, "success", activity=self.env._("Review import %(run)s", run=run.name)
        )
        if run.importer_id.source == "folder":
            # A folder importer's run: auto-apply, or tell its responsible
            # users why not (student_import_run_source.py).
            self._after_folder_preview(run.trigger)

    # Apply steps

    def _job_start_scheduled_apply(self):
        """The time an approver chose has come: apply on behalf of the requester."""
        run = self.sudo()
        if run.state == "cancelled":
            raise UserError(
                self.env._(
                    "%(run)s was cancelled before its scheduled time.",
                    run=run.name,
                )
            )
        self._check_user_may_act()
        self._check_can_apply()
        self._check_importer_free(run.importer_id, run=run)
        run.write({"apply_at": False})
        self.with_env(self.env)._queue_apply()
        return 1

    def _job_apply_step(self):
        """Stage the next slice of adds; when all are staged, switch in this
        transaction."""
        self.ensure_one()
        run = self.sudo()
        self.env["student.import.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT min(id) FROM student_import_line
                    WHERE run_id = %s AND change_type = 'add' AND NOT excluded
                      AND student_id IS NULL""",
                run.id,
            )
        )
        low = self.env.cr.fetchone()[0]
        if low is not None:
            count = run._apply_adds(id_range=(low, low + APPLY_SLICE), staged=True)
            run.job_done += count
            run.job_message = self.env._(
                "Preparing the new students: %(done)s of %(total)s",
                done=f"{run.job_done:,}",
                total=f"{run.job_total:,}",
            )
            return count
        run.job_message = self.env._("Writing the roster")
        self._check_user_may_act()
        # _apply() checks a run in review; the state moves from applying to
        # done inside this one transaction, so nobody sees it in review.
        run.write({"state": "review"})
        self._apply()
        run.write({"job_message": False, "job_attempts": 0})
        user = run.job_user_id | run.apply_approver_id
        run._job_notify(
            user,
            self.env._("%(run)s is applied.", run=run.name),
            "success",
        )
        return max(run.job_total, 1)

    def _switch_staged(self):
        """Turn the students this run staged into the roster; return how many.

        Called by ``_apply()`` once everything else is checked and written,
        in the same transaction.  One UPDATE: the students were made by
        ``create()`` as they are, only archived and marked; 300,000 ORM
        writes of the same two values would take a worker's minute.  The
        UPDATE gives each student a new row version: those that the steps
        found normal (``_remember_written``) and that nobody changed since
        are remembered at it, in the same statement.
        """
        self.ensure_one()
        self.env["school.student"].flush_model()
        self.env.cr.execute(
            SQL(
                """WITH switched AS (
                       UPDATE school_student SET active = true, import_stage_run_id = NULL,
                              write_uid = %(uid)s, write_date = %(now)s
                        WHERE import_stage_run_id = %(run)s
                    RETURNING id, xmin, ctid
                   ), followed AS (
                       -- staged is the row as the statement's snapshot sees
                       -- it: before the switch.
                       UPDATE student_import_normal n
                          SET student_xmin = switched.xmin, student_ctid = switched.ctid
                         FROM switched
                        WHERE n.student_id = switched.id AND %(remember)s
                          AND EXISTS (SELECT FROM school_student staged
                                       WHERE staged.id = n.student_id
                                         AND staged.xmin = n.student_xmin
                                         AND staged.ctid = n.student_ctid)
                   )
                   SELECT count(*) FROM switched""",
                run=self.id,
                remember=self._may_remember(self.company_id),
                uid=self.env.uid,
                now=self.env.cr.now(),
            )
        )
        count = self.env.cr.fetchone()[0]
        if count:
            self.env["school.student"].invalidate_model(
                ["active", "import_stage_run_id", "write_uid", "write_date"]
            )
        return count

    def _job_unstage(self):
        """Delete the students this run staged and never switched in.

        SQL: they were created by this job with tracking off, so nothing
        else refers to them but this run's lines (``ondelete='set null'``).
        """
        self.ensure_one()
        self.env["school.student"].flush_model()
        self.env.cr.execute(
            SQL("DELETE FROM school_student WHERE import_stage_run_id = %s", self.id)
        )
        if self.env.cr.rowcount:
            self.env["school.student"].invalidate_model()
            self.env["student.import.line"].invalidate_model(["student_id"])

    # Approval finishes the job

    def _job_after_approval(self, request, apply_at=None):
        """An approver approved ``request``: apply now, or schedule it at ``apply_at``."""
        self.ensure_one()
        run = self.sudo()
        requester = request.requester_id
        approver = self.env.user
        if apply_at and fields.Datetime.to_datetime(apply_at) > fields.Datetime.now():
            apply_at = fields.Datetime.to_datetime(apply_at)
            run.write(
                {
                    "apply_at": apply_at,
                    "apply_approver_id": approver.id,
                    "job_user_id": requester.id,
                }
            )
            run._job_trigger(apply_at)
            body = self.env._(
                "Scheduled by %(approver)s: %(run)s will be applied at %(time)s (UTC) on behalf "
                "of %(requester)s, after every safeguard and the roster are checked again.",
                approver=approver.name,
                run=run.name,
                time=fields.Datetime.to_string(apply_at),
                requester=requester.name,
            )
            run.message_post(body=body, partner_ids=requester.partner_id.ids)
            run._job_notify(requester | approver, body, "info")
            return
        run.invalidate_recordset(["confirmation_state", "authorization_state"])
        if run.confirmation_state == "to_confirm":
            run.message_post(
                body=self.env._(
                    "Approved; %(run)s is applied when %(requester)s confirms the warning.",
                    run=run.name,
                    requester=requester.name,
                ),
                partner_ids=requester.partner_id.ids,
            )
            return
        run.write({"apply_approver_id": approver.id})
        try:
            with self.env.cr.savepoint():
                run.with_user(requester).action_apply()
        except (UserError, AccessError) as error:
            run._job_fail(error.args[0], "apply")
