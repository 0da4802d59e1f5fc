"""The speed-ups of roster loading and comparison give the slow paths' results.

``compare`` takes a cell equal to the stored value as already normal only
when the roster's values all came out of the normalisers; these tests hold
the cases where that shortcut would be wrong.
"""

from helpers import csv_bytes
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import ChangeType, PreviewOptions, Roster, preview
from engine.errors import EngineError
from engine.fields import FIELDS

HEADER = "Student_Number,First_Name,Last_Name,Grade_Level,Guardian_Email"


def run(roster, *lines, **options):
    data = csv_bytes(*lines, header=HEADER)
    return preview(roster, data, "export.csv", PreviewOptions(**options))


def canonical(number, first, last, grade="03", email=""):
    values = dict.fromkeys(FIELDS, "")
    values.update(
        student_number=number, first_name=first, last_name=last, grade=grade, guardian_email=email
    )
    return tuple(values[name] for name in FIELDS)


def test_roster_from_add_is_normalised_and_shares_equal_values():
    roster = Roster()
    roster.add({"student_number": "1", "first_name": " Ann ", "grade": "3"})
    roster.add({"student_number": "2", "first_name": "Ann", "grade": "03"})
    first, second = roster.values
    assert roster.normalised
    assert first[1] == second[1] == "Ann" and first[1] is second[1]
    assert first[6] == "03" and first[6] is second[6]


def test_an_unnormalised_stored_value_still_shows_its_normalisation():
    # A clerk typed two spaces in the form; the file repeats them.
    roster = Roster()
    roster.add_canonical(canonical("1001", "Ann  Marie", "Lee"), ref=1)
    assert not roster.normalised
    result = run(roster, "1001,Ann  Marie,Lee,3,")
    assert result.counts["update"] == 1
    [change] = result.lines[0].changes
    assert (change.field, change.old, change.new) == ("first_name", "Ann  Marie", "Ann Marie")


def test_an_invalid_value_kept_by_the_roster_is_still_an_error_in_the_file():
    roster = Roster()
    roster.add(
        {
            "student_number": "1001",
            "first_name": "Ann",
            "last_name": "Lee",
            "grade": "3",
            "guardian_email": "not an address",
        }
    )
    assert roster.values[0][FIELDS.index("guardian_email")] == "not an address"
    assert not roster.normalised
    result = run(roster, "1001,Ann,Lee,3,not an address")
    [line] = result.lines
    assert line.kind is ChangeType.ERROR
    assert "not an e-mail address" in line.errors[0]


def test_a_transform_applies_to_a_cell_equal_to_the_stored_value():
    roster = Roster()
    roster.add({"student_number": "1001", "first_name": "ANN", "last_name": "LEE", "grade": "3"})
    assert roster.normalised
    mapping = {
        "Student_Number": "student_number",
        "First_Name": {"field": "first_name", "transform": "title"},
        "Last_Name": "last_name",
        "Grade_Level": "grade",
    }
    result = run(roster, "1001,ANN,LEE,3,", mapping=mapping)
    [line] = result.lines
    assert [(c.field, c.old, c.new) for c in line.changes] == [("first_name", "ANN", "Ann")]


def test_a_transform_applies_to_a_student_number_equal_to_a_stored_one():
    # "00123" is a stored number, but the mapping strips the zeros: the row
    # is student 123's, not student 00123's.
    roster = Roster()
    for number, first in (("00123", "Zed"), ("123", "Ann")):
        roster.add({"student_number": number, "first_name": first, "last_name": "Lee"})
    mapping = {
        "Student_Number": {"field": "student_number", "transform": "strip_zeros"},
        "First_Name": "first_name",
        "Last_Name": "last_name",
    }
    result = run(roster, "00123,Ann,Lee,3,", mapping=mapping)
    assert result.counts["unchanged"] == 1
    [line] = result.lines
    assert (line.kind, line.key) == (ChangeType.INACTIVATE, "00123")


def test_a_student_number_written_otherwise_finds_its_student():
    roster = Roster()
    roster.add({"student_number": "S001", "first_name": "Ann", "last_name": "Lee"})
    result = run(roster, " s001 ,Ann,Lee,,")
    assert result.counts["unchanged"] == 1 and result.lines == []


