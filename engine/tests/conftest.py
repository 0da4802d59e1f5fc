import pytest
from helpers import make_roster


@pytest.fixture
def roster():
    """Three active students and one archived one."""
    return make_roster(
        ("1001", "Ann", "Lee", "03", "2016-04-02", "EL1"),
        ("1002", "Ben", "Ortiz", "05", "2014-09-15", "EL1"),
        ("1003", "Cara", "Nguyen", "KG", "2019-01-20", "EL2"),
        ("1004", "Dan", "Moss", "08", "2011-06-30", "MS1"),
        inactive=("1004",),
    )
