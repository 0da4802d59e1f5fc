"""Each change type, from a real CSV through the whole preview."""

import pytest
from helpers import csv_bytes, make_roster

from engine import ChangeType, MappingError, PreviewOptions, preview


def run(roster, *lines, **options):
    return preview(roster, csv_bytes(*lines), "export.csv", PreviewOptions(**options))


def by_key(result):
    return {line.key: line for line in result.lines}


SAME = (
    "1001,Ann,Lee,3,04/02/2016,EL1",
    "1002,Ben,Ortiz,5,2014-09-15,el1",
    "1003,Cara,Nguyen,K,1/20/2019,EL2",
)


def test_a_file_equal_to_the_roster_changes_nothing(roster):
    result = run(roster, *SAME)
    assert result.counts == {
        "add": 0,
        "update": 0,
        "inactivate": 0,
        "reactivate": 0,
        "unchanged": 3,
        "error": 0,
    }
    assert result.lines == []


def test_add(roster):
    result = run(roster, *SAME, "1005,Eve,Park,2,2017-02-03,EL2")
    line = by_key(result)["1005"]
    assert line.kind is ChangeType.ADD and line.row == 5 and line.name == "Park, Eve"
    assert {(c.field, c.old, c.new) for c in line.changes} == {
        ("first_name", "", "Eve"),
        ("last_name", "", "Park"),
        ("grade", "", "02"),
        ("birthdate", "", "2017-02-03"),
        ("school_code", "", "EL2"),
    }
    assert result.counts["add"] == 1 and result.counts["unchanged"] == 3


def test_update_lists_only_the_changed_fields_with_old_and_new(roster):
    result = run(roster, "1001,Ann,Lee-Smith,4,04/02/2016,EL1", *SAME[1:])
    line = by_key(result)["1001"]
    assert line.kind is ChangeType.UPDATE and line.ref == "ref-1001"
    assert [(c.field, c.old, c.new) for c in line.changes] == [
        ("last_name", "Lee", "Lee-Smith"),
        ("grade", "03", "04"),
    ]


def test_inactivate_missing_students(roster):
    result = run(roster, *SAME[:2])
    line = by_key(result)["1003"]
    assert line.kind is ChangeType.INACTIVATE and line.row is None
    assert line.name == "Nguyen, Cara" and line.ref == "ref-1003"
    assert result.counts["inactivate"] == 1


def test_keep_missing_students_when_told(roster):
    result = run(roster, *SAME[:2], inactivate_missing=False)
    assert result.counts["inactivate"] == 0


def test_inactivation_scope_is_the_schools_in_the_file(roster):
    # Only EL1 is in the file: Cara (EL2) is out of scope and stays.
    result = run(roster, SAME[0], scope="schools_in_file")
    assert {line.key for line in result.lines} == {"1002"}
    assert result.lines[0].kind is ChangeType.INACTIVATE


def test_scope_without_a_school_column_inactivates_nobody_and_says_so(roster):
    result = preview(
        roster,
        csv_bytes("1001,Ann,Lee", header="Student_Number,First_Name,Last_Name"),
        "export.csv",
        PreviewOptions(scope="schools_in_file"),
    )
    assert result.counts["inactivate"] == 0
    assert [s.code for s in result.signals] == ["scope"]


def test_reactivate_an_archived_student_with_its_changes(roster):
    result = run(roster, *SAME, "1004,Dan,Moss,9,2011-06-30,HS1")
    line = by_key(result)["1004"]
    assert line.kind is ChangeType.REACTIVATE
    assert [(c.field, c.old, c.new) for c in line.changes] == [
        ("grade", "08", "09"),
        ("school_code", "MS1", "HS1"),
    ]


def test_errors_say_row_and_column(roster):
    result = run(
        roster,
        *SAME,
        ",No,Number,3,2016-01-01,EL1",
        "1006,,Blank,3,2016-01-01,EL1",
        "1007,Bad,Grade,14,2016-01-01,EL1",
        "1008,Bad,Date,3,02/30/2016,EL1",
    )
    errors = {line.row: line.errors for line in result.lines if line.kind is ChangeType.ERROR}
    assert errors[5] == ["Row 5, column 'Student_Number': no student number"]
    assert errors[6] == ["Row 6, column 'First_Name': First Name is required but blank"]
    assert errors[7] == ["Row 7, column 'Grade_Level': '14' is not a grade (use PK, KG or 1 to 12)"]
    assert errors[8] == ["Row 8, column 'DOB': '02/30/2016' is not a valid date"]
    assert result.counts["error"] == 4


def test_duplicate_numbers_make_every_occurrence_an_error(roster):
    result = run(
        roster, *SAME, "1002,Ben,Ortiz,6,2014-09-15,EL1", "1009,X,Y,1,,EL1", "1009,X,Z,1,,EL1"
    )
    errors = sorted((line.row, line.key) for line in result.lines if line.kind is ChangeType.ERROR)
    assert errors == [(3, "1002"), (5, "1002"), (6, "1009"), (7, "1009")]
    first = next(line for line in result.lines if line.row == 3)
    assert "appears more than once" in first.errors[0]
    assert result.counts["unchanged"] == 2 and result.counts["add"] == 0
    # A student whose rows are in error is in the file: never inactivated.
    assert result.counts["inactivate"] == 0


