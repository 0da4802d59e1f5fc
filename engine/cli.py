"""``python -m engine preview``: preview a SIS export against a roster, offline."""

import argparse
import csv
import json
import sys
from operator import itemgetter
from pathlib import Path

from .errors import EngineError
from .fields import FIELDS
from .gcpause import collect_young, collector_paused
from .limits import LIMITS, Limits
from .mapping import match_columns
from .policy import Thresholds
from .preview import PreviewOptions, preview
from .readers import read_table
from .roster import Roster

_TRUE = frozenset({"1", "true", "t", "yes", "y", "active"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "inactive", ""})
# Roster students normalised a column at a time, this many at once: few
# enough that the batch's values (about 250 KB) are still in the processor's
# cache when their columns are normalised and zipped back (4,096 at a time,
# 4 MB, took a fifth longer to load a 200,000-student roster).
_BATCH = 256


def load_roster(path):
    """Read ``roster.csv`` (canonical field names plus ``active``) into a :class:`Roster`."""
    table = read_table(_read_bytes(path), Path(path).name, allow_empty=True)
    column_map = match_columns(table.headers)
    active_index = next(
        (i for i, header in enumerate(table.headers) if header.strip().lower() == "active"),
        None,
    )
    roster = Roster()
    positions = {column.field: column.index for column in column_map.columns}
    width = max([*positions.values(), -1 if active_index is None else active_index]) + 1
    # One C call picks a row's values in FIELDS order; a field the file lacks
    # reads the "" appended past the row's last column.
    pick = itemgetter(*(positions.get(name, width) for name in FIELDS))
    with collector_paused():
        _add_rows(roster, path, table.rows, pick, width, active_index)
    return roster


def _add_rows(roster, path, table_rows, pick, width, active_index):
    batch, actives, rows = [], [], []
    for row, cells in table_rows:
        if len(cells) != width or type(cells) is not list:
            # Short rows, columns past the last one read, workbook tuples.
            cells = list(cells[:width])
            cells.extend([""] * (width - len(cells)))
        cells.append("")
        active = True
        if active_index is not None:
            flag = cells[active_index]
            if flag == "1":
                active = True
            elif flag == "0":
                active = False
            else:
                active = _active_flag(path, row, flag)
        batch.append(pick(cells))
        actives.append(active)
        rows.append(row)
        if len(batch) == _BATCH:
            _add_batch(roster, path, batch, actives, rows)
            batch, actives, rows = [], [], []
            collect_young()
    _add_batch(roster, path, batch, actives, rows)


def _active_flag(path, row, flag):
    flag = flag.strip().lower()
    if flag in _TRUE:
        return True
    if flag in _FALSE:
        return False
    raise EngineError(f"{Path(path).name}: row {row}, column 'active': {flag!r} is not 1 or 0.")


def _add_batch(roster, path, batch, actives, rows):
    if not batch:
        return
    try:
        roster.add_many(batch, actives)
    except EngineError as error:
        row = rows[getattr(error, "offset", 0)]
        raise EngineError(f"{Path(path).name}: row {row}: {error}") from None


def _read_bytes(path, limits=None):
    try:
        if limits is not None:
            # Refused before it is read: a file of gigabytes never enters memory.
            limits.check_file_size(Path(path).stat().st_size, Path(path).name)
        return Path(path).read_bytes()
    except OSError as error:
        raise EngineError(f"Cannot read {path}: {error.strerror or error}.") from None


def _load_mapping(path):
    try:
        mapping = json.loads(_read_bytes(path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EngineError(f"{path} is not a JSON mapping: {error}.") from None
    if not isinstance(mapping, dict):
        raise EngineError(f"{path} must hold an object: file column -> student field.")
    return mapping


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m engine",
        description="Preview a student file against a roster, writing nothing.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("preview", help="compare a SIS export with a roster")
    run.add_argument("--existing", required=True, help="roster CSV (canonical names + active)")
    run.add_argument(
        "--incoming",
        required=True,
        help="the SIS export (CSV, XLSX, XLS) or a OneRoster bundle (.zip)",
    )
    run.add_argument("--mapping", help="JSON object: file column -> student field")
    run.add_argument("--warn-pct", type=float, default=10.0, help="warning threshold (%%)")
    run.add_argument("--auth-pct", type=float, default=20.0, help="authorization threshold (%%)")
    run.add_argument("--keep-missing", action="store_true", help="do not inactivate missing")
    run.add_argument(
        "--date-order", choices=("auto", "mdy", "dmy"), default="auto", help="slashed dates"
    )
    for name, (what, unit, option) in LIMITS.items():
        run.add_argument(
            option,
            dest=name,
            type=int,
            metavar="N",
            help=f"limit: {what} ({unit}; default {getattr(Limits(), name):,})",
        )
    run.add_argument("--json", action="store_true", help="print JSON")
    run.add_argument("--lines", action="store_true", help="include the lines")
    return parser


def _print_text(result, show_lines):
    out = sys.stdout.write
    out(f"{result.filename}: {result.rows} rows, {result.existing} active students\n")
    for note in result.notes:
        out(f"  note: {note}\n")
    for kind in ("add", "update", "inactivate", "reactivate", "unchanged", "error"):
        out(f"  {kind:<11} {result.counts[kind]:>8}\n")
    pct = result.percentages
    out(
        f"  adds {pct['add']:.2f}%  updates {pct['update']:.2f}%  "
        f"inactivations {pct['inactivate']:.2f}%\n"
    )
    for trip in result.trips:
        out(f"  {trip.rule.upper()}: {trip.message}\n")
    if not result.trips:
        out("  No safeguard reached.\n")
    out(f"  suspicious lines: {result.suspicious}\n")
    for signal in result.signals:
        out(f"  signal: {signal.message}\n")
    if show_lines:
        for line in result.lines:
            where = f"row {line.row}" if line.row else "not in file"
            out(f"{line.kind.value:<11} {line.key:<12} {where:<12} {line.name}\n")
            for change in line.changes:
                flag = f"  [!] {change.suspicious}" if change.suspicious else ""
                out(f"    {change.field}: {change.old!r} -> {change.new!r}{flag}\n")
            for error in line.errors:
                out(f"    error: {error}\n")


def main(argv=None):
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        thresholds = Thresholds(
            warn_update=args.warn_pct,
            warn_add=args.warn_pct,
            warn_inactivate=args.warn_pct,
            auth_add=args.auth_pct,
        )
        given = {name: getattr(args, name) for name in LIMITS}
        origin = {
            name: f"{name}, set by {LIMITS[name][2]}" for name, value in given.items() if value
        }
        limits = Limits.from_settings(given, origin)
    except ValueError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    # csv's own limit on a value (131,072 characters by default) must not
    # speak before the engine's, whose message says which limit and where.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_cell_chars + 2))
    try:
        roster = load_roster(args.existing)
        options = PreviewOptions(
            limits=limits,
            mapping=_load_mapping(args.mapping) if args.mapping else None,
            inactivate_missing=not args.keep_missing,
            date_order=args.date_order,
            thresholds=thresholds,
        )
        data = _read_bytes(args.incoming, limits)
        result = preview(roster, data, Path(args.incoming).name, options)
    except EngineError as error:
        sys.stderr.write(f"error: {error}\n")
        return 1
    if args.json:
        json.dump(result.as_dict(lines=args.lines), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_text(result, args.lines)
    return 0


__all__ = ["FIELDS", "load_roster", "main"]
