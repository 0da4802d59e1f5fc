"""Read a roster file (CSV, XLSX or XLS) as a header and a lazy stream of rows.

The format is decided by the file's content, not its name: district SIS
exports are often mislabelled (a CSV named ``.xls``).  Every failure is a
:class:`~engine.errors.FileFormatError` with one line naming the file; no
library exception escapes, not even one raised while the rows are iterated.

The CSV path is the hot one (a million rows is a realistic district), so its
rows come straight from ``csv.reader`` over a ``TextIOWrapper`` on the bytes:
an ``io.StringIO`` of the decoded text would hold four bytes per character.
"""

import codecs
import csv
import io
import itertools
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from zipfile import BadZipFile, ZipFile

import openpyxl
import xlrd

from .errors import FileFormatError

_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".zip")
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t"}
_FORMATS = ("csv", "xlsx", "xls", "oneroster")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
# Excel stores a password-protected XLSX as an OLE2 file holding this stream.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_BOMS = (codecs.BOM_UTF8, *_UTF16_BOMS)
_BLANK_BYTES = b" \t\r\n\x0b\x0c\x00\x1a"
# Control bytes that never occur in a text export (tab, newlines, form feed
# and the DOS end-of-file mark do).
_CONTROL_BYTES = bytes(sorted(set(range(32)) - {9, 10, 12, 13, 26}))
# Cut or corrupted bytes surface as zip, zlib or XML (SyntaxError) errors,
# or as xlrd's index and struct errors, whose text means nothing to a clerk.
_DAMAGED = (BadZipFile, EOFError, IndexError, SyntaxError, struct.error, zlib.error)
_HEAD = 4096
_SAMPLE = 1 << 16
_DECODE_CHUNK = 1 << 20
_SNIFF_ROWS = 20


@dataclass
class Table:
    """A file read as a table: its header and a lazy iterator of data rows.

    ``rows`` yields ``(row number, cells)``; the row number is the one a
    person sees in a spreadsheet (1-based, counting blank and skipped rows).
    Entirely blank rows are not yielded.  Workbook cells are stripped text;
    CSV cells are as in the file (the normaliser trims them), which keeps the
    per-row cost of a large CSV down to what ``csv.reader`` does.
    """

    headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[str]]]
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


