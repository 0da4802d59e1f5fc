"""Value normalisation: raw cell text to the canonical text of a field.

Every normaliser takes the cell's text and returns the canonical text ("" for
blank) or raises :class:`InvalidValue` with a reason a person understands.
Two values that normalise equal are the same value: that is what keeps a
re-export with other spacing or date formats from looking like a change.

Every value is first cleaned (:func:`clean`): put in Unicode NFC, so that
an export with decomposed accents (NFD: "e" then a combining accent) equals
the roster's composed ones, and stripped of the characters nobody sees
(zero-width spaces, byte-order marks, direction marks, control characters;
non-breaking and other odd spaces become plain spaces).
"""

import re
import unicodedata
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
# _EMAIL over a column joined with line breaks, each line an address or
# blank, in one call.  The domain's dot is found as the first one after its
# first character (a dot further on would do only if that one does): with a
# single way to match each line, a bad line fails in time linear in the
# column, where _EMAIL's own form would try each dot of each address before
# it (possessive repeats would say the same, from Python 3.11 only).  It
# only reads text that _plain() passed, whose one white space inside a value
# is " " (any other is not printable): so "[^@ \n]" is "[^@\s]" there, a
# set of literals that the regex engine tests twice as fast as a category.
_EMAIL_ONE = r"[^@ \n]+@[^@ \n][^@ \n.]*\.[^@ \n]+"
_EMAIL_LINES = re.compile(rf"(?:{_EMAIL_ONE})?(?:\n(?:{_EMAIL_ONE})?)*")
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


# Characters that show nothing: removed.  Zero-width joiners (U+200C,
# U+200D) stay: Persian, Indic scripts and emoji need them.
_INVISIBLE = (
    "\u00ad\u061c\u180e\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f\ufeff\ufff9\ufffa\ufffb"
)
# Spaces other than the plain one: a plain space.
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_SPACES += "\u2028\u2029\u202f\u205f\u3000\x85"
_WHITESPACE_CONTROLS = "\t\n\r\x0b\x0c"
_CLEAN = {ord(char): None for char in _INVISIBLE}
_CLEAN.update({ord(char): " " for char in _SPACES})
_CLEAN.update(
    {code: None for code in (*range(0x20), *range(0x7F, 0xA0)) if chr(code) not in _SPACES}
)
_CLEAN.update({ord(char): char for char in _WHITESPACE_CONTROLS})
_CLEAN.update({code: None for code in range(0xE0000, 0xE0080)})  # tag characters


def clean(value):
    """``value`` in Unicode NFC, without invisible characters or controls.

    Plain ASCII without controls, nearly every value of a real export, is
    returned as it is after two C-level tests.
    """
    if value.isascii():
        if value.isprintable():
            return value
        return value.translate(_CLEAN)
    value = value.translate(_CLEAN)
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return value


def same_text(stored, new):
    """True when ``stored`` (a roster value) and ``new`` (a normalised one) read the same.

    A roster stored before values were normalised to NFC may hold decomposed
    accents: they are compared in NFC, not shown as a change.
    """
    return stored == new or (not stored.isascii() and unicodedata.normalize("NFC", stored) == new)


def shown(value, width=40):
    """``repr`` of ``value`` for a message, cut to about ``width`` characters."""
    if len(value) > width:
        return repr(value[:width]) + f"... ({len(value):,} characters)"
    return repr(value)


def _collapse(value):
    return " ".join(clean(value).split())


def _code(value):
    if not (value.isascii() and value.isprintable()):
        value = clean(value)
    value = value.strip()
    if "." not in value:  # the common case: skip the regex
        return value
    match = _INTEGRAL_FLOAT.match(value)
    return match.group(1) if match else value


def _upper_code(value):
    # The student number of every row: the common case without a second call.
    if value.isascii() and value.isprintable() and "." not in value:
        return value.strip().upper()
    return _code(value).upper()


def _email(value):
    value = clean(value).strip().lower()
    if value and not _EMAIL.match(value):
        raise InvalidValue(f"{shown(value)} is not an e-mail address")
    return value


def _gender(value):
    key = clean(value).strip().upper()
    if not key:
        return ""
    try:
        return _GENDERS[key]
    except KeyError:
        raise InvalidValue(f"{shown(value.strip())} is not a gender (use M, F or X)") from None


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
    raise InvalidValue(f"{shown(value.strip())} is not a grade (use PK, KG or 1 to 12)")


def _eligibility(value):
    key = _collapse(value).upper()
    if not key:
        return ""
    try:
        return _ELIGIBILITIES[key]
    except KeyError:
        raise InvalidValue(
            f"{shown(value.strip())} is not a meal eligibility (use free, reduced or paid)"
        ) from None


