"""Reading the roster for a preview: what the engine gets, page by page."""

from unittest.mock import patch

from odoo.tests import tagged

from .. import uninstall_hook
from ..models import student_import_run as run_module
from ..models import student_import_run_apply as apply_module
from .common import StudentImportCase, new_kids


@tagged("post_install", "-at_install")
class TestRosterLoading(StudentImportCase):
    def roster(self):
        return self.env["student.import.run"]._load_roster(self.company)

    def test_pages_give_the_roster_of_one_query(self):
        self.student("200001").write({"middle_name": "Ann", "email": "a@example.org"})
        whole = self.roster()
        with patch.object(run_module, "ROSTER_PAGE", 3):
            paged = self.roster()
        self.assertEqual(len(whole), 41)
        self.assertEqual(paged.to_dict(), whole.to_dict())
        self.assertEqual(sorted(paged.refs), sorted(whole.refs))
        for number in ("200001", "209999"):
            values, active, ref = paged.get(number)
            self.assertEqual(ref, self.student(number).id)
            self.assertEqual(active, number != "209999", "archived students are read too")
        values = paged.get("200001")[0]
        self.assertEqual(values["middle_name"], "Ann")
        self.assertEqual(values["school_code"], "LIN")
        self.assertEqual(values["birthdate"], "2020-01-10", "dates as ISO text")
        self.assertEqual(values["pin"], "", "blanks as empty text")
        self.assertTrue(paged.normalised, "stored values checked, found normal")
        self.assertEqual(paged.untrusted, set())

    def test_a_value_typed_otherwise_is_normalised_when_the_file_repeats_it(self):
        # A clerk typed two spaces in the form, and the SIS export has them
        # too: the roster's check finds the value not normal, so the file's
        # equal cell is still normalised, and the run shows the fix.
        student = self.student("200002")
        student.first_name = "First01  Ann"
        with patch.object(run_module, "ROSTER_PAGE", 3):
            roster = self.roster()
        self.assertEqual(
            [roster.values[at][0] for at in roster.untrusted], ["200002"], "that student only"
        )
        run = self.run_file(self.export())
        [line] = run.line_ids
        self.assertEqual((line.student_number, line.change_type), ("200002", "update"))
        self.assertEqual(
            [(c.field_name, c.old_value, c.new_value) for c in line.change_ids],
            [("first_name", "First01  Ann", "First01 Ann")],
        )

    def remembered(self):
        """Ids of this company's students remembered as found normal."""
        self.env.cr.execute(
            "SELECT student_id FROM student_import_normal WHERE student_id IN %s",
            [tuple(self.students.ids)],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def test_a_preview_remembers_the_students_found_normal(self):
        odd = self.student("200002")
        odd.first_name = "First01  Ann"
        everyone = set(self.students.ids)
        self.roster()
        self.assertEqual(self.remembered(), set(), "only a preview remembers")
        self.assertEqual(self.checked_on_load(), everyone)
        self.run_file(self.export()).action_cancel()
        self.assertEqual(self.remembered(), everyone - {odd.id}, "not the two spaces")
        self.assertEqual(self.checked_on_load(), {odd.id})
        # Whoever changes a value, the student is checked again: a form, SQL.
        edited, changed = self.student("200003"), self.student("200004")
        edited.homeroom = "R999"
        self.env["school.student"].flush_model()
        self.env.cr.execute(
            "UPDATE school_student SET last_name = ' Lee' WHERE id = %s", [changed.id]
        )
        self.env["school.student"].invalidate_model()
        self.assertEqual(self.checked_on_load(), {odd.id, edited.id, changed.id})
        run = self.run_file(self.export())
        [line] = run.line_ids.filtered(lambda line: line.student_number == "200004")
        self.assertEqual(
            [(c.field_name, c.old_value, c.new_value) for c in line.change_ids],
            [("last_name", " Lee", "Lee")],
            "found not normal again: the file's Lee is a change",
        )
        self.assertEqual(self.checked_on_load(), {odd.id, changed.id})
        # A school's new code is a new value for each of its students.
        self.washington.code = "WSH"
        washington = set(self.students.filtered(lambda s: s.school_id == self.washington).ids)
        self.assertEqual(len(washington), 10)
        self.assertEqual(self.checked_on_load(), {odd.id, changed.id} | washington)

    def test_apply_remembers_the_students_it_wrote(self):
        # After a first load, the first night would otherwise check every
        # student the load added.  A clerk typed an e-mail in upper case
        # (not normal), in a field that the file does not hold: Apply
        # writes that student's homeroom and leaves the e-mail as it is.
        odd = self.student("200002")
        odd.email = "Ann.Lee@EXAMPLE.org"
        data = self.export(
            skip={"200040"},
            changes={"200002": {"homeroom": "R109"}, "200003": {"meal": "F"}},
            extra=new_kids(2),
        )
        run = self.run_file(data)
        self.assertEqual(self.checked_on_load(), {odd.id}, "the preview remembered the others")
        run.with_user(self.user).action_apply()
        self.assertEqual(run.state, "done")
        written = run.line_ids.student_id
        self.assertEqual(
            sorted(written.mapped("student_number")),
            ["200002", "200003", "200040", "300001", "300002"],
        )
        self.assertEqual(self.student("200003").eligibility, "free")
        self.assertEqual(
            self.checked_on_load(),
            {odd.id},
            "the updated, the inactivated and the added students are remembered as written; "
            "the upper-case e-mail is checked again",
        )

    def test_apply_without_the_lock_remembers_nothing_it_wrote(self):
        run = self.run_file(self.export(changes={"200003": {"meal": "F"}}, extra=new_kids(1)))
        Run = type(self.env["student.import.run"])
        with patch.object(Run, "_may_remember", return_value=False):
            run.with_user(self.user).action_apply()
        self.assertEqual(run.state, "done")
        self.assertEqual(
            self.checked_on_load(), {self.student("200003").id, self.student("300001").id}
        )

    def test_an_apply_of_many_changes_leaves_them_to_the_next_preview(self):
        changes = {"200002": {"homeroom": "R109"}, "200003": {"meal": "F"}}
        run = self.run_file(self.export(changes=changes, extra=new_kids(1)))
        with patch.object(apply_module, "REMEMBER_CHANGED", 1):
            run.with_user(self.user).action_apply()
        self.assertEqual(run.state, "done")
        self.assertEqual(
            self.checked_on_load(),
            {self.student("200002").id, self.student("200003").id},
            "the added student is remembered still",
        )

    def test_a_preview_without_the_lock_remembers_nothing(self):
        # Another preview of the district holds it: that one remembers.
        Run = type(self.env["student.import.run"])
        with patch.object(Run, "_may_remember", return_value=False):
            self.run_file(self.export()).action_cancel()
        self.assertEqual(self.remembered(), set())
        self.run_file(self.export()).action_cancel()
        self.assertEqual(len(self.remembered()), 41)

    def test_uninstalling_drops_the_table(self):
        uninstall_hook(self.env)
        self.env.cr.execute("SELECT to_regclass('student_import_normal')")
        self.assertIsNone(self.env.cr.fetchone()[0])

    def test_equal_values_are_one_object(self):
        with patch.object(run_module, "SHARE_FROM", 0):
            roster = self.roster()
        grades = {}
        for values in roster.values:
            grades.setdefault(values[6], []).append(values[6])
        for same in grades.values():
            self.assertTrue(all(value is same[0] for value in same))

    def test_staged_students_are_no_part_of_the_roster(self):
        run = self.run_file(self.export())
        self.student("200001").sudo().write({"import_stage_run_id": run.id})
        self.assertIsNone(self.roster().get("200001"))


@tagged("post_install", "-at_install")
class TestRosterFingerprint(StudentImportCase):
    def fingerprint(self):
        return self.env["student.import.run"]._roster_fingerprint(self.company)

    def test_every_change_the_engine_sees_changes_it(self):
        before = self.fingerprint()
        self.assertEqual(before, self.fingerprint())
        self.assertRegex(before, r"^(r2|t1):41:-?\d+$")
        self.student("200001").write({"homeroom": "R999"})
        edited = self.fingerprint()
        self.assertNotEqual(edited, before)
        self.student("200001").write({"homeroom": "R100"})
        self.assertEqual(self.fingerprint(), before, "content, not the time of the write")
        self.lincoln.code = "LNC"
        self.assertNotEqual(self.fingerprint(), before, "a school's code is part of it")
        self.lincoln.code = "LIN"
        self.student("209999").active = True
        self.assertNotEqual(self.fingerprint(), before)

    def test_an_import_file_is_not_indexed_for_attachment_search(self):
        run = self.run_file(self.export())
        self.assertEqual(run.attachment_id.raw, self.export())
        self.assertFalse(run.attachment_id.index_content)
        other = self.env["ir.attachment"].create({"name": "notes.txt", "raw": b"hello world"})
        self.assertIn("hello", other.index_content, "other text files still are")
