"""The row estimate that decides whether a preview runs in the request."""

from pathlib import Path

from engine.size import estimate_rows

FILES = Path(__file__).parent / "files"


def test_text_counts_line_breaks_with_or_without_a_final_one():
    assert estimate_rows(b"Student_Number\n1\n2\n3\n") == 4
    assert estimate_rows(b"Student_Number\n1\n2\n3") == 4


def test_xlsx_reads_the_declared_dimension_not_the_byte_size():
    # A header and five students, in a 5.8 kB workbook.
    assert estimate_rows((FILES / "students.xlsx").read_bytes()) == 6


def test_xlsx_with_a_lying_dimension_falls_back_to_its_size():
    data = (FILES / "students_bad_dimension.xlsx").read_bytes()
    assert estimate_rows(data) == max(1, len(data) // 1024)


def test_unreadable_zip_and_xls_fall_back_to_size():
    assert estimate_rows(b"PK\x03\x04" + b"x" * 6400) == 6404 // 64
    assert estimate_rows(b"\xd0\xcf\x11\xe0" + b"x" * 640) == 644 // 64


def test_the_estimate_never_inflates_a_bomb():
    # Run Now estimates rows before the preview's limits are applied: the
    # estimate must not unpack a shared-strings or empty-rows bomb (openpyxl,
    # which it used before, loads every shared string at once).
    import tracemalloc

    import bombs

    for bomb in (bombs.shared_strings_bomb(), bombs.empty_rows_bomb()):
        tracemalloc.start()
        try:
            rows = estimate_rows(bomb)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert rows >= len(bomb) // 1024
        assert peak < 20 * 1024 * 1024, f"the estimate took {peak / 1e6:.0f} MB"
