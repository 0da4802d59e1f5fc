import logging
import math
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base.models.res_partner import _tz_get

_logger = logging.getLogger(__name__)

SCHEDULER_CRON = "school_student_import.ir_cron_student_importer_scheduler"
SCHEDULE_FIELDS = (
    "source",
    "active",
    "schedule_interval",
    "schedule_unit",
    "schedule_time",
    "schedule_tz",
)
# A file still being written, or an importer busy elsewhere, is looked at
# again this much later rather than at its next regular time.
RETRY = timedelta(minutes=1)


class StudentImporter(models.Model):
    """The schedule of folder importers, and the scheduler's entry point."""

    _inherit = "student.importer"

    schedule_interval = fields.Integer(
        string="Every", default=1, tracking=True, help="Read the folder every so many units."
    )
    schedule_unit = fields.Selection(
        [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")],
        default="days",
        required=True,
        tracking=True,
    )
    schedule_time = fields.Float(
        string="At",
        default=2.0,
        tracking=True,
        help="Time of day of the first run; the following ones come every interval after it "
        "(every 6 hours at 02:00: 02:00, 08:00, 14:00, 20:00).",
    )
    schedule_tz = fields.Selection(
        _tz_get,
        string="Timezone",
        default=lambda self: self.env.user.tz or "UTC",
        required=True,
    )
    next_run_at = fields.Datetime(
        string="Next Run",
        compute="_compute_next_run_at",
        store=True,
        readonly=True,
        copy=False,
        index=True,
    )

    @api.depends(*SCHEDULE_FIELDS)
    def _compute_next_run_at(self):
        now = fields.Datetime.now()
        for importer in self:
            if importer.source == "folder" and importer.active:
                importer.next_run_at = importer._next_slot(now)
            else:
                importer.next_run_at = False

    @api.constrains("schedule_interval", "schedule_time")
    def _check_schedule(self):
        for importer in self:
            if importer.schedule_interval < 1:
                raise ValidationError(
                    self.env._(
                        "The schedule of %(name)s needs an interval of at least 1.",
                        name=importer.name,
                    )
                )
            if not 0 <= importer.schedule_time < 24:
                raise ValidationError(
                    self.env._(
                        "The time of day of %(name)s is between 00:00 and 23:59.",
                        name=importer.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        importers = super().create(vals_list)
        if any(importer.source == "folder" for importer in importers):
            self._trigger_scheduler()
        return importers

    def write(self, vals):
        result = super().write(vals)
        if set(SCHEDULE_FIELDS).intersection(vals):
            self._trigger_scheduler()
        return result

    def _next_slot(self, after):
        """The first scheduled time strictly after ``after`` (naive UTC).

        Days count in the importer's timezone, so that 02:00 stays 02:00
        across daylight-saving changes; minutes and hours step from the time
        of day of the current day.
        """
        self.ensure_one()
        tz = pytz.timezone(self.schedule_tz or "UTC")
        local_after = pytz.utc.localize(after).astimezone(tz)
        minutes = round(self.schedule_time * 60)
        at = time(min(minutes // 60, 23), minutes % 60)
        anchor = datetime.combine(local_after.date(), at)
        interval = max(self.schedule_interval, 1)
        if self.schedule_unit == "days":
            while tz.localize(anchor) <= local_after:
                anchor += timedelta(days=interval)
            return tz.localize(anchor).astimezone(pytz.utc).replace(tzinfo=None)
        step = timedelta(**{self.schedule_unit: interval})
        start = tz.localize(anchor).astimezone(pytz.utc).replace(tzinfo=None)
        return start + step * (math.floor((after - start) / step) + 1)

    # The scheduler

    @api.model
    def _trigger_scheduler(self):
        """Wake the scheduler at the earliest next run of any folder importer.

        The cron's own interval is only a safety net: this trigger is what
        makes an importer run at its time, not at the cron's next tick.
        """
        cron = self.env.ref(SCHEDULER_CRON, raise_if_not_found=False)
        if not cron:
            return
        first = self.sudo().search(
            [("source", "=", "folder"), ("next_run_at", "!=", False)],
            order="next_run_at",
            limit=1,
        )
        if not first:
            return
        at = max(first.next_run_at, fields.Datetime.now())
        Trigger = self.env["ir.cron.trigger"].sudo()
        if not Trigger.search_count([("cron_id", "=", cron.id), ("call_at", "=", at)]):
            cron.sudo()._trigger(at=at)

    @api.model
    def _cron_run_due(self):
        """Run every folder importer whose time has come (the cron's entry point).

        Runs as the cron's user, OdooBot, with the runs' trigger
        ``scheduled``.  Each importer runs under its lock (one busy elsewhere
        is skipped and looked at again a minute later) and in a savepoint of
        its own: one importer's failure rolls back its own work only, and
        leaves its file in place.  Return the importers that were run.
        """
        now = fields.Datetime.now()
        due = self.sudo().search(
            [("source", "=", "folder"), ("next_run_at", "<=", now)], order="next_run_at, id"
        )
        ran = self.browse()
        for importer in due:
            if importer._run_scheduled(now):
                ran |= importer
        self._trigger_scheduler()
        return ran

    def _run_scheduled(self, now):
        """One importer's scheduled run; True when its folder was read."""
        self.ensure_one()
        # The lock is taken outside the savepoint: rolling back to a savepoint
        # releases the locks taken after it.
        if not self._try_lock():
            _logger.info("Importer %s is busy elsewhere: skipped this time", self.name)
            self.next_run_at = now + RETRY
            return False
        waiting = ""
        try:
            with self.env.cr.savepoint():
                _run, waiting, moves = self._run_folder("scheduled")
            # Only now: were the savepoint rolled back, its files must stay.
            self._move_after_commit(moves)
        except UserError as error:
            # A refusal that a person must mend (a path out of the base folder,
            # a missing folder): said on the importer, where its admin looks.
            _logger.warning("Scheduled run of importer %s refused: %s", self.name, error)
            self.message_post(
                body=self.env._("The scheduled run was refused: %(error)s", error=error.args[0])
            )
        except Exception as error:  # noqa: BLE001 - one importer never stops the others
            _logger.exception("Scheduled run of importer %s failed", self.name)
            self.message_post(
                body=self.env._(
                    "The scheduled run failed and was undone; the file stays in place for "
                    "the next run: %(error)s",
                    error=error.args[0] if error.args else repr(error),
                )
            )
        if waiting and not self.wait_for_marker:
            # Still growing: look again soon rather than at the next slot.
            self.next_run_at = now + RETRY
        else:
            self.next_run_at = self._next_slot(now)
        return True
