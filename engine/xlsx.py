"""A streaming XLSX reader that stays within the :class:`~engine.limits.Limits`.

openpyxl, even in read-only mode, loads a workbook's whole shared-strings
table as Python strings before the first row is read: a few megabytes of
XLSX can then take gigabytes of memory.  This reader checks the archive's
directory first (:func:`~engine.limits.check_archive`), keeps the shared
strings packed as UTF-8 (never more memory than their unpacked size, already
limited) and streams the worksheet through expat, one row at a time, so that
it stops as soon as a row, a column or a value passes its limit.

Cells come back as the text a person sees, as openpyxl's values did
(numbers without a spurious ``.0``, dates in ISO form, ``TRUE``/``FALSE``).
"""

import posixpath
import xml.parsers.expat
from array import array
from datetime import date, datetime, time, timedelta

_MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
# openpyxl is imported only when a workbook is read (it takes a while), not
# for a file refused before that.
CALENDAR_WINDOWS_1900 = datetime(1899, 12, 30)
CALENDAR_MAC_1904 = datetime(1904, 1, 1)
_SEP = "\x01"  # expat's namespace separator: "namespace\x01local"
_READ = 1 << 16
# Parts read whole (workbook, relationships, styles) are small in a real
# workbook; these bound what a crafted one can make the reader keep.
_MAX_SHEETS = 10_000
_MAX_RELATIONSHIPS = 100_000
_MAX_STYLES = 200_000
_EXCEL_COLUMNS = 16_384


class Damaged(Exception):
    """The workbook's structure is broken; the caller names the file."""


def _names(local):
    return frozenset(f"{ns}{_SEP}{local}" for ns in _MAIN)


_TAGS = {name: _names(name) for name in ("row", "c", "v", "t", "is", "rPh", "si", "sheetData")}


def _parser():
    parser = xml.parsers.expat.ParserCreate(namespace_separator=_SEP)
    parser.buffer_text = True
    parser.buffer_size = _READ
    # OOXML parts never declare a document type: one that does is hostile.
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.EntityDeclHandler = _no_doctype
    return parser


def _no_doctype(*_args):
    raise Damaged("a part declares a document type")


def _feed(parser, archive, member, between=None):
    """Parse ``member`` of ``archive`` in chunks; call ``between()`` after each one."""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_READ):
                parser.Parse(chunk, False)
                if between is not None:
                    yield from between()
            parser.Parse(b"", True)
            if between is not None:
                yield from between()
    except xml.parsers.expat.ExpatError as exc:
        raise Damaged(str(exc)) from exc


def _run(parser, archive, member):
    for _nothing in _feed(parser, archive, member):
        pass


def _attributes(archive, member, wanted, limit):
    """The attributes of every element whose local name is in ``wanted``, in order."""
    found = []
    parser = _parser()

    def start(name, attrs):
        if name.rpartition(_SEP)[2] in wanted:
            if len(found) >= limit:
                raise Damaged(f"{member} has more than {limit} entries")
            found.append((name.rpartition(_SEP)[2], attrs))

    parser.StartElementHandler = start
    _run(parser, archive, member)
    return found


def _local(attrs, name):
    """Attribute ``name`` whatever its namespace (r:id is namespaced)."""
    for key, value in attrs.items():
        if key == name or key.endswith(_SEP + name):
            return value
    return None


