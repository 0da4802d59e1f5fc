import base64

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .. import engine

THRESHOLD_FIELDS = ("warn_update_pct", "warn_add_pct", "warn_inactivate_pct", "auth_add_pct")
MANAGER = "school_student_import.group_student_import_manager"
#: The limits' fields, named as the engine names them; 0 (empty) is "not set here".
LIMIT_FIELDS = tuple(engine.LIMITS)
LIMIT_PARAMETER = "school_student_import.%s"


def _limit_field(string, help_text):
    return fields.Integer(
        string=string,
        tracking=True,
        groups=MANAGER,
        help=f"{help_text} Empty (0): the system parameter of the same name, else the "
        "engine's default.",
    )


class StudentImporter(models.Model):
    _name = "student.importer"
    _description = "Student Importer"
    _inherit = ["school.company.mixin", "mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    preset = fields.Selection(
        [(code, preset.label) for code, preset in engine.PRESETS.items()],
        string="Layout",
        help="A known export layout: choosing one fills the column mapping, which stays editable.",
    )
    file_format = fields.Selection(
        [
            ("auto", "Detect"),
            ("csv", "CSV / text"),
            ("xlsx", "Excel (XLSX)"),
            ("xls", "Excel 97 (XLS)"),
            ("oneroster", "OneRoster bundle (ZIP)"),
        ],
        default="auto",
        required=True,
    )
    encoding = fields.Selection(
        [
            ("auto", "Detect"),
            ("utf-8", "UTF-8"),
            ("cp1252", "Windows-1252"),
            ("latin-1", "Latin-1 (ISO-8859-1)"),
        ],
        default="auto",
        required=True,
    )
    delimiter = fields.Selection(
        [("auto", "Detect"), (",", "Comma"), (";", "Semicolon"), ("\t", "Tab"), ("|", "Pipe")],
        default="auto",
        required=True,
    )
    header_row = fields.Integer(default=1, required=True, help="Row of the column headers.")
    sheet_name = fields.Char(help="Workbook sheet to read; the first one when empty.")
    date_order = fields.Selection(
        [
            ("auto", "Detect (month first unless the file proves day first)"),
            ("mdy", "Month/Day/Year"),
            ("dmy", "Day/Month/Year"),
        ],
        default="auto",
        required=True,
    )
    column_ids = fields.One2many(
        "student.importer.column",
        "importer_id",
        string="Column Mapping",
        copy=True,
        help="Leave empty to match the file's headers automatically.",
    )
    inactivate_missing = fields.Boolean(
        default=True,
        tracking=True,
        help="Archive active students that are not in the file.",
    )
    inactivate_scope = fields.Selection(
        [("all", "Whole roster"), ("schools_in_file", "Schools present in the file")],
        default="all",
        required=True,
        tracking=True,
    )
    warn_update_pct = fields.Float(
        string="Warn at updates (%)",
        default=10.0,
        tracking=True,
        groups="school_student_import.group_student_import_manager",
    )
    warn_add_pct = fields.Float(
        string="Warn at adds (%)",
        default=10.0,
        tracking=True,
        groups="school_student_import.group_student_import_manager",
    )
    warn_inactivate_pct = fields.Float(
        string="Warn at inactivations (%)",
        default=10.0,
        tracking=True,
        groups="school_student_import.group_student_import_manager",
    )
    auth_add_pct = fields.Float(
        string="Authorization at adds (%)",
        default=20.0,
        tracking=True,
        groups="school_student_import.group_student_import_manager",
    )
    max_file_mb = _limit_field("Max File Size (MB)", "Size of the file, in MB.")
    max_unpacked_mb = _limit_field(
        "Max Unpacked Size (MB)",
        "Size of an XLSX once unpacked, in MB, read from the file's directory first.",
    )
    max_ratio = _limit_field(
        "Max Compression Ratio",
        "How much one part of an XLSX may unpack (size unpacked / size packed).",
    )
    max_rows = _limit_field("Max Rows", "Rows of the file.")
    max_columns = _limit_field("Max Columns", "Columns of a row.")
    max_cell_chars = _limit_field("Max Value Length", "Characters of one value.")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        string="Sample Files",
        help="Files kept with the importer, which Run Now can use instead of an upload.",
    )
    responsible_ids = fields.Many2many(
        "res.users",
        string="Responsible Users",
        check_company=True,
        domain="[('company_ids', 'in', company_id)]",
        help="Told when a run needs attention.",
    )
    run_ids = fields.One2many("student.import.run", "importer_id", string="Runs")
    run_count = fields.Integer(compute="_compute_run_count")

    def _compute_run_count(self):
        counts = dict(
            self.env["student.import.run"]._read_group(
                [("importer_id", "in", self.ids)], ["importer_id"], ["__count"]
            )
        )
        for importer in self:
            importer.run_count = counts.get(importer, 0)

    @api.model
    def _preset_column_commands(self, code):
        """The mapping lines of preset ``code``, as commands that replace the current ones."""
        preset = engine.PRESETS[code]
        return [Command.clear()] + [
            Command.create(
                {
                    "sequence": 10 * (position + 1),
                    "column_name": header,
                    "field_name": field_name,
                    "transform": transform,
                    "required": field_name in engine.DEFAULT_REQUIRED,
                }
            )
            for position, (header, field_name, transform) in enumerate(preset.columns)
        ]

    @api.constrains(*THRESHOLD_FIELDS)
    def _check_thresholds(self):
        for importer in self.sudo():
            try:
                importer._thresholds()
            except ValueError as error:
                raise ValidationError(
                    self.env._("Thresholds of %(name)s: %(error)s", name=importer.name, error=error)
                ) from None

    @api.constrains(*LIMIT_FIELDS)
    def _check_limits(self):
        for importer in self.sudo():
            if any(importer[name] < 0 for name in LIMIT_FIELDS):
                raise ValidationError(
                    self.env._("A limit is a positive number, or empty for the default.")
                )

    @api.constrains("header_row")
    def _check_header_row(self):
        if any(importer.header_row < 1 for importer in self):
            raise ValidationError(self.env._("The header row is counted from 1."))

    @api.onchange("preset")
    def _onchange_preset(self):
        if self.preset:
            self.column_ids = self._preset_column_commands(self.preset)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("preset") and not vals.get("column_ids"):
                vals["column_ids"] = self._preset_column_commands(vals["preset"])
        return super().create(vals_list)

    def _thresholds(self):
        # Thresholds are manager-only fields: read them as superuser so that
        # staff previews still obey them.
        importer = self.sudo()
        return engine.Thresholds(
            warn_update=importer.warn_update_pct,
            warn_add=importer.warn_add_pct,
            warn_inactivate=importer.warn_inactivate_pct,
            auth_add=importer.auth_add_pct,
        )

    @api.model
    def _parameter_limits(self):
        """``{name: (value, where)}`` of the limits set by system parameters."""
        found = {}
        parameters = self.env["ir.config_parameter"].sudo()
        for name in LIMIT_FIELDS:
            key = LIMIT_PARAMETER % name
            raw = (parameters.get_param(key) or "").strip()
            try:
                value = int(raw) if raw else 0
            except ValueError:
                value = 0
            if value > 0:
                found[name] = (value, f"system parameter {key}")
        return found

    def _limits(self):
        """The :class:`engine.Limits` of this importer (or the defaults when called on none).

        A limit set on the importer wins; then the system parameter
        ``school_student_import.<name>``; then the engine's default.  Each
        refusal says which one applied.
        """
        importer = self.sudo()[:1]
        values, origin = {}, {}
        parameters = self._parameter_limits()
        for name in LIMIT_FIELDS:
            own = importer[name] if importer else 0
            if own and own > 0:
                label = importer._fields[name].string
                values[name], origin[name] = own, f"{label} on the importer"
            elif name in parameters:
                values[name], origin[name] = parameters[name]
            else:
                origin[name] = f"{name}, the default; the importer's Limits change it"
        return engine.Limits(**values, origin=origin)

    def _mapping(self):
        """The mapping lines as the engine takes them; ``None`` for automatic matching."""
        self.ensure_one()
        return {
            column.column_name: {"field": column.field_name, "transform": column.transform}
            for column in self.column_ids
        } or None

    def _required_fields(self):
        self.ensure_one()
        if not self.column_ids:
            return set(engine.DEFAULT_REQUIRED)
        return {engine.KEY} | {c.field_name for c in self.column_ids if c.required}

    def _read_options(self):
        self.ensure_one()
        return {
            "file_format": self.file_format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_row": self.header_row,
            "sheet": self.sheet_name or None,
            "limits": self._limits(),
        }

    def _sample_columns(self, data, filename):
        """A sample file's columns, read with this importer's settings and mapping."""
        self.ensure_one()
        try:
            return engine.sample_columns(data, filename, self._mapping(), **self._read_options())
        except engine.EngineError as error:
            raise UserError(str(error)) from None

    def _preview_options(self):
        self.ensure_one()
        mapping = self._mapping()
        required = self._required_fields()
        schools = (
            self.env["school.site"]
            .sudo()
            .with_context(active_test=False)
            .search([("company_id", "=", self.company_id.id)])
        )
        return engine.PreviewOptions(
            mapping=mapping,
            required=frozenset(required),
            inactivate_missing=self.inactivate_missing,
            scope=self.inactivate_scope,
            known_school_codes=frozenset(schools.mapped("code")),
            date_order=self.date_order,
            thresholds=self._thresholds(),
            today=fields.Date.context_today(self),
            **self._read_options(),
        )

    @api.returns("student.import.run", lambda run: run.id)
    def run_import(self, data, filename, trigger="manual"):
        """Preview ``data`` (the file's bytes) against the roster; return the run.

        Nothing is written to students: the run, in state ``review``, holds
        one line per student that would change.  A file that cannot be read,
        passes one of the importer's limits, or lacks the key column, raises
        ``UserError`` and leaves nothing behind: no run, no attachment, no
        run number.  ``data`` may also be base64 text, as external RPC sends it.
        Every path that previews a file (Run Now, kept files, RPC, the
        scheduler) comes through here or :meth:`_engine_preview`.
        A file of more rows than the job threshold (system parameter
        ``school_student_import.job_threshold_rows``, default 5,000) is
        previewed in the background: the run is returned ``queued``.
        """
        self.ensure_one()
        self.check_access("read")
        self.env["student.import.run"].check_access("create")
        name = engine.short_name(filename or "The file")
        if isinstance(data, str):
            # Refused before it is decoded: base64 is 4 characters per 3 bytes.
            self._check_size(len(data) * 3 // 4, name)
            try:
                data = base64.b64decode(data, validate=True)
            except ValueError:
                raise UserError(self.env._("The file must be sent as bytes or base64.")) from None
        if not data:
            raise UserError(self._empty_message(name))
        self._check_size(len(data), name)
        if data[:2] == b"PK":
            # A workbook or bundle is judged by its ZIP directory before
            # anything (even the row estimate that picks the job) inflates it.
            try:
                engine.check_archive(data, self._limits(), name, kind="a workbook").close()
            except engine.EngineError as error:
                raise UserError(str(error)) from None
        return self._run_import_job(data, filename, trigger)

    def _run_import_job(self, data, filename, trigger="manual"):
        """Preview ``data`` (bytes) now when small, or queue it; return the run.

        The entry point for callers that already hold the file's bytes (the
        scheduler of folder importers).  Refused while another job of this
        importer is under way.
        """
        self.ensure_one()
        return self.env["student.import.run"]._start_preview(self, data, filename, trigger)

    def _empty_message(self, name):
        return self.env._(
            "%(file)s is empty: check that the export finished, then choose the file again.",
            file=name,
        )

    def _check_size(self, size, name):
        """Refuse a file over the size limit before anything else is done with it."""
        try:
            self._limits().check_file_size(size, name)
        except engine.EngineError as error:
            raise UserError(str(error)) from None

    def _engine_preview(self, data, filename):
        """Compare ``data`` with the company's roster through the engine, within the limits."""
        self.ensure_one()
        # The file is judged before the roster is loaded: a refused file costs
        # nothing but its own check.
        self._check_size(len(data), engine.short_name(filename or "upload.csv"))
        roster = self.env["student.import.run"]._load_roster(self.company_id, remember=True)
        try:
            return engine.preview(roster, data, filename or "upload.csv", self._preview_options())
        except engine.EngineError as error:
            raise UserError(str(error)) from None

    def _try_lock(self):
        """Take this importer's job lock for the current transaction.

        Return False at once when another transaction (another worker, another
        server on the same database) holds it.  One importer runs one job at
        a time: Run Now, Apply and the scheduler all take this lock first.  A
        PostgreSQL advisory lock, not a row lock, so that an administrator can
        still edit the importer while a job runs; it is released when the
        transaction ends, committed or rolled back.
        """
        self.ensure_one()
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext('student.importer'), %s)", [self.id]
        )
        return self.env.cr.fetchone()[0]

    def action_run_now(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Run %(name)s", name=self.name),
            "res_model": "student.import.upload",
            "view_mode": "form",
            "target": "new",
            "context": {"default_importer_id": self.id},
        }

    def action_open_mapping(self):
        """Open the mapping assistant: a sample file's columns, to check and change."""
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Column Mapping of %(name)s", name=self.name),
            "res_model": "student.importer.mapping",
            "view_mode": "form",
            "target": "new",
            "context": {"default_importer_id": self.id, "dialog_size": "extra-large"},
        }

    def action_view_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "school_student_import.student_import_run_action"
        )
        action["domain"] = [("importer_id", "=", self.id)]
        action["context"] = {"default_importer_id": self.id}
        return action

    def action_run_now_several(self):
        """Run each importer on its newest kept file; say per importer what was refused."""
        done, refused = [], []
        for importer in self:
            attachment = importer.attachment_ids.sorted(lambda a: (a.create_date, a.id))[-1:]
            if not attachment:
                refused.append(
                    self.env._("%(name)s: no kept file to run.", name=importer.display_name)
                )
                continue
            try:
                with self.env.cr.savepoint():
                    run = importer.run_import(attachment.raw, attachment.name)
                done.append(f"{importer.display_name} ({run.name})")
            except (UserError, AccessError) as error:
                refused.append(f"{importer.display_name}: {error.args[0]}")
        return self.env["student.import.run"]._several_notification(
            self.env._("Run Now"), done, refused
        )
