"""Values are compared as a person reads them: NFC, no invisible characters.

And values that a spreadsheet would run as a formula are flagged.
"""

import unicodedata

import pytest
from helpers import csv_bytes, make_roster

from engine import ChangeType, PreviewOptions, Roster, preview
from engine.checks import formula_problem, name_problem
from engine.fields import FIELDS
from engine.normalize import Normaliser, clean

NFC_NAMES = ("José", "García", "Zoë", "Nguyễn", "Ångström", "Chloé")


def nfd(text):
    return unicodedata.normalize("NFD", text)


def test_the_names_differ_in_bytes_but_not_once_cleaned():
    for name in NFC_NAMES:
        assert nfd(name) != name
        assert clean(nfd(name)) == name


def test_a_file_in_nfd_equals_a_roster_in_nfc():
    roster = make_roster(
        ("1001", "José", "García", "03", "2016-04-02", "EL1"),
        ("1002", "Zoë", "Nguyễn", "05", "2014-09-15", "EL1"),
    )
    lines = [
        nfd("1001,José,García,3,04/02/2016,EL1"),
        nfd("1002,Zoë,Nguyễn,5,09/15/2014,EL1"),
    ]
    result = preview(roster, csv_bytes(*lines), "export.csv")
    assert result.counts["unchanged"] == 2 and result.lines == []


def test_new_values_are_stored_in_nfc():
    roster = make_roster()
    result = preview(roster, csv_bytes(nfd("1001,José,Ångström,3,04/02/2016,EL1")), "x.csv")
    [line] = result.lines
    assert line.kind is ChangeType.ADD
    values = {change.field: change.new for change in line.changes}
    assert values["first_name"] == "José" and values["last_name"] == "Ångström"
    assert all(unicodedata.is_normalized("NFC", value) for value in values.values())
    # A roster loaded from NFD text is NFC too.
    roster = Roster()
    roster.add({"student_number": "1", "first_name": nfd("Chloé")})
    assert roster.get("1")[0]["first_name"] == "Chloé"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ann\u200b", "Ann"),  # zero-width space
        ("\ufeffAnn", "Ann"),  # a byte-order mark glued to a value
        ("Ann\u00a0Marie", "Ann Marie"),  # non-breaking space
        ("Ann\u2007 \u202fMarie", "Ann Marie"),  # figure and narrow spaces
        ("An\u00adn", "Ann"),  # soft hyphen
        ("\u200eAnn\u200f", "Ann"),  # direction marks
        ("A\x00n\x07n\x1b", "Ann"),  # control characters
        ("Ann\tMarie\r\n", "Ann Marie"),
        ("\u0645\u06cc\u200c\u0631\u0627", "\u0645\u06cc\u200c\u0631\u0627"),  # ZWNJ stays
    ],
)
def test_invisible_characters_are_removed(raw, expected):
    assert Normaliser().value("first_name", raw) == expected


def test_invisible_characters_make_no_false_change():
    roster = make_roster(("1001", "Ann Marie", "Lee", "03", "2016-04-02", "EL1"))
    line = "1001,Ann\u00a0Marie\u200b,\ufeffLee,3\u200b,04/02/2016,EL1\u00a0"
    result = preview(roster, csv_bytes(line), "export.csv")
    assert result.counts["unchanged"] == 1 and result.lines == []


def test_codes_and_dates_are_cleaned_too():
    norm = Normaliser()
    assert norm.value("student_number", "10\u200b01\u00a0") == "1001"
    assert norm.value("birthdate", "\u200b04/02/2016") == "2016-04-02"
    assert norm.value("email", "ann\u200b@example.org") == "ann@example.org"


def test_a_long_invalid_value_is_cut_in_its_message():
    with pytest.raises(ValueError) as caught:
        Normaliser().value("grade", "x" * 10_000)
    assert len(str(caught.value)) < 120 and "(10,000 characters)" in str(caught.value)


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "=Ann"])
def test_formula_like_values_are_suspicious(value):
    assert "would run as a formula" in formula_problem(value)
    assert "would run as a formula" in name_problem(value)


@pytest.mark.parametrize("value", ["Ann", "O'Brien", "Smith-Jones", "", "Ann = Bob"])
def test_ordinary_values_are_not(value):
    assert formula_problem(value) == ""


def test_a_formula_like_name_is_flagged_on_its_line():
    roster = make_roster(("1001", "Ann", "Lee", "03", "2016-04-02", "EL1"))
    result = preview(
        roster,
        csv_bytes('1001,"=HYPERLINK(""http://evil"",""Ann"")",Lee,3,04/02/2016,EL1'),
        "export.csv",
        PreviewOptions(),
    )
    [line] = result.lines
    [change] = line.changes
    assert change.suspicious == "starts with =, which a spreadsheet would run as a formula"
    assert line.suspicious == [
        "First Name starts with =, which a spreadsheet would run as a formula"
    ]
    assert result.suspicious == 1


def test_a_roster_stored_in_nfd_is_compared_in_nfc():
    # Values stored before this engine normalised to NFC (the addon's path).
    roster = Roster()
    values = dict.fromkeys(FIELDS, "")
    values.update(student_number="1001", first_name=nfd("José"), last_name=nfd("García"))
    roster.add_canonical(tuple(values[name] for name in FIELDS), ref=1)
    data = csv_bytes("1001,José,García", header="Student_Number,First_Name,Last_Name")
    result = preview(roster, data, "export.csv")
    assert result.counts["unchanged"] == 1 and result.lines == []
    data = csv_bytes("1001,José,Garcia", header="Student_Number,First_Name,Last_Name")
    [line] = preview(roster, data, "export.csv").lines
    assert [(c.field, c.new) for c in line.changes] == [("last_name", "Garcia")]
