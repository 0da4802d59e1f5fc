"""Regenerate the reader fixtures in ``engine/tests/files/``.

Run from the repository root: ``python3 engine/tests/make_fixtures.py``.
The files are committed; this script documents how each one was made and
rebuilds them byte for byte (the save time that openpyxl stamps into an
XLSX is replaced by a fixed one).
"""

import io
import random
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import xlwt

FILES = Path(__file__).parent / "files"
HEADER = "Student_Number,Last_Name,First_Name,Grade_Level,DOB,School_Code"
CSV_ROWS = [
    "100234,García,José,05,2013-04-09,ELM",
    "100235,Smith,Zoë,KG,2014-01-02,ELM",
    "100236,O'Brien,Liam,12,2006-07-08,HS",
]
BOOK_HEADER = HEADER.split(",") + ["Balance", "Active"]
# A birth "date" with a time of day, as some SIS exports write it.
LUNCH_TIME = datetime(2006, 7, 8, 13, 45)
# Row 4 of the sheet is left entirely blank on purpose.
BOOK_ROWS = {
    2: [100234.0, "  García ", "José", 5, date(2013, 4, 9), "ELM", 3.5, True],
    3: [100235, "Smith", "Zoë", "KG", datetime(2014, 1, 2), "ELM", None, False],
    5: [
        100236,
        "O'Brien",
        "Liam",
        12,
        LUNCH_TIME,
        "HS",
        0.1 + 0.2,
        True,
    ],
    # 38906 is a date serial typed into a General cell: it stays a number.
    6: ["00123", "Nguyen", "An", "PK", 38906, "HS", -12.75, False],
}
SCHOOLS = {1: ["District schools"], 3: ["School_Code", "School_Name"]}
SCHOOLS |= {4: ["ELM", "Elm Street Elementary"], 5: ["HS", "Central High"]}


def _write(name, data):
    (FILES / name).write_bytes(data)


def _csv(lines, newline="\n"):
    return newline.join(lines) + newline


def make_csv():
    _write("students_utf8.csv", _csv([HEADER, *CSV_ROWS]).encode("utf-8"))
    text = _csv([HEADER, *CSV_ROWS], "\r\n")
    _write("students_utf8_bom.csv", text.encode("utf-8-sig"))
    # A European Excel export: semicolons, cp1252, and a comma inside a name.
    rows = [
        "Student_Number;Last_Name;First_Name;Grade_Level;DOB;School_Code",
        "100240;Müller;Zoë;03;2015-02-11;ELM",
        "100241;Núñez, Jr.;José;04;2014-09-30;ELM",
        "100242;Ångström;Chloé;06;2012-12-01;MID",
    ]
    _write("students_cp1252_semicolon.csv", _csv(rows, "\r\n").encode("cp1252"))
    tabbed = [line.replace(",", "\t") for line in (HEADER, *CSV_ROWS)]
    _write("students_tab.tsv", _csv(tabbed).encode("utf-8"))
    piped = [line.replace(",", "|") for line in (HEADER, *CSV_ROWS)]
    _write("students_pipe.txt", _csv(piped).encode("utf-8"))
    # Excel's "Unicode Text": UTF-16 with a byte-order mark, tab-delimited.
    _write("students_utf16.txt", _csv(tabbed, "\r\n").encode("utf-16"))
    quoted = [
        HEADER + ",Street",
        '100234,García,José,05,2013-04-09,ELM,"12 Main St\nApt 4"',
        '100235,Smith,"Zoë ""Zo""",KG,2014-01-02,ELM,"1 Oak Ave\r\nUnit B\r\nRear"',
        "100236,O'Brien,Liam,12,2006-07-08,HS,3 Pine Rd",
    ]
    _write("students_quoted_newline.csv", _csv(quoted, "\r\n").encode("utf-8"))
    blank = [HEADER, CSV_ROWS[0], "", "   ", ",,,,,", CSV_ROWS[1], "", CSV_ROWS[2]]
    _write("students_blank_lines.csv", _csv(blank).encode("utf-8"))
    _write("header_only.csv", _csv([HEADER]).encode("utf-8"))
    _write("empty.csv", b"")


def _member(name):
    info = zipfile.ZipInfo(name, (2024, 9, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _rezip(data, edit):
    """Rewrite a zip through ``edit(name, content)``, with fixed timestamps."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(_member(name), edit(name, source.read(name)))
    return out.getvalue()


def _fixed_times(name, content):
    # Exporters that write "100234.0" give openpyxl a float, as Excel's own
    # files do for a student number stored as a decimal number.
    content = content.replace(b"<v>100234</v>", b"<v>100234.0</v>")
    # openpyxl stamps the save time into the core properties.
    if name == "docProps/core.xml":
        stamp = rb"(<dcterms:modified[^>]*>)[^<]*"
        content = re.sub(stamp, rb"\g<1>2024-09-01T00:00:00Z", content)
    return content


def _dimension_a1(name, content):
    if name.startswith("xl/worksheets/sheet"):
        content = re.sub(rb"<dimension ref=\"[^\"]*\"", b'<dimension ref="A1"', content)
    return content


def _xlsx(sheets):
    book = openpyxl.Workbook()
    book.properties.created = book.properties.modified = datetime(2024, 9, 1)
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for number, values in rows.items():
            for column, value in enumerate(values, 1):
                cell = sheet.cell(number, column, value)
                if isinstance(value, datetime) and value.hour:
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return _rezip(out.getvalue(), _fixed_times)


def _xls(sheets):
    book = xlwt.Workbook(encoding="utf-8")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    moment = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM:SS")
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        for number, values in rows.items():
            for column, value in enumerate(values):
                if isinstance(value, datetime):
                    style = moment if value.hour else day
                    sheet.write(number - 1, column, value, style)
                elif isinstance(value, date):
                    sheet.write(number - 1, column, value, day)
                elif value is not None:
                    sheet.write(number - 1, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_workbooks():
    sheets = {"Students": {1: BOOK_HEADER, **BOOK_ROWS}, "Schools": SCHOOLS}
    xlsx = _xlsx(sheets)
    _write("students.xlsx", xlsx)
    _write("students.xls", _xls(sheets))
    _write("header_only.xlsx", _xlsx({"Students": {1: BOOK_HEADER}}))
    # An upload cut short: the zip's central directory is missing.
    _write("broken_truncated.xlsx", xlsx[: len(xlsx) // 2])
    # Some exporters declare <dimension ref="A1"/> whatever the sheet holds.
    _write("students_bad_dimension.xlsx", _rezip(xlsx, _dimension_a1))


def make_not_workbooks():
    # A Word document renamed .xlsx: a valid zip without a workbook part.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in (
            ("[Content_Types].xml", "<Types/>"),
            ("_rels/.rels", "<Relationships/>"),
            ("word/document.xml", "<w:document>Student list</w:document>"),
        ):
            target.writestr(_member(name), content)
    _write("document_renamed.xlsx", out.getvalue())
    _write("garbage.xls", random.Random(20240901).randbytes(2048))


if __name__ == "__main__":
    FILES.mkdir(exist_ok=True)
    make_csv()
    make_workbooks()
    make_not_workbooks()