def test_a_number_repeated_next_to_itself_or_far_after_an_error_row(roster):
    # Unchanged rows are counted on a short path: a repeat right after its
    # row, a repeat of an unchanged row further down, and a repeat of a row
    # with a bad value all make every occurrence an error.
    result = run(
        roster,
        SAME[0],
        SAME[0],
        SAME[1],
        "1003,Cara,Nguyen,14,1/20/2019,EL2",
        SAME[2],
        SAME[1],
    )
    errors = sorted((line.row, line.key) for line in result.lines if line.kind is ChangeType.ERROR)
    assert errors == [(2, "1001"), (3, "1001"), (4, "1002"), (5, "1003"), (6, "1003"), (7, "1002")]
    assert result.counts["unchanged"] == 0 and result.counts["error"] == 6
    row_5 = next(line for line in result.lines if line.row == 5)
    assert row_5.errors[-1] == (
        "Row 5, column 'Grade_Level': '14' is not a grade (use PK, KG or 1 to 12)"
    )


def test_a_row_equal_to_a_student_without_a_required_value_is_an_error():
    # The roster may hold a student without a last name (typed so long
    # ago); a file that repeats the blank is still refused on that row.
    roster = make_roster(("1001", "Ann", "", "3", "2016-04-02", "EL1"))
    result = run(roster, "1001,Ann,,3,2016-04-02,EL1")
    [line] = result.lines
    assert line.kind is ChangeType.ERROR
    assert line.errors == ["Row 2, column 'Last_Name': Last Name is required but blank"]


def test_an_error_row_protects_its_student_from_inactivation(roster):
    result = run(roster, *SAME[:2], "1003,Cara,Nguyen,K,not a date,EL2")
    assert result.counts["inactivate"] == 0 and result.counts["error"] == 1


def test_unknown_school_code_is_an_error_when_schools_are_known(roster):
    result = run(
        roster, *SAME, "1010,New,Kid,1,2019-05-05,ZZ9", known_school_codes=frozenset({"EL1", "EL2"})
    )
    line = by_key(result)["1010"]
    assert line.kind is ChangeType.ERROR
    assert line.errors == ["Row 5, column 'School_Code': unknown school code 'ZZ9'"]


def test_values_that_normalise_equal_are_not_changes(roster):
    result = run(
        roster,
        "1001.0, Ann ,Lee,03,2016-04-02,el1",
        "1002,Ben,Ortiz,5th,41897,EL1",
        "1003,Cara,Nguyen,Kindergarten,20190120,EL2",
    )
    assert result.counts["unchanged"] == 3 and result.lines == []


def test_only_mapped_fields_are_compared(roster):
    # No grade column: Ann's grade is never blanked.
    result = preview(
        roster,
        csv_bytes(
            "1001,Ann,Lee",
            "1002,Ben,Ortiz",
            "1003,Cara,Nguyen",
            header="StudentID,First Name,Last Name",
        ),
        "export.csv",
    )
    assert result.counts["unchanged"] == 3


def test_explicit_mapping_wins_and_unknown_columns_are_reported(roster):
    result = preview(
        roster,
        csv_bytes(
            "1001,Lee,Ann,x",
            "1002,Ortiz,Ben,y",
            "1003,Nguyen,Cara,z",
            header="ID,Surname,Given,Bus",
        ),
        "export.csv",
        PreviewOptions(
            mapping={"ID": "student_number", "Surname": "last_name", "Given": "first_name"}
        ),
    )
    assert result.counts["unchanged"] == 3
    assert result.ignored_columns == ["Bus"]


def test_no_key_column_is_refused(roster):
    with pytest.raises(MappingError, match="No Student Number column: no header matches it"):
        preview(roster, csv_bytes("Ann,Lee", header="First,Last"), "export.csv")


def test_missing_required_column_is_refused(roster):
    with pytest.raises(MappingError, match="required field.*last_name"):
        preview(roster, csv_bytes("1001,Ann", header="Student_Number,First_Name"), "x.csv")


def test_day_first_column_is_proven_by_a_day_above_twelve():
    roster = make_roster(("1", "A", "B", "01", "2015-04-03", "S"))
    result = preview(
        roster,
        csv_bytes("1,A,B,1,03/04/2015,S", "2,C,D,1,25/12/2015,S"),
        "export.csv",
    )
    assert result.date_order == "dmy"
    assert result.counts["unchanged"] == 1
    assert [c.new for c in result.lines[0].changes if c.field == "birthdate"] == ["2015-12-25"]


def test_mixed_date_orders_stay_month_first_and_flag_the_odd_rows():
    roster = make_roster(("1", "A", "B", "01", "2015-03-04", "S"))
    result = preview(
        roster,
        csv_bytes("1,A,B,1,03/04/2015,S", "2,C,D,1,25/12/2015,S", "3,E,F,1,12/25/2015,S"),
        "export.csv",
    )
    assert result.date_order == "mdy"
    assert [line.row for line in result.lines if line.kind is ChangeType.ERROR] == [3]


def test_lines_come_errors_first_then_by_type_and_row(roster):
    result = run(roster, "1001,Ann,Lee,4,04/02/2016,EL1", "1099,New,Kid,1,,EL1", ",x,y,1,,EL1")
    assert [line.kind.value for line in result.lines] == [
        "error",
        "add",
        "update",
        "inactivate",
        "inactivate",
    ]


def test_a_mapping_with_a_single_compared_field(roster):
    # Found through the addon: one compared field once broke the row loop.
    result = preview(
        roster,
        csv_bytes("1001,Lee-Smith", "1002,Ortiz", "1003,Nguyen", header="ID,Surname"),
        "export.csv",
        PreviewOptions(
            mapping={"ID": "student_number", "Surname": "last_name"},
            required=frozenset({"student_number", "last_name"}),
        ),
    )
    assert result.counts["update"] == 1 and result.counts["unchanged"] == 2
    assert [(c.field, c.old, c.new) for c in result.lines[0].changes] == [
        ("last_name", "Lee", "Lee-Smith")
    ]
