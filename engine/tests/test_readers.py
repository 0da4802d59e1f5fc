"""engine.readers: real small files (see make_fixtures.py) and a few in memory."""

import csv
import inspect
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import readers
from engine.errors import FileFormatError
from engine.readers import read_table

FILES = Path(__file__).parent / "files"
HEADERS = [
    "Student_Number",
    "Last_Name",
    "First_Name",
    "Grade_Level",
    "DOB",
    "School_Code",
]
CSV_ROWS = [
    (2, ["100234", "García", "José", "05", "2013-04-09", "ELM"]),
    (3, ["100235", "Smith", "Zoë", "KG", "2014-01-02", "ELM"]),
    (4, ["100236", "O'Brien", "Liam", "12", "2006-07-08", "HS"]),
]
BOOK_ROWS = [
    (2, ["100234", "García", "José", "5", "2013-04-09", "ELM", "3.5", "TRUE"]),
    (3, ["100235", "Smith", "Zoë", "KG", "2014-01-02", "ELM", "", "FALSE"]),
    # Row 4 is blank in the workbook.
    (
        5,
        ["100236", "O'Brien", "Liam", "12", "2006-07-08 13:45:00", "HS", "0.3", "TRUE"],
    ),
    (6, ["00123", "Nguyen", "An", "PK", "38906", "HS", "-12.75", "FALSE"]),
]


def read(name, **options):
    return read_table((FILES / name).read_bytes(), name, **options)


def refused(data, filename, match, **options):
    with pytest.raises(FileFormatError, match=match) as caught:
        list(read_table(data, filename, **options).rows)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def refused_file(name, match, **options):
    return refused((FILES / name).read_bytes(), name, match, **options)


# CSV -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter"),
    [
        ("students_utf8.csv", "utf-8", ","),
        ("students_utf8_bom.csv", "utf-8-sig", ","),
        ("students_tab.tsv", "utf-8", "\t"),
        ("students_pipe.txt", "utf-8", "|"),
        ("students_utf16.txt", "utf-16", "\t"),
    ],
)
def test_csv_encoding_and_delimiter_are_detected(name, encoding, delimiter):
    table = read(name)
    assert (table.file_format, table.encoding, table.delimiter) == (
        "csv",
        encoding,
        delimiter,
    )
    assert table.headers == HEADERS  # no BOM glued to the first header
    assert table.header_row == 1
    assert list(table.rows) == CSV_ROWS  # no "\r" left from CRLF line ends


def test_cp1252_semicolons_with_accents_and_a_comma_in_a_name():
    table = read("students_cp1252_semicolon.csv")
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert table.headers == HEADERS
    assert [(number, cells[1], cells[2]) for number, cells in table.rows] == [
        (2, "Müller", "Zoë"),
        (3, "Núñez, Jr.", "José"),
        (4, "Ångström", "Chloé"),
    ]


def test_quoted_newlines_are_one_row_and_later_rows_keep_their_number():
    rows = list(read("students_quoted_newline.csv").rows)
    assert [number for number, _cells in rows] == [2, 3, 4]
    assert rows[0][1][6] == "12 Main St\nApt 4"
    assert rows[1][1][2] == 'Zoë "Zo"'
    assert rows[1][1][6] == "1 Oak Ave\r\nUnit B\r\nRear"
    assert rows[2][1][:3] == ["100236", "O'Brien", "Liam"]


def test_blank_lines_are_skipped_but_counted():
    rows = list(read("students_blank_lines.csv").rows)
    assert rows == [(2, CSV_ROWS[0][1]), (6, CSV_ROWS[1][1]), (8, CSV_ROWS[2][1])]


def test_rows_above_the_header_row_are_ignored_and_do_not_decide_the_delimiter():
    data = b"District Roster Export;2024-09-01\n\n" + (FILES / "students_utf8.csv").read_bytes()
    table = read_table(data, "export.csv", header_row=3)
    assert (table.headers, table.header_row, table.delimiter) == (HEADERS, 3, ",")
    assert [number for number, _cells in table.rows] == [4, 5, 6]


