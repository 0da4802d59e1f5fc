import csv
import hashlib
import io
import json
from email.utils import formataddr

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, split_every

from .. import engine
from ..engine.gcpause import collector_paused

# Fields only the run's own methods may set: a user writing them through
# the web client or RPC could skip a safeguard.
PROTECTED_FIELDS = set(
    {
        "state",
        "importer_id",
        "company_id",
        "trigger",
        "attachment_id",
        "file_name",
        "file_hash",
        "file_format",
        "rows_count",
        "existing_count",
        "count_add",
        "count_update",
        "count_inactivate",
        "count_reactivate",
        "count_unchanged",
        "count_error",
        "count_suspicious",
        "pct_add",
        "pct_update",
        "pct_inactivate",
        "requires_confirmation",
        "requires_authorization",
        "trip_summary",
        "signal_summary",
        "suspicious_top",
        "change_digest",
        "roster_fingerprint",
        "applied_by_id",
        "applied_date",
        "reverted_by_id",
        "reverted_date",
        "confirmed_by_id",
        "confirmed_date",
        "columns_used",
        "ignored_columns",
        "file_notes",
        "date_order",
        "encoding",
        "delimiter",
    }
)
BATCH = 1000
COPY_BATCH = 20000
# Students read per query when the roster is loaded.
ROSTER_PAGE = 50000
# Fields whose values repeat across a district: the roster keeps one string
# object per value (the others are mostly unique to a student), past its
# first SHARE_FROM students.  Sharing costs about 4 s of a million students'
# 8 s of loading and saves 500 MB; below 200,000 students the memory is
# small and the time is not.
SHARE_FROM = 200000
SHARED_FIELDS = frozenset(
    {
        "first_name",
        "middle_name",
        "last_name",
        "birthdate",
        "gender",
        "grade",
        "homeroom",
        "school_code",
        "eligibility",
        "city",
        "zip",
    }
)


