import pytest

from engine.policy import Thresholds, evaluate, largest_unguarded, percent


def counts(add=0, update=0, inactivate=0, reactivate=0):
    return {"add": add, "update": update, "inactivate": inactivate, "reactivate": reactivate}


@pytest.mark.parametrize(
    ("kind", "count", "warns"),
    [
        ("update", 99, False),
        ("update", 100, True),
        ("update", 101, True),
        ("inactivate", 99, False),
        ("inactivate", 100, True),
        ("add", 99, False),
        ("add", 100, True),
    ],
)
def test_warning_is_inclusive_at_ten_percent(kind, count, warns):
    verdict = evaluate(1000, counts(**{kind: count}))
    assert verdict.requires_confirmation is warns
    assert verdict.requires_authorization is False


@pytest.mark.parametrize(("count", "needs"), [(199, False), (200, True), (201, True)])
def test_authorization_is_inclusive_at_twenty_percent_of_adds(count, needs):
    verdict = evaluate(1000, counts(add=count))
    assert verdict.requires_authorization is needs
    assert verdict.requires_confirmation is True


def test_reactivations_count_as_adds():
    verdict = evaluate(1000, counts(add=150, reactivate=50))
    assert verdict.percentages["add"] == 20.0
    assert verdict.requires_authorization


def test_updates_never_need_authorization():
    verdict = evaluate(100, counts(update=100, inactivate=100))
    assert verdict.requires_confirmation and not verdict.requires_authorization


def test_empty_roster_counts_any_add_as_everything():
    verdict = evaluate(0, counts(add=1))
    assert verdict.percentages["add"] == 100.0
    assert verdict.requires_authorization
    assert evaluate(0, counts()).trips == []
    assert percent(0, 0) == 0.0


def test_trip_says_what_and_how_much():
    verdict = evaluate(400, counts(add=100))
    auth = next(t for t in verdict.trips if t.rule == "authorization")
    assert auth.message == "Adds: 100 students, 25.0% of the active roster (threshold 20%)"


def test_custom_thresholds_and_bounds():
    strict = Thresholds(warn_update=5, warn_add=5, warn_inactivate=5, auth_add=5)
    assert evaluate(100, counts(update=5), strict).requires_confirmation
    with pytest.raises(ValueError, match="between 1 and 100"):
        Thresholds(warn_update=0)
    with pytest.raises(ValueError, match="below the warning"):
        Thresholds(warn_add=30, auth_add=20)


@pytest.mark.parametrize(
    ("existing", "threshold", "largest"),
    [(40, 10.0, 3), (45, 10.0, 4), (297, 10.0, 29), (1000, 10.0, 99), (5, 10.0, 0), (0, 10.0, 0)],
)
def test_largest_unguarded_stays_just_below_the_warning(existing, threshold, largest):
    assert largest_unguarded(existing, threshold) == largest
    thresholds = Thresholds(warn_update=threshold)
    assert not evaluate(existing, counts(update=largest), thresholds).requires_confirmation
    if existing:
        assert evaluate(existing, counts(update=largest + 1), thresholds).requires_confirmation
