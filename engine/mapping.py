"""Column mapping: which file column feeds which canonical student field."""

from dataclasses import dataclass, field

from .errors import MappingError
from .fields import FIELDS, KEY, LABELS, SYNONYMS, squash
from .normalize import TRANSFORMS


@dataclass(slots=True)
class Column:
    """One used column of the file."""

    index: int
    header: str
    field: str
    transform: str = "none"


@dataclass
class ColumnMap:
    """The result of matching a file's headers: used and ignored columns."""

    columns: list[Column]
    ignored: list[str] = field(default_factory=list)

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


def listed(headers, budget=110, width=24):
    """The non-blank ``headers`` for a message, within ``budget`` characters, then "and N more"."""
    named = [header for header in headers if header]
    if not named:
        return "none"
    shown = []
    used = 0
    for header in named:
        text = repr(header if len(header) <= width else header[:width] + "...")
        if len(text) > 2 * width:  # escapes of unprintable characters
            text = text[: 2 * width] + "...'"
        if shown and used + len(text) + 2 > budget:
            break
        shown.append(text)
        used += len(text) + 2
    result = ", ".join(shown)
    if len(shown) < len(named):
        result += f" and {len(named) - len(shown):,} more"
    return result


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

    With an explicit ``mapping`` (file header -> field, or -> ``{"field",
    "transform"}``) only the columns it names are used: the administrator
    decided.  Without one, headers match canonical names ignoring case,
    spaces and underscores, then the synonyms real SIS exports use.  A field
    is fed by its first matching column; later ones, and unknown headers,
    are reported in :attr:`ColumnMap.ignored`.

    Raises :class:`MappingError` when no column feeds the key field.
    """
    squashed = [squash(header) for header in headers]
    columns, used_fields, used_indexes = [], set(), set()
    if mapping:
        for header, target_field, transform in _parse_explicit(mapping):
            wanted = squash(header)
            index = next((i for i, name in enumerate(headers) if name == header), None)
            if index is None:
                index = next((i for i, name in enumerate(squashed) if name == wanted), None)
            if index is None or index in used_indexes or target_field in used_fields:
                continue
            columns.append(Column(index, headers[index], target_field, transform))
            used_fields.add(target_field)
            used_indexes.add(index)
    else:
        for index, name in enumerate(squashed):
            target_field = SYNONYMS.get(name)
            if target_field and target_field not in used_fields:
                columns.append(Column(index, headers[index], target_field))
                used_fields.add(target_field)
                used_indexes.add(index)
    if key not in used_fields:
        shown = listed(headers)
        if mapping:
            named = [h for h, f, _t in _parse_explicit(mapping) if f == key]
            reason = (
                f"the mapped column {listed(named[:1])} is not in the file"
                if named
                else "the mapping names no column for it"
            )
        else:
            reason = "no header matches it"
        raise MappingError(
            f"No {LABELS[key]} column: {reason} (file headers: {shown}): "
            "add the column to the file or to the column mapping."
        )
    ignored = [headers[i] for i in range(len(headers)) if i not in used_indexes and headers[i]]
    columns.sort(key=lambda column: column.index)
    return ColumnMap(columns, ignored)
