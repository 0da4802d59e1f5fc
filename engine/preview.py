"""One call from file bytes to a judged change set: what Run Now shows."""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from .checks import Signal, flag_lines, signals, top_reasons
from .diff import ChangeType, CompareOptions, compare
from .errors import MappingError
from .fields import DEFAULT_REQUIRED, FIELDS, KEY
from .gcpause import collector_paused
from .limits import Limits, short_name
from .mapping import listed, match_columns
from .normalize import Normaliser, transform
from .oneroster import BundleTable
from .policy import Thresholds, evaluate
from .readers import read_table


@dataclass
class PreviewOptions:
    """Everything an importer configures for one preview."""

    mapping: dict | None = None
    required: frozenset = DEFAULT_REQUIRED
    inactivate_missing: bool = True
    scope: str = "all"
    known_school_codes: frozenset | None = None
    date_order: str = "auto"
    thresholds: Thresholds = field(default_factory=Thresholds)
    today: date | None = None
    file_format: str = "auto"
    encoding: str = "auto"
    delimiter: str = "auto"
    header_row: int = 1
    sheet: str | None = None
    limits: Limits = field(default_factory=Limits)


@dataclass
class Preview:
    """A judged change set, ready to be shown and, later, applied."""

    filename: str
    file_format: str
    encoding: str | None
    delimiter: str | None
    date_order: str
    columns: dict
    ignored_columns: list
    rows: int
    existing: int
    counts: dict
    percentages: dict
    trips: list
    lines: list
    suspicious: int
    signals: list
    digest: str
    layout: str = ""
    notes: list = field(default_factory=list)
    # The most frequent suspicious reasons: [(count, "45 last names look like ...")]
    suspicious_top: list = field(default_factory=list)

    @property
    def requires_confirmation(self):
        """True when a warning threshold is reached."""
        return any(trip.rule == "warning" for trip in self.trips)

    @property
    def requires_authorization(self):
        """True when the authorization threshold is reached."""
        return any(trip.rule == "authorization" for trip in self.trips)

    def as_dict(self, lines=False):
        """Plain-data form: the JSON of ``python -m engine preview --json``."""
        result = {
            "file": self.filename,
            "format": self.file_format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "date_order": self.date_order,
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
            "rows": self.rows,
            "existing": self.existing,
            "counts": self.counts,
            "percentages": self.percentages,
            "requires_confirmation": self.requires_confirmation,
            "requires_authorization": self.requires_authorization,
            "trips": [trip.as_dict() for trip in self.trips],
            "suspicious": self.suspicious,
            "signals": [signal.as_dict() for signal in self.signals],
            "suspicious_top": [text for _count, text in self.suspicious_top],
            "digest": self.digest,
            "layout": self.layout,
            "notes": self.notes,
        }
        if lines:
            result["lines"] = [line.as_dict() for line in self.lines]
        return result


