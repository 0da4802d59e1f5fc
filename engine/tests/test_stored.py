"""A roster of stored values checked a page at a time (``Roster.add_stored``, the addon's).

``compare`` takes a file cell equal to a stored value as normal without
normalising it only when that value was found normal; a student holding a
value that is not (typed in a form) has every cell normalised, as before.
"""

import pytest
from helpers import csv_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import _lines, as_csv, load, scenario

from engine import ChangeType, PreviewOptions, Roster, preview
from engine.errors import EngineError
from engine.fields import FIELDS

HEADER = "Student_Number,First_Name,Last_Name,Grade_Level,DOB,Guardian_Email,Address"


def student(number, first="Ann", last="Lee", grade="03", birthdate="2016-04-02", **more):
    values = dict.fromkeys(FIELDS, "")
    values.update(
        student_number=number,
        first_name=first,
        last_name=last,
        grade=grade,
        birthdate=birthdate,
        guardian_email=f"pat{number.lower()}@example.org",
        street=f"{number} Oak St",
    )
    values.update(more)
    return tuple(values[name] for name in FIELDS)


def stored(*students, page=None):
    """A roster of ``students`` (tuples in FIELDS order) given as columns, ``page`` at a time."""
    roster = Roster()
    page = page or max(len(students), 1)
    for start in range(0, len(students), page):
        chunk = students[start : start + page]
        roster.add_stored(
            [f"ref-{values[0]}" for values in chunk],
            [True] * len(chunk),
            list(zip(*chunk, strict=True)),
        )
    return roster


def canonical_copy(roster):
    """The same students given with add_canonical: every cell of a file normalised."""
    copy = Roster()
    for position, values in enumerate(roster.values):
        copy.add_canonical(values, active=bool(roster.active[position]), ref=roster.refs[position])
    return copy


def row(number, first="Ann", last="Lee", grade="3", dob="04/02/2016", email=None, street=None):
    email = email if email is not None else f"pat{number.lower()}@example.org"
    street = street if street is not None else f"{number} Oak St"
    return ",".join((number, first, last, grade, dob, email, street))


def run(roster, *lines):
    return preview(roster, csv_bytes(*lines, header=HEADER), "export.csv")


def test_normal_stored_values_are_trusted():
    roster = stored(student("1001"), student("1002", first="Ben"), student("1003"), page=2)
    assert roster.normalised and roster.untrusted == set()
    assert len(roster) == 3 and roster.refs == ["ref-1001", "ref-1002", "ref-1003"]
    assert roster.get("1002")[0]["first_name"] == "Ben"
    result = run(roster, row("1001"), row("1002", first="Ben"), row("1003", first="Cara"))
    assert result.counts["unchanged"] == 2 and result.counts["update"] == 1


@pytest.mark.parametrize(
    "odd",
    [
        {"first_name": "Ann  Marie"},  # two spaces
        {"last_name": " Lee"},
        {"grade": "3"},  # the normal grade is "03"
        {"grade": "13"},  # not a grade at all
        {"birthdate": "04/02/2016"},  # not ISO
        {"guardian_email": "PAT@Example.org"},
        {"guardian_email": "not an address"},
        {"street": "1 Oak St\n"},
        {"street": "Cafe\u0301 Street"},  # a decomposed accent (NFD)
        {"city": "Springfield\u200b"},  # a zero-width space
    ],
)
def test_a_student_with_a_value_that_is_not_normal_is_untrusted(odd):
    roster = stored(student("1001"), student("1002"), student("1003", **odd), page=2)
    assert roster.untrusted == {2}, "its position in the roster, on the second page"
    assert roster.get("1003")[0][next(iter(odd))] == next(iter(odd.values())), "kept as stored"


def test_a_student_number_that_is_not_normal_is_untrusted():
    roster = stored(student("1001"), student("s002"), student("1003"))
    assert roster.untrusted == {1}
    # The file's "s002" is student S002, as every cell is normalised.
    result = run(roster, row("1001"), row("s002"), row("1003"))
    assert sorted((line.kind.value, line.key) for line in result.lines) == [
        ("add", "S002"),
        ("inactivate", "s002"),
    ]


def test_an_untrusted_student_shows_the_normalisation_of_a_value_the_file_repeats():
    # A clerk typed two spaces; the export repeats them.  Trusted, the cell
    # would equal the stored value and be taken as normal: no change shown.
    roster = stored(student("1001", first="Ann  Marie"), student("1002"))
    result = run(roster, row("1001", first="Ann  Marie"), row("1002"))
    [line] = result.lines
    assert line.kind is ChangeType.UPDATE and line.key == "1001"
    assert [(c.field, c.old, c.new) for c in line.changes] == [
        ("first_name", "Ann  Marie", "Ann Marie")
    ]


