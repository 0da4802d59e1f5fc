from datetime import date

import pytest
from helpers import csv_bytes, make_roster

from engine import PreviewOptions, preview
from engine.checks import birthdate_problem, grade_problem, name_problem

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("123 Main St", "looks like a street address"),
        ("742 Evergreen Terrace", "looks like a street address"),
        ("PO Box 44", "looks like a street address"),
        ("Oak Avenue", "looks like a street address"),
        ("555-123-4567", "looks like a phone number"),
        ("(555) 123 4567", "looks like a phone number"),
        ("ann@example.org", "looks like an e-mail address"),
        ("Ann3", "contains digits"),
        ("Lane", ""),
        ("Court", ""),
        ("O'Brien", ""),
        ("De La Cruz", ""),
        ("Street", ""),
    ],
)
def test_names_that_are_not_names(value, reason):
    assert name_problem(value) == reason


def test_birthdates():
    assert birthdate_problem("2027-01-01", TODAY) == "is in the future"
    assert "too young" in birthdate_problem("2026-01-01", TODAY)
    assert "too old" in birthdate_problem("1990-01-01", TODAY)
    assert birthdate_problem("2015-05-05", TODAY) == ""


def test_grade_jumps():
    assert grade_problem("03", "04") == ""
    assert grade_problem("03", "05") == "jumps 2 levels up (03 to 05)"
    assert grade_problem("KG", "PK") == ""
    assert grade_problem("01", "PK") == "jumps 2 levels down (01 to PK)"


def _preview(roster, *lines):
    return preview(roster, csv_bytes(*lines), "export.csv", PreviewOptions(today=TODAY))


def test_last_names_turned_into_addresses_are_flagged_on_line_and_field():
    roster = make_roster(("1", "Ann", "Lee", "03", "2016-04-02", "EL1"))
    result = _preview(roster, "1,Ann,12 Oak Street,3,2016-04-02,EL1")
    line = result.lines[0]
    # The line names the student as the roster knows them, not the bad value.
    assert line.name == "Lee, Ann"
    assert line.suspicious == ["Last Name looks like a street address"]
    assert line.changes[0].suspicious == "looks like a street address"
    assert result.suspicious == 1


def test_swapped_names_and_grade_jumps_and_future_birthdates():
    roster = make_roster(
        ("1", "Ann", "Lee", "03", "2016-04-02", "EL1"),
        ("2", "Ben", "Ortiz", "03", "2016-04-02", "EL1"),
    )
    result = _preview(roster, "1,Lee,Ann,3,2016-04-02,EL1", "2,Ben,Ortiz,6,2030-01-01,EL1")
    flags = {line.key: line.suspicious for line in result.lines}
    assert flags["1"] == ["First and last name swapped"]
    assert flags["2"] == ["Grade jumps 3 levels up (03 to 06)", "Birthdate is in the future"]


def test_top_reasons_name_the_problem_in_the_plural_with_counts():
    roster = make_roster(
        *[(str(n), "Ann", f"Lee{chr(65 + n)}", "03", "2016-04-02", "EL1") for n in range(5)],
        ("9", "Zoe", "Ortiz", "03", "2016-04-02", "EL1"),
        ("8", "Bea", "Kim", "03", "2016-04-02", "EL1"),
    )
    result = _preview(
        roster,
        *[f"{n},Ann,{10 + n} Oak Street,3,2016-04-02,EL1" for n in range(4)],
        "4,Ann,ann@example.org,3,2016-04-02,EL1",
        "9,Zoe,Ortiz,6,2016-04-02,EL1",
        "8,Bea,Kim,3,2030-01-01,EL1",
    )
    assert result.suspicious_top == [
        (4, "4 last names look like street addresses"),
        (1, "1 birthdate is in the future"),
        (1, "1 grade jumps more than one level up"),
    ]
    assert result.as_dict()["suspicious_top"][0] == "4 last names look like street addresses"


def test_top_reasons_count_swaps_and_group_ages():
    roster = make_roster(
        ("1", "Ann", "Lee", "03", "2016-04-02", "EL1"),
        ("2", "Ben", "Ortiz", "03", "2016-04-02", "EL1"),
        ("3", "Cy", "Kim", "03", "2016-04-02", "EL1"),
    )
    result = _preview(
        roster,
        "1,Lee,Ann,3,2016-04-02,EL1",
        "2,Ben,Ortiz,3,1990-01-01,EL1",
        "3,Cy,Kim,3,1980-01-01,EL1",
    )
    assert result.suspicious_top == [
        (2, "2 birthdates give an age too old for school"),
        (1, "1 student has first and last name swapped"),
    ]


def test_clearing_a_watched_field_is_flagged():
    roster = make_roster(("1", "Ann", "Lee", "03", "2016-04-02", "EL1"))
    result = _preview(roster, "1,Ann,Lee,,2016-04-02,EL1")
    assert result.lines[0].suspicious == ["Grade is being cleared"]


def test_a_shifted_column_is_a_run_level_signal():
    students = [(str(n), f"F{n}", "Lee", "03", "2016-04-02", "EL1") for n in range(40)]
    roster = make_roster(*students)
    # Every last name became the school code: a shifted column.
    rows = [f"{n},F{n},EL1,3,2016-04-02,EL1" for n in range(40)]
    result = _preview(roster, *rows)
    codes = {signal.code: signal for signal in result.signals}
    assert "column_changed" in codes and codes["column_changed"].field == "last_name"
    assert "100%" in codes["column_changed"].message


def test_a_half_file_is_a_run_level_signal():
    students = [(str(n), "A", "B", "03", "2016-04-02", "EL1") for n in range(10)]
    result = _preview(make_roster(*students), *[f"{n},A,B,3,2016-04-02,EL1" for n in range(4)])
    assert [s.code for s in result.signals] == ["roster_missing"]
    assert "60%" in result.signals[0].message
