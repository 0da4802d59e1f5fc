"""The change set: what a file would do to the roster, row by row.

The file is streamed once; the roster is a dict keyed by student number.
Unchanged rows are only counted, so memory grows with the roster and the
number of changes, not with the file.
"""

from array import array
from dataclasses import dataclass, field
from enum import Enum
from itertools import compress
from operator import itemgetter, ne

from .fields import FIELDS, KEY, LABELS
from .normalize import InvalidValue, same_text, transform


class ChangeType(str, Enum):
    """What a line does to one student."""

    ADD = "add"
    UPDATE = "update"
    INACTIVATE = "inactivate"
    REACTIVATE = "reactivate"
    UNCHANGED = "unchanged"
    ERROR = "error"

    def __str__(self):
        return self.value


COUNTED = ("add", "update", "inactivate", "reactivate", "unchanged", "error")

SCOPES = ("all", "schools_in_file")


@dataclass(slots=True)
class FieldChange:
    """One field's change on a line; ``suspicious`` holds the reason, if any."""

    field: str
    old: str
    new: str
    suspicious: str = ""


@dataclass(slots=True)
class Line:
    """One student that would change (or one row that cannot be used)."""

    kind: ChangeType
    key: str
    row: int | None
    name: str
    changes: list[FieldChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    suspicious: list[str] = field(default_factory=list)
    ref: object = None

    def as_dict(self):
        """Plain-data form (for JSON output)."""
        return {
            "type": self.kind.value,
            "student_number": self.key,
            "row": self.row,
            "name": self.name,
            "changes": [
                {"field": c.field, "old": c.old, "new": c.new, "suspicious": c.suspicious}
                for c in self.changes
            ],
            "errors": list(self.errors),
            "suspicious": list(self.suspicious),
        }


@dataclass
class CompareOptions:
    """How to compare a file with the roster."""

    required: frozenset = frozenset({"student_number", "first_name", "last_name"})
    inactivate_missing: bool = True
    scope: str = "all"
    known_school_codes: frozenset | None = None
    #: when set, only these student numbers may be inactivated (a delta export)
    inactivate_only: frozenset | None = None


@dataclass
class ChangeSet:
    """The outcome of :func:`compare`."""

    rows: int
    existing: int
    fields: list[str]
    counts: dict
    lines: list[Line]
    field_counts: dict
    matched: int
    kept: int
    scope_note: str = ""


def display_name(first, last):
    """``"Last, First"`` as the review screen shows a student."""
    if first and last:
        return f"{last}, {first}"
    return last or first


def _plan(column_map, normaliser):
    plan = []
    for column in column_map.columns:
        function = normaliser.for_field(column.field)
        pre = transform(column.transform)
        if pre is not None:
            function = (lambda f, p: lambda value: f(p(value)))(function, pre)
        plan.append((column.index, column.field, column.header, function))
    return plan


def _row_errors(cells, plan, row, required):
    """Slow path for a row that failed: every problem of the row, with its column."""
    values, errors = {}, []
    for index, name, header, function in plan:
        raw = cells[index] if index < len(cells) else ""
        try:
            values[name] = function(raw)
        except InvalidValue as error:
            values[name] = ""
            errors.append(f"Row {row}, column {header!r}: {error}")
            continue
        if name in required and not values[name] and name != KEY:
            errors.append(f"Row {row}, column {header!r}: {LABELS[name]} is required but blank")
    return values, errors


def compare(roster, rows, column_map, normaliser, options=None):  # noqa: C901
    """Compare streamed file ``rows`` with ``roster`` and return a :class:`ChangeSet`.

    ``rows`` yields ``(file row number, cells)``; ``column_map`` says which
    cell feeds which field (only those fields are compared); ``normaliser``
    turns raw cells into canonical values.  The change types are those of
    DESIGN.md: add, update, inactivate, reactivate, unchanged (counted only)
    and error.  A student number that appears twice makes every one of its
    rows an error, and a student with an error row is never inactivated.
    """
    options = options or CompareOptions()
    plan = _plan(column_map, normaliser)
    key_index = next(p for p in plan if p[1] == KEY)
    key_col, key_header, key_fn = key_index[0], key_index[2], key_index[3]
    value_plan = [(index, function) for index, name, _h, function in plan if name != KEY]
    managed = [name for _i, name, _h, _f in plan if name != KEY]
    width = max(index for index, *_rest in plan) + 1
    required_pos = [i for i, name in enumerate(managed) if name in options.required]
    old_of = _tuple_getter([FIELDS.index(name) for name in managed])
    # The hot path.  When the roster holds only values that the normalisers
    # produced or found normal (and so give back unchanged), a cell equal to
    # the stored value is already normal: on a file that mostly repeats the
    # roster, most cells need no normaliser call at all.  A transform could
    # make such a cell something else, so a mapping with transforms
    # normalises every cell; so does a student in roster.untrusted.
    trust_equal = roster.normalised and all(
        transform(column.transform) is None for column in column_map.columns if column.field != KEY
    )
    # Likewise a student number cell equal to a stored (normal) number is
    # that number: found as it is, it needs no normaliser call.
    trust_key = roster.normalised and transform(column_map.column_for(KEY).transform) is None
    cells_of = _tuple_getter([index for index, _f in value_plan])
    functions = [function for _i, function in value_plan]
    slots = range(len(functions))
    # all(required_of(values)): no required value is blank.
    required_of = _tuple_getter(required_pos)

    first_pos = managed.index("first_name") if "first_name" in managed else None
    last_pos = managed.index("last_name") if "last_name" in managed else None
    school_pos = managed.index("school_code") if "school_code" in managed else None
    known_schools = options.known_school_codes
    want_schools = options.inactivate_missing and options.scope == "schools_in_file"
    schools_in_file = set()
    school_known = None
    if known_schools is not None and school_pos is not None:

        def school_known(values):
            return not values[school_pos] or values[school_pos] in known_schools

    index, values, active = roster.index, roster.values, roster.active
    # Students with a stored value that is not normal: every cell normalised.
    untrusted = roster.untrusted
    # The file row of each roster student, 0 until seen: machine integers,
    # not a million int objects.
    seen_row = array("q", bytes(8 * len(values)))
    new_seen = {}
    lines, by_key, duplicates = [], {}, {}
    counts = dict.fromkeys(COUNTED, 0)
    field_counts = dict.fromkeys(managed, 0)
    n_rows = 0

    def roster_name(position):
        student = values[position]
        return display_name(student[1], student[3])

    for row, cells in rows:
        n_rows += 1
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        errors = old = None
        try:
            key = cells[key_col]
            position = index.get(key) if trust_key else None
            if position is None or position in untrusted:
                key = key_fn(key)
                position = index.get(key)
            if trust_equal and position is not None and position not in untrusted:
                old = old_of(values[position])
                picked = cells_of(cells)
                if picked == old:
                    new = old
                else:
                    new = list(old)
                    # Only the cells that differ from the stored values (dates
                    # written otherwise, real changes) go through a normaliser;
                    # map(ne) and compress find them without a Python loop.
                    for at in compress(slots, map(ne, picked, old)):
                        new[at] = functions[at](picked[at])
                    if tuple(new) == old:
                        new = old
                # Most rows of a nightly file: an active student, first seen,
                # unchanged, with every required value and a known school.
                # Counted here; every other row takes the long way below.
                if (
                    new is old
                    and active[position]
                    and not seen_row[position]
                    and all(required_of(new))
                    and (school_known is None or school_known(new))
                ):
                    seen_row[position] = row
                    if want_schools and school_pos is not None:
                        schools_in_file.add(new[school_pos])
                    counts["unchanged"] += 1
                    continue
            else:
                new = [function(cells[i]) for i, function in value_plan]
        except InvalidValue:
            try:
                key = key_fn(cells[key_col])
            except InvalidValue:
                key = ""
            position = index.get(key)
            found, errors = _row_errors(cells, plan, row, options.required)
            new = [found.get(name, "") for name in managed]
        if not key:
            line = Line(ChangeType.ERROR, "", row, "")
            line.errors.append(f"Row {row}, column {key_header!r}: no student number")
            if errors:
                line.errors.extend(errors)
            _name_from(line, new, first_pos, last_pos)
            lines.append(line)
            counts["error"] += 1
            continue
        for at in required_pos:
            if not new[at]:
                if errors is None:
                    errors = _row_errors(cells, plan, row, options.required)[1]
                break
        if known_schools is not None and school_pos is not None:
            school = new[school_pos]
            if school and school not in known_schools:
                header = next(h for _i, n, h, _f in plan if n == "school_code")
                if errors is None:
                    errors = []
                errors.append(f"Row {row}, column {header!r}: unknown school code {school!r}")
        # Duplicate keys: every row of the number becomes an error, the
        # first one too, since nobody can tell which row is right.
        first_row = seen_row[position] if position is not None else new_seen.get(key, 0)
        if first_row:
            duplicates.setdefault(key, first_row)
            line = Line(ChangeType.ERROR, key, row, "", ref=_ref(roster, position))
            line.errors.append(
                f"Row {row}, column {key_header!r}: student number {key!r} "
                f"is also on row {first_row}"
            )
            _name_from(line, new, first_pos, last_pos)
            lines.append(line)
            counts["error"] += 1
            continue
        if position is not None:
            seen_row[position] = row
        else:
            new_seen[key] = row
        if want_schools and school_pos is not None and not errors:
            schools_in_file.add(new[school_pos])
        if errors:
            line = Line(ChangeType.ERROR, key, row, "", errors=errors, ref=_ref(roster, position))
            if position is not None:
                line.name = roster_name(position)
            if not line.name:
                _name_from(line, new, first_pos, last_pos)
            lines.append(line)
            by_key[key] = line
            counts["error"] += 1
            continue
        if position is None:
            line = Line(ChangeType.ADD, key, row, "")
            line.changes = [
                FieldChange(name, "", value)
                for name, value in zip(managed, new, strict=True)
                if value
            ]
            _name_from(line, new, first_pos, last_pos)
            lines.append(line)
            by_key[key] = line
            counts["add"] += 1
            continue
        if old is None:
            old = old_of(values[position])
        is_active = active[position]
        if is_active and (new is old or tuple(new) == old or all(map(same_text, old, new))):
            counts["unchanged"] += 1
            continue
        kind = ChangeType.UPDATE if is_active else ChangeType.REACTIVATE
        line = Line(kind, key, row, "", ref=roster.refs[position])
        for name, before, after in zip(managed, old, new, strict=True):
            if before != after and not same_text(before, after):
                line.changes.append(FieldChange(name, before, after))
                if is_active:
                    field_counts[name] += 1
        # Who the student is now: a reviewer must not read "1288 Walnut Rd,
        # Mateo" as the name of the student whose last name would change.
        line.name = roster_name(position)
        if not line.name:
            _name_from(line, new, first_pos, last_pos)
        lines.append(line)
        by_key[key] = line
        counts[kind.value] += 1

    for key, first_row in duplicates.items():
        line = by_key.get(key)
        if line is not None:
            counts[line.kind.value] -= 1
            if line.kind is ChangeType.UPDATE:
                for change in line.changes:
                    field_counts[change.field] -= 1
            line.kind = ChangeType.ERROR
            line.changes = []
            counts["error"] += 1
        else:
            # The first row was unchanged (not stored): it becomes an error line.
            counts["unchanged"] -= 1
            position = index.get(key)
            line = Line(ChangeType.ERROR, key, first_row, "", ref=_ref(roster, position))
            if position is not None:
                line.name = roster_name(position)
            lines.append(line)
            counts["error"] += 1
        line.errors.insert(
            0,
            f"Row {first_row}, column {key_header!r}: student number {key!r} "
            "appears more than once in the file",
        )

    scope_note = ""
    kept = 0
    if options.inactivate_missing:
        in_scope = None
        if options.scope == "schools_in_file":
            if school_pos is None:
                in_scope = frozenset()
                scope_note = (
                    "Nobody was inactivated: the scope is the schools in the file, "
                    "and the file has no school column."
                )
            else:
                in_scope = schools_in_file
        school_of = FIELDS.index("school_code")
        only = options.inactivate_only
        for position, student in enumerate(values):
            if not active[position] or seen_row[position]:
                continue
            if (in_scope is not None and student[school_of] not in in_scope) or (
                only is not None and student[0] not in only
            ):
                kept += 1
                continue
            lines.append(
                Line(
                    ChangeType.INACTIVATE,
                    student[0],
                    None,
                    display_name(student[1], student[3]),
                    ref=roster.refs[position],
                )
            )
            counts["inactivate"] += 1
    else:
        kept = sum(
            1 for position in range(len(values)) if active[position] and not seen_row[position]
        )
    existing = active.count(1)
    matched = counts["update"] + counts["unchanged"]
    return ChangeSet(
        rows=n_rows,
        existing=existing,
        fields=managed,
        counts=counts,
        lines=lines,
        field_counts=field_counts,
        matched=matched,
        kept=kept,
        scope_note=scope_note,
    )


def _tuple_getter(positions):
    """``itemgetter(*positions)`` that returns a tuple for one position or none, too."""
    if len(positions) > 1:
        return itemgetter(*positions)
    if positions:
        position = positions[0]
        return lambda values: (values[position],)
    return lambda values: ()


def _ref(roster, position):
    return roster.refs[position] if position is not None else None


def _name_from(line, new, first_pos, last_pos):
    first = new[first_pos] if first_pos is not None else ""
    last = new[last_pos] if last_pos is not None else ""
    line.name = display_name(first, last)


def apply_change_set(students, lines, excluded=()):
    """Return the roster that applying ``lines`` to ``students`` gives.

    ``students`` is ``{key: {"active": bool, field: value}}`` (as
    :meth:`Roster.to_dict` returns); the input is not modified.  Error lines
    change nothing, and so do lines whose key is in ``excluded``.  This is
    the reference semantics that the addon's Apply follows.
    """
    result = {key: dict(student) for key, student in students.items()}
    for line in lines:
        if line.kind is ChangeType.ERROR or line.key in excluded:
            continue
        if line.kind is ChangeType.INACTIVATE:
            result[line.key]["active"] = False
            continue
        if line.kind is ChangeType.ADD:
            student = dict.fromkeys(FIELDS, "")
            student[KEY] = line.key
            student["active"] = True
            result[line.key] = student
        student = result[line.key]
        if line.kind is ChangeType.REACTIVATE:
            student["active"] = True
        for change in line.changes:
            student[change.field] = change.new
    return result