class StudentImportRun(models.Model):
    _name = "student.import.run"
    _description = "Student Import Run"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False, default="/")
    importer_id = fields.Many2one(
        "student.importer",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("review", "Review"),
            ("done", "Applied"),
            ("cancelled", "Cancelled"),
            ("failed", "Failed"),
            ("reverted", "Reverted"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    trigger = fields.Selection(
        [("manual", "Manual"), ("scheduled", "Scheduled")], default="manual", readonly=True
    )
    attachment_id = fields.Many2one("ir.attachment", string="File", readonly=True)
    file_name = fields.Char(readonly=True)
    file_hash = fields.Char(string="File SHA-256", readonly=True, index=True)
    file_format = fields.Char(readonly=True)
    encoding = fields.Char(readonly=True)
    delimiter = fields.Char(readonly=True)
    date_order = fields.Char(readonly=True)
    columns_used = fields.Text(readonly=True)
    ignored_columns = fields.Char(readonly=True)
    file_notes = fields.Text(
        string="About the File", readonly=True, help="The layout recognised, users not imported."
    )
    rows_count = fields.Integer(string="File Rows", readonly=True)
    existing_count = fields.Integer(string="Active Students", readonly=True)
    count_add = fields.Integer(string="Adds", readonly=True)
    count_update = fields.Integer(string="Updates", readonly=True)
    count_inactivate = fields.Integer(string="Inactivations", readonly=True)
    count_reactivate = fields.Integer(string="Reactivations", readonly=True)
    count_unchanged = fields.Integer(string="Unchanged", readonly=True)
    count_error = fields.Integer(string="Errors", readonly=True)
    count_suspicious = fields.Integer(string="Suspicious", readonly=True)
    pct_add = fields.Float(string="Adds (%)", readonly=True, digits=(5, 1))
    pct_update = fields.Float(string="Updates (%)", readonly=True, digits=(5, 1))
    pct_inactivate = fields.Float(string="Inactivations (%)", readonly=True, digits=(5, 1))
    requires_confirmation = fields.Boolean(readonly=True)
    requires_authorization = fields.Boolean(readonly=True)
    trip_summary = fields.Text(string="Safeguards Reached", readonly=True)
    signal_summary = fields.Text(string="Warnings", readonly=True)
    suspicious_top = fields.Text(string="Most Frequent Suspicious Values", readonly=True)
    change_digest = fields.Char(readonly=True)
    roster_fingerprint = fields.Char(readonly=True)
    line_ids = fields.One2many("student.import.line", "run_id", string="Lines")
    count_excluded = fields.Integer(compute="_compute_count_excluded", string="Excluded")
    count_error_open = fields.Integer(
        compute="_compute_count_excluded", string="Errors Not Excluded"
    )
    applied_by_id = fields.Many2one("res.users", readonly=True)
    applied_date = fields.Datetime(readonly=True)
    reverted_by_id = fields.Many2one("res.users", readonly=True)
    reverted_date = fields.Datetime(readonly=True)

    def _compute_count_excluded(self):
        # As superuser, as first_line_ids: the run's lines are the run's company's.
        Line = self.env["student.import.line"].sudo()
        excluded = dict(
            Line._read_group(
                [("run_id", "in", self.ids), ("excluded", "=", True)], ["run_id"], ["__count"]
            )
        )
        open_errors = dict(
            Line._read_group(
                [
                    ("run_id", "in", self.ids),
                    ("excluded", "=", False),
                    ("change_type", "=", "error"),
                ],
                ["run_id"],
                ["__count"],
            )
        )
        for run in self:
            run.count_excluded = excluded.get(run, 0)
            run.count_error_open = open_errors.get(run, 0)

    # CRUD

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Import runs are created by Run Now only."))
        # No name yet: _take_number() draws it once the preview succeeded, so
        # that a failed preview never consumes a run number.
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and PROTECTED_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "The state and results of an import run change only through its "
                    "own actions (Apply, Cancel, Revert)."
                )
            )
        return super().write(vals)

    def _take_number(self):
        """Give the run its number from the sequence: the preview's last step.

        The sequence is PostgreSQL's (nextval survives a rollback): drawn
        earlier, every preview failing after it would leave a gap.
        """
        for run in self.filtered(lambda run: run.name == "/"):
            run.sudo().name = self.env["ir.sequence"].next_by_code("student.import.run") or "/"

    def unlink(self):
        if any(run.state in ("done", "reverted") for run in self):
            raise UserError(
                self.env._("Applied and reverted runs are the roster's history: keep them.")
            )
        self.check_access("unlink")
        self._delete_lines()
        return super().unlink()

    # Chatter

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        """Staff without an e-mail address post on runs too.

        Odoo refuses them ("Unable to send message, please configure the
        sender's email address."), and many school staff accounts have no
        address.  Their messages stay signed by them; e-mails that follow
        them go out from the company's sending address instead.
        """
        author_id, email_from = super()._message_compute_author(
            author_id, email_from, raise_on_email=False
        )
        if not email_from:
            author = self.env["res.partner"].browse(author_id) or self.env.user.partner_id
            address = (
                self.env["ir.mail_server"]._get_default_from_address()
                or self.env.company.email
                or self.env.company.catchall_email
            )
            email_from = formataddr((author.sudo().name or "", address)) if address else False
        return author_id, email_from

    def _attach_file(self, data, filename):
        """The run's file as an attachment of the run, kept out of attachment search.

        Odoo would copy a text file's content into ``index_content``: a
        second copy of a 150 MB export in the database, and every PIN
        searchable (``models/ir_attachment.py``).
        """
        self.ensure_one()
        return (
            self.env["ir.attachment"]
            .with_context(student_import_file=True)
            .create(
                {
                    "name": filename or "upload",
                    "raw": data,
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )

    # Reading the roster

    @api.model
    def _load_roster(self, company, remember=False, student_ids=None):
        """Return an :class:`engine.Roster` of ``company``'s students, archived too.

        SQL rather than the ORM, which would build a million records to read
        what a cursor streams in seconds: ``ROSTER_PAGE`` students at a time,
        so that a million rows never sit in the client's cursor and in the
        roster at once (a cron worker's memory limit is 2.5 GB).  PostgreSQL
        gives every value as text, blanks as ``""``.  Values that repeat
        across a district (dates, grades, first names, schools) are kept as
        one string object each, past the first ``SHARE_FROM`` students.
        Each page goes to the engine as columns (``Roster.add_stored``), which
        checks that the stored values are normal: a file's cells equal to
        them then need no normaliser, and a student with a value typed
        otherwise (two spaces, an upper-case e-mail) has all of its cells
        normalised.  A student found normal before, whose row (and its
        school's) has not changed since (table ``student_import_normal``),
        is not checked again; with ``remember`` (a preview, an Apply), the students
        found normal now are remembered for the next one.  Pending ORM
        writes are flushed first.  Students staged by an Apply job that has
        not switched yet are not part of the roster.  ``student_ids``: only
        those students (see ``_roster_query``).
        """
        self.env["school.student"].flush_model()
        self.env["school.site"].flush_model(["code"])
        roster = engine.Roster()
        # A million tuples are allocated here and none refers back to
        # another: the cyclic garbage collector would only scan them again and
        # again (as engine.preview, which holds it too).
        with collector_paused():
            self._load_roster_pages(company, roster, remember, student_ids)
        return roster

    @api.model
    def _roster_query(self, company, student_ids=None):
        """The roster's students: id, active, the values of engine.FIELDS, known.

        ``known``: the student was found normal at the row versions it has now.
        ``student_ids``: those students instead of the roster, staged ones
        too, all taken as not known (Apply's ``_remember_written``: it has
        just given each of them a new row version).  The query then joins
        no table whose statistics the transaction may have outdated (its
        Apply has just added the students): the students are picked by
        their primary key, the schools are a few hundred rows.
        """
        values = SQL(", ").join(
            SQL("coalesce(to_char(s.birthdate, 'YYYY-MM-DD'), '')")
            if name == "birthdate"
            else SQL("coalesce(site.code, '')")
            if name == "school_code"
            else SQL("coalesce(s.%s, '')", SQL.identifier(name))
            for name in engine.FIELDS
        )
        if student_ids is not None:
            return SQL(
                """SELECT s.id, s.active, %s, false
                     FROM school_student s
                LEFT JOIN school_site site ON site.id = s.school_id
                    WHERE s.company_id = %s AND s.id = ANY(%s::integer[])""",
                values,
                company.id,
                list(student_ids),
            )
        return SQL(
            """SELECT s.id, s.active, %s,
                      coalesce(normal.student_xmin = s.xmin AND normal.student_ctid = s.ctid
                               AND normal.site_xmin IS NOT DISTINCT FROM site.xmin
                               AND normal.site_ctid IS NOT DISTINCT FROM site.ctid, false)
                 FROM school_student s
            LEFT JOIN school_site site ON site.id = s.school_id
            LEFT JOIN student_import_normal normal ON normal.student_id = s.id
                WHERE s.company_id = %s AND s.import_stage_run_id IS NULL""",
            values,
            company.id,
        )

    def _load_roster_pages(self, company, roster, remember, student_ids=None):
        """Add ``company``'s students (or ``student_ids``, see ``_roster_query``)
        to ``roster``, a page at a time.

        One query, read through a cursor of the server (``DECLARE``), so
        that PostgreSQL plans and scans once and the worker holds one page.
        """
        cr = self.env.cr
        shared = [{} if name in SHARED_FIELDS else None for name in engine.FIELDS]
        cr.execute(
            SQL(
                "DECLARE school_student_import_roster NO SCROLL CURSOR FOR %s",
                self._roster_query(company, student_ids),
            )
        )
        remember = remember and self._may_remember(company)
        found_ids = []
        while True:
            cr.execute(SQL("FETCH FORWARD %s FROM school_student_import_roster", ROSTER_PAGE))
            rows = cr.fetchall()
            if not rows:
                break
            ids, actives, *values, known = zip(*rows, strict=True)
            del rows
            if len(roster) >= SHARE_FROM:
                # map() over a column: one C call per value, no Python frame.
                values = [
                    column if cache is None else list(map(cache.setdefault, column, column))
                    for cache, column in zip(shared, values, strict=True)
                ]
            found = roster.add_stored(ids, actives, values, known)
            if remember:
                found_ids.extend(map(ids.__getitem__, found))
            if len(ids) < ROSTER_PAGE:
                break
        # Not in a finally: after an error, the rollback of the transaction
        # (or of the job step's savepoint) closes the cursor.
        cr.execute("CLOSE school_student_import_roster")
        # Written once the cursor is closed: its plan was made for the table
        # as it was, and a nested loop that scans a table growing under it
        # is quadratic (34 s instead of 3 for 100,000 students, when the
        # statistics of school_student were older than its rows).  The row
        # versions are the ones just read: the transaction's snapshot.
        for page in split_every(ROSTER_PAGE, found_ids, list):
            cr.execute(
                SQL(
                    """INSERT INTO student_import_normal
                              (student_id, student_xmin, student_ctid, site_xmin, site_ctid)
                       SELECT s.id, s.xmin, s.ctid, site.xmin, site.ctid
                         FROM school_student s
                    LEFT JOIN school_site site ON site.id = s.school_id
                        WHERE s.id = ANY(%s::integer[])
                  ON CONFLICT (student_id) DO UPDATE
                          SET student_xmin = EXCLUDED.student_xmin,
                              student_ctid = EXCLUDED.student_ctid,
                              site_xmin = EXCLUDED.site_xmin,
                              site_ctid = EXCLUDED.site_ctid""",
                    page,
                )
            )

    @api.model
    def _may_remember(self, company):
        """Whether this transaction may write ``company``'s students found normal.

        Two previews of one district at once would write the same students:
        the second would wait for the first to end (a million students' job,
        minutes).  Only the first writes; the other checks again next time.
        """
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext('student_import_normal'), %s)",
            [company.id],
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _roster_fingerprint(self, company):
        """A digest of ``company``'s roster as the engine sees it.

        It changes whenever a student is created, edited, archived or
        deleted, or a school's code changes.  Content rather than
        ``write_date``: two edits in one transaction share one timestamp.
        PostgreSQL sums a 64-bit hash per student, so nothing is transferred;
        ``hash_record_extended`` hashes each column's value as it is, half
        the time of hashing the row's text (a million students: 3 s of a
        server's CPU instead of 6); PostgreSQL 12 and 13, which lack it, hash
        the text.  The formula is the fingerprint's prefix: a run previewed
        under another one no longer matches, and Apply asks for a new preview.
        """
        self.env["school.student"].flush_model()
        self.env["school.site"].flush_model(["code"])
        row = SQL(
            """ROW(s.id, s.active, s.student_number, s.first_name, s.middle_name,
                   s.last_name, s.birthdate, s.gender, s.grade, s.homeroom, site.code,
                   s.eligibility, s.pin, s.email, s.guardian_name, s.guardian_phone,
                   s.guardian_email, s.street, s.city, s.zip)"""
        )
        if self.env.cr.connection.server_version >= 140000:
            formula, digest = "r2", SQL("hash_record_extended(%s, 0)", row)
        else:
            formula, digest = "t1", SQL("hashtextextended(%s::text, 0)", row)
        self.env.cr.execute(
            SQL(
                """SELECT count(*), coalesce(sum(%s::numeric), 0)::text
                     FROM school_student s
                LEFT JOIN school_site site ON site.id = s.school_id
                    WHERE s.company_id = %s AND s.import_stage_run_id IS NULL""",
                digest,
                company.id,
            )
        )
        count, total = self.env.cr.fetchone()
        return f"{formula}:{count}:{total}"

    # Turning a preview into records

    @api.model
    def _create_from_preview(self, importer, result, data, filename, trigger):
        """The run of an engine preview, in review, with its lines.

        Entry point of Run Now, also called by the background jobs: keep its
        name and signature.
        """
        run = self.sudo().create(
            {
                "importer_id": importer.id,
                "company_id": importer.company_id.id,
                "state": "review",
                "trigger": trigger,
                "file_name": filename,
                "file_hash": hashlib.sha256(data).hexdigest(),
                **self._preview_values(importer.company_id, result),
            }
        )
        run.sudo().attachment_id = run._attach_file(data, filename)
        run._insert_lines(result.lines)
        run._take_number()
        run = run.with_env(self.env)
        run.message_post(body=run._summary_text())
        return run

    @api.model
    def _preview_values(self, company, result):
        """The run's fields that a preview sets (also on Preview Again)."""
        counts = result.counts
        return {
            "file_format": result.file_format,
            "encoding": result.encoding or "",
            "delimiter": {"\t": "tab"}.get(result.delimiter, result.delimiter or ""),
            "date_order": result.date_order,
            "columns_used": "\n".join(
                f"{header} → {engine.LABELS[name]}" for header, name in result.columns.items()
            ),
            "ignored_columns": ", ".join(result.ignored_columns),
            "file_notes": "\n".join(result.notes),
            "rows_count": result.rows,
            "existing_count": result.existing,
            "count_add": counts["add"],
            "count_update": counts["update"],
            "count_inactivate": counts["inactivate"],
            "count_reactivate": counts["reactivate"],
            "count_unchanged": counts["unchanged"],
            "count_error": counts["error"],
            "count_suspicious": result.suspicious,
            "pct_add": result.percentages["add"],
            "pct_update": result.percentages["update"],
            "pct_inactivate": result.percentages["inactivate"],
            "requires_confirmation": result.requires_confirmation,
            "requires_authorization": result.requires_authorization,
            "trip_summary": "\n".join(
                f"{trip.rule.capitalize()}: {trip.message}" for trip in result.trips
            ),
            "signal_summary": "\n".join(signal.message for signal in result.signals),
            "suspicious_top": "\n".join(text for _count, text in result.suspicious_top),
            "change_digest": result.digest,
            "roster_fingerprint": self._roster_fingerprint(company),
        }

    def _insert_lines(self, lines, first_sequence=0):
        """Write the preview's lines and field changes with PostgreSQL's COPY.

        ``first_sequence`` is the position of ``lines[0]`` in the preview, when
        a background job stores it in slices.

        A first import holds 100,000 lines of adds: created through the ORM
        that is minutes of Python, and even INSERT ... VALUES spends most of
        its time quoting values.  An add keeps its values on its line (one
        ``jsonb``); only updates and reactivations write field changes.  Line
        ids are drawn from the table's sequence first, so that the changes
        can refer to them in the same COPY.  The models' caches are
        invalidated afterwards.
        """
        self.ensure_one()
        cr = self.env.cr
        company, labels, add = self.company_id.id, engine.LABELS, engine.ChangeType.ADD
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        line_columns = (
            "id, run_id, company_id, sequence, change_type, student_id, student_number, name, "
            "row_number, summary, changed_fields, suspicious, suspicious_reasons, error, "
            "excluded, add_values, add_suspicious"
        )
        change_columns = (
            "line_id, sequence, field_name, old_value, new_value, suspicious, suspicious_reason"
        )
        for start in range(0, len(lines), COPY_BATCH):
            batch = lines[start : start + COPY_BATCH]
            cr.execute(
                SQL(
                    "SELECT nextval('student_import_line_id_seq') FROM generate_series(1, %s)",
                    len(batch),
                )
            )
            ids = [row[0] for row in cr.fetchall()]
            line_buffer, change_buffer = io.StringIO(), io.StringIO()
            line_rows, change_rows = csv.writer(line_buffer), csv.writer(change_buffer)
            for offset, (line_id, line) in enumerate(zip(ids, batch, strict=True)):
                summary, changed = self._line_summary(line, labels)
                values = flags = None
                if line.kind is add:
                    values = dumps({change.field: change.new for change in line.changes})
                    flags = {c.field: c.suspicious for c in line.changes if c.suspicious}
                    flags = dumps(flags) if flags else None
                line_rows.writerow(
                    (
                        line_id,
                        self.id,
                        company,
                        first_sequence + start + offset,
                        line.kind.value,
                        line.ref,
                        line.key,
                        line.name,
                        line.row or 0,
                        summary,
                        changed,
                        "t" if line.suspicious else "f",
                        "\n".join(line.suspicious),
                        "\n".join(line.errors),
                        "f",
                        values,
                        flags,
                    )
                )
                if line.kind is add:
                    continue
                for position, change in enumerate(line.changes):
                    change_rows.writerow(
                        (
                            line_id,
                            position,
                            change.field,
                            change.old,
                            change.new,
                            "t" if change.suspicious else "f",
                            change.suspicious,
                        )
                    )
            line_buffer.seek(0)
            change_buffer.seek(0)
            # Empty unquoted CSV fields load as NULL: blank values become NULL.
            cr.copy_expert(
                f"COPY student_import_line ({line_columns}) FROM STDIN WITH (FORMAT csv)",
                line_buffer,
            )
            if change_buffer.getvalue():
                cr.copy_expert(
                    f"COPY student_import_change ({change_columns}) FROM STDIN WITH (FORMAT csv)",
                    change_buffer,
                )
        self.env["student.import.line"].invalidate_model()
        self.env["student.import.change"].invalidate_model()
        self.invalidate_recordset(["line_ids"])

    def _delete_lines(self):
        """Delete the runs' lines and their field changes in two statements.

        Cancel, Preview Again and deleting a run drop a whole preview: through
        the ORM, 100,000 lines are read to mark what depends on them, then
        deleted a thousand ids at a time, each thousand with its look-ups of
        XML ids and attachments that lines never have.  Nothing refers to a
        line but its field changes, which go first, in one statement.  What
        is left is PostgreSQL's own check of each deleted line for field
        changes (the foreign key): most of the second that 100,000 lines take.
        """
        if not self:
            return
        Line, Change = self.env["student.import.line"], self.env["student.import.change"]
        Line.flush_model()
        Change.flush_model()
        self.env.cr.execute(
            SQL(
                """DELETE FROM student_import_change change
                         USING student_import_line line
                         WHERE change.line_id = line.id AND line.run_id IN %s""",
                tuple(self.ids),
            )
        )
        self.env.cr.execute(
            SQL("DELETE FROM student_import_line WHERE run_id IN %s", tuple(self.ids))
        )
        Change.invalidate_model()
        Line.invalidate_model()
        self.invalidate_recordset(["line_ids", "first_line_ids"])

    def _line_summary(self, line, labels):
        """``(summary, changed fields)``: what a reviewer reads in the list."""
        if line.kind is engine.ChangeType.INACTIVATE:
            return self.env._("Not in the file"), ""
        if line.kind is engine.ChangeType.ERROR:
            return (line.errors[0] if line.errors else ""), ""
        changed = ", ".join(labels[change.field] for change in line.changes)
        if line.kind is engine.ChangeType.ADD:
            return changed, changed
        summary = "; ".join(
            f"{labels[change.field]}: {change.old or '∅'} → {change.new or '∅'}"
            for change in line.changes[:4]
        )
        if len(line.changes) > 4:
            summary += self.env._("; and %(n)s more", n=len(line.changes) - 4)
        return summary, changed

    def _summary_text(self):
        self.ensure_one()
        return self.env._(
            "Previewed %(file)s. Adds: %(add)s, updates: %(update)s, inactivations: "
            "%(inactivate)s, reactivations: %(reactivate)s, unchanged: %(unchanged)s, "
            "errors: %(error)s, suspicious: %(suspicious)s.",
            file=self.file_name or "",
            add=self.count_add,
            update=self.count_update,
            inactivate=self.count_inactivate,
            reactivate=self.count_reactivate,
            unchanged=self.count_unchanged,
            error=self.count_error,
            suspicious=self.count_suspicious,
        )

    # Actions

    def _check_user_may_act(self):
        if not self.env.user.has_group("school_student_import.group_student_import_user"):
            raise AccessError(
                self.env._("Only Student Import users may apply, cancel or revert imports.")
            )
        self.check_access("write")

    def action_apply(self):
        """Write every previewed change in this transaction, all or nothing.

        Entry point also called by the background jobs: keep its name and
        signature (as those of ``action_revert``, ``_apply`` and ``_revert``).
        """
        self._check_user_may_act()
        for run in self:
            run._apply()
        return True

    def action_cancel(self):
        """Discard the preview: its lines go, the run stays as a record."""
        self._check_user_may_act()
        for run in self:
            if run.state not in ("draft", "review"):
                raise UserError(
                    self.env._(
                        "%(run)s is %(state)s: only a run in review can be cancelled.",
                        run=run.name,
                        state=run._state_label(),
                    )
                )
            run._delete_lines()
            run.sudo().write({"state": "cancelled"})
            run.message_post(body=self.env._("Cancelled: nothing was written."))
        return True

    def action_revert(self):
        """Undo an applied run, unless its students changed since."""
        self._check_user_may_act()
        for run in self:
            run._revert()
        return True

    def action_exclude_errors(self):
        self.ensure_one()
        self._check_user_may_act()
        # The error lines only: a run may hold 100,000 lines.
        self.env["student.import.line"].search(
            [("run_id", "=", self.id), ("change_type", "=", "error")]
        ).write({"excluded": True})
        return True

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "school_student_import.student_import_line_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {"default_run_id": self.id, "search_default_run_id": self.id}
        action["display_name"] = self.env._("Changes of %(run)s", run=self.name)
        return action

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]
