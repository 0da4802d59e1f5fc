"""Run Now of a big file in a real browser: queued, then the review screen by itself.

While the tour waits on the run's form, a thread of the test plays Odoo's
cron worker: once the run has been queued for a few seconds (so that the
tour sees it queued), it runs the scheduler's job, as a worker would.
"""

import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from ..models import student_import_run_job as job
from .common import StudentImportTourCase

TOUR = "school_student_import_job"
KEPT_FILE = "big_export.csv"
NEW_KIDS = [f"{300001 + n},New{n},Kid,1,02/02/2019,LIN,F,R100" for n in range(3)]
# How long the run stays queued before the "worker" takes it.
QUEUED_SECONDS = 5


@tagged("post_install", "-at_install")
class TestUiJobs(StudentImportTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        data = cls.export(
            changes={"200002": {"homeroom": "R109"}, "200003": {"meal": "F"}}, extra=NEW_KIDS
        )
        cls.keep_file(KEPT_FILE, data)
        cls.env["ir.config_parameter"].sudo().set_param(job.THRESHOLD_PARAM, "5")

    def play_cron_worker(self, stop):
        threading.current_thread().testing = True
        queued_since = None
        while not stop.is_set():
            time.sleep(0.5)
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                runs = env["student.import.run"].search([("state", "in", job.JOB_STATES)])
                if not runs:
                    continue
                queued_since = queued_since or time.monotonic()
                if time.monotonic() - queued_since >= QUEUED_SECONDS:
                    env.ref(job.CRON_XMLID).method_direct_trigger()

    def test_run_now_of_a_big_file_follows_the_job(self):
        stop = threading.Event()
        worker = threading.Thread(target=self.play_cron_worker, args=(stop,), daemon=True)
        worker.start()
        try:
            self.run_tour("/odoo", TOUR, self.user)
        finally:
            stop.set()
            worker.join(30)
        run = self.env["student.import.run"].search([("importer_id", "=", self.importer.id)])
        self.assertEqual(len(run), 1)
        self.assertEqual((run.state, run.job_user_id), ("review", self.user))
        self.assertEqual((run.count_add, run.count_update), (3, 2))
        self.assertFalse(self.student("300001"), "previewing writes no student")
