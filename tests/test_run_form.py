"""A run of thousands of lines: its form.

A district's first load previews 100,000 students.  The run's form must not
hold them all (the web client reads every id of a one2many that a form
shows).  A few thousand lines show it as well as 100,000 do, in seconds.
"""

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
