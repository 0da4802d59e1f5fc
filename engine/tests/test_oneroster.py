"""OneRoster 1.1 and 1.2 CSV bundles read as a student table."""

import io
import json
import zipfile

import layouts
import pytest

from engine import FileFormatError, PreviewOptions, preview, read_table
from engine.cli import main
from engine.presets import PRESETS


def _counts(result):
    return {kind: count for kind, count in result.counts.items() if count}


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_an_unchanged_bundle_previews_as_unchanged_and_counts_the_teacher(version):
    data = layouts.oneroster(version=version, teachers=1, guardians=2)
    result = preview(layouts.roster(), data, "oneroster.zip")
    assert _counts(result) == {"unchanged": 4}
    assert result.layout == "oneroster"
    assert result.columns["identifier"] == "student_number"
    assert result.columns["birthDate"] == "birthdate"
    assert result.columns["sex"] == "gender"
    assert any("1 teacher" in note and "2 guardians" in note for note in result.notes)


def test_the_bundle_table_has_the_users_columns_and_one_per_userids_type():
    table = read_table(layouts.oneroster(), "oneroster.zip")
    assert table.file_format == "oneroster"
    assert table.version == "1.1"
    assert table.headers[-2:] == ["userIds.LDAP", "userIds.SIS"]
    rows = list(table.rows)
    assert len(rows) == 4
    first = dict(zip(table.headers, rows[0][1], strict=True))
    assert first["identifier"] == "300001"
    assert first["orgSourcedIds"] == "101", "the org's identifier, not its sourcedId"
    assert (first["birthDate"], first["sex"], first["grades"]) == ("2021-03-04", "female", "PK")
    assert table.ignored == {"teacher": 1}
    assert table.known_schools == {"101", "102", "district"}


def test_the_student_number_can_be_a_userids_type():
    mapping = dict(PRESETS["oneroster"].mapping())
    del mapping["identifier"]
    mapping["userIds.SIS"] = "student_number"
    students = [dict(s, student_number="S" + s["student_number"]) for s in layouts.STUDENTS]
    result = preview(
        layouts.roster(students),
        layouts.oneroster(),
        "oneroster.zip",
        PreviewOptions(mapping=mapping),
    )
    assert _counts(result) == {"unchanged": 4}


def test_a_changed_bundle_shows_the_changes():
    students = list(layouts.STUDENTS)
    students[2] = dict(students[2], grade="04", birthdate="2016-07-16")
    result = preview(
        layouts.roster(),
        layouts.oneroster(students[:3] + [dict(students[3], student_number="300009")]),
        "oneroster.zip",
    )
    assert _counts(result) == {"unchanged": 2, "update": 1, "add": 1, "inactivate": 1}
    update = next(line for line in result.lines if line.kind.value == "update")
    assert {c.field: c.new for c in update.changes} == {"grade": "04", "birthdate": "2016-07-16"}


def test_a_bundle_without_users_csv_is_refused_with_a_clear_message():
    with pytest.raises(FileFormatError, match="without users.csv") as caught:
        preview(layouts.roster(), layouts.oneroster(users=False), "oneroster.zip")
    assert "oneroster.zip" in str(caught.value)


def test_a_bundle_without_users_through_the_command_line(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,first_name,last_name,active\n300001,Ava,Lopez,1\n")
    incoming = tmp_path / "oneroster.zip"
    incoming.write_bytes(layouts.oneroster(users=False))
    assert main(["preview", "--existing", str(roster), "--incoming", str(incoming)]) == 1
    err = capsys.readouterr().err
    assert "without users.csv" in err and "Traceback" not in err


def test_a_user_of_an_unknown_org_is_an_error_line():
    data = layouts.oneroster(org_of={"300002": "org-999"})
    result = preview(layouts.roster(), data, "oneroster.zip")
    assert _counts(result) == {"unchanged": 3, "error": 1}
    error = next(line for line in result.lines if line.kind.value == "error")
    assert error.key == "300002"
    assert "unknown school code 'ORG-999'" in error.errors[0]


def test_a_user_of_a_school_the_district_does_not_know_is_an_error_line():
    options = PreviewOptions(known_school_codes=frozenset({"101"}))
    result = preview(layouts.roster(), layouts.oneroster(), "oneroster.zip", options)
    assert _counts(result) == {"unchanged": 2, "error": 2}


def test_a_bulk_bundle_leaves_tobedeleted_students_missing():
    data = layouts.oneroster(deleted={"300004"})
    result = preview(layouts.roster(), data, "oneroster.zip")
    assert _counts(result) == {"unchanged": 3, "inactivate": 1}
    kept = PreviewOptions(inactivate_missing=False)
    assert _counts(preview(layouts.roster(), data, "oneroster.zip", kept)) == {"unchanged": 3}


def test_a_delta_bundle_inactivates_only_its_tobedeleted_students():
    # The delta holds two students: one changed, one to be deleted.  The
    # other two are not in it and stay as they are.
    students = [dict(layouts.STUDENTS[0], homeroom="R9", grade="KG"), layouts.STUDENTS[3]]
    data = layouts.oneroster(students, delta=True, deleted={"300004"})
    result = preview(layouts.roster(), data, "delta.zip")
    assert _counts(result) == {"update": 1, "inactivate": 1}
    gone = next(line for line in result.lines if line.kind.value == "inactivate")
    assert gone.key == "300004"
    kept = PreviewOptions(inactivate_missing=False)
    assert _counts(preview(layouts.roster(), data, "delta.zip", kept)) == {"update": 1}


def test_oneroster_12_roles_decide_who_is_a_student():
    data = layouts.oneroster(version="1.2", teachers=2)
    table = read_table(data, "oneroster.zip")
    assert "role" not in layouts.USERS_12
    assert table.version == "1.2"
    assert table.ignored == {"teacher": 2}
    assert len(list(table.rows)) == 4


def test_a_bundle_whose_users_have_no_role_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.csv", "propertyName,value\noneroster.version,1.2\n")
        archive.writestr("users.csv", "sourcedId,identifier,givenName,familyName\nu1,1,A,B\n")
    with pytest.raises(FileFormatError, match="no role column"):
        read_table(out.getvalue(), "bundle.zip")


def test_a_zip_that_is_neither_a_workbook_nor_a_bundle_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(FileFormatError, match="not a readable"):
        read_table(out.getvalue(), "other.zip")


def test_the_command_line_previews_a_bundle(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    layouts.write_roster_csv(roster)
    incoming = tmp_path / "oneroster.zip"
    incoming.write_bytes(layouts.oneroster(teachers=1))
    args = ["preview", "--existing", str(roster), "--incoming", str(incoming), "--json"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["format"] == "oneroster"
    assert result["counts"]["unchanged"] == 4
    assert result["counts"]["add"] == 0
    assert any("1 teacher" in note for note in result["notes"])
    assert main(["preview", "--existing", str(roster), "--incoming", str(incoming)]) == 0
    assert "note: users.csv also holds 1 teacher" in capsys.readouterr().out
