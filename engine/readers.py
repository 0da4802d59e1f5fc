"""Read a roster file (CSV, XLSX or XLS) as a header and a lazy stream of rows.

The format is decided by the file's content, not its name: district SIS
exports are often mislabelled (a CSV named ``.xls``).  Every failure is a
:class:`~engine.errors.FileFormatError` with one line naming the file; no
library exception escapes, not even one raised while the rows are iterated.

The CSV path is the hot one (a million rows is a realistic district), so its
rows come straight from the lines of a ``TextIOWrapper`` on the bytes (an
``io.StringIO`` of the decoded text would hold four bytes per character):
split with ``str.split`` when they hold no quote, through ``csv.reader``
otherwise (:class:`_SplitReader`).
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
from zipfile import BadZipFile

import xlrd

from . import xlsx
from .errors import FileFormatError, LimitError
from .limits import Limits, check_archive, short_name
from .normalize import clean

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
    per-row cost of a large CSV down to splitting its lines.
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
    limits: Limits | None = None,
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
    ``limits`` (default :class:`~engine.limits.Limits`) bound the file's
    size, rows, columns and values; the reader stops at the first one passed.

    The first data row is read before returning, so that a file with no
    student rows fails here (unless ``allow_empty``, for a roster that may be
    legitimately empty); the rest is read as ``Table.rows`` is iterated.

    Raises :class:`~engine.errors.FileFormatError` with a one-line reason
    (:class:`~engine.errors.LimitError` past a limit).
    """
    limits = limits or Limits()
    name = short_name(filename)
    limits.check_file_size(len(data), name)
    if _is_blank(data):
        raise FileFormatError(
            f"{name} is empty: check that the export finished, then choose the file again."
        )
    what = binary_kind(data)
    if what:
        raise _not_a_list(name, what)
    archive = _open_archive(data, name, limits) if data.startswith(_ZIP_MAGIC) else None
    try:
        return _read(
            data,
            name,
            archive,
            file_format,
            encoding,
            delimiter,
            header_row,
            sheet,
            allow_empty,
            limits,
        )
    except BaseException:
        if archive is not None and archive is not _BUNDLE:
            archive.close()
        raise


# What _open_archive returns for a OneRoster bundle, which its reader opens.
_BUNDLE = object()


def _open_archive(data, name, limits):
    """The ZIP of an XLSX, checked, or :data:`_BUNDLE`; any other ZIP is named and refused."""
    archive = check_archive(data, limits, name)
    names = archive.namelist()
    if any(member.lower().endswith("workbook.xml") for member in names):
        return archive
    archive.close()
    from .oneroster import is_bundle  # it imports this module

    if is_bundle(names):
        return _BUNDLE
    # A .docx or any other zip renamed .xlsx has no workbook part.
    raise _not_a_list(name, archive_kind(names))


def _read(
    data, name, archive, file_format, encoding, delimiter, header_row, sheet, allow_empty, limits
):
    zip_kind = "" if archive is None else "oneroster" if archive is _BUNDLE else "xlsx"
    if archive is _BUNDLE:
        archive = None
    extension = os.path.splitext(name)[1].lower()
    if extension not in _EXTENSIONS:
        shown = f'"{extension}" ({name})' if extension else f"({name}: no extension)"
        raise FileFormatError(
            f"Unsupported file type {shown}: export the roster as CSV, XLSX, XLS "
            "or a OneRoster bundle (.zip)."
        )
    if not isinstance(header_row, int) or header_row < 1:
        raise FileFormatError(f"The header row must be 1 or more, not {header_row!r}.")
    actual = _content_format(data, name, encoding or "auto", zip_kind)
    wanted = (file_format or "auto").strip().lower().replace("xlsm", "xlsx")
    if wanted not in ("auto", *_FORMATS):
        raise FileFormatError(f'Unknown file format "{str(file_format)[:20]}" for {name}.')
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
    context = _Context(name, header_row, limits)
    if actual == "csv":
        return _read_csv(data, context, encoding, delimiter, allow_empty)
    if actual == "xlsx":
        return _read_xlsx(archive, context, sheet, allow_empty)
    if actual == "oneroster":
        from .oneroster import read_bundle  # it imports this module

        return read_bundle(data, name, limits)
    return _read_xls(data, context, sheet, allow_empty)


