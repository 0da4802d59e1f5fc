"""Column mapping: which file column feeds which canonical student field."""

from dataclasses import dataclass, field

from .errors import MappingError
from .fields import EXACT, FIELDS, KEY, LABELS, SYNONYMS, squash
from .normalize import TRANSFORMS
from .presets import recognise


@dataclass(slots=True)
class Column:
    """One used column of the file; ``how`` it was matched: mapping, layout, exact, synonym."""

    index: int
    header: str
    field: str
    transform: str = "none"
    how: str = "mapping"


@dataclass
class ColumnMap:
    """The result of matching a file's headers: used and ignored columns.

    ``warnings`` are run-level (two columns could feed one field and the
    first was taken); ``problems`` make the file unusable (no key column, or
    two candidate key columns) and are what :func:`match_columns` raises.
    ``layout`` is the :class:`~engine.presets.Preset` recognised by the
    headers, if any.
    """

    columns: list[Column]
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    layout: object = None

    @property
    def fields(self):
        """The mapped ("managed") fields, in file order."""
        return [column.field for column in self.columns]

    def column_for(self, field_name):
        """Return the :class:`Column` feeding ``field_name``, or ``None``."""
        for column in self.columns:
            if column.field == field_name:
                return column
        return None


def _parse_explicit(mapping):
    """Accept ``{"Header": "field"}`` or ``{"Header": {"field": ..., "transform": ...}}``."""
    entries = []
    for header, target in mapping.items():
        if isinstance(target, str):
            target_field, transform = target, "none"
        elif isinstance(target, dict):
            target_field = target.get("field")
            transform = target.get("transform") or "none"
        else:
            raise MappingError(f"The mapping of column {header!r} must name a field.")
        if target_field not in FIELDS:
            raise MappingError(
                f"The mapping sends column {header!r} to {target_field!r}, "
                f"which is not a student field ({', '.join(FIELDS)})."
            )
        if transform not in TRANSFORMS:
            raise MappingError(
                f"The mapping of column {header!r} uses the unknown transform "
                f"{transform!r} (use one of {', '.join(TRANSFORMS)})."
            )
        entries.append((header, target_field, transform))
    return entries


def match_columns(headers, mapping=None, key=KEY):
    """Match ``headers`` to canonical fields and return a :class:`ColumnMap`.

    See :func:`plan_columns`.  Raises :class:`MappingError` when no column
    feeds the key field, or when two columns could and neither is exact.
    """
    column_map = plan_columns(headers, mapping, key)
    if column_map.problems:
        raise MappingError(column_map.problems[0])
    return column_map


def plan_columns(headers, mapping=None, key=KEY):
    """Match ``headers`` to canonical fields; never raise for the file's headers.

    With an explicit ``mapping`` (file header -> field, or -> ``{"field",
    "transform"}``) only the columns it names are used: the administrator
    decided.  Without one, a layout recognised by its headers (a preset)
    maps its columns, then each remaining field takes the column whose
    header equals its name (ignoring case, spaces and underscores) or, when
    none does, the one column whose header is a known synonym.  Two
    synonym columns for one field are a warning, and for the key a problem
    that names both: guessing the key makes every student look new.

    Raises :class:`MappingError` only for a malformed ``mapping``.
    """
    squashed = [squash(header) for header in headers]
    column_map = ColumnMap([])
    used_fields, used_indexes = set(), set()

    def use(index, target_field, transform="none", how="mapping"):
        column_map.columns.append(Column(index, headers[index], target_field, transform, how))
        used_fields.add(target_field)
        used_indexes.add(index)

    explicit = mapping
    if not mapping:
        column_map.layout = recognise(headers)
        if column_map.layout is not None:
            explicit = column_map.layout.mapping()
    if explicit:
        how = "mapping" if mapping else "layout"
        for header, target_field, transform in _parse_explicit(explicit):
            wanted = squash(header)
            index = next((i for i, name in enumerate(headers) if name == header), None)
            if index is None:
                index = next((i for i, name in enumerate(squashed) if name == wanted), None)
            if index is None or index in used_indexes or target_field in used_fields:
                continue
            use(index, target_field, transform, how)
    if not mapping:
        # A recognised layout says which of its columns is the key (Clever's
        # Student_id is an internal id): the key is never guessed around it.
        skip = {key} if column_map.layout is not None else set()
        _match_auto(headers, squashed, key, column_map, used_fields | skip, use)
    if key not in used_fields and not column_map.problems:
        shown = ", ".join(repr(h) for h in headers if h) or "none"
        if mapping:
            named = [h for h, f, _t in _parse_explicit(mapping) if f == key]
            reason = (
                f"the mapped column {named[0]!r} is not in the file"
                if named
                else "the mapping names no column for it"
            )
        elif column_map.layout is not None:
            named = [h for h, f, _t in column_map.layout.columns if f == key]
            reason = f"the file looks like {column_map.layout.label}, whose {named[0]!r} it lacks"
        else:
            reason = "no header matches it"
        column_map.problems.append(f"No {LABELS[key]} column: {reason} (file headers: {shown}).")
    column_map.ignored = [
        headers[i] for i in range(len(headers)) if i not in used_indexes and headers[i]
    ]
    column_map.columns.sort(key=lambda column: column.index)
    return column_map


def _match_auto(headers, squashed, key, column_map, used_fields, use):
    """Exact names first, then synonyms; ambiguity is reported, never guessed silently."""
    candidates = {}
    taken = {column.index for column in column_map.columns}
    for index, name in enumerate(squashed):
        if index in taken or not headers[index]:
            continue
        if name in EXACT:
            candidates.setdefault(EXACT[name], []).append((index, True))
        elif name in SYNONYMS:
            candidates.setdefault(SYNONYMS[name], []).append((index, False))
    for target_field in FIELDS:
        found = candidates.get(target_field)
        if not found or target_field in used_fields:
            continue
        exact = [index for index, is_exact in found if is_exact]
        if exact:
            use(exact[0], target_field, how="exact")
            continue
        if len(found) > 1:
            names = " and ".join(repr(headers[index]) for index, _e in found)
            label = LABELS[target_field]
            if target_field == key:
                column_map.problems.append(
                    f"Columns {names} could both be the {label} and neither is named "
                    f"{label!r}: map the right one in the importer's column mapping."
                )
                continue
            column_map.warnings.append(
                f"Columns {names} could both be the {label}; "
                f"{headers[found[0][0]]!r} was used: check the importer's column mapping."
            )
        use(found[0][0], target_field, how="synonym")
