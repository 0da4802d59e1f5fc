"""Suspicious values on lines, and run-level signals.

These never change a value: they flag it, so that a person looks before
applying.  Each flag is a short reason in plain words.
"""

import re
from dataclasses import dataclass
from datetime import date

from .diff import ChangeType
from .fields import GRADES, LABELS

_NAME_FIELDS = ("first_name", "middle_name", "last_name", "guardian_name")
_STREET_WORDS = (
    "st|street|ave|avenue|rd|road|dr|drive|ln|lane|blvd|boulevard|ct|court|way|pl|place"
    "|hwy|highway|pkwy|parkway|cir|circle|ter|terrace|trl|trail|apt|suite|ste|unit"
)
# An address has a house number, a street word with a number, a P.O. box,
# or a street word that is never a surname.  "Lane" or "Court" alone are
# surnames, so the short street words need a number beside them.
_ADDRESS = re.compile(
    rf"^\d+[a-z]?\s+\S"
    rf"|\d.*\b(?:{_STREET_WORDS})\b|\b(?:{_STREET_WORDS})\b\.?\s*#?\d"
    r"|^p\.?\s*o\.?\s*box\b"
    r"|\S\s+(?:street|avenue|boulevard|road|highway|parkway)\b",
    re.IGNORECASE,
)
_PHONE = re.compile(r"^[\s()+.\-\d]{7,}$")
_DIGITS = re.compile(r"\d")
_EMAIL_LIKE = re.compile(r"\S+@\S+")
_GRADE_ORDER = {grade: level for level, grade in enumerate(GRADES)}

#: Share of matched students above which one column changing is a signal.
SHIFT_SHARE = 0.5
#: Fewest matched students for that signal to mean anything.
SHIFT_MIN_STUDENTS = 20
#: Share of the active roster whose inactivation is a signal.
MISSING_SHARE = 0.5
#: Share of rows in error that is a signal.
ERROR_SHARE = 0.05


@dataclass(slots=True)
class Signal:
    """A run-level warning: ``code`` for machines, ``message`` for people."""

    code: str
    message: str
    field: str = ""

    def as_dict(self):
        """Plain-data form (for JSON output)."""
        return {"code": self.code, "message": self.message, "field": self.field}


def name_problem(value):
    """Return why ``value`` does not look like a person's name, or ``""``."""
    if not value:
        return ""
    if _EMAIL_LIKE.search(value):
        return "looks like an e-mail address"
    if _PHONE.match(value) and sum(ch.isdigit() for ch in value) >= 7:
        return "looks like a phone number"
    if _ADDRESS.search(value):
        return "looks like a street address"
    if _DIGITS.search(value):
        return "contains digits"
    return ""


def birthdate_problem(value, today):
    """Return why a birthdate is implausible for a school student, or ``""``."""
    if not value:
        return ""
    try:
        born = date.fromisoformat(value)
    except ValueError:
        return ""
    if born > today:
        return "is in the future"
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < 2:
        return f"gives an age of {age}, too young for school"
    if age > 25:
        return f"gives an age of {age}, too old for school"
    return ""


def grade_problem(old, new):
    """Return why a grade change is suspicious (a jump of more than one level)."""
    if not old or not new or old not in _GRADE_ORDER or new not in _GRADE_ORDER:
        return ""
    jump = _GRADE_ORDER[new] - _GRADE_ORDER[old]
    if abs(jump) > 1:
        direction = "up" if jump > 0 else "down"
        return f"jumps {abs(jump)} levels {direction} ({old} to {new})"
    return ""


_CLEAR_WATCHED = frozenset({"first_name", "last_name", "birthdate", "grade", "school_code"})


def flag_line(line, today):
    """Set the suspicious reasons of ``line`` and of its field changes."""
    if line.kind in (ChangeType.ERROR, ChangeType.INACTIVATE):
        return
    by_field = {change.field: change for change in line.changes}
    for change in line.changes:
        reason = ""
        if change.field in _NAME_FIELDS:
            reason = name_problem(change.new)
        elif change.field == "birthdate":
            reason = birthdate_problem(change.new, today)
        elif change.field == "grade":
            reason = grade_problem(change.old, change.new)
        if not reason and change.old and not change.new and change.field in _CLEAR_WATCHED:
            reason = "is being cleared"
        if reason:
            change.suspicious = reason
            line.suspicious.append(f"{LABELS[change.field]} {reason}")
    first, last = by_field.get("first_name"), by_field.get("last_name")
    if (
        first is not None
        and last is not None
        and first.old
        and last.old
        and first.new.casefold() == last.old.casefold()
        and last.new.casefold() == first.old.casefold()
    ):
        reason = "first and last name swapped"
        first.suspicious = first.suspicious or reason
        last.suspicious = last.suspicious or reason
        line.suspicious.append(reason.capitalize())


