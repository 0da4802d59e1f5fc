"""Known layouts and header matching that cannot pick the wrong key."""

import json

import layouts
import pytest
from helpers import csv_bytes

from engine import MappingError, PreviewOptions, match_columns, preview
from engine.cli import main
from engine.mapping import plan_columns
from engine.presets import PRESETS, recognise
from engine.sample import sample_columns

WRITERS = {
    "clever": layouts.clever,
    "powerschool": layouts.powerschool,
    "infinite_campus": layouts.infinite_campus,
    "skyward": layouts.skyward,
}
MATCHED = ("student_number", "street", "city", "zip", "email", "grade", "eligibility")


def _unchanged(result):
    return {kind: count for kind, count in result.counts.items() if count}


@pytest.mark.parametrize("code", sorted(WRITERS))
def test_an_unchanged_roster_in_a_known_layout_previews_as_unchanged(code):
    result = preview(layouts.roster(), WRITERS[code](), "students.csv")
    assert _unchanged(result) == {"unchanged": 4}
    assert result.layout == code
    assert result.signals == []
    key = PRESETS[code].mapping()
    assert [h for h, f in result.columns.items() if f == "student_number"] == [
        h for h, target in key.items() if target["field"] == "student_number"
    ]


@pytest.mark.parametrize("code", sorted(WRITERS))
def test_the_preset_as_an_importer_mapping_gives_the_same_preview(code):
    options = PreviewOptions(mapping=PRESETS[code].mapping())
    result = preview(layouts.roster(), WRITERS[code](), "students.csv", options)
    assert _unchanged(result) == {"unchanged": 4}
    assert result.layout == "", "an explicit mapping is the administrator's, not a guess"
    if code != "powerschool":  # a PowerSchool export has no student e-mail column
        assert set(MATCHED) <= set(result.columns.values())


def test_clever_keys_on_student_number_and_matches_street_city_zip_and_email():
    result = preview(layouts.roster(), layouts.clever(), "students.csv")
    assert result.columns["Student_number"] == "student_number"
    assert "Student_id" in result.ignored_columns
    for header, field in (
        ("Student_street", "street"),
        ("Student_city", "city"),
        ("Student_zip", "zip"),
        ("Student_email", "email"),
    ):
        assert result.columns[header] == field


def test_clever_headers_without_its_signature_still_key_on_the_exact_name():
    # No School_id: not recognised as Clever; the exact "Student_number"
    # still beats the synonym "Student_id", and the synonyms do the rest.
    headers = [h for h in PRESETS["clever"].headers if h != "School_id"]
    data = layouts.clever(headers=headers)
    column_map = match_columns(next(iter(data.decode().splitlines())).split(","))
    assert column_map.layout is None
    assert column_map.column_for("student_number").header == "Student_number"
    assert column_map.column_for("street").header == "Student_street"
    assert column_map.column_for("zip").header == "Student_zip"
    assert column_map.warnings == []
    options = PreviewOptions(required=frozenset({"student_number"}))
    result = preview(layouts.roster(), data, "students.csv", options)
    assert _unchanged(result) == {"unchanged": 4}


def test_clever_vocabulary_normalises():
    students = [dict(layouts.STUDENTS[0], grade="PK"), dict(layouts.STUDENTS[1], grade="KG")]
    data = layouts.clever(students).decode()
    assert "PreKindergarten" in data and "Kindergarten" in data and ",Free," in data
    data = data.replace("PreKindergarten", "TransitionalKindergarten").encode()
    result = preview(layouts.roster(students), data, "students.csv")
    assert _unchanged(result) == {"unchanged": 2}


def test_a_recognised_layout_without_its_key_column_is_refused_not_guessed():
    headers = [h for h in PRESETS["clever"].headers if h != "Student_number"]
    with pytest.raises(MappingError, match="Student_number") as caught:
        match_columns(headers)
    assert "Clever" in str(caught.value)