@dataclass
class _Context:
    """What every step of a read needs to name a place and refuse past a limit."""

    name: str
    header_row: int
    limits: Limits
    headers: list | None = None
    # A CSV read without the line checker: its reader (for line numbers) and
    # what re-reading its text takes, on the rare path of a record of many lines.
    reader: object = None
    text: tuple = ()

    def refuse(self, limit, found, row=0, column=0, line=False, advice=""):
        """Raise the :class:`LimitError` of ``limit`` at ``row`` (a line of text if ``line``)."""
        place = ""
        if row:
            place = f"{'line' if line else 'row'} {row:,}"
            if column:
                header = ""
                if self.headers and column <= len(self.headers) and self.headers[column - 1]:
                    header = f" ({self.headers[column - 1][:24]})"
                place += f", column {column:,}{header}"
        advice = advice or _ADVICE.get(limit, "")
        raise self.limits.refuse(self.name, limit, found, place, advice)


_ADVICE = {
    "max_rows": "split the file, or raise the limit",
    "max_columns": "check the delimiter and export fewer columns, or raise the limit",
    "max_cell_chars": 'check that value (a stray " character?), or raise the limit',
}

# Signatures of files that are no table, whatever their name says.
_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x7fELF", "an executable program (ELF)"),
    (b"\xcf\xfa\xed\xfe", "an executable program (Mach-O)"),
    (b"\xfe\xed\xfa\xcf", "an executable program (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "an executable program (Mach-O or Java)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an XZ archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"{\\rtf", "an RTF document"),
    (b"OggS", "an audio or video file"),
    (b"ID3", "an MP3 audio file"),
)


def binary_kind(data):
    """What ``data`` is when its signature shows that it is no table; else ``""``.

    ZIP and OLE files (XLSX and XLS workbooks, but also Word documents and
    other archives) are judged by their content by :func:`read_table`.
    """
    head = data[:64]
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            return what
    if head[4:8] == b"ftyp":
        return "a video or photo file (MP4, MOV or HEIC)"
    if head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "a WebP image", b"WAVE": "a WAV audio file"}.get(
            head[8:12], "an AVI video"
        )
    if head.startswith(_OLE2_MAGIC) and not any(stream in data for stream in _WORKBOOK_STREAMS):
        if _ENCRYPTED_STREAM not in data:
            return next((what for stream, what in _OLE_DOCUMENTS if stream in data), "")
    if head.startswith(b"MZ") and len(data) >= 64:
        offset = int.from_bytes(data[60:64], "little")
        if data[offset : offset + 4] == b"PE\x00\x00":
            return "an executable program (Windows)"
    return ""


def _is_blank(data):
    start = next((len(bom) for bom in _BOMS if data.startswith(bom)), 0)
    # Only a file whose first few KB are blank is scanned to the end.
    if data[start : start + _HEAD].strip(_BLANK_BYTES):
        return False
    return not data[start:].strip(_BLANK_BYTES)


def _not_a_list(name, what):
    return FileFormatError(
        f"{name} is {what}, not a student list: export the students from the SIS as CSV or XLSX."
    )


def _not_readable(name, hint=""):
    return FileFormatError(f"{name} is not a readable CSV, XLSX or XLS file{hint}.")


def _content_format(data, name, encoding, zip_kind=""):
    """Return ``"xlsx"``, ``"xls"``, ``"oneroster"`` or ``"csv"`` from the bytes themselves."""
    if data.startswith(_ZIP_MAGIC):
        # What kind of ZIP it is was found when its directory was checked.
        return zip_kind or "xlsx"
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


# An OLE2 file holds named streams; their names are stored in UTF-16.
_WORKBOOK_STREAMS = tuple(name.encode("utf-16-le") for name in ("Workbook", "Book\x00"))
_OLE_DOCUMENTS = tuple(
    (name.encode("utf-16-le"), what)
    for name, what in (
        ("WordDocument", "a Word document (DOC)"),
        ("PowerPoint Document", "a PowerPoint presentation (PPT)"),
        ("__substg1.0_", "an Outlook message (MSG)"),
        ("VisioDocument", "a Visio drawing"),
    )
)
# What a ZIP without a workbook part is, by a part it holds.
_ZIP_DOCUMENTS = (
    ("word/document.xml", "a Word document (DOCX)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (PPTX)"),
    ("xl/workbook.bin", "an Excel binary workbook (XLSB)"),
    ("content.xml", "an OpenDocument file (ODS or ODT)"),
)