def flag_lines(lines, today=None):
    """Flag every line; return how many have at least one suspicious value."""
    today = today or date.today()
    flagged = 0
    for line in lines:
        flag_line(line, today)
        if line.suspicious:
            flagged += 1
    return flagged


def signals(change_set):
    """Return the run-level :class:`Signal` list of a change set."""
    found = []
    matched = change_set.matched
    if matched >= SHIFT_MIN_STUDENTS:
        for name, changed in change_set.field_counts.items():
            if changed and changed >= SHIFT_SHARE * matched:
                share = round(100.0 * changed / matched)
                found.append(
                    Signal(
                        "column_changed",
                        f"{LABELS[name]} changes for {share}% of the students in the "
                        f"file ({changed} of {matched}): check that the columns are "
                        "not shifted.",
                        name,
                    )
                )
    existing = change_set.existing
    missing = change_set.counts["inactivate"]
    if existing and missing >= MISSING_SHARE * existing:
        share = round(100.0 * missing / existing)
        found.append(
            Signal(
                "roster_missing",
                f"The file leaves out {share}% of the active students ({missing} of "
                f"{existing}): is it a partial export?",
            )
        )
    errors, rows = change_set.counts["error"], change_set.rows
    if rows and errors >= ERROR_SHARE * rows and errors > 1:
        share = round(100.0 * errors / rows)
        found.append(
            Signal(
                "many_errors",
                f"{errors} of {rows} rows ({share}%) cannot be used.",
            )
        )
    if change_set.scope_note:
        found.append(Signal("scope", change_set.scope_note))
    return found


# The plural of each reason, for the review screen's banner: "45 last names
# look like street addresses".  Reasons that carry a figure (an age, a jump)
# are grouped on what they mean, not on the figure.
_PLURAL_REASONS = (
    (
        re.compile(r"^looks like an? (.*)$"),
        lambda m: (
            f"look like {m.group(1)}es" if m.group(1).endswith("ss") else f"look like {m.group(1)}s"
        ),
    ),
    (re.compile(r"^contains digits$"), lambda m: "contain digits"),
    (re.compile(r"^is in the future$"), lambda m: "are in the future"),
    (re.compile(r"^is being cleared$"), lambda m: "are being cleared"),
    (re.compile(r"^gives (.*)$"), lambda m: f"give {m.group(1)}"),
    (re.compile(r"^jumps (.*)$"), lambda m: f"jump {m.group(1)}"),
)
_SINGULAR_GROUPS = (
    (
        re.compile(r"^gives an age of -?\d+, (too \w+ for school)$"),
        lambda m: f"gives an age {m.group(1)}",
    ),
    (
        re.compile(r"^jumps \d+ levels (up|down) .*$"),
        lambda m: f"jumps more than one level {m.group(1)}",
    ),
)


def _reason_group(reason):
    for pattern, singular in _SINGULAR_GROUPS:
        match = pattern.match(reason)
        if match:
            return singular(match)
    return reason


def _plural(reason):
    for pattern, plural in _PLURAL_REASONS:
        match = pattern.match(reason)
        if match:
            return plural(match)
    return reason


def top_reasons(lines, limit=3):
    """The most frequent suspicious reasons of ``lines``, most frequent first.

    Each is ``(count, text)``, the text naming the field and the problem in
    plain words: ``(45, "45 last names look like street addresses")``.
    """
    counts = {}
    for line in lines:
        seen = set()
        for change in line.changes:
            if change.suspicious and change.suspicious != "first and last name swapped":
                key = (change.field, _reason_group(change.suspicious))
                if key not in seen:
                    seen.add(key)
                    counts[key] = counts.get(key, 0) + 1
        if any(reason == "First and last name swapped" for reason in line.suspicious):
            counts[("", "swapped")] = counts.get(("", "swapped"), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    result = []
    for (name, reason), count in ranked:
        if not name:
            noun = "student has" if count == 1 else "students have"
            text = f"{count} {noun} first and last name swapped"
        elif count == 1:
            text = f"1 {LABELS[name].lower()} {reason}"
        else:
            text = f"{count} {LABELS[name].lower()}s {_plural(reason)}"
        result.append((count, text))
    return result
