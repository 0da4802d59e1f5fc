from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import StudentImportCase


@tagged("post_install", "-at_install")
class TestRunImport(StudentImportCase):
    def test_a_file_equal_to_the_roster_previews_no_lines(self):
        run = self.run_file(self.export())
        self.assertEqual(run.state, "review")
        self.assertEqual(run.count_unchanged, 40)
        self.assertEqual(run.existing_count, 40)
        self.assertFalse(run.line_ids)
        self.assertEqual(run.create_uid, self.user)

    def test_preview_writes_nothing_to_students(self):
        before = self.snapshot()
        self.run_file(
            self.export(
                skip={"200001"},
                changes={"200002": {"last": "Changed"}},
                extra=["300001,New,Kid,1,02/02/2019,LIN,F,R100"],
            )
        )
        self.assertEqual(self.snapshot(), before)

    def test_each_change_type_is_one_line_with_old_and_new_values(self):
        run = self.run_file(
            self.export(
                skip={"200003"},
                changes={"200002": {"last": "Lee-Park", "homeroom": "R200"}},
                extra=[
                    "300001,New,Kid,1,02/02/2019,LIN,F,R100",
                    "209999,Gone,Away,4,05/05/2017,LIN,P,R100",
                    "300002,Bad,Grade,14,02/02/2019,LIN,F,R100",
                ],
            )
        )
        counts = {
            kind: getattr(run, f"count_{kind}")
            for kind in ("add", "update", "inactivate", "reactivate", "error", "unchanged")
        }
        self.assertEqual(
            counts,
            {"add": 1, "update": 1, "inactivate": 1, "reactivate": 1, "error": 1, "unchanged": 38},
        )
        lines = {line.student_number: line for line in run.line_ids}
        self.assertEqual(lines["300001"].change_type, "add")
        self.assertEqual(lines["300001"].name, "Kid, New")
        # An add keeps its values on its line, not as field changes.
        self.assertFalse(lines["300001"].change_ids)
        self.assertEqual(
            lines["300001"].add_values,
            {
                "first_name": "New",
                "last_name": "Kid",
                "grade": "01",
                "birthdate": "2019-02-02",
                "school_code": "LIN",
                "eligibility": "free",
                "homeroom": "R100",
            },
        )
        html = str(lines["300001"].add_values_html)
        for shown in ("First Name", "New", "Birthdate", "2019-02-02", "School", "LIN"):
            self.assertIn(shown, html)
        self.assertLess(html.index("First Name"), html.index("Last Name"))
        update = lines["200002"]
        self.assertEqual(update.change_type, "update")
        self.assertEqual(update.student_id, self.student("200002"))
        self.assertEqual(
            [(c.field_name, c.old_value, c.new_value) for c in update.change_ids],
            [("last_name", "Ortiz", "Lee-Park"), ("homeroom", "R101", "R200")],
        )
        self.assertEqual(update.summary, "Last Name: Ortiz → Lee-Park; Homeroom: R101 → R200")
        self.assertEqual(update.changed_fields, "Last Name, Homeroom")
        self.assertEqual(lines["200003"].summary, "Not in the file")
        self.assertEqual(lines["200003"].change_type, "inactivate")
        self.assertFalse(lines["200003"].change_ids)
        self.assertEqual(lines["209999"].change_type, "reactivate")
        self.assertEqual(
            [(c.field_name, c.old_value, c.new_value) for c in lines["209999"].change_ids],
            [("grade", "03", "04")],
        )
        error = lines["300002"]
        self.assertEqual(error.change_type, "error")
        self.assertEqual(error.row_number, 43)
        self.assertIn("Row 43, column 'Grade_Level': '14' is not a grade", error.error)

    def test_suspicious_values_are_flagged_on_line_and_field(self):
        run = self.run_file(self.export(changes={"200004": {"last": "1234 Oak St"}}))
        line = run.line_ids
        self.assertTrue(line.suspicious)
        self.assertEqual(line.suspicious_reasons, "Last Name looks like a street address")
        self.assertEqual(line.change_ids.suspicious_reason, "looks like a street address")
        self.assertEqual(run.count_suspicious, 1)

    def test_unknown_school_code_is_an_error(self):
        run = self.run_file(self.export(extra=["300001,New,Kid,1,02/02/2019,ZZZ,F,R100"]))
        self.assertEqual(run.line_ids.change_type, "error")
        self.assertIn("unknown school code 'ZZZ'", run.line_ids.error)

    def test_an_unreadable_file_is_refused_and_leaves_nothing(self):
        runs = self.env["student.import.run"].search_count([])
        attachments = self.env["ir.attachment"].search_count([])
        with self.assertRaisesRegex(UserError, "not a readable CSV, XLSX or XLS file"):
            self.run_file(b"\x00\x01\x02garbage\xff\xfe" * 50, filename="export.csv")
        with self.assertRaisesRegex(UserError, "No Student Number column"):
            self.run_file(b"Name,Grade\nAnn,3\n")
        with self.assertRaisesRegex(UserError, "is empty"):
            self.run_file(b"")
        self.assertEqual(self.env["student.import.run"].search_count([]), runs)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)

    def test_the_file_is_kept_with_its_hash(self):
        data = self.export()
        run = self.run_file(data)
        self.assertEqual(run.attachment_id.raw, data)
        self.assertEqual(len(run.file_hash), 64)
        self.assertTrue(run.name.startswith("IMP/"))

    def test_run_now_dialog_uploads_and_opens_the_run(self):
        action = self.importer.with_user(self.user).action_run_now()
        self.assertEqual(action["res_model"], "student.import.upload")
        upload = Form(
            self.env["student.import.upload"].with_user(self.user).with_context(action["context"])
        )
        upload.file = self.b64(self.export(extra=["300001,New,Kid,1,02/02/2019,LIN,F,R100"]))
        result = upload.save().action_run()
        run = self.env["student.import.run"].browse(result["res_id"])
        self.assertEqual(run.count_add, 1)
        self.assertEqual(run.importer_id, self.importer)

    def test_run_now_dialog_without_a_file_says_so(self):
        upload = Form(
            self.env["student.import.upload"]
            .with_user(self.user)
            .with_context(default_importer_id=self.importer.id)
        ).save()
        with self.assertRaisesRegex(UserError, "Choose the file to import"):
            upload.action_run()

    def test_explicit_mapping_is_used(self):
        self.importer.column_ids = [
            (0, 0, {"column_name": "ID", "field_name": "student_number"}),
            (0, 0, {"column_name": "Surname", "field_name": "last_name", "required": True}),
        ]
        student = self.student("200001")
        run = self.run_file(f"ID,Surname,Other\n{student.student_number},Newname,x\n".encode())
        self.assertEqual(run.count_update, 1)
        self.assertEqual(run.ignored_columns, "Other")
        self.assertEqual(
            [(c.field_name, c.new_value) for c in run.line_ids.change_ids],
            [("last_name", "Newname")],
        )

    def test_lines_are_all_reachable_without_a_cap(self):
        extra = [f"{400000 + n},New{n},Kid,1,02/02/2019,LIN,F,R100" for n in range(150)]
        run = self.run_file(self.export(extra=extra))
        self.assertEqual(run.count_add, 150)
        Line = self.env["student.import.line"].with_user(self.user)
        domain = [("run_id", "=", run.id), ("change_type", "=", "add")]
        self.assertEqual(Line.search_count(domain), 150)
        self.assertEqual(len(Line.search(domain, offset=140, limit=80)), 10)
