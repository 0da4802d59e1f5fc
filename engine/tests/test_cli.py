"""``python -m engine preview``: the offline preview of DESIGN.md."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import load_roster, main

ROOT = Path(__file__).resolve().parents[2]
FILES = Path(__file__).resolve().parent / "files"
ROSTER = (
    "student_number,first_name,last_name,grade,birthdate,school_code,active\n"
    "1001,Ann,Lee,03,2016-04-02,EL1,1\n"
    "1002,Ben,Ortiz,05,2014-09-15,EL1,1\n"
    "1003,Cara,Nguyen,KG,2019-01-20,EL2,1\n"
    "1004,Dan,Moss,08,2011-06-30,MS1,0\n"
)
EXPORT = (
    "Student_Number,First_Name,Last_Name,Grade_Level,DOB,School_Code\n"
    "1001,Ann,12 Oak Street,3,04/02/2016,EL1\n"
    "1002,Ben,Ortiz,5,09/15/2014,EL1\n"
    "1004,Dan,Moss,9,06/30/2011,HS1\n"
    "1005,Eve,Park,1,02/03/2019,EL2\n"
)


@pytest.fixture
def files(tmp_path):
    roster, export = tmp_path / "roster.csv", tmp_path / "export.csv"
    roster.write_text(ROSTER)
    export.write_text(EXPORT)
    return roster, export


def run(capsys, *args):
    status = main(["preview", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def test_json_output_has_the_documented_keys_and_figures(capsys, files):
    roster, export = files
    status, out, err = run(capsys, "--existing", roster, "--incoming", export, "--json")
    assert status == 0 and err == ""
    result = json.loads(out)
    assert result["existing"] == 3
    assert result["counts"] == {
        "add": 1,
        "update": 1,
        "inactivate": 1,
        "reactivate": 1,
        "unchanged": 1,
        "error": 0,
    }
    # Adds count reactivations: 2 of 3 active students.
    assert result["percentages"] == {"add": 66.67, "update": 33.33, "inactivate": 33.33}
    assert result["requires_confirmation"] is True
    assert result["requires_authorization"] is True
    assert result["suspicious"] == 1
    assert isinstance(result["signals"], list)
    assert "lines" not in result


def test_lines_and_keep_missing(capsys, files):
    roster, export = files
    status, out, _err = run(
        capsys, "--existing", roster, "--incoming", export, "--json", "--lines", "--keep-missing"
    )
    result = json.loads(out)
    assert status == 0 and result["counts"]["inactivate"] == 0
    update = next(line for line in result["lines"] if line["type"] == "update")
    assert update["student_number"] == "1001" and update["row"] == 2
    assert update["changes"] == [
        {
            "field": "last_name",
            "old": "Lee",
            "new": "12 Oak Street",
            "suspicious": "looks like a street address",
        }
    ]


def test_thresholds_and_mapping(capsys, files, tmp_path):
    roster, _export = files
    export = tmp_path / "odd.csv"
    export.write_text("ID,Surname,Given\n1001,Lee,Ann\n1002,Ortiz,Ben\n1003,Nguyen,Cara\n")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"ID": "student_number", "Surname": "last_name", "Given": "first_name"})
    )
    status, out, _err = run(
        capsys,
        "--existing",
        roster,
        "--incoming",
        export,
        "--mapping",
        mapping,
        "--warn-pct",
        "50",
        "--auth-pct",
        "60",
        "--json",
    )
    result = json.loads(out)
    assert status == 0 and result["counts"]["unchanged"] == 3
    assert result["requires_confirmation"] is False


def test_an_empty_roster_counts_any_add_as_everything(capsys, files, tmp_path):
    _roster, export = files
    empty = tmp_path / "empty.csv"
    empty.write_text("student_number,first_name,last_name,active\n")
    status, out, _err = run(capsys, "--existing", empty, "--incoming", export, "--json")
    result = json.loads(out)
    assert status == 0 and result["percentages"]["add"] == 100.0
    assert result["requires_authorization"] is True


@pytest.mark.parametrize(
    ("incoming", "message"),
    [
        ("garbage.xls", "is not a readable CSV, XLSX or XLS file"),
        ("empty.csv", "is empty"),
        ("header_only.csv", "has a header row but no student rows"),
        ("broken_truncated.xlsx", "cannot be opened as an XLSX workbook"),
        ("document_renamed.xlsx", "is a Word document (DOCX), not a student list"),
    ],
)
def test_bad_files_exit_non_zero_with_one_line(capsys, files, incoming, message):
    roster, _export = files
    status, out, err = run(capsys, "--existing", roster, "--incoming", FILES / incoming, "--json")
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_no_key_column_and_wrong_extension(capsys, files, tmp_path):
    roster, _export = files
    no_key = tmp_path / "names.csv"
    no_key.write_text("First,Last\nAnn,Lee\n")
    status, _out, err = run(capsys, "--existing", roster, "--incoming", no_key)
    assert status == 1 and err.startswith("error: names.csv: No Student Number column")
    pdf = tmp_path / "roster.pdf"
    pdf.write_bytes(b"%PDF-1.4 not a roster")
    status, _out, err = run(capsys, "--existing", roster, "--incoming", pdf)
    assert status == 1 and "roster.pdf is a PDF document, not a student list" in err
    not_pdf = tmp_path / "roster.pdf"
    not_pdf.write_text("First,Last\nAnn,Lee\n")
    status, _out, err = run(capsys, "--existing", roster, "--incoming", not_pdf)
    assert status == 1 and 'Unsupported file type ".pdf"' in err


def test_a_missing_file_is_one_line_too(capsys, files, tmp_path):
    roster, _export = files
    status, _out, err = run(capsys, "--existing", roster, "--incoming", tmp_path / "nope.csv")
    assert status == 1 and err.startswith("error: Cannot read") and err.count("\n") == 1


def test_runs_as_a_module_from_the_repository_root(files):
    roster, export = files
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "preview",
            "--existing",
            str(roster),
            "--incoming",
            str(export),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "requires" not in done.stderr
    assert "WARNING: Adds: 2 students" in done.stdout
    assert "AUTHORIZATION: Adds: 2 students" in done.stdout


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            "1002,Bea,Ortiz,05,2014-09-15,EL1,1\n",
            "roster.csv: row 6: The roster has student number",
        ),
        (" ,Nobody,Here,05,2014-09-15,EL1,1\n", "roster.csv: row 6: A roster student has no"),
        ("1009,Ida,Moss,05,2014-09-15,EL1,maybe\n", "roster.csv: row 6, column 'active': 'maybe'"),
    ],
)
def test_a_bad_roster_names_its_row(capsys, files, extra, message):
    roster, export = files
    roster.write_text(ROSTER + extra)
    status, out, err = run(capsys, "--existing", roster, "--incoming", export, "--json")
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_a_roster_column_past_the_known_ones_feeds_no_field(tmp_path):
    # A "notes" column after "active": the fields the file lacks stay blank
    # (they once read that column's value).
    path = tmp_path / "roster.csv"
    path.write_text(
        "student_number,first_name,last_name,active,notes\n"
        "1001,Ann,Lee,1,moved in May\n"
        "1002,Bea,Ortiz,no\n"
    )
    students = load_roster(path).to_dict()
    assert students["1001"]["grade"] == "" and students["1001"]["street"] == ""
    assert set(students["1001"].values()) == {"1001", "Ann", "Lee", "", True}
    assert students["1002"]["active"] is False and students["1002"]["last_name"] == "Ortiz"
