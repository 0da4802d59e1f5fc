import pytest

from engine.normalize import DateParser, InvalidValue, Normaliser, transform


@pytest.fixture
def norm():
    return Normaliser()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2012-03-04", "2012-03-04"),
        ("2012-3-4", "2012-03-04"),
        ("2012-03-04 00:00:00", "2012-03-04"),
        ("2012/03/04", "2012-03-04"),
        ("03/04/2012", "2012-03-04"),
        ("3/4/2012", "2012-03-04"),
        ("3/4/12", "2012-03-04"),
        ("12/31/98", "1998-12-31"),
        ("03-04-2012", "2012-03-04"),
        ("20120304", "2012-03-04"),
        ("40972", "2012-03-04"),
        ("40972.0", "2012-03-04"),
        ("  ", ""),
    ],
)
def test_dates_in_the_formats_sis_exports_use(norm, raw, expected):
    assert norm.value("birthdate", raw) == expected


@pytest.mark.parametrize("raw", ["13/45/2010", "2010-02-30", "yesterday", "0", "1/2/3/4"])
def test_bad_dates_are_refused_with_the_value(norm, raw):
    with pytest.raises(InvalidValue, match="date"):
        norm.value("birthdate", raw)


def test_day_first_only_when_configured():
    assert DateParser("dmy")("03/04/2012") == "2012-04-03"
    assert DateParser("mdy")("03/04/2012") == "2012-03-04"
    with pytest.raises(InvalidValue, match="month/day/year"):
        DateParser("mdy")("25/03/2012")
    with pytest.raises(InvalidValue, match="day/month/year"):
        DateParser("dmy")("03/25/2012")


def test_auto_order_records_the_evidence():
    parser = DateParser("auto")
    assert parser("03/04/2012") == "2012-03-04"
    assert not parser.dmy_seen and not parser.mdy_seen
    assert parser("25/03/2012") == "2012-03-25"
    assert parser.dmy_seen


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("K", "KG"),
        ("KG", "KG"),
        ("kindergarten", "KG"),
        ("0", "KG"),
        ("PK", "PK"),
        ("Pre-K", "PK"),
        ("TK", "PK"),
        ("1", "01"),
        ("01", "01"),
        ("1st", "01"),
        ("2nd", "02"),
        ("3RD", "03"),
        ("12", "12"),
        ("12th", "12"),
        ("5.0", "05"),
        ("Grade 7", "07"),
        ("", ""),
    ],
)
def test_grades(norm, raw, expected):
    assert norm.value("grade", raw) == expected


@pytest.mark.parametrize("raw", ["13", "UG", "fifth", "-5"])
def test_bad_grades(norm, raw):
    with pytest.raises(InvalidValue, match="not a grade"):
        norm.value("grade", raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("F", "free"),
        ("free", "free"),
        ("R", "reduced"),
        ("Reduced", "reduced"),
        ("P", "paid"),
        ("Full Pay", "paid"),
        ("", ""),
    ],
)
def test_eligibility(norm, raw, expected):
    assert norm.value("eligibility", raw) == expected


def test_bad_eligibility(norm):
    with pytest.raises(InvalidValue, match="meal eligibility"):
        norm.value("eligibility", "maybe")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("M", "M"), ("male", "M"), ("F", "F"), ("Female", "F"), ("X", "X"), ("N", "X"), ("", "")],
)
def test_gender(norm, raw, expected):
    assert norm.value("gender", raw) == expected


def test_bad_gender(norm):
    with pytest.raises(InvalidValue, match="gender"):
        norm.value("gender", "Q")


def test_text_is_trimmed_and_spaces_collapsed(norm):
    assert norm.value("first_name", "  Mary   Ann ") == "Mary Ann"
    assert norm.value("street", "12  Oak\tSt ") == "12 Oak St"


def test_names_keep_their_case(norm):
    # A casing fix is a real change a district may want to see.
    assert norm.value("last_name", "McDONALD") == "McDONALD"


def test_codes_lose_spreadsheet_float_tails_and_case(norm):
    assert norm.value("student_number", "100234.0") == "100234"
    assert norm.value("student_number", " ab12 ") == "AB12"
    assert norm.value("school_code", "el1") == "EL1"
    assert norm.value("pin", "4321.0") == "4321"
    assert norm.value("zip", "02134") == "02134"


def test_emails_are_lower_cased_and_checked(norm):
    assert norm.value("email", " Ann.Lee@District.ORG ") == "ann.lee@district.org"
    with pytest.raises(InvalidValue, match="e-mail"):
        norm.value("guardian_email", "not an email")


def test_transforms():
    assert transform("upper")("abc") == "ABC"
    assert transform("title")("  mary  ann ") == "Mary Ann"
    assert transform("digits")("(555) 123-4567") == "5551234567"
    assert transform("strip_zeros")("000123") == "123"
    assert transform("none") is None
    with pytest.raises(ValueError, match="unknown transform"):
        transform("reverse")
