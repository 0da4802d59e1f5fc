"""Hostile and broken files: refused in bounded time and memory, in one clear line.

The bombs are made by ``bombs.py`` in a moment; the command line reads them
in a fresh process whose time and peak memory are measured from outside
(``ru_maxrss`` of the only child of a small wrapper), as the benchmark does.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import bombs
import pytest
from helpers import csv_bytes, make_roster

from engine import FileFormatError, MappingError, PreviewOptions, preview, read_table
from engine.errors import LimitError
from engine.limits import LIMITS, Limits, check_archive, short_name

ROOT = Path(__file__).resolve().parents[2]
FILES = Path(__file__).resolve().parent / "files"
ROSTER = "student_number,first_name,last_name,grade,active\n1001,Ann,Lee,03,1\n"
WRAPPER = """
import json, resource, subprocess, sys, time
start = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "seconds": time.monotonic() - start,
    "cpu_seconds": usage.ru_utime + usage.ru_stime,
    "peak_mb": usage.ru_maxrss / 1024,
    "status": done.returncode,
    "stdout": done.stdout,
    "stderr": done.stderr,
}))
"""


def measured(tmp_path, name, data, *options):
    """Run ``python -m engine preview`` on ``data``; return its time, peak memory and output."""
    roster, incoming = tmp_path / "roster.csv", tmp_path / name
    roster.write_text(ROSTER)
    incoming.write_bytes(data)
    command = [sys.executable, "-m", "engine", "preview", "--existing", str(roster)]
    command += ["--incoming", str(incoming), *options]
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def in_time(result, seconds):
    """The command took under ``seconds`` of CPU, and of wall clock unless the machine is busy.

    On a machine shared by more running processes than it has cores, the
    wall clock of a fresh Python process stretches with the load.
    """
    busy = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    return result["cpu_seconds"] < seconds and result["seconds"] < seconds * busy


def one_line(message):
    assert "\n" not in message.strip() and len(message.strip()) < 300, message
    return message


def refusal(data, filename="export.csv", **options):
    with pytest.raises(FileFormatError) as caught:
        list(read_table(data, filename, **options).rows)
    return one_line(str(caught.value))


# The bombs of the issue, through the command line --------------------------


@pytest.mark.parametrize(
    ("bomb", "figure"),
    [
        (bombs.empty_rows_bomb, "would unpack from 3.3 MB to 1,048.6 MB (317 to 1)"),
        (bombs.shared_strings_bomb, "would unpack from 9.6 MB to 3,145.7 MB (326 to 1)"),
    ],
)
def test_an_xlsx_bomb_is_refused_from_its_directory_at_once(tmp_path, bomb, figure):
    result = measured(tmp_path, "roster.xlsx", bomb())
    assert result["status"] == 1 and result["stdout"] == ""
    message = one_line(result["stderr"])
    assert message.startswith("error: roster.xlsx: the part ")
    assert figure in message
    assert "over the limit of 100 to 1 (max_ratio, the default; --max-ratio changes it)" in message
    assert in_time(result, 5), result
    assert result["peak_mb"] < 300, result


def test_with_the_ratio_raised_the_row_limit_stops_the_empty_rows(tmp_path):
    options = ("--max-ratio", "100000", "--max-rows", "200000")
    result = measured(tmp_path, "roster.xlsx", bombs.empty_rows_bomb(), *options)
    message = one_line(result["stderr"])
    assert "the sheet has more than 200,000 rows, over the limit of 200,000 rows" in message
    assert "(max_rows, set by --max-rows): split the file, or raise the limit." in message
    assert in_time(result, 10), result  # it streams about 1.2 MB of XML to get there
    assert result["peak_mb"] < 300, result


def test_with_the_ratio_raised_the_strings_stay_packed(tmp_path):
    # 10 MB of shared strings, 500,000 of them: packed as UTF-8 they take
    # less than their XML; as Python strings they would take 26 MB more.
    one = b"<si><t>Ann</t></si>"
    strings = bombs.part(bombs.STRINGS_HEAD, one * 50_000, 10, bombs.STRINGS_TAIL)
    sheet = bombs.part(bombs.SHEET_HEAD + bombs.HEADER_ROW + bombs.SHEET_TAIL)
    data = bombs.workbook(sheet, strings)
    result = measured(tmp_path, "roster.xlsx", data, "--max-ratio", "100000")
    assert "has a header row but no student rows" in result["stderr"]
    assert result["peak_mb"] < 100, result


def test_the_file_size_limit_is_checked_before_the_file_is_read(tmp_path):
    result = measured(
        tmp_path, "big.csv", b"Student_Number\n" + b"1\n" * 600_000, "--max-file-mb", "1"
    )
    message = one_line(result["stderr"])
    assert message == (
        "error: big.csv: the file has 1.2 MB, over the limit of 1 MB (max_file_mb, set by "
        "--max-file-mb): export only the students and columns needed, or raise the limit.\n"
    )


# Archives ------------------------------------------------------------------


def test_the_archive_check_is_reusable_and_returns_the_zip():
    data = (FILES / "students.xlsx").read_bytes()
    with check_archive(data, Limits(), "students.xlsx") as archive:
        assert "xl/workbook.xml" in archive.namelist()
    packed = bombs.workbook(bombs.part(b"<x>", b"a" * 100_000, 20, b"</x>"))
    with pytest.raises(LimitError) as caught:
        check_archive(packed, Limits(), "bundle.zip")
    assert caught.value.limit == "max_ratio"
    with pytest.raises(LimitError) as caught:
        check_archive(packed, Limits(max_unpacked_mb=1, max_ratio=10_000), "bundle.zip")
    assert caught.value.limit == "max_unpacked_mb"
    with pytest.raises(FileFormatError, match=r"^bundle\.zip cannot be opened as a ZIP bundle"):
        check_archive(b"PK\x03\x04 not really", Limits(), "bundle.zip", "a ZIP bundle")


def test_a_directory_that_understates_a_part_does_not_make_it_unpack_more():
    # The directory says 1,000 bytes; the data would unpack to 100 MB.
    sheet = bombs.part(bombs.SHEET_HEAD, b"<row/>" * 1000, 100_000, bombs.SHEET_TAIL)
    data = bombs.workbook(sheet, declared={"xl/worksheets/sheet1.xml": 1000})
    message = refusal(data, "liar.xlsx")
    assert (
        message
        == "liar.xlsx cannot be opened as an XLSX workbook: the file is damaged or incomplete."
    )


def test_a_directory_bomb_is_refused_before_zipfile_reads_it():
    # 60,000 entries of the same tiny part: zipfile would make 60,000 objects
    # (a directory of 300 MB would have millions).
    one = bombs.part(b"x")
    entries = {f"xl/{'p' * 60}{n:05d}.xml": one for n in range(60_000)}
    message = refusal(bombs.archive(entries), "many.xlsx")
    assert message.startswith("many.xlsx has a ZIP directory of 7.1 MB, more than an XLSX")


def test_a_total_unpacked_size_over_the_limit():
    sheet = bombs.part(bombs.SHEET_HEAD, bombs._noise(3, 1 << 20), 3, bombs.SHEET_TAIL)
    message = refusal(bombs.workbook(sheet), "big.xlsx", limits=Limits(max_unpacked_mb=2))
    assert message.startswith("big.xlsx: it would unpack to 3.1 MB, over the limit of 2 MB")


def test_a_document_type_in_a_part_is_refused():
    sheet = bombs.part(
        b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">]>'
        + bombs.SHEET_HEAD[21:]
        + bombs.HEADER_ROW
        + bombs.SHEET_TAIL
    )
    assert "damaged" in refusal(bombs.workbook(sheet), "dtd.xlsx")


# Rows, columns, values in a workbook --------------------------------------


def sheet_of(*rows):
    return bombs.workbook(bombs.part(bombs.SHEET_HEAD + b"".join(rows) + bombs.SHEET_TAIL))


def cell(reference, text):
    return b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (reference, text)


def test_workbook_rows_past_the_limit():
    rows = [bombs.HEADER_ROW] + [
        b'<row r="%d">%s</row>' % (n, cell(b"A%d" % n, b"%d" % n)) for n in range(2, 60)
    ]
    message = refusal(sheet_of(*rows), "s.xlsx", limits=Limits(max_rows=50))
    assert message.startswith(
        "s.xlsx: the sheet has more than 50 rows, over the limit of 50 rows (max_rows"
    )
    # A value far down (row 1,048,576) is a row past the limit too.
    far = b'<row r="1048576">' + cell(b"A1048576", b"x") + b"</row>"
    message = refusal(sheet_of(bombs.HEADER_ROW, far), "s.xlsx", limits=Limits(max_rows=1000))
    assert message.startswith("s.xlsx row 1,048,576: row 1,048,576 holds values, over the limit")


def test_workbook_columns_and_values_past_the_limits():
    wide = b'<row r="2">' + cell(b"A2", b"1") + cell(b"XFD2", b"far") + b"</row>"
    message = refusal(sheet_of(bombs.HEADER_ROW, wide), "s.xlsx")
    assert message.startswith(
        "s.xlsx row 2, column 16,384: a value in column 16,384, over the limit of 1,000 columns"
    )
    long = b'<row r="2">' + cell(b"A2", b"1") + cell(b"B2", b"x" * 40_000) + b"</row>"
    message = refusal(sheet_of(bombs.HEADER_ROW, long), "s.xlsx")
    assert message.startswith(
        "s.xlsx row 2, column 2 (First_Name): a value has more than 32,767 characters, "
        "over the limit of 32,767 characters (max_cell_chars"
    )
    strings = bombs.part(
        bombs.STRINGS_HEAD + b"<si><t>" + b"y" * 40_000 + b"</t></si>" + bombs.STRINGS_TAIL
    )
    data = bombs.workbook(
        bombs.part(bombs.SHEET_HEAD + bombs.HEADER_ROW + bombs.SHEET_TAIL), strings
    )
    assert refusal(data, "s.xlsx").startswith(
        "s.xlsx: shared string 1 has more than 32,767 characters"
    )


def test_empty_cells_far_away_are_not_columns():
    # Formatting applied to whole rows writes empty cells up to column XFD.
    row = b'<row r="2">' + cell(b"A2", b"1") + b'<c r="XFD2" s="1"/></row>'
    table = read_table(sheet_of(bombs.HEADER_ROW, row), "s.xlsx")
    assert list(table.rows) == [(2, ["1"])]


# CSV ------------------------------------------------------------------------


def test_a_header_of_200000_columns_gives_a_short_message():
    header = "Student_Number," + ",".join(f"Column_{n}" for n in range(199_999))
    data = (header + "\n" + "1" + ",x" * 199_999 + "\n").encode()
    message = refusal(data, "wide.csv")
    assert message.startswith(
        "wide.csv line 1: the line has 200,000 columns, over the limit of 1,000 columns "
        "(max_columns, the default; --max-columns changes it): check the delimiter"
    )
    # With the limit raised, the missing column is named, and the headers cut.
    options = PreviewOptions(limits=Limits(max_columns=300_000))
    with pytest.raises(MappingError) as caught:
        preview(make_roster(), data, "wide.csv", options)
    message = one_line(str(caught.value))
    assert message == (
        "wide.csv: no column for the required field(s) first_name, last_name (file headers: "
        "'Student_Number', 'Column_0', 'Column_1', 'Column_2', 'Column_3', 'Column_4', "
        "'Column_5', 'Column_6' and 199,992 more): add it to the file or to the mapping."
    )


def test_a_missing_key_column_among_thousands_is_cut_too():
    header = ",".join(f"Column_{n}" for n in range(5000))
    data = (header + "\n" + ",".join("x" * 5000) + "\n").encode()
    with pytest.raises(MappingError) as caught:
        preview(make_roster(), data, "wide.csv", PreviewOptions(limits=Limits(max_columns=9000)))
    message = one_line(str(caught.value))
    assert message.startswith("wide.csv: No Student Number column: no header matches it")
    assert "'Column_8' and 4,991 more): add the column" in message


def test_a_value_of_50_mb_names_the_length_limit():
    data = b"Student_Number,First_Name,Last_Name\n1,Ann,Lee\n2," + b"x" * 50_000_000 + b",Lee\n"
    message = refusal(data)
    assert message == (
        "export.csv line 3, column 2 (First_Name): a value of 50,000,000 characters, over the "
        "limit of 32,767 characters (max_cell_chars, the default; --max-cell-chars changes "
        'it): check that value (a stray " character?), or raise the limit.'
    )
    assert "quoted" not in message


def test_a_very_long_line_of_tiny_cells_is_refused_before_it_is_split():
    data = b"Student_Number,First_Name\n" + b"ab," * 5_000_000 + b"\n"
    message = refusal(data)
    assert message.startswith("export.csv line 2: the line has 5,000,001 columns, over the limit")


def test_quoted_delimiters_are_not_columns():
    value = '"' + ",".join(["x"] * 1000) + '"'
    data = f"Student_Number,Note,Other\n1,{value},{value}\n".encode()
    limits = Limits(max_cell_chars=3000)
    inner = value[1:-1]
    assert next(read_table(data, "s.csv", limits=limits).rows) == (2, ["1", inner, inner])
    long_value = '"' + "x" * 40_000 + '"'
    message = refusal(f"Student_Number,Note\n1,{long_value}\n".encode())
    assert message.startswith("export.csv line 2, column 2 (Note): a value of 40,002 characters")


def test_csv_rows_past_the_limit():
    data = csv_bytes(*(f"{n},Ann,Lee,03,2016-04-02,EL1" for n in range(100)))
    message = refusal(data, limits=Limits(max_rows=50))
    assert message.startswith("export.csv row 51: the file has more than 50 rows, over the limit")


# Messages ------------------------------------------------------------------


def test_every_limit_message_is_one_short_line_even_with_a_long_name_and_origin():
    origin = {name: f"system parameter school_student_import.{name}" for name in LIMITS}
    limits = Limits(origin=origin)
    long_name = "C:\\Exports\\" + "district_roster_export_" * 10 + ".csv"
    for name in LIMITS:
        error = limits.refuse(
            long_name,
            name,
            "a figure of 123,456,789 units",
            "row 1,234,567, column 1,000 (Some_Header_Name_Cut_At_)",
        )
        assert error.limit == name
        one_line(str(error))
        assert f"(system parameter school_student_import.{name})" in str(error)


def test_short_names_keep_the_extension():
    assert short_name("/srv/x/" + "a" * 100 + ".xlsx") == "a" * 40 + "....xlsx"
    assert short_name("C:\\Exports\\roster.csv") == "roster.csv"


def test_limits_are_validated_and_settings_fall_back_to_defaults():
    with pytest.raises(ValueError, match="max_rows must be a whole number of 1 or more"):
        Limits(max_rows=0)
    limits = Limits.from_settings({"max_rows": 0, "max_columns": "12", "unknown": 5})
    assert (limits.max_rows, limits.max_columns) == (Limits().max_rows, 12)


def test_the_readme_documents_every_limit():
    readme = (ROOT / "README.md").read_text()
    for name in LIMITS:
        assert f"`{name}`" in readme, name