def archive_kind(names):
    """What a ZIP holding the parts ``names`` is, when it is not an XLSX workbook."""
    lowered = {name.lower() for name in names}
    for part, what in _ZIP_DOCUMENTS:
        if part in lowered:
            return what
    return "a ZIP archive that holds no workbook or OneRoster bundle"


def _reason(exc):
    if isinstance(exc, (*_DAMAGED, xlsx.Damaged)):
        return "the file is damaged or incomplete"
    return " ".join(str(exc).split())[:120] or type(exc).__name__


def _cannot_open(name, kind, exc):
    return FileFormatError(
        f"{name} cannot be opened as an {kind.upper()} workbook: {_reason(exc)}."
    )


def _table(records, context, allow_empty, **details):
    """Find the header and the first data row of ``records``, then wrap the rest."""
    try:
        headers, first = _start(records, context, allow_empty)
    except BaseException:
        getattr(records, "close", lambda: None)()
        raise
    if context.reader is not None:
        rows = context.reader.rows(first, context)
    else:
        rows = _rows(records, first, context)
    return Table(headers, context.header_row, rows, **details)


def _start(records, context, allow_empty):
    name, header_row, limits = context.name, context.header_row, context.limits
    headers = None
    number = 0
    try:
        for number, cells in records:
            if headers is None:
                if number < header_row:
                    continue
                if number > header_row:  # a workbook skips blank rows
                    cells = []
                if len(cells) > limits.max_columns:
                    while cells and not cells[-1].strip():
                        cells.pop()
                    if len(cells) > limits.max_columns:
                        context.refuse(
                            "max_columns",
                            f"the header has {len(cells):,} columns",
                            number,
                        )
                headers = [clean(cell).strip() for cell in cells]
                while headers and not headers[-1]:
                    headers.pop()
                if not headers:
                    raise FileFormatError(
                        f"Row {header_row} of {name}, the header row, is blank: "
                        f"set the header row to the row with the column names."
                    )
                context.headers = headers
            elif cells and (cells[0].strip() or "".join(cells).strip()):
                return headers, (number, cells)
    except csv.Error as exc:
        _csv_limit(exc, number + 1, context)
        raise _csv_error(name, number + 1, exc) from exc
    if headers is None:
        raise FileFormatError(
            f"{name} has only {number} rows, so row {header_row} cannot be its "
            f"header row: check the header row setting."
        )
    if allow_empty:
        return headers, None
    raise FileFormatError(f"{name} has a header row but no student rows.")


def _rows(records, first, context):
    """Yield ``first`` then the non-blank rows of ``records``; close them at the end."""
    number = first[0] if first else 0
    max_rows = context.limits.max_rows
    try:
        if first is None:
            return
        yield first
        for number, cells in records:
            if number > max_rows:
                context.refuse("max_rows", f"the file has more than {max_rows:,} rows", number)
            # A row starts with the student number as a rule, so one strip is
            # the whole test; the join only runs when the first cell is blank.
            if cells and (cells[0].strip() or "".join(cells).strip()):
                yield number, cells
    except csv.Error as exc:
        raise _csv_error(context.name, number + 1, exc) from exc
    finally:
        getattr(records, "close", lambda: None)()


def _csv_limit(exc, began, context):
    """Refuse past the value-length limit when csv.reader's own limit stopped it first.

    Without long lines, a value that outgrows csv's limit is a quoted value
    running over lines (a stray quote, as a rule) that began on ``began``.
    """
    if context.reader is None or "field larger than field limit" not in str(exc):
        return
    if context.limits.max_cell_chars <= csv.field_size_limit():
        _refuse_run(began, context)


def _check_spanning(cells, began, context):
    if cells and max(map(len, cells)) > context.limits.max_cell_chars:
        _refuse_run(began, context)


def _refuse_run(began, context):
    context.refuse(
        "max_cell_chars",
        "a quoted value runs on",
        began,
        line=True,
        advice='a stray " character may open it: close or remove it, or raise the limit',
    )