def change_set_digest(lines):
    """A SHA-256 of the change set: types, student numbers, fields, old and new values.

    Independent of line order, so that two previews with the same changes
    have the same digest and any other change set has another one.  A
    manual approval code is bound to it.
    """
    digest = hashlib.sha256()
    entries = []
    for line in lines:
        parts = [line.kind.value, line.key, str(line.row or "")]
        for change in line.changes:
            parts.extend((change.field, change.old, change.new))
        entries.append("\x1f".join(parts))
    entries.sort()
    for entry in entries:
        digest.update(entry.encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def _removed_keys(table, column_map):
    """The normalised student numbers of a bundle's ``tobedeleted`` students."""
    column = column_map.column_for(KEY)
    function = Normaliser().for_field(KEY)
    pre = transform(column.transform) or (lambda value: value)
    return frozenset(
        function(pre(cells[column.index])) for cells in table.removed if column.index < len(cells)
    ) - {""}


def _run(roster, table, column_map, options, date_order):
    normaliser = Normaliser(date_order)
    known_schools = options.known_school_codes
    inactivate_only = None
    if isinstance(table, BundleTable):
        if known_schools is None:
            known_schools = table.known_schools
        if table.delta:
            # A delta bundle lists changes only: the students it leaves out
            # are unchanged; only those it marks tobedeleted are missing.
            inactivate_only = _removed_keys(table, column_map)
    compare_options = CompareOptions(
        required=frozenset(options.required) | {"student_number"},
        inactivate_missing=options.inactivate_missing,
        scope=options.scope,
        known_school_codes=known_schools,
        inactivate_only=inactivate_only,
    )
    with collector_paused():
        change_set = compare(roster, table.rows, column_map, normaliser, compare_options)
    return change_set, normaliser.dates


def preview(roster, data, filename, options=None):
    """Read ``data`` (the file's bytes), compare it with ``roster``, judge the result.

    Raises :class:`~engine.errors.FileFormatError` for a file that cannot
    be read and :class:`~engine.errors.MappingError` for one without a
    student number column.  Returns a :class:`Preview`; writes nothing.
    """
    options = options or PreviewOptions()

    def read():
        return read_table(
            data,
            filename,
            file_format=options.file_format,
            encoding=options.encoding,
            delimiter=options.delimiter,
            header_row=options.header_row,
            sheet=options.sheet,
            limits=options.limits,
        )

    table = read()
    try:
        column_map = match_columns(table.headers, options.mapping)
    except MappingError as error:
        raise MappingError(f"{short_name(filename)}: {error}") from None
    unknown_required = [
        name for name in options.required if name in FIELDS and name not in column_map.fields
    ]
    if unknown_required:
        names = ", ".join(sorted(unknown_required))
        raise MappingError(
            f"{short_name(filename)}: no column for the required field(s) {names} "
            f"(file headers: {listed(table.headers)}): add it to the file or to the mapping."
        )
    date_order = options.date_order
    change_set, dates = _run(roster, table, column_map, options, date_order)
    if date_order == "auto" and dates.dmy_seen:
        # The column proved to hold day-first dates (a 25/03 somewhere); read
        # it again with that order, strictly, unless it also proved
        # month-first, in which case month-first stays and the day-first
        # values become row errors.
        date_order = "mdy" if dates.mdy_seen else "dmy"
        table = read()
        change_set, dates = _run(roster, table, column_map, options, date_order)
    today = options.today or date.today()
    notes = []
    if column_map.layout is not None:
        notes.append(f"Columns matched as the {column_map.layout.label} layout.")
    if isinstance(table, BundleTable) and table.ignored_note():
        notes.append(table.ignored_note())
    flagged = flag_lines(change_set.lines, today)
    verdict = evaluate(change_set.existing, change_set.counts, options.thresholds)
    change_set.lines.sort(key=_line_order)
    return Preview(
        filename=filename,
        file_format=table.file_format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        date_order="mdy" if date_order == "auto" else date_order,
        columns={column.header: column.field for column in column_map.columns},
        ignored_columns=column_map.ignored,
        rows=change_set.rows,
        existing=change_set.existing,
        counts=change_set.counts,
        percentages=verdict.percentages,
        trips=verdict.trips,
        lines=change_set.lines,
        suspicious=flagged,
        signals=[
            *(Signal("ambiguous_column", warning) for warning in column_map.warnings),
            *signals(change_set),
        ],
        digest=change_set_digest(change_set.lines),
        layout=column_map.layout.code if column_map.layout is not None else "",
        notes=notes,
        suspicious_top=top_reasons(change_set.lines),
    )


_KIND_ORDER = {
    ChangeType.ERROR: 0,
    ChangeType.ADD: 1,
    ChangeType.REACTIVATE: 2,
    ChangeType.UPDATE: 3,
    ChangeType.INACTIVATE: 4,
}


def _line_order(line):
    return (_KIND_ORDER[line.kind], line.row or 0, line.key)
