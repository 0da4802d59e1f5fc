"""A cheap estimate of a file's size in rows, to decide where it is previewed.

Reading a file is the preview's work; this only looks at what is cheap to
see, so that a web request can decide at once whether the preview runs in
the request or as a background job.
"""

import io
import zipfile

# Bytes per row of a spreadsheet whose row count cannot be read cheaply:
# a student's row is rarely under 64 bytes, so this errs towards "big".
_BYTES_PER_ROW = 64
# A zipped XLSX row takes fewer bytes; a lying dimension is caught by this.
_XLSX_BYTES_PER_ROW = 1024


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
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        return None
    try:
        rows = book.worksheets[0].max_row if book.worksheets else None
    except (KeyError, ValueError, TypeError):
        rows = None
    finally:
        book.close()
    return rows if isinstance(rows, int) and rows > 0 else None