def test_an_exact_header_beats_a_synonym_whatever_the_order():
    column_map = match_columns(["StudentID", "First", "Last", "student number"])
    assert column_map.column_for("student_number").header == "student number"
    assert column_map.column_for("student_number").how == "exact"
    assert "StudentID" in column_map.ignored
    assert column_map.warnings == []


def test_two_candidate_key_columns_are_refused_with_both_names():
    data = csv_bytes("1001,1001,Ann,Lee", header="Student ID,Student No,First_Name,Last_Name")
    with pytest.raises(MappingError) as caught:
        preview(layouts.roster(), data, "export.csv")
    message = str(caught.value)
    assert "'Student ID'" in message and "'Student No'" in message
    assert "\n" not in message


def test_two_candidate_key_columns_through_the_command_line(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,first_name,last_name,active\n1001,Ann,Lee,1\n")
    incoming = tmp_path / "export.csv"
    incoming.write_text("StudentID,StuNum,First,Last\n1001,1001,Ann,Lee\n")
    assert main(["preview", "--existing", str(roster), "--incoming", str(incoming)]) == 1
    err = capsys.readouterr().err
    assert "'StudentID'" in err and "'StuNum'" in err and "Traceback" not in err


def test_two_candidate_columns_for_another_field_are_a_run_level_warning():
    data = csv_bytes(
        "300001,Ava,Lopez,555-0101,555-0999",
        header="Student_Number,First_Name,Last_Name,Home Phone,Parent Phone",
    )
    result = preview(layouts.roster(), data, "export.csv")
    warnings = [s for s in result.signals if s.code == "ambiguous_column"]
    assert len(warnings) == 1
    assert "'Home Phone'" in warnings[0].message and "'Parent Phone'" in warnings[0].message
    assert result.columns["Home Phone"] == "guardian_phone"


def test_plan_columns_reports_problems_without_raising():
    column_map = plan_columns(["Student ID", "Student No", "First_Name"])
    assert column_map.column_for("student_number") is None
    assert "'Student ID'" in column_map.problems[0]
    assert column_map.column_for("first_name").how == "exact"


def test_recognise_needs_the_whole_signature():
    assert recognise(PRESETS["powerschool"].headers).code == "powerschool"
    assert recognise(["Student_Number", "Grade_Level"]) is None


def test_eligibility_vocabularies():
    data = csv_bytes(
        "300001,Ava,Lopez,FDC",
        "300002,Ben,Okafor,R",
        "300003,Chloe,Nguyen,N",
        header="Student_Number,First_Name,Last_Name,LunchStatus",
    )
    result = preview(layouts.roster(), data, "x.csv", PreviewOptions(inactivate_missing=False))
    assert _unchanged(result) == {"unchanged": 3}


def test_the_command_line_names_the_recognised_layout(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    layouts.write_roster_csv(roster)
    incoming = tmp_path / "students.csv"
    incoming.write_bytes(layouts.clever())
    args = ["preview", "--existing", str(roster), "--incoming", str(incoming), "--json"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["layout"] == "clever"
    assert result["counts"]["unchanged"] == 4
    assert result["columns"]["Student_number"] == "student_number"


def test_a_sample_lists_every_column_with_its_match_and_first_values():
    sample = sample_columns(layouts.clever(), "students.csv", rows=2)
    assert sample.layout.code == "clever"
    assert [c.header for c in sample.columns] == list(PRESETS["clever"].headers)
    by_header = {column.header: column for column in sample.columns}
    number = by_header["Student_number"]
    assert (number.field, number.how, number.values) == (
        "student_number",
        "layout",
        ["300001", "300002"],
    )
    assert (by_header["Student_id"].field, by_header["Student_id"].how) == ("", "ignored")
    assert by_header["Grade"].values == ["PreKindergarten", "Kindergarten"]


def test_a_sample_with_two_candidate_keys_is_shown_with_the_problem():
    data = csv_bytes("1,1,Ann,Lee", header="Student ID,Student No,First_Name,Last_Name")
    sample = sample_columns(data, "export.csv")
    assert [c.field for c in sample.columns] == ["", "", "first_name", "last_name"]
    assert "'Student ID' and 'Student No'" in sample.warnings[0]