def _check_closed(began, context):
    """Refuse the file when the record that begins on line ``began`` never closes its quote."""
    data, encoding, delimiter = context.text
    inside = False
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    for number, line in enumerate(stream, 1):
        if number >= began and (inside or '"' in line):
            inside = _ends_quoted(line, delimiter, inside)
    if inside:
        raise FileFormatError(
            f'{context.name} line {began:,}: a quoted value never ends: a stray " character '
            f"opens it; close or remove it."
        )


def _has_long_line(data, cap):
    """True when ``data`` may hold a line of more than ``cap`` characters.

    A line that long holds a whole aligned block of ``cap // 2`` bytes
    without a line break; one ``find`` per block, in C, looks for that.
    """
    block = max(cap // 2, 1)
    find = data.find
    for start in range(0, len(data) - block + 1, block):
        end = start + block
        if find(b"\n", start, end) < 0 and find(b"\r", start, end) < 0:
            return True
    return False


def _csv_error(name, row, exc):
    detail = " ".join(str(exc).split())[:120]
    if "field larger than field limit" in detail:
        detail = 'a value is too long, or a quoted value never ends (look for a stray " character)'
    return FileFormatError(f"{name} row {row}: {detail}.")


def _read_csv(data, context, encoding, delimiter, allow_empty):
    if data.endswith(b"\x1a"):
        data = data.rstrip(b"\x1a")  # the DOS end-of-file mark of old exports
    name = context.name
    used = _csv_encoding(data, name, encoding)
    sample = codecs.getincrementaldecoder(used)().decode(data[:_SAMPLE])
    delimiter = _csv_delimiter(delimiter, sample, context.header_row, len(data) > _SAMPLE)
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=used, newline="")
    if _has_long_line(data, context.limits.max_cell_chars):
        # Every line checked before csv.reader splits it: a long one may be a
        # 100 MB line of millions of cells.
        reader = csv.reader(_checked_lines(stream, delimiter, context), delimiter=delimiter)
    else:
        # The common case: lines straight to the reader, which counts them,
        # and only records of several lines are looked at (_SplitReader.rows).
        reader = _SplitReader(stream, delimiter)
        context.reader, context.text = reader, (data, used, delimiter)
    records = enumerate(reader, 1)
    details = {"file_format": "csv", "encoding": used, "delimiter": delimiter}
    return _table(records, context, allow_empty, **details)


class _SplitReader:
    """``csv.reader(stream, delimiter=delimiter)``, a third quicker on a real export.

    A line without a quote, a NUL or room for a value past csv's field
    limit is what csv.reader would split at each delimiter (the default
    dialect quotes with ``"`` only and has no escape character):
    ``str.split`` splits it in one C call, without csv's per-character
    state machine.  Every other line goes to a csv.reader of its own over
    that line and the rest of the stream, which also reads the lines after
    it that a quoted value spans, and raises csv's errors.  ``line_num`` counts the lines
    read so far, as csv.reader's does.

    Iterated, it gives every record's cells (the header is found in them);
    :meth:`rows` then reads the data rows from the same stream.
    """

    def __init__(self, stream, delimiter):
        self.line_num = 0
        # The line that the last record began on (it may end on line_num).
        self.first_line = 0
        self._stream = stream
        self._delimiter = delimiter
        self._limit = csv.field_size_limit()

    def __iter__(self):
        # Not kept on the reader: a generator of its own method that the
        # reader held would make a cycle, and keep the file's bytes (200 MB
        # for a million students) until the collector's next full pass.
        return self._read()

    def _read(self):
        for line in self._stream:
            self.first_line = self.line_num + 1
            if '"' in line or "\x00" in line or len(line) > self._limit:
                cells, count = self._quoted(line)
                if cells is None:
                    return
                self.line_num += count
            else:
                self.line_num += 1
                line = line.rstrip("\r\n")
                cells = line.split(self._delimiter) if line else []
            yield cells

    def _quoted(self, line):
        """The record that begins with ``line`` and the number of lines it spans.

        A csv.reader of its own goes on reading the stream while a quoted
        value runs on, and stops at the end of the record.
        """
        quoted = csv.reader(itertools.chain((line,), self._stream), delimiter=self._delimiter)
        return next(quoted, None), quoted.line_num

    def rows(self, first, context):
        """:func:`_rows` of this reader's records after ``first``: the data rows.

        One loop reads the lines, numbers the records, refuses past the row
        limit and skips blank rows: the hot path of a large CSV, with no
        generator between the lines and the caller.  A record that spans
        several lines holds a quoted value with line breaks: an address, or
        a stray quote that swallowed the lines after it.  Only such records
        are looked at (the line count tells them at no cost): a value past
        the length limit is refused, and so is a last record whose quote
        never closes.
        """
        number = first[0] if first else 0
        max_rows = context.limits.max_rows
        stream, delimiter, limit = self._stream, self._delimiter, self._limit
        lines = self.line_num
        began = 0  # the first line of the last record of several lines
        ended = -1  # and its last line
        try:
            if first is None:
                return
            if lines > self.first_line:  # the first row spans several lines
                began, ended = self.first_line, lines
                _check_spanning(first[1], began, context)
            yield first
            for line in stream:
                if '"' in line or "\x00" in line or len(line) > limit:
                    cells, count = self._quoted(line)
                    if cells is None:
                        break
                    if count > 1:
                        began, ended = lines + 1, lines + count
                        _check_spanning(cells, began, context)
                    lines += count
                else:
                    lines += 1
                    # A blank line gives [""], which the test below skips.
                    cells = line.rstrip("\r\n").split(delimiter)
                number += 1
                if number > max_rows:
                    context.refuse("max_rows", f"the file has more than {max_rows:,} rows", number)
                if cells and (cells[0].strip() or "".join(cells).strip()):
                    yield number, cells
            if ended == lines:
                _check_closed(began, context)
        except csv.Error as exc:
            _csv_limit(exc, lines + 1, context)
            raise _csv_error(context.name, number + 1, exc) from exc
        finally:
            self.line_num = lines


