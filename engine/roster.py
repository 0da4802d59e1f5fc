"""The roster: the students already known, as compact normalised tuples."""

from itertools import compress
from operator import itemgetter, not_

from .errors import EngineError
from .fields import FIELDS, KEY
from .normalize import InvalidValue, Normaliser

_KEY_POSITION = FIELDS.index(KEY)
# Distinct normal values remembered per field by add_stored(): as many as a
# normaliser's cache holds.
_KNOWN_LIMIT = 100_000
# A roster file with every field gives records with every key: one C call.
_all_fields = itemgetter(*FIELDS)


class Roster:
    """Students keyed by normalised student number.

    Each student is one tuple of canonical values in :data:`FIELDS` order
    (``""`` where unknown), an active flag and an opaque ``ref`` that the
    caller uses to find the record again (the Odoo id; ``None`` offline).
    Tuples rather than dicts keep a million students within a few hundred
    megabytes.

    :attr:`normalised` is true while every stored value is known to be
    what the engine's own normalisers give back unchanged (they made it, or
    :meth:`add_stored` checked it): then :func:`~engine.diff.compare` may
    take a file cell equal to the stored value as already normal, without
    normalising it.  Values given to :meth:`add_canonical`, and invalid
    values that :meth:`add` keeps as they are, make it false.  The students
    in :attr:`untrusted` (positions in :attr:`values`) hold a value that
    :meth:`add_stored` found not normal: their cells are all normalised.
    """

    __slots__ = (
        "index",
        "values",
        "active",
        "refs",
        "normalised",
        "untrusted",
        "_functions",
        "_columns",
        "_known",
    )

    def __init__(self):
        self.index = {}
        self.values = []
        self.active = bytearray()
        self.refs = []
        self.normalised = True
        self.untrusted = set()
        normaliser = Normaliser(date_order="auto")
        # Looked up once, not per student and field: add() runs a million
        # times.  The normalisers' caches also make equal values (dates,
        # grades, first names, schools) one shared string object.
        self._functions = [normaliser.for_field(name) for name in FIELDS]
        self._columns = [normaliser.for_column(name) for name in FIELDS]
        # Per field whose values repeat (a cached normaliser), the stored
        # values already found normal by add_stored().
        self._known = [set() if normaliser.repeats(name) else None for name in FIELDS]

    def __len__(self):
        return len(self.values)

    @property
    def active_count(self):
        """How many students are active."""
        return self.active.count(1)

    def add_canonical(self, values, active=True, ref=None):
        """Add a student whose ``values`` tuple is already canonical, in FIELDS order.

        The fast path for a caller that stores canonical values (the addon).
        """
        # The caller's values were not seen normalised (a clerk may have
        # typed "Ann  Lee" in the form), so compare() must normalise every cell.
        self.normalised = False
        self._append(values, active, ref)

    def add_stored(self, refs, actives, columns, known=None):
        """Add students given as columns of stored values, one per field of FIELDS.

        The addon's roster, a page of the database at a time.  Each value is
        checked to be what its normaliser gives back, so that
        :func:`~engine.diff.compare` can take the file's equal cells as
        normal (:attr:`normalised` stays true): a column of plain unique
        values (numbers, addresses, e-mails) in a few C calls
        (:meth:`~engine.normalize.Normaliser.for_column`), a column of
        repeated values (names, dates, grades) by its distinct values, each
        checked once per roster.  A student with a value that is not normal
        (typed in a form as "Ann  Lee", an old grade code, a student number
        "s001") goes to :attr:`untrusted`.

        ``known``, one flag per student, says which students' values the
        caller found normal before (as they are now): those are not checked
        again.  Returns the positions in the page of the students checked
        now and found normal, for the caller to remember.
        """
        start, size = len(self.values), len(refs)
        if known is None:
            todo = range(size)
        else:
            todo = list(compress(range(size), map(not_, known)))
        odd = set()
        if todo:
            checked = columns
            if len(todo) < size:
                checked = [list(map(column.__getitem__, todo)) for column in columns]
            for function, column_function, seen, column in zip(
                self._functions, self._columns, self._known, checked, strict=True
            ):
                if seen is None:
                    odd.update(_odd_in_column(function, column_function, column))
                else:
                    odd.update(_odd_in_distinct(function, seen, column))
        if not self._extend(columns, actives, refs):
            for values, active, ref in zip(zip(*columns, strict=True), actives, refs, strict=True):
                self._append(values, active, ref)
        self.untrusted.update(start + todo[at] for at in odd)
        return [at for number, at in enumerate(todo) if number not in odd]

    def add(self, record, active=True, ref=None):
        """Add a student from a dict of field -> raw value, normalising it.

        A stored value that does not normalise (an old grade code, say) is
        kept as its trimmed text: the roster is what it is, and the file's
        value will simply show as a change.
        """
        try:
            raws = _all_fields(record)
        except KeyError:
            raws = tuple(map(record.get, FIELDS))
        values = None
        # The common case, a CSV row: every value is text and valid, and one
        # comprehension does the row; anything else goes field by field.
        # str.join is the cheapest test that every value is text: it raises
        # TypeError otherwise.
        try:
            "".join(raws)
        except TypeError:
            pass
        else:
            try:
                values = [f(raw) for f, raw in zip(self._functions, raws, strict=True)]
            except InvalidValue:
                pass
        if values is None:
            values = self._normalise_slowly(raws)
        if not values[_KEY_POSITION]:
            raise EngineError("A roster student has no student number.")
        self._append(tuple(values), active, ref)

    def add_many(self, raws_list, actives):
        """Add students from tuples of raw text values in FIELDS order.

        :meth:`add_columns` of the same values, transposed.
        """
        if raws_list:
            self.add_columns(list(zip(*raws_list, strict=True)), actives)

    def add_columns(self, columns, actives):
        """Add students given as columns: one sequence of raw text values per field of FIELDS.

        What :meth:`add` does for each student, a column at a time: each
        field's column normaliser (:meth:`~engine.normalize.Normaliser.for_column`)
        runs over a whole column (a cache hit then costs no Python call, and
        a column of plain unique values is checked in a few C calls), and
        ``zip`` turns the columns into the students' tuples.  Callers pass a
        few hundred students at a time, so that the columns stay in the
        processor's cache.  A batch with an invalid value, a blank or
        repeated student number goes through :meth:`add` one student at a
        time, which keeps such values as they are or raises the same error,
        with the failing student's position in the batch as its ``offset``.
        """
        try:
            normalised = [
                function(column) for function, column in zip(self._columns, columns, strict=True)
            ]
        except InvalidValue:
            normalised = None
        if normalised and self._extend(normalised, actives, [None] * len(actives)):
            return
        students = zip(*columns, strict=True)
        for offset, (raws, active) in enumerate(zip(students, actives, strict=True)):
            try:
                self.add(dict(zip(FIELDS, raws, strict=True)), active=active)
            except EngineError as error:
                error.offset = offset
                raise

    def _normalise_slowly(self, raws):
        values = []
        for normalise, raw in zip(self._functions, raws, strict=True):
            if raw is None or raw is False:
                raw = ""
            elif not isinstance(raw, str):
                raw = str(raw)
            try:
                values.append(normalise(raw))
            except InvalidValue:
                values.append(raw.strip())
                self.normalised = False
        return values

    def _extend(self, columns, actives, refs):
        """Append students given as columns in one pass; False, adding none, when a
        student number is blank, repeated, or already in the roster."""
        keys = columns[_KEY_POSITION]
        index = self.index
        if not all(keys) or len(set(keys)) != len(keys) or any(map(index.__contains__, keys)):
            return False
        start = len(self.values)
        index.update(zip(keys, range(start, start + len(keys)), strict=True))
        self.values.extend(zip(*columns, strict=True))
        self.active.extend(map(bool, actives))
        self.refs.extend(refs)
        return True

    def _append(self, values, active, ref):
        key = values[_KEY_POSITION]
        if key in self.index:
            raise EngineError(f"The roster has student number {key!r} twice.")
        self.index[key] = len(self.values)
        self.values.append(values)
        self.active.append(1 if active else 0)
        self.refs.append(ref)

    def get(self, key):
        """Return ``(values dict, active, ref)`` of student ``key`` or ``None``."""
        position = self.index.get(key)
        if position is None:
            return None
        return (
            dict(zip(FIELDS, self.values[position], strict=True)),
            bool(self.active[position]),
            self.refs[position],
        )

    def to_dict(self):
        """Return ``{key: {"active": bool, field: value, ...}}`` (for tests and tools)."""
        result = {}
        for key, position in self.index.items():
            student = dict(zip(FIELDS, self.values[position], strict=True))
            student["active"] = bool(self.active[position])
            result[key] = student
        return result


def _is_normal(function, value):
    """True when ``function`` gives ``value`` back as it is (a normal value)."""
    try:
        return function(value) == value
    except InvalidValue:
        return False


def _odd_in_column(function, column_function, column):
    """Positions in ``column`` of the values that ``function`` would change."""
    try:
        normal = column_function(column)
    except InvalidValue:
        normal = None
    if normal == list(column):
        return ()
    return [at for at, value in enumerate(column) if not _is_normal(function, value)]


def _odd_in_distinct(function, known, column):
    """:func:`_odd_in_column` for repeated values: each checked once, then ``known``."""
    if known.issuperset(column):
        return ()
    bad = set()
    for value in set(column) - known:
        if not _is_normal(function, value):
            bad.add(value)
        elif len(known) < _KNOWN_LIMIT:
            known.add(value)
    if not bad:
        return ()
    return [at for at, value in enumerate(column) if value in bad]
