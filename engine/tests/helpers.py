"""Shared helpers for the engine's tests: rosters and files built in memory."""

from engine import Roster

HEADER = "Student_Number,First_Name,Last_Name,Grade_Level,DOB,School_Code"


def csv_bytes(*lines, header=HEADER):
    """A CSV export as bytes: ``header`` then ``lines``."""
    return ("\n".join((header, *lines)) + "\n").encode("utf-8")


def make_roster(*students, inactive=()):
    """A roster from ``(number, first, last, grade, birthdate, school)`` tuples."""
    roster = Roster()
    for number, first, last, grade, birthdate, school in students:
        roster.add(
            {
                "student_number": number,
                "first_name": first,
                "last_name": last,
                "grade": grade,
                "birthdate": birthdate,
                "school_code": school,
            },
            active=number not in inactive,
            ref=f"ref-{number}",
        )
    return roster
