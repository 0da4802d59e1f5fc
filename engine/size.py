"""A cheap estimate of a file's size in rows, to decide where it is previewed.

Reading a file is the preview's work; this only looks at what is cheap to
see, so that a web request can decide at once whether the preview runs in
the request or as a background job.
"""

import io
import re
import zipfile

# Bytes per row of a spreadsheet whose row count cannot be read cheaply:
# a student's row is rarely under 64 bytes, so this errs towards "big".
_BYTES_PER_ROW = 64
# A zipped XLSX row takes fewer bytes; a lying dimension is caught by this.
_XLSX_BYTES_PER_ROW = 1024
# How much of the first sheet is read to find its <dimension ref="A1:Q1234">.
_SHEET_HEAD = 64 * 1024
_DIMENSION = re.compile(r'<(?:\w+:)?dimension\s+ref="[A-Z]+(\d+)(?::[A-Z]+(\d+))?"')


def estimate_rows(data):
    """Roughly how many rows ``data`` (a file's bytes) holds, header included.

    A text file: its line breaks.  An XLSX workbook: the dimension its first
    sheet declares, or its size divided by 1024 when that is more (a
    declared dimension can be wrong).
    Anything else (XLS, a workbook without a dimension): its size divided
    by 64.  Never reads the rows themselves.
    """
    if data[:2] == b"PK":
        declared = _xlsx_rows(data)
        if declared is None:
            return len(data) // _BYTES_PER_ROW
        return max(declared, len(data) // _XLSX_BYTES_PER_ROW)
    if data[:4] == b"\xd0\xcf\x11\xe0":
        return len(data) // _BYTES_PER_ROW
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _xlsx_rows(data):
    """The row count the first sheet's ``<dimension>`` declares, or None.

    Reads the workbook's small parts and at most the first 64 KB of the
    first sheet, never the shared strings nor the rows: openpyxl would load
    every shared string here, which a hostile file inflates to gigabytes.
    """
    from .xlsx import Damaged, Workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        book = Workbook(archive)
        if not book.sheets:
            return None
        with archive.open(book.sheets[0][1]) as sheet:
            head = sheet.read(_SHEET_HEAD).decode("utf-8", "replace")
    except (zipfile.BadZipFile, Damaged, KeyError, ValueError, OSError, EOFError):
        return None
    except Exception:  # noqa: BLE001 - an estimate never refuses: the preview does
        return None
    match = _DIMENSION.search(head)
    return int(match.group(2) or match.group(1)) if match else None