def test_short_and_long_rows_are_passed_as_they_are():
    data = b"Student_Number,Last_Name,First_Name\n1,Smith\n2,Jones,Ann,extra\n"
    assert list(read_table(data, "s.csv").rows) == [
        (2, ["1", "Smith"]),
        (3, ["2", "Jones", "Ann", "extra"]),
    ]


def test_header_cells_are_stripped_and_trailing_empty_ones_dropped():
    table = read_table(b" Student_Number , ,Last_Name,,\n1,,Smith,,\n", "s.csv")
    assert table.headers == ["Student_Number", "", "Last_Name"]


def test_explicit_encoding_and_delimiter_are_honoured():
    table = read("students_cp1252_semicolon.csv", encoding="latin-1", delimiter=";")
    assert (table.encoding, table.delimiter) == ("latin-1", ";")
    assert next(table.rows)[1][1] == "Müller"
    assert read("students_tab.tsv", delimiter="tab").delimiter == "\t"
    # Forced to split on commas, the semicolon file has a single column.
    table = read("students_utf8.csv", delimiter=";")
    assert table.headers == [",".join(HEADERS)]


def test_explicit_encoding_that_does_not_fit_names_encoding_offset_and_line():
    data = (FILES / "students_cp1252_semicolon.csv").read_bytes()
    offset = data.index("Müller".encode("cp1252")) + 1
    assert offset == 73  # the ü, on the second line
    message = refused(data, "students.csv", "not valid utf-8 text", encoding="utf-8")
    assert message.startswith("students.csv ")
    assert "(byte 0xfc at offset 73, line 2)" in message


def test_unknown_encoding_and_bad_delimiter_are_refused():
    data = (FILES / "students_utf8.csv").read_bytes()
    refused(data, "s.csv", 'Unknown encoding "klingon"', encoding="klingon")
    refused(data, "s.csv", 'Unknown encoding "base64"', encoding="base64")
    refused(data, "s.csv", "delimiter must be one character", delimiter=";;")


def test_cp1252_is_tried_before_latin1_and_latin1_takes_the_rest():
    assert read_table(b"Name,Note\nAnn,\x80 5\n", "s.csv").encoding == "cp1252"
    # 0x81 is undefined in cp1252: only latin-1 decodes it.
    table = read_table(b"Name,Note\nAnn,\x81\xe9\n", "s.csv")
    assert (table.encoding, next(table.rows)) == ("latin-1", (2, ["Ann", "\x81é"]))


def test_an_unclosed_quote_is_reported_with_its_line():
    data = b'Student_Number,Last_Name\n1,Smith\n2,"Jones\n' + b"3,Brown\n" * 20000
    message = refused(data, "s.csv", r"^s\.csv line 3: a quoted value runs on, over the limit")
    assert 'a stray " character may open it' in message
    # A short file: the value would swallow the rows after it, silently.
    data = b'Student_Number,Last_Name\n1,Smith\n2,"Jones\n3,Brown\n4,Lee\n'
    refused(data, "s.csv", r'^s\.csv line 3: a quoted value never ends: a stray " character')


def test_quotes_inside_unquoted_values_are_text():
    data = b'Student_Number,Last_Name\n1,O"Brien\n2,Zo\xc3\xab "Zo"\n' + b"3,Brown\n" * 20000
    rows = list(read_table(data, "s.csv").rows)
    assert rows[:2] == [(2, ["1", 'O"Brien']), (3, ["2", 'Zoë "Zo"'])]
    assert len(rows) == 20002


