"""Value normalisation: raw cell text to the canonical text of a field.

Every normaliser takes the cell's text and returns the canonical text ("" for
blank) or raises :class:`InvalidValue` with a reason a person understands.
Two values that normalise equal are the same value: that is what keeps a
re-export with other spacing or date formats from looking like a change.
"""

import re
from datetime import date, datetime, timedelta

from .fields import KINDS

# Distinct values of these kinds are few (dates, grades, schools, first names)
# so remembering them saves both time and memory: equal values share one
# string object across a million rows.  The fields left out are (nearly)
# unique per student, where a cache would only grow.
_CACHED_KINDS = frozenset({"code", "date", "gender", "grade", "eligibility", "name", "text"})
_CACHED_FIELDS_EXCLUDED = frozenset({"student_number", "street", "guardian_name", "guardian_phone"})
_CACHE_LIMIT = 100_000

_EXCEL_EPOCH = date(1899, 12, 30)
_INTEGRAL_FLOAT = re.compile(r"^(\d+)\.0+$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_SLASHED = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?$",
    re.I,
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^(\d{1,5})(?:\.0+)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ORDINAL = re.compile(r"^(?:GRADE\s*|GR\s*)?(\d{1,2})(?:ST|ND|RD|TH)?(?:\s*GRADE)?$")

_GRADE_WORDS = {
    "PK": "PK",
    "P": "PK",
    "PRE-K": "PK",
    "PREK": "PK",
    "PRE K": "PK",
    "PS": "PK",
    "PRESCHOOL": "PK",
    "PRE-KINDERGARTEN": "PK",
    "PREKINDERGARTEN": "PK",
    "TK": "PK",
    "PR": "PK",
    "TRANSITIONALKINDERGARTEN": "PK",
    "TRANSITIONAL KINDERGARTEN": "PK",
    "PRE KINDERGARTEN": "PK",
    "-1": "PK",
    "-2": "PK",
    "P3": "PK",
    "P4": "PK",
    "PK3": "PK",
    "PK4": "PK",
    "K": "KG",
    "KG": "KG",
    "KN": "KG",
    "KINDERGARTEN": "KG",
    "0": "KG",
    "00": "KG",
    "0K": "KG",
    "KINDER": "KG",
}
_GENDERS = {
    "M": "M",
    "MALE": "M",
    "BOY": "M",
    "F": "F",
    "FEMALE": "F",
    "GIRL": "F",
    "X": "X",
    "N": "X",
    "NB": "X",
    "NON-BINARY": "X",
    "NONBINARY": "X",
    "U": "X",
    "UNSPECIFIED": "X",
    "OTHER": "X",
    "O": "X",
}
_ELIGIBILITIES = {
    "F": "free",
    "FREE": "free",
    "DC": "free",
    "DIRECT CERT": "free",
    "DIRECTLY CERTIFIED": "free",
    "DIRECT CERTIFICATION": "free",
    "FDC": "free",
    "R": "reduced",
    "REDUCED": "reduced",
    "RED": "reduced",
    "P": "paid",
    "PAID": "paid",
    "FULL": "paid",
    "FULL PAY": "paid",
    "FULL PRICE": "paid",
    "PAY": "paid",
    # "N", not eligible: Infinite Campus's and Skyward's code for a full-price meal.
    "N": "paid",
    "NOT ELIGIBLE": "paid",
    "NON-ELIGIBLE": "paid",
}

DATE_ORDERS = ("auto", "mdy", "dmy")


class InvalidValue(ValueError):
    """A cell's value is not valid for its field; the message says why."""


def _collapse(value):
    return " ".join(value.split())


def _code(value):
    value = value.strip()
    if "." not in value:  # the common case: skip the regex
        return value
    match = _INTEGRAL_FLOAT.match(value)
    return match.group(1) if match else value


def _upper_code(value):
    return _code(value).upper()


def _email(value):
    value = value.strip().lower()
    if value and not _EMAIL.match(value):
        raise InvalidValue(f"{value!r} is not an e-mail address")
    return value


def _gender(value):
    key = value.strip().upper()
    if not key:
        return ""
    try:
        return _GENDERS[key]
    except KeyError:
        raise InvalidValue(f"{value.strip()!r} is not a gender (use M, F or X)") from None


def _grade(value):
    key = _collapse(value).upper()
    if not key:
        return ""
    found = _GRADE_WORDS.get(key)
    if found:
        return found
    match = _ORDINAL.match(key) or _ORDINAL.match(_code(key))
    if match and 1 <= int(match.group(1)) <= 12:
        return f"{int(match.group(1)):02d}"
    raise InvalidValue(f"{value.strip()!r} is not a grade (use PK, KG or 1 to 12)")


def _eligibility(value):
    key = _collapse(value).upper()
    if not key:
        return ""
    try:
        return _ELIGIBILITIES[key]
    except KeyError:
        raise InvalidValue(
            f"{value.strip()!r} is not a meal eligibility (use free, reduced or paid)"
        ) from None


def _iso(year, month, day, raw):
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise InvalidValue(f"{raw!r} is not a valid date") from None


class DateParser:
    """Parse the date formats SIS exports use, tracking day/month evidence.

    Slashed dates are month-first unless ``order`` is ``"dmy"``.  In
    ``"auto"`` mode a value that can only be day-first (``25/03/2012``) is
    accepted and remembered in :attr:`dmy_seen`, and one that can only be
    month-first in :attr:`mdy_seen`; the caller decides afterwards whether
    the column proved to be day-first and previews again with that order.
    """

    def __init__(self, order="auto"):
        if order not in DATE_ORDERS:
            raise ValueError(f"unknown date order {order!r}")
        self.order = order
        self.dmy_seen = False
        self.mdy_seen = False

    def __call__(self, value):
        raw = value.strip()
        if not raw:
            return ""
        match = _ISO.match(raw) or _YMD_SLASH.match(raw) or _COMPACT.match(raw)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return _iso(year, month, day, raw)
        match = _SLASHED.match(raw)
        if match:
            return self._slashed(raw, *(int(g) for g in match.groups()), len(match.group(3)))
        match = _SERIAL.match(raw)
        if match:
            serial = int(match.group(1))
            # Excel serials: 1 is 1900-01-01; 2958465 is 9999-12-31.  A
            # birthdate is well inside 1..73050 (year 2099).
            if 1 <= serial <= 73050:
                return (_EXCEL_EPOCH + timedelta(days=serial)).isoformat()
        raise InvalidValue(f"{raw!r} is not a date (use YYYY-MM-DD or MM/DD/YYYY)")

    def _slashed(self, raw, first, second, year, year_digits):
        if year_digits == 2:
            # Two-digit years are birth years: never in the future.
            century = 2000 if 2000 + year <= datetime.now().year else 1900
            year += century
        if first > 12 and second <= 12:
            if self.order == "mdy":
                raise InvalidValue(f"{raw!r} is not a valid month/day/year date")
            self.dmy_seen = True
            return _iso(year, second, first, raw)
        if second > 12 and first <= 12:
            if self.order == "dmy":
                raise InvalidValue(f"{raw!r} is not a valid day/month/year date")
            self.mdy_seen = True
            return _iso(year, first, second, raw)
        if self.order == "dmy":
            return _iso(year, second, first, raw)
        return _iso(year, first, second, raw)


class _Memo(dict):
    """``raw -> canonical`` of one field, filled on first use, up to ``limit`` values.

    Its bound ``__getitem__`` is the normaliser: a hit is a dict lookup in C,
    with no Python frame, which matters at a dozen cells per row and a
    million rows.  A miss runs ``function`` (whose :class:`InvalidValue`
    propagates, and is not remembered).
    """

    __slots__ = ("function", "limit", "_results")

    def __init__(self, function, limit):
        super().__init__()
        self.function = function
        self.limit = limit
        self._results = {}

    def __missing__(self, value):
        result = self.function(value)
        if len(self) < self.limit:
            # "3" and "03" are two keys but one grade: store one string.
            result = self._results.setdefault(result, result)
            self[value] = result
        return result


def _cached(function, limit=_CACHE_LIMIT):
    return _Memo(function, limit).__getitem__


_BY_KIND = {
    "name": _collapse,
    "text": _collapse,
    "gender": _gender,
    "grade": _grade,
    "eligibility": _eligibility,
    "email": _email,
}


class Normaliser:
    """The normalisers of one preview, one per field, with their caches."""

    def __init__(self, date_order="auto"):
        self.dates = DateParser(date_order)
        self._functions = {}

    def for_field(self, field):
        """Return the function that normalises a raw value of ``field``."""
        function = self._functions.get(field)
        if function is None:
            kind = KINDS[field]
            if kind == "date":
                base = self.dates
            elif kind == "code":
                base = _upper_code if field in ("student_number", "school_code") else _code
            else:
                base = _BY_KIND[kind]
            if kind in _CACHED_KINDS and field not in _CACHED_FIELDS_EXCLUDED:
                function = _cached(base)
            else:
                function = base
            self._functions[field] = function
        return function

    def value(self, field, raw):
        """Normalise one raw value of ``field`` (convenience for callers)."""
        return self.for_field(field)(raw if raw is not None else "")


TRANSFORMS = ("none", "upper", "lower", "title", "digits", "strip_zeros")


def transform(name):
    """Return the transform called ``name``, applied to raw text before normalising."""
    if name in (None, "", "none"):
        return None
    if name == "upper":
        return str.upper
    if name == "lower":
        return str.lower
    if name == "title":
        return lambda value: _collapse(value).title()
    if name == "digits":
        return lambda value: "".join(ch for ch in value if ch.isdigit())
    if name == "strip_zeros":
        return lambda value: value.strip().lstrip("0") or ("0" if value.strip() else "")
    raise ValueError(f"unknown transform {name!r} (use one of {', '.join(TRANSFORMS)})")
