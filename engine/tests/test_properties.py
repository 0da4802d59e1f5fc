"""Invariants of the change set, over generated rosters and files."""

import csv
import io

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine import ChangeType, PreviewOptions, Roster, apply_change_set, preview

NAMES = st.sampled_from(["Ann", "Ben", "Cara", "Dan", "Eve", "Lee", "Ortiz", "Park", "Moss"])
GRADES = st.sampled_from(["PK", "KG", "01", "02", "03", "04", "05"])
SCHOOLS = st.sampled_from(["LIN", "WAS", "JEF"])
HEADER = ["Student_Number", "First_Name", "Last_Name", "Grade_Level", "School_Code"]
FIELDS = ["first_name", "last_name", "grade", "school_code"]


@st.composite
def student(draw):
    return {
        "first_name": draw(NAMES),
        "last_name": draw(NAMES),
        "grade": draw(GRADES),
        "school_code": draw(SCHOOLS),
    }


@st.composite
def scenario(draw):
    """A roster of up to 30 students and a file built from it with changes."""
    numbers = draw(st.lists(st.integers(1000, 1060), unique=True, max_size=30))
    roster = {str(number): {**draw(student()), "active": draw(st.booleans())} for number in numbers}
    rows, bad = [], set()
    for number, record in roster.items():
        action = draw(st.sampled_from(["same", "change", "missing", "bad"]))
        if action == "missing":
            continue
        values = draw(student()) if action == "change" else record
        if action == "bad":
            values, bad = {**values, "grade": "99"}, bad | {number}
        rows.append((number, values))
    for number in draw(st.lists(st.integers(2000, 2030), unique=True, max_size=8)):
        rows.append((str(number), draw(student())))
    # An empty file is refused before any comparison (readers' tests).
    assume(rows)
    draw(st.randoms()).shuffle(rows)
    return roster, rows, bad


def as_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for number, values in rows:
        writer.writerow([number, *(values[name] for name in FIELDS)])
    return buffer.getvalue().encode()


def load(roster):
    result = Roster()
    for number, record in roster.items():
        result.add({"student_number": number, **record}, active=record["active"])
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_applying_the_change_set_gives_the_new_roster(case):
    roster, rows, bad = case
    old = load(roster)
    result = preview(old, as_csv(rows), "export.csv")
    after = apply_change_set(old.to_dict(), result.lines)
    in_file = {number for number, _values in rows}
    for number, values in rows:
        if number in bad:
            # A row in error changes nothing, and keeps its student.
            assert after[number] == old.to_dict()[number]
            continue
        assert after[number]["active"] is True
        assert {name: after[number][name] for name in FIELDS} == {
            name: values[name] for name in FIELDS
        }
    for number, record in roster.items():
        if number not in in_file:
            assert after[number]["active"] is False
            assert {name: after[number][name] for name in FIELDS} == {
                name: record[name] for name in FIELDS
            }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario(), st.booleans())
def test_the_counts_add_up_to_the_rows_and_the_roster(case, keep_missing):
    roster, rows, _bad = case
    old = load(roster)
    result = preview(
        old, as_csv(rows), "export.csv", PreviewOptions(inactivate_missing=not keep_missing)
    )
    counts = result.counts
    assert result.rows == len(rows)
    assert sum(counts[k] for k in ("add", "update", "reactivate", "unchanged", "error")) == len(
        rows
    )
    in_file = {number for number, _values in rows}
    active_in_file = sum(1 for n, r in roster.items() if r["active"] and n in in_file)
    active_errors = sum(
        1
        for line in result.lines
        if line.kind is ChangeType.ERROR and roster.get(line.key, {}).get("active")
    )
    assert counts["update"] + counts["unchanged"] + active_errors == active_in_file
    missing = sum(1 for n, r in roster.items() if r["active"] and n not in in_file)
    assert counts["inactivate"] == (0 if keep_missing else missing)
    assert result.existing == sum(1 for r in roster.values() if r["active"])
    kinds = {line.kind for line in result.lines}
    assert ChangeType.UNCHANGED not in kinds
    assert len(result.lines) == sum(v for k, v in counts.items() if k != "unchanged")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario(), st.booleans())
def test_a_roster_of_stored_values_previews_as_one_of_normalised_values(case, odd):
    # The addon gives the engine its stored values as they are
    # (add_canonical), which the engine never takes as normal: it normalises
    # every cell of the file.  With or without a value that is not
    # canonical, the preview is the same as that of a roster built from the
    # same students by the normalisers, but for that value's own change.
    roster, rows, _bad = case
    normalised = load(roster)
    stored = Roster()
    for key, position in normalised.index.items():
        values = normalised.values[position]
        stored.add_canonical(values, active=bool(normalised.active[position]), ref=key)
    data = as_csv(rows)
    expected = preview(normalised, data, "export.csv")
    assert _lines(preview(stored, data, "export.csv")) == _lines(expected)
    if odd and normalised.values:
        # The last student's first name typed with a trailing space.
        odd_roster = Roster()
        for at, values in enumerate(normalised.values):
            if at == len(normalised.values) - 1:
                values = (values[0], values[1] + " ", *values[2:])
            odd_roster.add_canonical(values, active=bool(normalised.active[at]), ref=values[0])
        got = preview(odd_roster, data, "export.csv")
        last = normalised.values[-1][0]
        assert [line for line in _lines(got) if line[1] != last] == [
            line for line in _lines(expected) if line[1] != last
        ]


def _lines(result):
    return sorted(
        (line.kind.value, line.key, line.row, tuple((c.field, c.old, c.new) for c in line.changes))
        for line in result.lines
    )