def test_rows_are_read_lazily():
    # A large file whose last row is broken: read_table must return without
    # reaching it, and the error surfaces only while iterating.
    body = b"".join(b"%d,Last%d,First%d,05,2013-04-09,ELM\n" % (n, n, n) for n in range(200_000))
    data = (
        b",".join(name.encode() for name in HEADERS)
        + b"\n"
        + body
        + b'9,"broken\n'
        + b"x" * 200_000
    )
    table = read_table(data, "big.csv")
    assert inspect.isgenerator(table.rows)
    assert next(table.rows) == (2, ["0", "Last0", "First0", "05", "2013-04-09", "ELM"])
    with pytest.raises(FileFormatError, match="big.csv line 200,002: a quoted value runs on"):
        for _row in table.rows:
            pass


# Workbooks -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["students.xlsx", "students.xls", "students_bad_dimension.xlsx"])
def test_workbook_cells_come_back_as_the_text_a_person_sees(name):
    table = read(name)
    assert (table.file_format, table.sheet, table.encoding) == (
        name.split(".")[-1],
        "Students",
        None,
    )
    assert table.headers == HEADERS + ["Balance", "Active"]
    assert list(table.rows) == BOOK_ROWS


@pytest.mark.parametrize("name", ["students.xlsx", "students.xls"])
def test_a_named_sheet_with_a_title_above_its_header(name):
    table = read(name, sheet="schools", header_row=3)  # names match ignoring case
    assert (table.sheet, table.headers) == ("Schools", ["School_Code", "School_Name"])
    assert list(table.rows) == [
        (4, ["ELM", "Elm Street Elementary"]),
        (5, ["HS", "Central High"]),
    ]


@pytest.mark.parametrize("name", ["students.xlsx", "students.xls"])
def test_an_unknown_sheet_lists_the_sheets(name):
    refused_file(
        name,
        f'^{name} has no sheet "Roster"; its sheets are: "Students", "Schools".$',
        sheet="Roster",
    )


def test_the_workbook_is_closed_once_the_rows_are_read(monkeypatch):
    closed = []
    check = readers.check_archive

    def spy(*args, **kwargs):
        archive = check(*args, **kwargs)
        close = archive.close
        archive.close = lambda: closed.append(True) or close()
        return archive

    monkeypatch.setattr(readers, "check_archive", spy)
    table = read("students.xlsx")
    assert closed == []
    assert len(list(table.rows)) == 4
    assert closed == [True]


# Format detection ----------------------------------------------------------


def test_mislabelled_files_are_read_by_their_content():
    table = read_table((FILES / "students_utf8.csv").read_bytes(), "SIS_EXPORT.XLS")
    assert (table.file_format, table.headers) == ("csv", HEADERS)
    table = read_table((FILES / "students.xls").read_bytes(), "students.xlsx")
    assert (table.file_format, len(list(table.rows))) == ("xls", 4)
    table = read_table((FILES / "students.xlsx").read_bytes(), "C:\\Exports\\roster.csv")
    assert table.file_format == "xlsx"


def test_a_forced_format_is_checked_against_the_content():
    table = read("students.xlsx", file_format="XLSX")
    assert table.file_format == "xlsx"
    refused_file(
        "students.xlsx",
        r"^students\.xlsx is an XLSX workbook, but the file format is set to CSV: "
        r"set it to auto or XLSX\.$",
        file_format="csv",
    )
    refused_file(
        "students_utf8.csv",
        "is a text \\(CSV\\) file, but the file format is set to XLS",
        file_format="xls",
    )
    refused_file("students_utf8.csv", 'Unknown file format "pdf"', file_format="pdf")


@pytest.mark.parametrize("filename", ["report.pdf", "roster.xlsb"])
def test_unsupported_extensions_are_refused(filename):
    extension = "." + filename.rsplit(".", 1)[1]
    message = refused((FILES / "students_utf8.csv").read_bytes(), filename, "Unsupported file type")
    assert message == (
        f'Unsupported file type "{extension}" ({filename}): export the roster as CSV, XLSX, '
        "XLS or a OneRoster bundle (.zip)."
    )


def test_a_zip_name_on_another_file_is_refused():
    message = refused((FILES / "students_utf8.csv").read_bytes(), "students.csv.zip", ".zip")
    assert message == (
        "students.csv.zip is named .zip but is a text (CSV) file, not a OneRoster bundle: "
        "name it .csv, or send the bundle itself."
    )


