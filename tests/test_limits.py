"""Files past a limit, empty files and files that are no table: refused, leaving nothing.

The limits hold on every path that reads a file: Run Now's upload and kept
files, ``run_import`` over RPC, and Preview Again (all go through
``student.importer.run_import`` or ``_engine_preview``).
"""

import base64
from xmlrpc.client import Fault

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import StudentImportCase, StudentImportTourCase
from .test_folder_import import FolderCase


class LeavesNothing:
    """Assertions that a refused file left no run, attachment or run number."""

    def counts(self):
        sequence = self.env.ref("school_student_import.seq_student_import_run")
        return (
            self.env["student.import.run"].sudo().search_count([]),
            self.env["ir.attachment"].sudo().search_count([]),
            sequence.number_next_actual,
        )

    def assertRefused(self, pattern, call, *args):
        before = self.counts()
        with self.assertRaisesRegex(UserError, pattern) as caught:
            call(*args)
        message = str(caught.exception.args[0])
        self.assertNotIn("\n", message)
        self.assertLess(len(message), 300, message)
        self.env.invalidate_all()
        self.assertEqual(self.counts(), before, "the refused file left something behind")
        return message


@tagged("post_install", "-at_install")
class TestLimits(LeavesNothing, StudentImportCase):
    def upload(self, data, filename="export.csv"):
        """The Run Now dialog as the web client saves it: the file and its name.

        A file of 0 bytes comes with its name and no content.
        """
        return (
            self.env["student.import.upload"]
            .with_user(self.user)
            .create(
                {
                    "importer_id": self.importer.id,
                    "file": self.b64(data) if data else False,
                    "file_name": filename,
                }
            )
        )

    def test_an_over_limit_upload_through_run_now_is_refused_with_the_engine_message(self):
        self.importer.max_rows = 20
        message = self.assertRefused(
            r"^export\.csv row 21: the file has more than 20 rows, over the limit of 20 rows "
            r"\(Max Rows on the importer\): split the file, or raise the limit\.$",
            self.upload(self.export()).action_run,
        )
        self.assertIn("Max Rows on the importer", message)

    def test_the_system_parameter_applies_when_the_importer_sets_nothing(self):
        self.env["ir.config_parameter"].sudo().set_param("school_student_import.max_columns", "5")
        self.assertRefused(
            r"^export\.csv row 1: the header has 8 columns, over the limit of 5 columns "
            r"\(system parameter school_student_import\.max_columns\)",
            self.upload(self.export()).action_run,
        )
        # The importer's own limit wins over the parameter.
        self.importer.max_columns = 50
        run = self.upload(self.export()).action_run()
        self.assertEqual(run["res_model"], "student.import.run")

    def test_without_parameter_the_engine_default_is_named(self):
        self.env["ir.config_parameter"].sudo().search(
            [("key", "=", "school_student_import.max_cell_chars")]
        ).unlink()
        data = self.export(extra=["300001,New," + "x" * 40_000 + ",1,02/02/2019,LIN,F,R100"])
        self.assertRefused(
            r"over the limit of 32,767 characters \(max_cell_chars, the default; the "
            r"importer's Limits change it\)",
            self.upload(data).action_run,
        )

    def test_the_file_size_is_checked_before_the_roster_is_read(self):
        self.importer.max_file_mb = 1
        data = self.export() + b"\n" * 1_100_000
        self.assertRefused(
            r"^export\.csv: the file has 1\.1 MB, over the limit of 1 MB \(Max File Size \(MB\) "
            r"on the importer\)",
            self.upload(data).action_run,
        )
        self.assertRefused(r"the file has 1\.1 MB", self.run_file, base64.b64encode(data).decode())

    def test_a_kept_file_obeys_the_limits_too(self):
        attachment = self.keep_file("daily.csv", self.export())
        self.importer.max_rows = 10
        upload = Form(
            self.env["student.import.upload"]
            .with_user(self.user)
            .with_context(default_importer_id=self.importer.id)
        )
        upload.attachment_id = attachment
        self.assertRefused(
            r"^daily\.csv row 11: the file has more than 10 rows", upload.save().action_run
        )
        # Run Now (newest kept file) on selected importers reports it per importer.
        result = self.importer.with_user(self.user).action_run_now_several()
        self.assertIn("the file has more than 10 rows", str(result))

    def test_a_zero_byte_upload_says_the_file_is_empty(self):
        message = self.assertRefused(
            r"^empty\.csv is empty", self.upload(b"", "empty.csv").action_run
        )
        self.assertEqual(
            message,
            "empty.csv is empty: check that the export finished, then choose the file again.",
        )
        self.assertRefused(r"^empty\.csv is empty", self.run_file, b"", None, "empty.csv")
        self.assertRefused(r"^empty\.csv is empty", self.run_file, "", None, "empty.csv")

    def test_a_pdf_renamed_csv_is_named_a_pdf(self):
        pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"
        self.assertRefused(
            r"^roster\.csv is a PDF document, not a student list: export the students from the "
            r"SIS as CSV or XLSX\.$",
            self.upload(pdf, "roster.csv").action_run,
        )

    def test_a_decomposed_export_changes_nobody(self):
        import unicodedata

        self.student("200001").first_name = "José"
        self.student("200002").last_name = "Núñez"
        data = unicodedata.normalize("NFD", self.export().decode()).encode()
        self.assertNotEqual(data, self.export())
        run = self.run_file(data)
        self.assertEqual((run.count_update, run.count_unchanged), (0, 40))

    def test_limits_are_managers_only_and_positive(self):
        self.assertFalse(
            self.env["student.importer"].with_user(self.user).fields_get(["max_rows"]),
            "staff do not see the limits",
        )
        with self.assertRaisesRegex(ValidationError, "A limit is a positive number"):
            self.importer.max_rows = -1
        self.importer.with_user(self.manager).max_rows = 5000
        self.assertEqual(self.importer._limits().max_rows, 5000)
        self.importer.max_rows = 0
        self.assertEqual(self.importer._limits().max_rows, 2_000_000)