def read_table(
    data: bytes,
    filename: str,
    *,
    file_format: str = "auto",
    encoding: str = "auto",
    delimiter: str = "auto",
    header_row: int = 1,
    sheet: str | None = None,
    allow_empty: bool = False,
) -> Table:
    """Read ``data``, the bytes of ``filename``, as a header row and data rows.

    ``file_format`` is ``"auto"`` (decided by content) or ``"csv"``,
    ``"xlsx"``, ``"xls"``; a file whose content is another format is refused
    with a message saying what it is.  For CSV, ``encoding`` ``"auto"`` tries
    UTF-8 (with or without BOM; UTF-16 with a BOM), then cp1252, then
    latin-1, and ``delimiter`` ``"auto"`` chooses among ``,`` ``;`` tab and
    ``|`` the one that splits the header and the next rows consistently.
    ``header_row`` is the 1-based row holding the column names (rows above it
    are ignored); ``sheet`` names the worksheet (default: the first one).

    The first data row is read before returning, so that a file with no
    student rows fails here (unless ``allow_empty``, for a roster that may be
    legitimately empty); the rest is read as ``Table.rows`` is iterated.

    Raises :class:`~engine.errors.FileFormatError` with a one-line reason.
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1] or filename
    extension = os.path.splitext(name)[1].lower()
    if extension not in _EXTENSIONS:
        shown = f'"{extension}" ({name})' if extension else f"({name}: no extension)"
        raise FileFormatError(
            f"Unsupported file type {shown}: export the roster as CSV, XLSX, XLS "
            "or a OneRoster bundle (.zip)."
        )
    if not isinstance(header_row, int) or header_row < 1:
        raise FileFormatError(f"The header row must be 1 or more, not {header_row!r}.")
    if _is_blank(data):
        raise FileFormatError(f"{name} is empty.")
    actual = _content_format(data, name, encoding or "auto")
    wanted = (file_format or "auto").strip().lower().replace("xlsm", "xlsx")
    if wanted not in ("auto", *_FORMATS):
        raise FileFormatError(f'Unknown file format "{file_format}" for {name}.')
    if wanted not in ("auto", actual):
        what = {"csv": "a text (CSV) file", "oneroster": "a OneRoster bundle"}.get(
            actual, f"an {actual.upper()} workbook"
        )
        raise FileFormatError(
            f"{name} is {what}, but the file format is set to {wanted.upper()}: "
            f"set it to auto or {actual.upper()}."
        )
    if extension == ".zip" and actual != "oneroster":
        what = "a text (CSV) file" if actual == "csv" else f"an {actual.upper()} workbook"
        raise FileFormatError(
            f"{name} is named .zip but is {what}, not a OneRoster bundle: "
            f"name it .{actual}, or send the bundle itself."
        )
    if actual == "csv":
        return _read_csv(data, name, encoding, delimiter, header_row, allow_empty)
    if actual == "oneroster":
        from .oneroster import read_bundle  # it imports this module

        return read_bundle(data, name)
    return _read_book(actual, data, name, header_row, sheet, allow_empty)


def _is_blank(data):
    start = next((len(bom) for bom in _BOMS if data.startswith(bom)), 0)
    # Only a file whose first few KB are blank is scanned to the end.
    if data[start : start + _HEAD].strip(_BLANK_BYTES):
        return False
    return not data[start:].strip(_BLANK_BYTES)


def _not_readable(name, hint=""):
    return FileFormatError(f"{name} is not a readable CSV, XLSX or XLS file{hint}.")


def _content_format(data, name, encoding):
    """Return ``"xlsx"``, ``"xls"`` or ``"csv"`` from the bytes themselves."""
    if data.startswith(_ZIP_MAGIC):
        try:
            with ZipFile(io.BytesIO(data)) as archive:
                members = archive.namelist()
        except Exception as exc:
            raise _cannot_open(name, "xlsx", exc) from exc
        # A .docx or any other zip renamed .xlsx has no workbook part.
        if not any(member.lower().endswith("workbook.xml") for member in members):
            from .oneroster import is_bundle  # it imports this module

            if is_bundle(members):
                return "oneroster"
            raise _not_readable(name)
        return "xlsx"
    if data.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise FileFormatError(
                f"{name} is password-protected: remove the password and save it again."
            )
        return "xls"
    wide = encoding.lower().replace("_", "-").startswith(("utf-16", "utf-32"))
    if wide or data.startswith(_UTF16_BOMS):
        return "csv"
    head = data[:_HEAD]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if b"\x00" in head or controls * 20 > len(head):
        raise _not_readable(name)
    start = head.lstrip(codecs.BOM_UTF8 + _BLANK_BYTES)[:1024].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        # Some SIS "Excel" exports are really web pages or XML spreadsheets.
        hint = " (it is a web page or XML file): save it from Excel as XLSX or CSV"
        raise _not_readable(name, hint)
    return "csv"


def _reason(exc):
    if isinstance(exc, _DAMAGED):
        return "the file is damaged or incomplete"
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _cannot_open(name, kind, exc):
    return FileFormatError(
        f"{name} cannot be opened as an {kind.upper()} workbook: {_reason(exc)}."
    )


def _table(records, name, header_row, allow_empty, **details):
    """Find the header and the first data row of ``records``, then wrap the rest."""
    try:
        headers, first = _start(records, name, header_row, allow_empty)
    except BaseException:
        getattr(records, "close", lambda: None)()
        raise
    return Table(headers, header_row, _rows(records, first, name), **details)


def _start(records, name, header_row, allow_empty):
    headers = None
    number = 0
    try:
        for number, cells in records:
            if headers is None:
                if number < header_row:
                    continue
                headers = [cell.strip() for cell in cells]
                while headers and not headers[-1]:
                    headers.pop()
                if not headers:
                    raise FileFormatError(
                        f"Row {header_row} of {name}, the header row, is blank: "
                        f"set the header row to the row with the column names."
                    )
            elif cells and (cells[0].strip() or "".join(cells).strip()):
                return headers, (number, cells)
    except csv.Error as exc:
        raise _csv_error(name, number + 1, exc) from exc
    if headers is None:
        raise FileFormatError(
            f"{name} has only {number} rows, so row {header_row} cannot be its "
            f"header row: check the header row setting."
        )
    if allow_empty:
        return headers, None
    raise FileFormatError(f"{name} has a header row but no student rows.")


def _rows(records, first, name):
    """Yield ``first`` then the non-blank rows of ``records``; close them at the end."""
    number = first[0] if first else 0
    try:
        if first is None:
            return
        yield first
        for number, cells in records:
            # A row starts with the student number as a rule, so one strip is
            # the whole test; the join only runs when the first cell is blank.
            if cells and (cells[0].strip() or "".join(cells).strip()):
                yield number, cells
    except csv.Error as exc:
        raise _csv_error(name, number + 1, exc) from exc
    finally:
        getattr(records, "close", lambda: None)()


def _csv_error(name, row, exc):
    detail = " ".join(str(exc).split())
    if "field larger than field limit" in detail:
        detail = 'a quoted field never ends (look for a stray " character)'
    return FileFormatError(f"{name} row {row}: {detail}.")


def _read_csv(data, name, encoding, delimiter, header_row, allow_empty):
    if data.endswith(b"\x1a"):
        data = data.rstrip(b"\x1a")  # the DOS end-of-file mark of old exports
    used = _csv_encoding(data, name, encoding)
    sample = codecs.getincrementaldecoder(used)().decode(data[:_SAMPLE])
    delimiter = _csv_delimiter(delimiter, sample, header_row, len(data) > _SAMPLE)
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=used, newline="")
    records = enumerate(csv.reader(stream, delimiter=delimiter), 1)
    details = {"file_format": "csv", "encoding": used, "delimiter": delimiter}
    return _table(records, name, header_row, allow_empty, **details)


def _csv_encoding(data, name, encoding):
    """Return the encoding that decodes all of ``data``."""
    requested = (encoding or "auto").strip().lower()
    if requested == "auto":
        if data.startswith(codecs.BOM_UTF8):
            candidates = ("utf-8-sig",)
        elif data.startswith(_UTF16_BOMS):
            candidates = ("utf-16",)
        elif data.isascii():
            return "utf-8"
        else:
            candidates = ("utf-8", "cp1252", "latin-1")
    elif requested in ("utf-8", "utf8") and data.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    else:
        candidates = (requested,)
    for candidate in candidates:
        try:
            if _decodes(data, candidate):
                return candidate
        except LookupError:  # unknown, or not a text encoding (e.g. base64)
            raise FileFormatError(
                f'Unknown encoding "{encoding}" for {name}: use auto, utf-8, cp1252 or latin-1.'
            ) from None
    # None fits: decode with the last one as a whole, for the offset of the
    # first bad byte (the file is refused, so its text is not kept).
    try:
        data.decode(candidates[-1])
    except UnicodeDecodeError as exc:
        error = exc
    else:
        return candidates[-1]
    at = error.start
    line = data.count(b"\n", 0, at) + 1
    raise FileFormatError(
        f"{name} is not valid {candidates[-1]} text (byte 0x{data[at]:02x} at offset "
        f"{at}, line {line}): set the encoding to auto or to the file's real encoding."
    )


def _decodes(data, encoding):
    """True when all of ``data`` decodes with ``encoding``, checked a chunk at a time.

    ``data.decode()`` would build the whole text for nothing: one to four
    bytes per character (a single "ễ" makes it two), the peak memory of a
    large preview.  Raises ``LookupError`` for an unknown or non-text encoding.
    """
    try:
        # The LookupError of bytes.decode (base64 too); empty bytes skip it.
        data[:1].decode(encoding)
    except UnicodeDecodeError:
        pass
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for start in range(0, len(data), _DECODE_CHUNK):
            decoder.decode(data[start : start + _DECODE_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _csv_delimiter(delimiter, sample, header_row, truncated):
    """Return ``delimiter``, or the candidate that best splits ``sample``.

    ``csv.Sniffer`` guesses from character frequencies and is easily fooled
    by commas inside names; instead, each candidate parses the sample (quotes
    honoured) and is scored by the share of the rows after the header that
    have the header's width, then by that width.
    """
    requested = delimiter or "auto"
    if requested.lower() != "auto":
        chosen = _DELIMITER_NAMES.get(requested.lower(), requested)
        if len(chosen) != 1 or chosen in '"\r\n':
            raise FileFormatError(
                f"The delimiter must be one character, such as , ; | or a tab, not {delimiter!r}."
            )
        return chosen
    best, best_score = ",", None
    for candidate in _DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=candidate)
        try:
            records = list(itertools.islice(reader, header_row + _SNIFF_ROWS))
        except csv.Error:
            continue
        if truncated:
            records = records[:-1]  # the sample may end inside a record
        if len(records) < header_row or len(records[header_row - 1]) < 2:
            continue
        width = len(records[header_row - 1])
        body = [record for record in records[header_row:] if record]
        same = sum(len(record) == width for record in body)
        score = (same / len(body) if body else 1.0, width)
        if best_score is None or score > best_score:
            best, best_score = candidate, score
    return best


def _pick_sheet(titles, wanted, name):
    if not titles:
        raise FileFormatError(f"{name} has no worksheet.")
    if not wanted or wanted in titles:
        return wanted or titles[0]
    folded = [title for title in titles if title.casefold() == wanted.casefold()]
    if len(folded) == 1:
        return folded[0]
    listed = ", ".join(f'"{title}"' for title in titles)
    raise FileFormatError(f'{name} has no sheet "{wanted}"; its sheets are: {listed}.')


def _read_book(kind, data, name, header_row, sheet, allow_empty):
    """Open an XLSX or XLS workbook and return its sheet ``sheet`` as a table."""
    close = None
    try:
        if kind == "xlsx":
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            close = book.close
            title = _pick_sheet([each.title for each in book.worksheets], sheet, name)
            worksheet = book[title]
            # Some exporters write a wrong <dimension> (often "A1"), at which
            # read-only mode would stop, silently dropping rows.
            worksheet.reset_dimensions()
            values = worksheet.iter_rows(values_only=True)
            lines = ([_text(value) for value in row] for row in values)
        else:
            # xlrd prints its warnings on stdout unless given a log file.
            book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
            close = book.release_resources
            title = _pick_sheet(book.sheet_names(), sheet, name)
            lines = _xls_lines(book, book.sheet_by_name(title))
    except Exception as exc:
        if close is not None:
            close()
        if isinstance(exc, FileFormatError):
            raise
        raise _cannot_open(name, kind, exc) from exc
    records = _book_records(lines, close, name, kind)
    details = {"file_format": kind, "sheet": title}
    return _table(records, name, header_row, allow_empty, **details)


def _book_records(lines, close, name, kind):
    """Number the rows; turn any library error into ours; close the book at the end."""
    number = 0
    try:
        for number, cells in enumerate(lines, 1):
            yield number, cells
    except Exception as exc:
        raise FileFormatError(
            f"{name} cannot be read as an {kind.upper()} workbook after row "
            f"{number}: {_reason(exc)}."
        ) from exc
    finally:
        close()


def _xls_lines(book, worksheet):
    for index in range(worksheet.nrows):
        kinds, values = worksheet.row_types(index), worksheet.row_values(index)
        pairs = zip(kinds, values, strict=False)
        yield [_xls_text(kind, value, book.datemode) for kind, value in pairs]


def _xls_text(kind, value, datemode):
    if kind == xlrd.XL_CELL_DATE:
        try:
            return _text(xlrd.xldate.xldate_as_datetime(value, datemode))
        except (ArithmeticError, ValueError, xlrd.xldate.XLDateError):
            return _text(value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    return _text(value)


def _text(value):
    """A workbook cell's value as the text a person sees (dates in ISO form)."""
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
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()
