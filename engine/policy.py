"""Percentages of the active roster and the two safeguards of the manual.

A warning (staff confirm) when updates, adds (reactivations included) or
inactivations reach their threshold, by default 10%; an authorization (a
Support representative approves) when adds reach theirs, by default 20%.
Thresholds are inclusive: exactly 10.0% warns.
"""

from dataclasses import dataclass, field

WARNING = "warning"
AUTHORIZATION = "authorization"


@dataclass(frozen=True)
class Thresholds:
    """Percent thresholds per rule and change type."""

    warn_update: float = 10.0
    warn_add: float = 10.0
    warn_inactivate: float = 10.0
    auth_add: float = 20.0

    def __post_init__(self):
        for name in ("warn_update", "warn_add", "warn_inactivate", "auth_add"):
            value = getattr(self, name)
            if not 1 <= value <= 100:
                raise ValueError(f"{name} must be between 1 and 100, not {value}")
        if self.auth_add < self.warn_add:
            raise ValueError("the authorization threshold cannot be below the warning one")


@dataclass(frozen=True)
class Trip:
    """One rule that a change set reaches, with its figures."""

    rule: str
    change_type: str
    count: int
    percent: float
    threshold: float

    @property
    def message(self):
        """The figures in words, e.g. 'Adds: 250 students, 25.0% (threshold 20%)'."""
        label = {"add": "Adds", "update": "Updates", "inactivate": "Inactivations"}
        return (
            f"{label[self.change_type]}: {self.count} students, {self.percent:.1f}% of "
            f"the active roster (threshold {self.threshold:g}%)"
        )

    def as_dict(self):
        """Plain-data form (for JSON output)."""
        return {
            "rule": self.rule,
            "type": self.change_type,
            "count": self.count,
            "percent": self.percent,
            "threshold": self.threshold,
            "message": self.message,
        }


@dataclass
class Verdict:
    """Percentages and the safeguards a change set needs."""

    existing: int
    percentages: dict
    trips: list = field(default_factory=list)

    @property
    def requires_confirmation(self):
        """True when a warning rule is reached."""
        return any(trip.rule == WARNING for trip in self.trips)

    @property
    def requires_authorization(self):
        """True when the authorization rule is reached."""
        return any(trip.rule == AUTHORIZATION for trip in self.trips)


def percent(count, existing):
    """``count`` as a percentage of ``existing``; an empty roster makes any count 100%."""
    if existing <= 0:
        return 100.0 if count else 0.0
    return 100.0 * count / existing


def _reaches(count, existing, threshold):
    # Compare count/existing >= threshold/100 without float rounding:
    # 100 * count >= threshold * existing, both sides exact for sane inputs.
    if count <= 0:
        return False
    if existing <= 0:
        return True
    return 100 * count >= threshold * existing


def largest_unguarded(existing, threshold):
    """The most students one change may touch without reaching ``threshold``
    percent of ``existing`` active students (0 when the roster is empty,
    where any change counts as 100%).

    The mirror of the warning rule: ``n`` needs a confirmation exactly when
    ``n + 1`` would not be returned here.
    """
    if existing <= 0:
        return 0
    largest = int(threshold * existing // 100)
    while largest > 0 and _reaches(largest, existing, threshold):
        largest -= 1
    return largest


def evaluate(existing, counts, thresholds=None):
    """Return the :class:`Verdict` for ``counts`` against ``existing`` active students.

    ``counts`` has the keys ``add``, ``reactivate``, ``update`` and
    ``inactivate``; adds include reactivations.
    """
    thresholds = thresholds or Thresholds()
    adds = counts.get("add", 0) + counts.get("reactivate", 0)
    figures = {
        "add": adds,
        "update": counts.get("update", 0),
        "inactivate": counts.get("inactivate", 0),
    }
    percentages = {name: round(percent(count, existing), 2) for name, count in figures.items()}
    trips = []
    rules = (
        (WARNING, "update", thresholds.warn_update),
        (WARNING, "add", thresholds.warn_add),
        (WARNING, "inactivate", thresholds.warn_inactivate),
        (AUTHORIZATION, "add", thresholds.auth_add),
    )
    for rule, change_type, threshold in rules:
        count = figures[change_type]
        if _reaches(count, existing, threshold):
            trips.append(Trip(rule, change_type, count, percent(count, existing), threshold))
    return Verdict(existing, percentages, trips)
