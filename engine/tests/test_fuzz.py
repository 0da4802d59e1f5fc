"""Fuzzing the readers: any bytes end in a preview or a one-line EngineError.

Random bytes, and the real fixtures of ``files/`` mutated byte-wise and
inside their workbook parts (see ``fuzzing.py``).  Bounded for CI: a fixed
number of examples per test and a shared time budget; the longer campaign is
``python engine/tests/fuzz_campaign.py`` (its figures are in README.md).
"""

import os
import time

import fuzzing
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# A whole run of this file stays well under a minute on a loaded machine.
BUDGET_SECONDS = float(os.environ.get("FUZZ_BUDGET_SECONDS", "25"))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "250"))
_started = []


def within_budget():
    if not _started:
        _started.append(time.monotonic())
    return time.monotonic() - _started[0] < BUDGET_SECONDS


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # CI runs the same examples every time; a developer's run explores anew.
    derandomize=bool(os.environ.get("CI")),
    database=None,
)

filenames = st.sampled_from(fuzzing.FILENAMES)
operations = st.lists(
    st.tuples(
        st.sampled_from(fuzzing.MUTATIONS),
        st.floats(0, 1, exclude_max=True),
        st.integers(0, 1 << 16),
        st.binary(max_size=64),
    ),
    min_size=1,
    max_size=6,
)
fixtures = st.sampled_from(sorted(fuzzing.FIXTURES))


@FUZZ
@given(st.binary(max_size=4096), filenames)
def test_random_bytes(data, filename):
    if within_budget():
        fuzzing.check(data, filename)


@FUZZ
@given(fixtures, fixtures, operations, filenames)
def test_mutated_fixtures(name, other, changes, filename):
    if within_budget():
        data = fuzzing.mutate(fuzzing.FIXTURES[name], changes, fuzzing.FIXTURES[other])
        fuzzing.check(data, filename)


@FUZZ
@given(st.sampled_from(fuzzing.WORKBOOKS), st.integers(0, 50), operations, st.booleans(), filenames)
def test_mutated_workbook_parts(name, member, changes, deflate, filename):
    if within_budget():
        data = fuzzing.mutate_workbook(fuzzing.FIXTURES[name], member, changes, deflate)
        fuzzing.check(data, filename)


@FUZZ
@given(
    st.text(alphabet=st.sampled_from(list('ab1,;\t"\r\n \u00e9\u200b=é')), max_size=600),
    st.sampled_from(["utf-8", "utf-16", "cp1252", "utf-8-sig"]),
)
def test_csv_like_text(text, encoding):
    if within_budget():
        header = "Student_Number,First_Name,Last_Name\n"
        fuzzing.check((header + text).encode(encoding, "replace"), "export.csv")


@pytest.mark.parametrize("name", sorted(fuzzing.FIXTURES))
def test_every_fixture_keeps_the_property(name):
    assert fuzzing.check(fuzzing.FIXTURES[name], name) in ("preview", "refused")