def test_a_file_without_extension_is_refused():
    refused(
        b"A,B\n1,2\n",
        "/srv/imports/roster",
        r"^Unsupported file type \(roster: no extension\)",
    )


# Bad files -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        ((FILES / "empty.csv").read_bytes(), "empty.csv"),
        (b"  \r\n\t\n", "blank.csv"),
        (b"\xef\xbb\xbf\r\n", "bom_only.csv"),
        (b"\xff\xfe \x00\n\x00", "utf16_blank.txt"),
    ],
)
def test_empty_files(data, filename):
    refused(data, filename, f"^{filename} is empty: check that the export finished")


@pytest.mark.parametrize("name", ["header_only.csv", "header_only.xlsx"])
def test_a_header_without_student_rows(name):
    refused_file(name, f"^{name} has a header row but no student rows.$")


def test_blank_rows_after_the_header_are_no_student_rows():
    refused(
        b"Student_Number,Last_Name\n,\n  ,  \n\n",
        "s.csv",
        "has a header row but no student rows",
    )


def test_an_empty_roster_may_be_allowed():
    table = read("header_only.csv", allow_empty=True)
    assert (table.headers, list(table.rows)) == (HEADERS, [])


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ("garbage.xls", "garbage.xls"),  # random bytes, not an OLE2 file
        ("garbage.xls", "garbage.csv"),
    ],
)
def test_files_that_are_no_table_at_all(name, filename):
    refused(
        (FILES / name).read_bytes(),
        filename,
        rf"^{filename} is not a readable CSV, XLSX or XLS file\.$",
    )


def test_a_web_page_saved_as_xls_is_explained():
    page = b"<!DOCTYPE html>\n<html><body><table><tr><td>Student_Number</td></tr></table>"
    refused(
        page,
        "export.xls",
        r"^export\.xls is not a readable CSV, XLSX or XLS file \(it is a web page",
    )


def test_a_truncated_xlsx_cannot_be_opened():
    refused_file(
        "broken_truncated.xlsx",
        r"^broken_truncated\.xlsx cannot be opened as an XLSX workbook: "
        r"the file is damaged or incomplete\.$",
    )


def test_a_truncated_xls_cannot_be_opened():
    data = (FILES / "students.xls").read_bytes()[:1500]
    refused(
        data,
        "students.xls",
        r"^students\.xls cannot be opened as an XLS workbook: "
        r"the file is damaged or incomplete\.$",
    )


def test_a_damaged_sheet_inside_a_valid_zip_is_reported_not_raised_raw():
    source = openpyxl.load_workbook(FILES / "students.xlsx")
    out = io.BytesIO()
    source.save(out)
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(out.getvalue())) as original,
        zipfile.ZipFile(damaged, "w") as copy,
    ):
        for member in original.namelist():
            content = original.read(member)
            if member == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]  # XML cut in the middle of a row
            copy.writestr(member, content)
    refused(
        damaged.getvalue(),
        "damaged.xlsx",
        r"^damaged\.xlsx cannot be read as an XLSX workbook after row 1: "
        r"the file is damaged or incomplete\.$",
    )


def test_a_password_protected_workbook_is_explained():
    # Excel saves an encrypted XLSX as an OLE2 container with this stream.
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le")
    )
    refused(data, "locked.xlsx", r"^locked\.xlsx is password-protected")


@pytest.mark.parametrize("name", ["students_utf8.csv", "students.xlsx", "students.xls"])
def test_a_header_row_past_the_end(name):
    rows = {"students_utf8.csv": 4, "students.xlsx": 6, "students.xls": 6}[name]
    refused_file(
        name,
        rf"^{name} has only {rows} rows, so row 40 cannot be its header row",
        header_row=40,
    )


@pytest.mark.parametrize("name", ["students_blank_lines.csv", "students.xlsx", "students.xls"])
def test_a_blank_header_row(name):
    refused_file(name, rf"^Row 4 of {name}, the header row, is blank", header_row=4)


