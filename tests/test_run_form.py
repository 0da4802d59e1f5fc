"""A run of thousands of lines: its form, Cancel, Preview Again and deletion.

A district's first load previews 100,000 students.  The run's form must not
hold them all (the web client reads every id of a one2many that a form
shows), and discarding the preview must not delete its lines through the
ORM, a thousand at a time with look-ups for each thousand.  A few thousand
lines show both as well as 100,000 do, in seconds.
"""

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import StudentImportCase

# Two rows that cannot be used and two last names that became addresses, at
# the end of the file: the form lists them first all the same.
BAD_ROWS = [
    "309001,Max,Broken,14,05/05/2015,LIN,P,R102",
    "309002,Ada,Broken,15,05/05/2015,LIN,P,R102",
]
ADDRESS_CHANGES = {"200005": {"last": "12 Oak Street"}, "200009": {"last": "14 Oak Street"}}


def new_students(count):
    """``count`` rows of new first-graders with plausible names (``new_kids``
    numbers its first names, which the checks find suspicious)."""
    return [
        f"{300001 + n},{''.join('abcdefghij'[int(d)] for d in str(n)).title()},Young,"
        "1,02/02/2019,LIN,F,R100"
        for n in range(count)
    ]


@tagged("post_install", "-at_install")
class TestRunForm(StudentImportCase):
    def big_run(self, adds=3000):
        """``adds`` new students, an update, 2 suspicious updates, 2 errors."""
        data = self.export(
            changes={"200002": {"homeroom": "R109"}, **ADDRESS_CHANGES},
            extra=[*new_students(adds), *BAD_ROWS],
        )
        run = self.run_file(data)
        self.assertEqual(run.state, "review", "under the job threshold: previewed at once")
        return run

    def form_read(self, run):
        """The run as its form asks the server for it: the view's fields,
        its one2many lists a page of 80 records each, as the web client does."""
        Run = self.env["student.import.run"].with_user(self.user)
        views = Run.get_views([(False, "form")])
        spec = {}
        for name in views["models"]["student.import.run"]["fields"]:
            field = Run._fields[name]
            if field.type in ("one2many", "many2many"):
                fields = views["models"].get(field.comodel_name, {}).get("fields", {})
                spec[name] = {"fields": {sub: {} for sub in fields}, "limit": 80}
            elif field.type == "many2one":
                spec[name] = {"fields": {"display_name": {}}}
            else:
                spec[name] = {}
        self.env.invalidate_all()
        return Run.browse(run.id).web_read(spec)[0]

    def lines_of(self, run):
        Line = self.env["student.import.line"]
        lines = Line.search([("run_id", "=", run.id)])
        changes = self.env["student.import.change"].search([("line_id.run_id", "=", run.id)])
        return lines, changes

    def queries(self, action):
        """The number of SQL queries ``action()`` makes, flushes included."""
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        action()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    # The form

    def test_the_form_sends_one_page_of_lines_errors_and_suspicious_first(self):
        run = self.big_run()
        self.assertEqual(len(run.line_ids), 3005)
        values = self.form_read(run)
        for name, value in values.items():
            if isinstance(value, list):
                self.assertLessEqual(len(value), 80, f"the form sends {len(value)} {name}")
        first = values["first_line_ids"]
        self.assertEqual(len(first), 80)
        self.assertEqual(
            [line["student_number"] for line in first[:4]],
            ["309001", "309002", "200005", "200009"],
            "the errors, then the suspicious lines, each in the file's order",
        )
        self.assertEqual([line["change_type"] for line in first[:2]], ["error", "error"])
        self.assertTrue(all(line["suspicious"] for line in first[2:4]))
        self.assertFalse(any(line["suspicious"] for line in first[4:]))
        self.assertEqual(
            [line["student_number"] for line in first[4:7]],
            ["300001", "300002", "300003"],
            "then the others as Review Changes lists them: adds first, in file order",
        )
        self.assertEqual(
            values["first_lines_note"],
            "The first 80 of 3,005 lines: errors, then suspicious lines, then the others by "
            "change type.",
        )
        # Review Changes pages through all of them.
        action = run.with_user(self.user).action_view_lines()
        Line = self.env["student.import.line"].with_user(self.user)
        self.assertEqual(Line.search_count(action["domain"]), 3005)

    def test_a_small_run_shows_every_line_without_a_note(self):
        run = self.run_file(self.export(changes={"200002": {"homeroom": "R109"}}))
        values = self.form_read(run)
        self.assertEqual([line["student_number"] for line in values["first_line_ids"]], ["200002"])
        self.assertFalse(values["first_lines_note"])

    def test_excluded_is_switched_in_the_forms_list(self):
        run = self.big_run(adds=100)
        form = Form(run.with_user(self.user))
        for index in (0, 1):
            with form.first_line_ids.edit(index) as line:
                line.excluded = True
        form.save()
        self.env.invalidate_all()
        self.assertEqual(run.count_excluded, 2)
        self.assertEqual(run.count_error_open, 0)
        errors = run.line_ids.filtered(lambda line: line.change_type == "error")
        self.assertTrue(all(errors.mapped("excluded")))

    # Discarding a preview

    def test_cancel_deletes_the_lines_without_per_line_work(self):
        small, big = self.big_run(adds=1000), self.big_run(adds=3000)
        kept = self.run_file(self.export(changes={"200003": {"homeroom": "R109"}}))
        self.assertTrue(all(self.lines_of(small)), "lines and field changes to delete")
        small_queries = self.queries(small.with_user(self.user).action_cancel)
        big_queries = self.queries(big.with_user(self.user).action_cancel)
        self.assertEqual(
            big_queries, small_queries, "Cancel of 3,005 lines as of 1,005 lines: no work per line"
        )
        for run in (small, big):
            self.assertEqual(run.state, "cancelled")
            lines, changes = self.lines_of(run)
            self.assertFalse(lines)
            self.assertFalse(changes, "the field changes went with their lines")
            self.assertFalse(run.line_ids)
            self.assertFalse(run.first_line_ids)
        lines, changes = self.lines_of(kept)
        self.assertEqual((len(lines), len(changes)), (1, 1), "another run's lines stay")

    def test_preview_again_replaces_the_lines_without_per_line_work(self):
        small, big = self.big_run(adds=1000), self.big_run(adds=3000)
        small_queries = self.queries(small.with_user(self.user).action_refresh)
        big_queries = self.queries(big.with_user(self.user).action_refresh)
        self.assertEqual(big_queries, small_queries, "no work per line")
        lines, changes = self.lines_of(big)
        self.assertEqual(len(lines), 3005, "the new preview's lines, once")
        self.assertEqual(len(changes), 3, "the homeroom and the two last names")
        self.assertEqual(big.count_suspicious, 2)
        self.assertEqual(len(big.first_line_ids), 80)
        self.assertEqual(big.first_line_ids[0].student_number, "309001")

    def test_deleting_a_run_in_review_deletes_its_lines(self):
        run = self.big_run(adds=100)
        with self.assertRaises(AccessError):
            run.with_user(self.user).unlink()
        self.assertEqual(len(self.lines_of(run)[0]), 105, "a refused deletion deletes nothing")
        run.with_user(self.manager).unlink()
        lines, changes = self.lines_of(run)
        self.assertFalse(lines)
        self.assertFalse(changes)