@tagged("post_install", "-at_install")
class TestLimitsOverRpc(LeavesNothing, StudentImportTourCase):
    def test_an_over_limit_file_over_xmlrpc_is_refused_with_the_engine_message(self):
        self.importer.max_rows = 20
        data = base64.b64encode(self.export()).decode()
        before = self.counts()
        with self.assertRaisesRegex(
            Fault,
            r"export\.csv row 21: the file has more than 20 rows, over the limit of 20 rows "
            r"\(Max Rows on the importer\)",
        ):
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                self.user.id,
                "clerkxxx",
                "student.importer",
                "run_import",
                [[self.importer.id], data, "export.csv"],
            )
        with self.assertRaisesRegex(Fault, r"empty\.csv is empty: check that the export"):
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                self.user.id,
                "clerkxxx",
                "student.importer",
                "run_import",
                [[self.importer.id], "", "empty.csv"],
            )
        self.env.invalidate_all()
        self.assertEqual(self.counts(), before)

    def test_run_now_in_the_browser_says_empty_and_over_limit(self):
        self.importer.max_rows = 20
        self.run_tour("/odoo", "school_student_import_refusals", self.user)
        self.env.invalidate_all()
        self.assertFalse(
            self.env["student.import.run"].search([("importer_id", "=", self.importer.id)]),
            "no run was made",
        )


@tagged("post_install", "-at_install")
class TestFolderLimits(FolderCase):
    def test_a_folder_file_over_the_size_limit_fails_unread(self):
        self.importer.max_file_mb = 1
        self.drop("big.csv", self.export() + b"\n" * 1_100_000)
        self.tick()
        run = self.runs()
        self.assertEqual(run.state, "failed")
        self.assertIn(
            "big.csv: the file has 1.1 MB, over the limit of 1 MB (Max File Size (MB) on the "
            "importer)",
            run.failure_reason,
        )
        self.assertFalse(run.attachment_id.raw, "the file was never read into the database")
        self.assertEqual(self.files("inbox", "failed"), [f"big.{run.name.replace('/', '-')}.csv"])