def test_an_invalid_header_row_setting():
    refused(b"A,B\n1,2\n", "s.csv", "header row must be 1 or more", header_row=0)


# Files that are no table, named by their signature -------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "a JPEG image"),
        (b"GIF89a\x01\x00\x01\x00", "a GIF image"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100, "an executable program (ELF)"),
        (
            b"MZ\x90\x00" + b"\x00" * 56 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00",
            "an executable program (Windows)",
        ),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "a gzip archive"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20, "a video or photo file"),
        (OLE + "WordDocument".encode("utf-16-le"), "a Word document (DOC)"),
        (OLE + "__substg1.0_0037".encode("utf-16-le"), "an Outlook message (MSG)"),
    ],
)
@pytest.mark.parametrize("filename", ["roster.csv", "roster.xlsx", "roster.pdf"])
def test_a_binary_file_is_named_by_its_signature_whatever_its_name(data, what, filename):
    message = refused(data, filename, f"^{filename} is {re.escape(what)}")
    assert message.endswith(
        ", not a student list: export the students from the SIS as CSV or XLSX."
    )


def zipped(*names):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("names", "what"),
    [
        (("word/document.xml",), "a Word document (DOCX)"),
        (("ppt/presentation.xml",), "a PowerPoint presentation (PPTX)"),
        (("xl/workbook.bin",), "an Excel binary workbook (XLSB)"),
        (("mimetype", "content.xml"), "an OpenDocument file (ODS or ODT)"),
        (("students.csv", "notes.txt"), "a ZIP archive that holds no workbook or OneRoster bundle"),
    ],
)
def test_a_zip_that_is_no_workbook_is_named(names, what):
    refused(
        zipped(*names), "roster.xlsx", f"^roster\\.xlsx is {re.escape(what)}, not a student list"
    )


def test_an_ole_file_without_a_workbook_is_named():
    refused(
        OLE + b"\x00" * 2048, "old.xls", r"^old\.xls (is a Microsoft Office file|cannot be opened)"
    )


def test_a_zero_byte_file_says_it_is_empty():
    message = refused(b"", "upload.csv", r"^upload\.csv is empty: ")
    assert (
        message
        == "upload.csv is empty: check that the export finished, then choose the file again."
    )


def test_a_last_record_of_several_lines_is_fine_when_its_quote_closes():
    data = b'Student_Number,Street\n1,"12 Main St\nApt 4"\n2,"1 Oak Ave\r\nUnit B\r\nRear"\n'
    assert list(read_table(data, "s.csv").rows) == [
        (2, ["1", "12 Main St\nApt 4"]),
        (3, ["2", "1 Oak Ave\r\nUnit B\r\nRear"]),
    ]


def test_a_stray_quote_is_refused_whatever_the_csv_module_allows():
    # Odoo's server raises csv's own limit to 500 MB for its own imports.
    data = b'Student_Number,Last_Name\n1,Smith\n2,"Jones\n' + b"3,Brown\n" * 20000
    before = csv.field_size_limit(500 * 1024 * 1024)
    try:
        message = refused(data, "s.csv", r"^s\.csv line 3: a quoted value runs on, over the limit")
    finally:
        csv.field_size_limit(before)
    assert "(max_cell_chars, the default; --max-cell-chars changes it)" in message


def _records_and_lines(reader):
    """Every record with the reader's line count after it, then the error, if any."""
    seen = []
    try:
        for cells in reader:
            seen.append((cells, reader.line_num))
    except csv.Error as error:
        seen.append(("error", str(error)))
    return seen


def _both_readers(text, delimiter):
    def stream():
        return io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8", newline="")

    expected = _records_and_lines(csv.reader(stream(), delimiter=delimiter))
    got = _records_and_lines(readers._SplitReader(stream(), delimiter))
    return got, expected