def _relationships(archive, part):
    """``{id: (type, target path)}`` of ``part``'s relationships."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in archive.NameToInfo:
        return {}
    result = {}
    for _tag, attrs in _attributes(archive, rels, {"Relationship"}, _MAX_RELATIONSHIPS):
        target = attrs.get("Target") or ""
        if attrs.get("TargetMode") == "External" or not target:
            continue
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = posixpath.normpath(posixpath.join(folder, target))
        result[attrs.get("Id")] = (attrs.get("Type") or "", path)
    return result


def _by_type(relationships, suffix):
    return [path for kind, path in relationships.values() if kind.endswith("/" + suffix)]


class Workbook:
    """An XLSX archive's worksheets, shared strings and date styles."""

    def __init__(self, archive):
        self.archive = archive
        main = _by_type(_relationships(archive, ""), "officeDocument")
        part = main[0] if main else "xl/workbook.xml"
        if part not in archive.NameToInfo:
            raise Damaged("no workbook part")
        relationships = _relationships(archive, part)
        self.epoch = CALENDAR_WINDOWS_1900
        self.sheets = []  # (title, part)
        entries = _attributes(archive, part, {"sheet", "workbookPr"}, _MAX_SHEETS)
        for tag, attrs in entries:
            if tag == "workbookPr":
                if (attrs.get("date1904") or "").lower() in ("1", "true"):
                    self.epoch = CALENDAR_MAC_1904
                continue
            kind, path = relationships.get(_local(attrs, "id"), ("", ""))
            if kind.endswith("/worksheet") and path in archive.NameToInfo:
                self.sheets.append((attrs.get("name") or "", path))
        strings = _by_type(relationships, "sharedStrings")
        self.strings_part = next((path for path in strings if path in archive.NameToInfo), None)
        styles = _by_type(relationships, "styles")
        styles = next((path for path in styles if path in archive.NameToInfo), None)
        self.date_styles, self.duration_styles = self._date_styles(styles)

    def _date_styles(self, part):
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

        if part is None:
            return frozenset(), frozenset()
        entries = _attributes(self.archive, part, {"numFmt", "xf", "cellXfs"}, _MAX_STYLES)
        custom, dates, durations = {}, set(), set()
        in_cell_xfs = False
        index = 0
        for tag, attrs in entries:
            if tag == "numFmt":
                custom[attrs.get("numFmtId")] = attrs.get("formatCode")
            elif tag == "cellXfs":
                in_cell_xfs = True
            elif tag == "xf" and in_cell_xfs:
                number = attrs.get("numFmtId") or "0"
                code = custom.get(number)
                if code is None:
                    try:
                        code = BUILTIN_FORMATS.get(int(number))
                    except ValueError:
                        code = None
                if code and is_date_format(code):
                    dates.add(index)
                    if is_timedelta_format(code):
                        durations.add(index)
                index += 1
        # <xf> of cellStyleXfs come before cellXfs in styles.xml; only the
        # cellXfs ones are counted above, since in_cell_xfs turns on there.
        return frozenset(dates), frozenset(durations)


class SharedStrings:
    """The shared-strings table, packed as UTF-8 with an array of end offsets."""

    __slots__ = ("_data", "_ends")

    def __init__(self):
        self._data = bytearray()
        self._ends = array("q")

    def __len__(self):
        return len(self._ends)

    def append(self, text):
        self._data += text.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._data))

    def __getitem__(self, index):
        if index < 0:
            raise IndexError(index)
        end = self._ends[index]
        start = self._ends[index - 1] if index else 0
        return self._data[start:end].decode("utf-8", "replace")


def read_shared_strings(book, limits, refuse):
    """Load the shared strings; ``refuse(limit, found)`` raises past a limit."""
    strings = SharedStrings()
    if book.strings_part is None:
        return strings
    si_tags, t_tags, phonetic_tags = _TAGS["si"], _TAGS["t"], _TAGS["rPh"]
    cap = limits.max_cell_chars
    text, size, collect, phonetic = [], 0, False, 0

    def start(name, _attrs):
        nonlocal text, size, collect, phonetic
        if name in t_tags:
            collect = not phonetic
        elif name in si_tags:
            text, size = [], 0
        elif name in phonetic_tags:
            phonetic += 1

    def end(name):
        nonlocal collect, phonetic
        if name in t_tags:
            collect = False
        elif name in si_tags:
            strings.append("".join(text))
        elif name in phonetic_tags:
            phonetic -= 1

    def add(data):
        nonlocal size
        if collect:
            size += len(data)
            if size > cap:
                refuse(
                    "max_cell_chars",
                    f"shared string {len(strings) + 1:,} has more than {cap:,} characters",
                )
            text.append(data)

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = add
    _run(parser, book.archive, book.strings_part)
    return strings


_DIGITS = "0123456789$"


def _letters(number):
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


#: "AB" -> 28, for every column Excel has: one dict look-up per cell.
_COLUMNS = {_letters(number): number for number in range(1, _EXCEL_COLUMNS + 1)}


def column_index(reference):
    """1-based column of a cell reference such as ``"AB12"``; 0 when it has none."""
    found = _COLUMNS.get(reference.rstrip(_DIGITS))
    if found:
        return found
    index = 0
    for char in reference:
        code = ord(char) - 64
        if 1 <= code <= 26:
            index = index * 26 + code
        elif 33 <= code <= 58:  # lower case, which Excel never writes but accepts
            index = index * 26 + code - 32
        else:
            break
        if index > 1 << 30:
            raise Damaged(f"the cell reference {reference[:20]!r} is out of range")
    return index