def _iso(year, month, day, raw):
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise InvalidValue(f"{shown(raw)} is not a valid date") from None


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
        raw = clean(value).strip()
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
        raise InvalidValue(f"{shown(raw)} is not a date (use YYYY-MM-DD or MM/DD/YYYY)")

    def _slashed(self, raw, first, second, year, year_digits):
        if year_digits == 2:
            # Two-digit years are birth years: never in the future.
            century = 2000 if 2000 + year <= datetime.now().year else 1900
            year += century
        if first > 12 and second <= 12:
            if self.order == "mdy":
                raise InvalidValue(f"{shown(raw)} is not a valid month/day/year date")
            self.dmy_seen = True
            return _iso(year, second, first, raw)
        if second > 12 and first <= 12:
            if self.order == "dmy":
                raise InvalidValue(f"{shown(raw)} is not a valid day/month/year date")
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
            if self.repeats(field):
                function = _cached(base)
            else:
                function = base
            self._functions[field] = function
        return function

    @staticmethod
    def repeats(field):
        """True when ``field``'s values repeat across a district (names, dates, grades).

        Its normaliser remembers the values it has seen (a cache).
        """
        return KINDS[field] in _CACHED_KINDS and field not in _CACHED_FIELDS_EXCLUDED

    def for_column(self, field):
        """Return the function that normalises a whole column (a sequence) of ``field``.

        It gives what ``list(map(self.for_field(field), column))`` gives.
        For the fields whose values are nearly all different (student and
        guardian numbers, e-mails, names of streets and guardians), a cache
        does not help and a Python call per value is the cost; when the
        whole column is plain text already in its canonical form, a few C
        calls over the joined column say so and the values are kept as they
        are.  Anything else goes value by value.
        """
        function = self.for_field(field)
        fast = _COLUMN_FAST.get(KINDS[field])
        if fast is None or not isinstance(function, _FUNCTION_TYPE):
            return lambda column: list(map(function, column))
        upper = field in ("student_number", "school_code")

        def normalise_column(column):
            values = fast(column, upper)
            return list(map(function, column)) if values is None else values

        return normalise_column

    def value(self, field, raw):
        """Normalise one raw value of ``field`` (convenience for callers)."""
        return self.for_field(field)(raw if raw is not None else "")


# The ASCII controls but the line break that joins a column's values.
_ASCII_CONTROLS = bytes((*range(0x0A), *range(0x0B, 0x20), 0x7F))


def _plain(column):
    """``column`` joined with line breaks, when every value is already trimmed plain text.

    Plain: printable (so no line break, control, invisible character or
    space other than " " inside a value: :func:`clean` has nothing to
    remove), in NFC, no space at either end of a value and no two spaces in
    a row.  ``None`` otherwise.  A line break is a starter that composes
    with nothing, so the joined text is in NFC exactly when every value is.
    ASCII text (nearly every column) is checked for controls as bytes, a
    pass that costs a few instructions a character.
    """
    if not column:
        return None
    joined = "\n".join(column)
    if joined.count("\n") != len(column) - 1:
        return None  # a value holds a line break
    if joined.isascii():
        data = joined.encode("ascii")
        printable = len(data.translate(None, _ASCII_CONTROLS)) == len(data)
    else:
        printable = joined.replace("\n", "").isprintable() and unicodedata.is_normalized(
            "NFC", joined
        )
    if not printable:
        return None
    # Numbers, codes and e-mail addresses hold no space: one scan says so.
    if " " in joined and (
        "  " in joined
        or " \n" in joined
        or "\n " in joined
        or joined.startswith(" ")
        or joined.endswith(" ")
    ):
        return None
    return joined


def _text_column(column, _upper):
    # _collapse() gives a plain value back as it is.
    return None if _plain(column) is None else list(column)


def _code_column(column, upper):
    # _code() strips and rewrites "12.0"; _upper_code() also upper-cases.
    joined = _plain(column)
    if joined is None or "." in joined:
        return None
    if upper and joined.upper() != joined:
        return joined.upper().split("\n")
    return list(column)


def _email_column(column, _upper):
    # _email() lower-cases and checks the shape of each non-blank address.
    joined = _plain(column)
    if joined is None or joined.lower() != joined or not _EMAIL_LINES.fullmatch(joined):
        return None
    return list(column)


_COLUMN_FAST = {"name": _text_column, "text": _text_column, "code": _code_column}
_COLUMN_FAST["email"] = _email_column
_FUNCTION_TYPE = type(_collapse)


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