def test_a_stored_number_that_is_not_normal_is_not_found_as_it_is():
    # A roster given as stored values may hold "12.0" (typed in a form); the
    # file's "12.0" is student 12, as the normaliser reads it, whether or not
    # the stored text is the same.
    values = dict.fromkeys(FIELDS, "")
    values.update(student_number="12.0", first_name="Ann", last_name="Lee")
    roster = Roster()
    roster.add_canonical(tuple(values[name] for name in FIELDS))
    result = run(roster, "12.0,Ann,Lee,,")
    assert sorted((line.kind.value, line.key) for line in result.lines) == [
        ("add", "12"),
        ("inactivate", "12.0"),
    ]


def test_the_shortcut_still_normalises_cells_that_differ_from_the_roster():
    roster = Roster()
    roster.add(
        {
            "student_number": "1001",
            "first_name": "Ann",
            "last_name": "Lee",
            "grade": "03",
            "guardian_email": "ann@example.org",
        }
    )
    assert roster.normalised
    result = run(roster, "1001, Ann ,Lee,3rd,ANN@Example.org")
    assert result.counts["unchanged"] == 1 and result.lines == []
    result = run(roster, "1001,Ann,Lee,99,ann@example.org")
    assert result.counts["error"] == 1


def raw(number, first="Ann", grade="3", email=""):
    values = dict.fromkeys(FIELDS, "")
    values.update(student_number=number, first_name=first, grade=grade, guardian_email=email)
    return tuple(values[name] for name in FIELDS)


def test_add_many_gives_what_add_gives_one_by_one():
    batch = [raw(" a1 ", " Ann  Lee "), raw("a2", "Bo", "K"), raw("3.0", "Cy", "12")]
    actives = [True, False, True]
    many, one = Roster(), Roster()
    many.add_many(batch, actives)
    for values, active in zip(batch, actives, strict=True):
        one.add(dict(zip(FIELDS, values, strict=True)), active=active)
    assert many.to_dict() == one.to_dict()
    assert many.normalised and list(many.index) == ["A1", "A2", "3"]


def test_add_many_keeps_an_invalid_value_as_add_does():
    roster = Roster()
    roster.add_many([raw("1"), raw("2", grade="Z9")], [True, True])
    assert roster.get("2")[0]["grade"] == "Z9"
    assert roster.get("1")[0]["grade"] == "03"
    assert not roster.normalised


def test_add_many_refuses_a_repeated_or_blank_number_and_says_which():
    roster = Roster()
    roster.add_many([raw("1"), raw("2")], [True, True])
    for batch, offset, message in (
        ([raw("3"), raw("2")], 1, "student number '2' twice"),
        ([raw("4"), raw("5"), raw("4")], 2, "student number '4' twice"),
        ([raw("6"), raw(" ")], 1, "no student number"),
    ):
        before = roster.to_dict()
        try:
            roster.add_many(batch, [True] * len(batch))
        except EngineError as error:
            assert error.offset == offset
            assert message in str(error)
        else:
            raise AssertionError("add_many accepted a bad batch")
        # The students before the culprit are in; the roster's first two kept.
        assert {"1", "2"} <= roster.to_dict().keys() >= before.keys()
        assert roster.get("2")[0]["first_name"] == "Ann"