@pytest.mark.parametrize(
    "text",
    [
        "a,b\r\nc,d\r\n",
        "a,b\nc,d",
        "a,b\r\rc,d\r",
        "\n\r\n,\n,,\n",
        'a,"b\r\nc",d\ne,f\n',
        'a,"b\nc\nd",e\nf,g\n',
        'a,"b""c",d\n"e",f\n',
        'a,b"c,d\n',
        'a,"b\nc\n',
        "a\x00b,c\n",
        'x,"unterminated\n\n\nlast,row\n',
        " a , b \n\tc,d\t\n",
    ],
)
def test_the_split_reader_reads_as_csv_reader(text):
    got, expected = _both_readers(text, ",")
    assert got == expected


def test_the_split_reader_hands_a_long_value_to_csv():
    # A value past csv's field limit: csv.reader refuses it, and so does the
    # split reader, which gives csv every line that long.
    previous = csv.field_size_limit(10)
    try:
        got, expected = _both_readers("a,b\n" + "x" * 20 + ",c\nd,e\n", ",")
    finally:
        csv.field_size_limit(previous)
    assert got == [(["a", "b"], 1), ("error", "field larger than field limit (10)")]
    assert got == expected


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet='ab,;" \r\n\x00', max_size=40),
    st.sampled_from([",", ";"]),
)
def test_any_text_reads_as_csv_reader_reads_it(text, delimiter):
    got, expected = _both_readers(text, delimiter)
    assert got == expected


def test_the_first_row_is_placed_by_its_line_not_by_its_row_number():
    # The header spans two lines, so row 2 begins on line 3: the stray quote
    # is named on the line a person finds it on.
    data = b'Student_Number,"Last\nName"\n1,"Smith\n2,Jones\n'
    refused(data, "s.csv", r"^s\.csv line 3: a quoted value never ends")
    # A row whose one value is a line break is blank; the row after it is
    # the first student, on a line of its own: read, not refused.
    data = b'Student_Number,Name\n"\r"\r1'
    assert list(read_table(data, "s.csv", delimiter=",").rows) == [(3, ["1"])]


def _csv_reader_rows(text):
    """csv.reader's records after the header, numbered: the non-blank ones, and the last one."""
    records = list(enumerate(csv.reader(io.StringIO(text, newline="")), 1))[1:]
    rows = [(number, cells) for number, cells in records if "".join(cells).strip()]
    return rows, records[-1][1] if records else []


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='ab," \r\n', max_size=40))
def test_any_data_rows_read_as_csv_reader_reads_them(text):
    # The data rows come from their own loop over the lines (_SplitReader.rows):
    # the same rows and row numbers as csv.reader, or the one refusal that
    # csv.reader does not make, a last quoted value that never ends (it runs
    # over the line breaks to the end of the file).
    text = "Student_Number,Name\n" + text
    expected, last = _csv_reader_rows(text)
    try:
        got = list(read_table(text.encode(), "s.csv", delimiter=",", allow_empty=True).rows)
    except FileFormatError as error:
        assert "a quoted value never ends" in str(error)
        assert any("\n" in cell or "\r" in cell for cell in last), (text, last)
        return
    assert got == expected


def test_a_file_read_is_let_go_without_the_collector():
    # A million-student roster file is 200 MB: when its rows have been read,
    # nothing (no reference cycle waiting for the collector) keeps its bytes.
    import gc
    import sys

    data = b"Student_Number,Name\n1,Ann\n2,Bob\n" + b'3,"Lee, Cy"\n'
    before = sys.getrefcount(data)
    gc.disable()
    try:
        table = read_table(data, "s.csv")
        assert [cells for _row, cells in table.rows] == [
            ["1", "Ann"],
            ["2", "Bob"],
            ["3", "Lee, Cy"],
        ]
        del table
        assert sys.getrefcount(data) == before
        # Nor when its rows are never read (a preview refused at the mapping).
        table = read_table(data, "s.csv")
        del table
        assert sys.getrefcount(data) == before
    finally:
        gc.enable()
