"""The roster: the students already known, as compact normalised tuples."""

from .errors import EngineError
from .fields import FIELDS, KEY
from .normalize import InvalidValue, Normaliser

_KEY_POSITION = FIELDS.index(KEY)


class Roster:
    """Students keyed by normalised student number.

    Each student is one tuple of canonical values in :data:`FIELDS` order
    (``""`` where unknown), an active flag and an opaque ``ref`` that the
    caller uses to find the record again (the Odoo id; ``None`` offline).
    Tuples rather than dicts keep a million students within a few hundred
    megabytes.
    """

    __slots__ = ("index", "values", "active", "refs", "_normaliser")

    def __init__(self):
        self.index = {}
        self.values = []
        self.active = bytearray()
        self.refs = []
        self._normaliser = Normaliser(date_order="auto")

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
        key = values[_KEY_POSITION]
        if key in self.index:
            raise EngineError(f"The roster has student number {key!r} twice.")
        self.index[key] = len(self.values)
        self.values.append(values)
        self.active.append(1 if active else 0)
        self.refs.append(ref)

    def add(self, record, active=True, ref=None):
        """Add a student from a dict of field -> raw value, normalising it.

        A stored value that does not normalise (an old grade code, say) is
        kept as its trimmed text: the roster is what it is, and the file's
        value will simply show as a change.
        """
        values = []
        for name in FIELDS:
            raw = record.get(name)
            if raw is None or raw is False:
                raw = ""
            elif not isinstance(raw, str):
                raw = str(raw)
            try:
                values.append(self._normaliser.value(name, raw))
            except InvalidValue:
                values.append(raw.strip())
        if not values[_KEY_POSITION]:
            raise EngineError("A roster student has no student number.")
        self.add_canonical(tuple(values), active=active, ref=ref)

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