def cell_text(value):
    """A cell value as the text a person sees (dates in ISO form)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # A student number typed in Excel is stored as a float: 100234.0.
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


def _number(raw):
    text = raw.strip()
    if "." in text or "e" in text or "E" in text or "n" in text or "N" in text:
        return float(text)
    return int(text)


def iter_rows(book, part, strings, limits, refuse, header_row=0, names=None):  # noqa: C901
    """Yield ``(row number, cells)`` of the worksheet ``part``, stopping at the limits.

    ``refuse(limit, found, row=0, column=0)`` raises the error of a limit
    (``"max_rows"``, ``"max_columns"``, ``"max_cell_chars"``).  Rows
    without any value are skipped (their numbers still count).  The cells
    of row ``header_row`` are set as ``names.headers`` as soon as it is
    parsed, for a refusal in the rows parsed with it to name its column.
    """
    row_tags, c_tags, v_tags = _TAGS["row"], _TAGS["c"], _TAGS["v"]
    t_tags, is_tags, phonetic_tags = _TAGS["t"], _TAGS["is"], _TAGS["rPh"]
    text_tags = v_tags | t_tags
    columns = _COLUMNS
    max_rows, max_columns, cap = limits.max_rows, limits.max_columns, limits.max_cell_chars
    cells_per_row = max(max_columns, _EXCEL_COLUMNS)
    dates, durations, epoch = book.date_styles, book.duration_styles, book.epoch
    done = []  # finished rows, handed out after each chunk
    number = elements = column = size = phonetic = 0
    cells = kind = style = None
    text, collect = [], False

    def start(name, attrs):
        nonlocal number, elements, column, kind, style, text, size, collect, phonetic, cells
        if name in c_tags:
            reference = attrs.get("r")
            if reference:
                column = columns.get(reference.rstrip(_DIGITS)) or column_index(reference)
            else:
                column += 1
            kind = attrs.get("t", "n")
            style = attrs.get("s")
            text, size = [], 0
        elif name in v_tags:
            collect = True
        elif name in t_tags:
            collect = not phonetic
        elif name in row_tags:
            elements += 1
            if elements > max_rows:
                refuse("max_rows", f"the sheet has more than {max_rows:,} rows")
            reference = attrs.get("r")
            if reference:
                try:
                    number = int(reference)
                except ValueError as exc:
                    raise Damaged(f"bad row number {reference[:20]!r}") from exc
            else:
                number += 1
            cells, column = [], 0
        elif name in phonetic_tags:
            phonetic += 1
        elif name in is_tags:
            text, size = [], 0

    def add(data):
        nonlocal size
        if collect:
            size += len(data)
            if size > cap:
                refuse(
                    "max_cell_chars",
                    f"a value has more than {cap:,} characters",
                    number,
                    column,
                )
            text.append(data)

    def end(name):
        nonlocal collect, phonetic, cells
        if name in text_tags:
            collect = False
        elif name in c_tags:
            if cells is None:
                return
            if len(cells) >= cells_per_row:
                raise Damaged(f"row {number} has more than {cells_per_row} cells")
            raw = text[0] if len(text) == 1 else "".join(text)
            value = _value(kind, raw, style, strings, dates, durations, epoch)
            if not value:
                return
            at = column
            if at > max_columns:
                refuse("max_columns", f"a value in column {at:,}", number, at)
            if at < 1:
                at = len(cells) + 1
            if at > len(cells):
                if at - 1 > len(cells):
                    cells.extend([""] * (at - 1 - len(cells)))
                cells.append(value)
            else:
                cells[at - 1] = value
        elif name in row_tags:
            if cells:
                if number > max_rows:
                    refuse("max_rows", f"row {number:,} holds values", number)
                if number == header_row and names is not None:
                    names.headers = cells
                done.append((number, cells))
            cells = None
        elif name in phonetic_tags:
            phonetic -= 1

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = add

    def hand_out():
        if done:
            rows = done[:]
            done.clear()
            yield from rows

    yield from _feed(parser, book.archive, part, hand_out)


def _value(kind, raw, style, strings, dates, durations, epoch):
    """The text of one cell from its type, raw text and style."""
    if kind == "s":
        if not raw:
            return ""
        try:
            return strings[int(raw)].strip()
        except (ValueError, IndexError) as exc:
            raise Damaged(f"a shared string index {raw[:20]!r} is out of range") from exc
    if kind in ("inlineStr", "str", "e"):
        return raw.strip()
    if not raw or raw.isspace():
        return ""
    if kind == "b":
        return "TRUE" if raw.strip() not in ("0", "false") else "FALSE"
    if kind == "d":
        try:
            return cell_text(datetime.fromisoformat(raw.strip().rstrip("Z")))
        except ValueError:
            return raw.strip()
    try:
        number = _number(raw)
    except ValueError:
        return raw.strip()
    if style is not None and dates:
        try:
            index = int(style)
        except ValueError:
            index = -1
        if index in dates:
            from openpyxl.utils.datetime import from_excel

            try:
                return cell_text(from_excel(number, epoch, timedelta=index in durations))
            except (ArithmeticError, ValueError, TypeError):
                return cell_text(number)
    return cell_text(number)