# Columns of each kind that the column normalisers look at as a whole: plain
# ones (taken as they are) and ones with one value that needs work (which
# must send the whole column the slow way, value by value).
_COLUMNS = {
    "student_number": [
        ["a1", "B2", "303"],
        ["a1", " b2", "3"],
        ["12.0", "13"],
        ["x\u00a0y", "z"],
    ],
    "pin": [["0012", "77"], ["12.00", "7"], ["7 ", "8"], ["", "9"]],
    "street": [
        ["1 Elm St", "2 Oak Ave"],
        ["1  Elm St", "x"],
        ["Calle Peñón 3", "Rue d'Été 4"],
        ["Rue d'E\u0301te\u0301 4", "y"],
        ["a\u200bb", "c"],
        ["a\tb", "c"],
        ["", "z", ""],
        [" lead", "x"],
        ["trail ", "x"],
        [""],
    ],
    "guardian_email": [
        ["ann@example.org", "bo@mail.example.com", ""],
        ["Ann@Example.org", "b@x.io"],
        [" ann@example.org", "b@x.io"],
        ["ann@example", "b@x.io"],
        ["ann @example.org", "b@x.io"],
        ["a@b..c", "b@x.io"],
        ["@x.io", "b@x.io"],
        ["a@.io", "b@x.io"],
        ["a@x.", "b@x.io"],
        ["a@b@c.d", "b@x.io"],
        ["a@@x.io", "b@x.io"],
        ["a@x.io", "bx.io", "c@@d.e"],
        ["a@x\x01.io", "b@x.io"],
        ["a@x.io\nb", "b@x.io"],
        # White space other than " ", which the column's regex does not name.
        ["a\u2003b@x.io", "b@x.io"],
        ["a@x.io\u2028", "b@x.io"],
        ["a\x1cb@x.io", "b@x.io"],
        ["a@x\u3000y.io", "b@x.io"],
        ["ä@x.io", "b@x.io"],
        ["a.b@c.d", "", "e@f.gh"],
        # The domain's dot: any but its first and last character will do.
        ["a@b..", "a@.b.c", "a@b.c.d", "a@...", "x@y.z"],
        ["a@..", "x@y.z"],
        ["a@x.y@z", "x@y.z"],
        # A long address that fails at its end, after many dots.
        ["a@" + "a." * 3000 + "@", "x@y.z"],
        ["a@" + "a." * 3000, "x@y.z"],
    ],
    "guardian_name": [
        ["Ann Lee", "Nguyễn Văn An"],
        ["Ann\u3000Lee", "x"],
        ["Ann\nLee", "x"],
        ["Ann\rLee", "x"],
        ["Ann\x7fLee", "x"],
    ],
}


def _one_by_one_and_whole(field, column):
    """The column normalised value by value, and as a column (InvalidValue if refused)."""
    from engine.normalize import InvalidValue, Normaliser

    normaliser = Normaliser()
    try:
        expected = [normaliser.for_field(field)(value) for value in column]
    except InvalidValue:
        expected = InvalidValue
    try:
        got = normaliser.for_column(field)(tuple(column))
    except InvalidValue:
        got = InvalidValue
    return got, expected


def test_a_column_normalises_as_its_values_do_one_by_one():
    for field, columns in _COLUMNS.items():
        for column in columns:
            got, expected = _one_by_one_and_whole(field, column)
            assert got == expected, (field, column)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["guardian_email", "street", "student_number", "guardian_name"]),
    st.lists(
        st.text(alphabet="aZ.@ \n\t\x7f\x1c\u00e9\u0301\u00a0\u2003-1", max_size=8), max_size=6
    ),
)
def test_any_column_normalises_as_its_values_do_one_by_one(field, column):
    got, expected = _one_by_one_and_whole(field, column)
    assert got == expected


def test_the_garbage_collector_comes_back_after_a_pause():
    import gc

    from engine.gcpause import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with collector_paused():
            raise EngineError("boom")
    except EngineError:
        pass
    assert gc.isenabled()


def test_a_roster_file_is_collected_while_it_loads(tmp_path):
    """The collector looks at the students batch by batch, not all at the end.

    Paused for the whole load, the collector would find every student's
    tuple in its youngest generation when it comes back and scan them all
    at once, read back from memory.
    """
    import gc

    from engine.cli import load_roster

    path = tmp_path / "roster.csv"
    lines = ["student_number,first_name,last_name,active"]
    lines += [f"{n},Ann,Lee {n},1" for n in range(1, 3001)]
    path.write_text("\n".join(lines) + "\n")
    young = []

    def count_young(phase, info):
        if phase == "start":
            young.append(gc.get_count()[0])

    gc.collect()
    gc.callbacks.append(count_young)
    try:
        roster = load_roster(path)
        gc.collect(0)  # the collection that would otherwise come at the next allocation
    finally:
        gc.callbacks.remove(count_young)
    assert len(roster) == 3000
    assert gc.isenabled()
    # 3,000 tuples were made; no collection found more than a batch of them young.
    assert young and max(young) < 1000