def test_an_invalid_stored_value_repeated_by_the_file_is_an_error():
    roster = stored(student("1001", guardian_email="not an address"))
    [line] = run(roster, row("1001", email="not an address")).lines
    assert line.kind is ChangeType.ERROR and "not an e-mail address" in line.errors[0]


def test_values_found_normal_on_one_page_are_not_checked_again():
    roster = stored(student("1001"), student("1002"), page=1)
    first_names = roster._known[FIELDS.index("first_name")]
    assert first_names == {"Ann"}
    assert roster._known[FIELDS.index("street")] is None, "unique values: checked as a column"


def test_students_known_normal_are_not_checked_again():
    # The addon remembers which students' stored values were found normal
    # (as they are now); only the others are checked, and those found
    # normal are returned for it to remember.
    roster = Roster()
    page = [student("1001"), student("1002", first="Ann  Marie"), student("1003")]
    found = roster.add_stored(["a", "b", "c"], [True] * 3, list(zip(*page, strict=True)))
    assert found == [0, 2] and roster.untrusted == {1}
    page = [student("1004"), student("1005", grade="13"), student("1006", last=" Lee")]
    columns = list(zip(*page, strict=True))
    found = roster.add_stored(["d", "e", "f"], [True] * 3, columns, known=[False, False, True])
    assert found == [0], "1006 was known: not checked, not returned"
    assert roster.untrusted == {1, 4}, "1005, at position 4 of the roster"
    found = roster.add_stored(["g"], [True], list(zip(student("1007"), strict=True)), [True])
    assert found == [] and len(roster) == 7 and roster.get("1007")[2] == "g"


def test_a_student_number_twice_is_refused():
    with pytest.raises(EngineError, match="twice"):
        stored(student("1001"), student("1001"))
    with pytest.raises(EngineError, match="twice"):
        stored(student("1001"), student("1002"), student("1001"), page=2)


@st.composite
def odd_value(draw):
    field = draw(st.sampled_from(["first_name", "last_name", "grade", "school_code"]))
    value = draw(st.sampled_from([" Ann", "Ann ", "ann  lee", "3", "k", "99", "lin", "\u00a0LIN"]))
    return field, value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario(), st.lists(odd_value(), max_size=3), st.integers(1, 5), st.randoms())
def test_a_checked_roster_previews_as_one_whose_cells_are_all_normalised(case, odds, page, dice):
    # With or without values that are not normal, in pages of any size, the
    # preview is that of the same students given as add_canonical does
    # (every cell of the file normalised), and, without odd values, that of
    # the students built by the normalisers.
    roster, rows, _bad = case
    normalised = load(roster)
    students = list(normalised.values)
    for at, (field, value) in enumerate(odds):
        if students:
            # Spread over the pages; the file repeats the odd value.
            position = (at * 7) % len(students)
            values = list(students[position])
            values[FIELDS.index(field)] = value
            students[position] = tuple(values)
            rows = [
                (number, {**record, field: value} if number == values[0] else record)
                for number, record in rows
            ]
    # Some of the students with nothing odd are known normal already.
    odd_positions = {(at * 7) % len(students) for at in range(len(odds))} if students else set()
    known = [at not in odd_positions and dice.random() < 0.5 for at in range(len(students))]
    checked = Roster()
    for start in range(0, len(students), page):
        chunk = students[start : start + page]
        checked.add_stored(
            normalised.refs[start : start + page],
            normalised.active[start : start + page],
            list(zip(*chunk, strict=True)),
            known[start : start + page],
        )
    data = as_csv(rows)
    got = preview(checked, data, "export.csv")
    assert _lines(got) == _lines(preview(canonical_copy(checked), data, "export.csv"))
    assert got.counts == preview(canonical_copy(checked), data, "export.csv").counts
    if not odds:
        assert checked.untrusted == set()
        assert _lines(got) == _lines(preview(normalised, data, "export.csv"))


def test_a_transform_still_normalises_every_cell():
    roster = stored(student("1001", first="ANN"))
    mapping = {
        "Student_Number": "student_number",
        "First_Name": {"field": "first_name", "transform": "title"},
        "Last_Name": "last_name",
    }
    data = csv_bytes("1001,ANN,Lee", header="Student_Number,First_Name,Last_Name")
    result = preview(roster, data, "export.csv", PreviewOptions(mapping=mapping))
    [line] = result.lines
    assert [(c.field, c.old, c.new) for c in line.changes] == [("first_name", "ANN", "Ann")]