def _checked_lines(stream, delimiter, context):
    """The lines of ``stream``, refused past the column and value-length limits.

    A line is looked at closely only when it is long, or when it has an odd
    number of quotes or continues a quoted value from the lines before:
    ``csv.reader`` would otherwise split a 100 MB line into millions of
    cells, or gather a value that a stray quote opens into one string as long
    as the rest of the file (and the rows in it would silently vanish).
    """
    cap = context.limits.max_cell_chars
    run = 0  # characters so far of a quoted value that goes on over lines
    began = 0  # the line where that value began
    number = 0
    for number, line in enumerate(stream, 1):
        if run:
            run += len(line)
            if '"' in line and not _ends_quoted(line, delimiter, True):
                run = 0
            elif run > cap:
                _refuse_run(began, context)
        else:
            if len(line) > cap:
                _check_long_line(line, number, delimiter, context)
            if '"' in line and line.count('"') & 1 and _ends_quoted(line, delimiter, False):
                run, began = len(line) - line.rfind('"'), number
        yield line
    if run:
        raise FileFormatError(
            f'{context.name} line {began:,}: a quoted value never ends: a stray " character '
            f"opens it; close or remove it."
        )


def _ends_quoted(line, delimiter, inside):
    """True when ``line`` ends inside a quoted value (``inside``: it begins in one).

    As ``csv.reader`` reads: a quote opens a value only as its first
    character, ``""`` inside is a quote, and a quote elsewhere is text.
    """
    at, end = 0, len(line)
    while True:
        if inside:
            close = line.find('"', at)
            while close >= 0 and line.startswith('"', close + 1):
                close = line.find('"', close + 2)
            if close < 0:
                return True
            inside = False
            at = close + 1
        elif at < end and line[at] == '"':
            inside = True
            at += 1
            continue
        following = line.find(delimiter, at)
        if following < 0:
            return False
        at = following + 1


def _check_long_line(line, number, delimiter, context):
    """Refuse a line of more columns or longer values than the limits allow."""
    limits = context.limits
    line = line.rstrip("\r\n")
    if line.count(delimiter) >= limits.max_columns:
        lengths = _field_lengths(line, delimiter, limits.max_columns + 1)
        if len(lengths) > limits.max_columns:
            found = f"more than {limits.max_columns:,}"
            if '"' not in line:
                found = f"{line.count(delimiter) + 1:,}"
            context.refuse("max_columns", f"the line has {found} columns", number, line=True)
    else:
        lengths = _field_lengths(line, delimiter, limits.max_columns + 1)
    longest = max(lengths)
    if longest > limits.max_cell_chars:
        column = lengths.index(longest) + 1
        context.refuse(
            "max_cell_chars", f"a value of {longest:,} characters", number, column, line=True
        )


