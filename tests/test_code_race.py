"""The 5-wrong-codes lock holds when many entries arrive at once.

Twenty workers enter wrong codes at the same moment, each in its own
database transaction that fails and rolls back, as twenty RPC calls would.
``TransactionCase`` runs everything in one shared cursor, which cannot show
a race: this case works with real, committed transactions instead, and
deletes everything it created when it ends.
"""

import re
import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

WORKERS = 20


@tagged("post_install", "-at_install")
class TestCodeRace(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.ids = {}
        cls.addClassCleanup(cls.clean_up)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company = env["res.company"].create({"name": "Race District"})
            env = env(context=dict(env.context, allowed_company_ids=[company.id]))
            clerk, support = (
                new_test_user(
                    env,
                    login,
                    groups=f"school_student_import.{group}",
                    company_id=company.id,
                )
                for login, group in (
                    ("race_clerk", "group_student_import_user"),
                    ("race_support", "group_student_import_approver"),
                )
            )
            school = env["school.site"].create({"name": "Race School", "code": "RACE"})
            students = env["school.student"].create(
                [
                    {"student_number": f"R{n}", "first_name": "R", "last_name": "R"}
                    for n in range(10)
                ]
            )
            importer = env["student.importer"].create({"name": "Race Import"})
            rows = [f"R{n},R,R" for n in range(10)] + ["N1,N,N", "N2,N,N", "N3,N,N"]
            data = ("Student_Number,First_Name,Last_Name\n" + "\n".join(rows) + "\n").encode()
            run = importer.run_import(data, "race.csv")
            run.with_user(support).action_issue_code()
            cls.ids = {
                "company": company.id,
                "users": (clerk | support).ids,
                "partners": (clerk | support).partner_id.ids,
                "school": school.id,
                "students": students.ids,
                "importer": importer.id,
                "run": run.id,
                "sequence": run.code_attempt_sequence_id.id,
                "clerk": clerk.id,
            }
            assert run.authorization_state == "to_authorize", run.authorization_state

    @classmethod
    def clean_up(cls):
        ids = cls.ids
        if not ids:
            return
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            run = env["student.import.run"].browse(ids["run"])
            env["mail.activity"].search(
                [("res_model", "=", run._name), ("res_id", "=", run.id)]
            ).unlink()
            env["ir.attachment"].search(
                [("res_model", "=", run._name), ("res_id", "=", run.id)]
            ).unlink()
            run.unlink()
            env["ir.sequence"].browse(ids["sequence"]).unlink()
            env["school.student"].browse(ids["students"]).unlink()
            env["student.importer"].browse(ids["importer"]).unlink()
            env["school.site"].browse(ids["school"]).unlink()
            env["res.users"].browse(ids["users"]).unlink()
            env["res.partner"].browse(ids["partners"]).unlink()
            company = env["res.company"].browse(ids["company"])
            partner = company.partner_id
            company.unlink()
            partner.unlink()

    def enter_wrong_code(self, barrier, number, outcomes):
        with self.registry.cursor() as cr:
            # The test runner holds the registries' lock while tests run:
            # give the cursor its registry, or the Environment would wait
            # for that lock forever.
            cr.transaction = api.Transaction(self.registry)
            env = api.Environment(
                cr, self.ids["clerk"], {"allowed_company_ids": [self.ids["company"]]}
            )
            run = env["student.import.run"].browse(self.ids["run"])
            barrier.wait()
            try:
                run.action_enter_code(f"WRONG{number:05d}")
                outcomes.append("accepted")
            except UserError as error:
                outcomes.append(error.args[0])
            except Exception as error:  # shown by the test's assertion, not lost in a thread
                outcomes.append(repr(error))
            # The failing call's transaction is rolled back, as over RPC.
            cr.rollback()

    def test_parallel_wrong_codes_cannot_exceed_the_limit(self):
        barrier, outcomes = threading.Barrier(WORKERS), []
        threads = [
            threading.Thread(target=self.enter_wrong_code, args=(barrier, n, outcomes))
            for n in range(WORKERS)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        for thread in threads:
            thread.join(timeout=max(0, deadline - time.monotonic()))
        self.assertEqual(len(outcomes), WORKERS, outcomes)
        counted = [message for message in outcomes if "is not valid" in message]
        locked = [message for message in outcomes if "Too many wrong codes" in message]
        self.assertEqual(len(counted), 5, outcomes)
        self.assertEqual(len(locked), WORKERS - 5, outcomes)
        # Each counted entry saw the count the one before it left.
        left = sorted(int(re.search(r"(\d+)\.?$", message).group(1)) for message in counted)
        self.assertEqual(left, [0, 1, 2, 3, 4], counted)
        with self.registry.cursor() as cr:
            run = api.Environment(cr, SUPERUSER_ID, {})["student.import.run"].browse(
                self.ids["run"]
            )
            self.assertEqual((run.code_attempts, run.authorization_state), (5, "locked"))