def _field_lengths(line, delimiter, most):
    """The lengths of the first ``most`` fields of one line; quotes are honoured."""
    if '"' not in line:
        return [len(field) for field in line.split(delimiter, most - 1)[:most]]
    lengths = []
    at, end = 0, len(line)
    while len(lengths) < most:
        cursor = at
        if cursor < end and line[cursor] == '"':
            cursor += 1
            while True:
                cursor = line.find('"', cursor)
                if cursor < 0:
                    lengths.append(end - at)  # a value that goes on to the next line
                    return lengths
                if line.startswith('"', cursor + 1):
                    cursor += 2
                    continue
                break
        following = line.find(delimiter, cursor)
        if following < 0:
            lengths.append(end - at)
            return lengths
        lengths.append(following - at)
        at = following + 1
    return lengths


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
    listed = ", ".join(f'"{title[:30]}"' for title in titles[:5])
    if len(titles) > 5:
        listed += f" and {len(titles) - 5:,} more"
    raise FileFormatError(f'{name} has no sheet "{wanted[:40]}"; its sheets are: {listed}.')


def _read_xlsx(archive, context, sheet, allow_empty):
    """Read sheet ``sheet`` of the checked XLSX ``archive``, within the limits, as a table."""
    name, limits = context.name, context.limits
    try:
        book = xlsx.Workbook(archive)
        titles = [title for title, _part in book.sheets]
        title = _pick_sheet(titles, sheet, name)
        part = dict(book.sheets)[title]
        strings = xlsx.read_shared_strings(book, limits, context.refuse)
    except Exception as exc:
        archive.close()
        if isinstance(exc, FileFormatError):
            raise
        raise _cannot_open(name, "xlsx", exc) from exc
    lines = xlsx.iter_rows(book, part, strings, limits, context.refuse, context.header_row, context)
    records = _book_records(lines, archive.close, name, "xlsx")
    return _table(records, context, allow_empty, file_format="xlsx", sheet=title)


def _read_xls(data, context, sheet, allow_empty):
    """Open an XLS workbook and return its sheet ``sheet`` as a table."""
    name = context.name
    close = None
    try:
        # xlrd prints its warnings on stdout unless given a log file.
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
        close = book.release_resources
        title = _pick_sheet(book.sheet_names(), sheet, name)
        lines = _xls_lines(book, book.sheet_by_name(title), context)
    except Exception as exc:
        if close is not None:
            close()
        if isinstance(exc, FileFormatError):
            raise
        if "find workbook in OLE2" in str(exc):
            what = "a Microsoft Office file that holds no Excel workbook"
            raise _not_a_list(name, what) from exc
        raise _cannot_open(name, "xls", exc) from exc
    records = _book_records(lines, close, name, "xls")
    return _table(records, context, allow_empty, file_format="xls", sheet=title)


def _book_records(lines, close, name, kind):
    """Turn any library error into ours; close the book at the end."""
    number = 0
    try:
        for number, cells in lines:
            yield number, cells
    except LimitError:
        raise
    except Exception as exc:
        if isinstance(exc, FileFormatError):
            raise
        if not number:
            raise _cannot_open(name, kind, exc) from exc
        raise FileFormatError(
            f"{name} cannot be read as an {kind.upper()} workbook after row "
            f"{number}: {_reason(exc)}."
        ) from exc
    finally:
        close()


def _xls_lines(book, worksheet, context):
    limits = context.limits
    if worksheet.nrows > limits.max_rows:
        context.refuse("max_rows", f"the sheet has {worksheet.nrows:,} rows")
    cap, max_columns = limits.max_cell_chars, limits.max_columns
    for index in range(worksheet.nrows):
        kinds, values = worksheet.row_types(index), worksheet.row_values(index)
        pairs = zip(kinds, values, strict=False)
        cells = [_xls_text(kind, value, book.datemode) for kind, value in pairs]
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > max_columns:
            context.refuse(
                "max_columns", f"a value in column {len(cells):,}", index + 1, len(cells)
            )
        if cells and max(map(len, cells)) > cap:
            column = next(at for at, cell in enumerate(cells, 1) if len(cell) > cap)
            context.refuse(
                "max_cell_chars", f"a value has more than {cap:,} characters", index + 1, column
            )
        yield index + 1, cells


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


_text = xlsx.cell_text
