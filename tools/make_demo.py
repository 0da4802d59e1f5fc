"""Write the demo data of school_student_import.

    python3 tools/make_demo.py

A district of three schools and 300 students, and the "Mosaic Student"
importer with two files of a Mosaic-style nightly SIS export:

- ``demo/school_student_demo.xml``: the schools and the students (three of
  them archived);
- ``demo/files/mosaic_daily.csv``: an ordinary night: a few updates, five
  new students, one archived student back, four students gone and one row
  with an invalid grade; every change type stays under the 10% warning;
- ``demo/files/mosaic_addresses.csv``: the roster as it is, except that the
  Last_Name column of 45 students (15%) holds their street address, the
  shifted-column accident that the warning safeguard is there to catch;
- ``demo/student_importer_demo.xml``: the importer and the two files.

The output is deterministic (a seeded ``random.Random``, no clock): run it
again and nothing changes.  Plain Python, no Odoo.
"""

import csv
import io
import random
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
MODULE = "school_student_import"
SEED = 20260901
#: The school year the demo roster belongs to: age = grade + 5 on this day.
YEAR_START = date(2026, 9, 1)
STUDENTS = 300
FIRST_NUMBER = 100001

# (xml id, SIS code, name, grades, room block)
SCHOOLS = (
    ("school_site_lincoln_demo", "LIN", "Lincoln Elementary", "KG 01 02 03 04 05", 1),
    ("school_site_washington_demo", "WAS", "Washington Middle", "06 07 08", 2),
    ("school_site_jefferson_demo", "JEF", "Jefferson High", "09 10 11 12", 3),
)
GRADES_OF = {school[1]: tuple(school[3].split()) for school in SCHOOLS}
GRADES = tuple(grade for grades in GRADES_OF.values() for grade in grades)

HEADERS = [
    *("Student_Number", "First_Name", "Middle_Name", "Last_Name", "DOB", "Gender"),
    *("Grade_Level", "Homeroom", "School_Code", "Meal_Status", "PIN", "Guardian_Name"),
    *("Guardian_Phone", "Guardian_Email", "Address", "City", "Zip"),
]


def _words(text):
    return tuple(text.split())


FIRST_NAMES_F = _words("""
    Olivia Emma Charlotte Amelia Sophia Mia Isabella Ava Evelyn Harper Luna Camila
    Sofia Scarlett Elizabeth Eleanor Emily Chloe Mila Violet Penelope Gianna Aria
    Abigail Ella Avery Hazel Nora Layla Lily Aurora Nova Madison Grace Zoey Riley
    Victoria Hannah Aaliyah Maya
""")
FIRST_NAMES_M = _words("""
    Liam Noah Oliver James Elijah Mateo Theodore Henry Lucas William Benjamin Levi
    Sebastian Jack Ezra Michael Daniel Leo Owen Samuel Hudson Alexander Asher Luca
    Ethan John David Jackson Joseph Mason Luke Matthew Julian Dylan Elias Jacob
    Maverick Gabriel Logan Aiden
""")
LAST_NAMES = _words("""
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
    Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee
    Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young
    Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall
    Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker
    Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez
    Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Kim Cox O'Brien Patel Peña
""")
ADULT_NAMES = _words("""
    Jennifer Jessica Amanda Sarah Melissa Nicole Stephanie Heather Elizabeth Ashley
    Rachel Laura Maria Angela Rebecca Christopher Michael Matthew Joshua David Daniel
    Andrew James Robert Justin Ryan Brian Kevin Jose Anthony
""")
STREETS = _words("""
    Oak Maple Cedar Pine Elm Walnut Willow Birch Cherry Chestnut Hickory Sycamore Main
    Church Park Lake Hill Washington Lincoln Jefferson Madison Franklin Highland Sunset
    Meadow River Spring Prairie Orchard Mill
""")
SUFFIXES = _words("St Ave Rd Dr Ln Ct Way Blvd Pl")
CITIES = (
    ("Riverton", "62560"),
    ("Fairview", "62563"),
    ("Oak Hill", "62568"),
    ("Millbrook", "62571"),
)
AREA_CODES = ("217", "309", "618", "779")
MAIL_DOMAINS = ("example.com", "example.net", "example.org")
STUDENT_DOMAIN = "students.example.org"

ELIGIBILITY_MIX = (("free", 150), ("reduced", 30), ("paid", 120))
MEAL_CODES = {"free": "F", "reduced": "R", "paid": "P"}

ARCHIVED = 3
INACTIVATED = 4
ADDS = 5
ADDRESS_ROWS = 45


# Building the students


def _ascii(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _school_of(grade):
    return next(school for school in SCHOOLS if grade in GRADES_OF[school[1]])


def _homeroom(grade, room):
    """Two homerooms per grade: R101/R102 for Lincoln's KG, R201/R202 for grade 6..."""
    school = _school_of(grade)
    position = GRADES_OF[school[1]].index(grade)
    return f"R{school[4] * 100 + position * 2 + room}"


def _other_homeroom(student):
    """The grade's other homeroom (rooms 1 are odd, rooms 2 even)."""
    room = 2 if int(student["homeroom"][1:]) % 2 else 1
    return _homeroom(student["grade"], room)


def _birthdate(rng, grade):
    age = 0 if grade == "KG" else int(grade)
    age += 5
    # Aged `age` on YEAR_START: born after the same day `age + 1` years before.
    earliest = YEAR_START.replace(year=YEAR_START.year - age - 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randrange(365))


def _phone(rng):
    return f"({rng.choice(AREA_CODES)}) 555-01{rng.randrange(100):02d}"


def _address(rng):
    return f"{rng.randint(100, 9899)} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}"


def make_student(rng, number, grade, eligibility, pin):
    """Return one student as a dict of canonical field values."""
    gender = rng.choice("FM")
    names = FIRST_NAMES_F if gender == "F" else FIRST_NAMES_M
    first = rng.choice(names)
    middle = rng.choice([n for n in names if n != first]) if rng.random() < 0.85 else ""
    last = rng.choice(LAST_NAMES)
    guardian_first = rng.choice(ADULT_NAMES)
    guardian_last = last if rng.random() < 0.8 else rng.choice(LAST_NAMES)
    city, zip_code = rng.choice(CITIES)
    return {
        "student_number": str(number),
        "first_name": first,
        "middle_name": middle,
        "last_name": last,
        "birthdate": _birthdate(rng, grade).isoformat(),
        "gender": gender,
        "grade": grade,
        "homeroom": _homeroom(grade, rng.choice((1, 2))),
        "school_code": _school_of(grade)[1],
        "eligibility": eligibility,
        "pin": str(pin),
        "email": f"{_ascii(first)}.{_ascii(last)}{number % 1000:03d}@{STUDENT_DOMAIN}",
        "guardian_name": f"{guardian_first} {guardian_last}",
        "guardian_phone": _phone(rng),
        "guardian_email": f"{_ascii(guardian_first)}.{_ascii(guardian_last)}"
        f"@{rng.choice(MAIL_DOMAINS)}",
        "street": _address(rng),
        "city": city,
        "zip": zip_code,
        "active": True,
    }


def make_roster(rng):
    """The demo students; PINs and the eligibility mix are drawn without repeats."""
    grades = [GRADES[i % len(GRADES)] for i in range(STUDENTS)]
    rng.shuffle(grades)
    eligibilities = [name for name, count in ELIGIBILITY_MIX for _i in range(count)]
    rng.shuffle(eligibilities)
    pins = rng.sample(range(1000, 10000), STUDENTS + ADDS)
    roster = [
        make_student(rng, FIRST_NUMBER + i, grades[i], eligibilities[i], pins[i])
        for i in range(STUDENTS)
    ]
    for student in rng.sample(roster, ARCHIVED):
        student["active"] = False
    return roster, pins[STUDENTS:]


def _pick(rng, students, taken, accept=lambda student: True):
    choices = [s for s in students if s["student_number"] not in taken and accept(s)]
    student = rng.choice(choices)
    taken.add(student["student_number"])
    return student


def make_daily(rng, roster, new_pins):
    """The nightly file: the roster with the ordinary changes of one night.

    Returns ``(students, bad_number)``: the students of the file (canonical
    values) and the number whose row gets the invalid grade.
    """
    active = [s for s in roster if s["active"]]
    archived = [s for s in roster if not s["active"]]
    taken = set()
    gone = {_pick(rng, active, taken)["student_number"] for _i in range(INACTIVATED)}
    by_number = {s["student_number"]: dict(s) for s in active if s["student_number"] not in gone}

    def edit(accept=lambda student: True):
        return by_number[_pick(rng, list(by_number.values()), taken, accept)["student_number"]]

    # Eight ordinary updates.
    student = edit()
    student["homeroom"] = _other_homeroom(student)
    student = edit(lambda s: s["eligibility"] == "paid")
    student["eligibility"] = "free"
    student = edit(lambda s: s["eligibility"] == "free")
    student["eligibility"] = "reduced"
    student = edit()
    student["guardian_phone"] = _phone(rng)
    student = edit()
    student["street"] = _address(rng)
    student["city"], student["zip"] = next(c for c in CITIES if c[0] != student["city"])
    student = edit()
    guardian_first = _ascii(student["guardian_name"].split()[0])
    student["guardian_email"] = f"{guardian_first}{rng.randint(10, 99)}@{rng.choice(MAIL_DOMAINS)}"
    student = edit(lambda s: not s["middle_name"])
    names = FIRST_NAMES_F if student["gender"] == "F" else FIRST_NAMES_M
    student["middle_name"] = rng.choice([n for n in names if n != student["first_name"]])
    student = edit(lambda s: "-" not in s["last_name"] and "'" not in s["last_name"])
    student["last_name"] = f"{student['last_name']}-{rng.choice(LAST_NAMES[:60])}"

    # The archived student who came back, in a new homeroom and at a new address.
    back = dict(archived[0])
    back["active"] = True
    back["homeroom"] = _other_homeroom(back)
    back["street"] = _address(rng)
    by_number[back["student_number"]] = back

    # New students.
    for i in range(ADDS):
        number = FIRST_NUMBER + STUDENTS + i
        grade = rng.choice(GRADES)
        eligibility = rng.choice(("free", "free", "reduced", "paid", "paid"))
        by_number[str(number)] = make_student(rng, number, grade, eligibility, new_pins[i])

    bad = _pick(rng, active, taken)["student_number"]
    return sorted(by_number.values(), key=lambda s: s["student_number"]), bad


def make_addresses(rng, roster):
    """The active roster as it is, but with 45 last names replaced by the street."""
    students = [dict(s) for s in roster if s["active"]]
    for student in rng.sample(students, ADDRESS_ROWS):
        student["last_name"] = student["street"]
    return students


# Writing the files


def mosaic_row(student):
    """A student as a Mosaic export writes it: US dates, K and 1..12, F/R/P."""
    born = date.fromisoformat(student["birthdate"])
    grade = student["grade"]
    return [
        student["student_number"],
        student["first_name"],
        student["middle_name"],
        student["last_name"],
        f"{born.month:02d}/{born.day:02d}/{born.year}",
        student["gender"],
        "K" if grade == "KG" else str(int(grade)),
        student["homeroom"],
        student["school_code"],
        MEAL_CODES[student["eligibility"]],
        student["pin"],
        student["guardian_name"],
        student["guardian_phone"],
        student["guardian_email"],
        student["street"],
        student["city"],
        student["zip"],
    ]


def write_csv(path, students, bad_number=None):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    grade_column = HEADERS.index("Grade_Level")
    for student in students:
        row = mosaic_row(student)
        if student["student_number"] == bad_number:
            row[grade_column] = "14"
        writer.writerow(row)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


XML_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    "<!-- Generated by tools/make_demo.py: change that and run it, not this file. -->\n"
    "<odoo>\n"
)
XML_TAIL = "</odoo>\n"

#: Student fields written as text, in the order of the model.
STUDENT_FIELDS = _words("""
    student_number first_name middle_name last_name birthdate gender grade homeroom
    eligibility pin email guardian_name guardian_phone guardian_email street city zip
""")


def _record(xml_id, model, fields):
    """One ``<record>``; ``fields`` holds ``(name, attribute, value)``.

    ``attribute`` is ``""`` for a text value, or the attribute that carries
    ``value`` (``ref``, ``eval``...); extra attributes go in ``value`` as a
    dict.
    """
    out = [f'\n    <record id="{xml_id}" model="{model}">\n']
    for name, attribute, value in fields:
        if not attribute:
            out.append(f'        <field name="{name}">{escape(value)}</field>\n')
            continue
        attributes = value if isinstance(value, dict) else {attribute: value}
        shown = " ".join(f"{key}={quoteattr(text)}" for key, text in attributes.items())
        out.append(f'        <field name="{name}" {shown}/>\n')
    out.append("    </record>\n")
    return "".join(out)


def students_xml(roster):
    """The schools, then the students; a blank value is left out."""
    school_ids = {school[1]: school[0] for school in SCHOOLS}
    out = [XML_HEAD]
    for xml_id, code, name, _grades, _block in SCHOOLS:
        out.append(_record(xml_id, "school.site", [("name", "", name), ("code", "", code)]))
    for student in roster:
        fields = [(name, "", student[name]) for name in STUDENT_FIELDS if student[name]]
        fields.append(("school_id", "ref", school_ids[student["school_code"]]))
        if not student["active"]:
            fields.append(("active", "eval", "False"))
        xml_id = f"school_student_{student['student_number']}_demo"
        out.append(_record(xml_id, "school.student", fields))
    out.append(XML_TAIL)
    return "".join(out)


def importer_xml():
    """The Mosaic importer, its two files, and the link between them."""
    importer = "student_importer_mosaic_demo"
    files = (
        ("student_importer_mosaic_daily_demo", "mosaic_daily.csv"),
        ("student_importer_mosaic_addresses_demo", "mosaic_addresses.csv"),
    )
    out = [XML_HEAD]
    admin = "[Command.set([ref('base.user_admin')])]"
    out.append(
        _record(
            importer,
            "student.importer",
            [
                ("name", "", "Mosaic Student"),
                ("inactivate_missing", "eval", "True"),
                ("responsible_ids", "eval", admin),
            ],
        )
    )
    for xml_id, filename in files:
        datas = {"type": "base64", "file": f"{MODULE}/demo/files/{filename}"}
        fields = [
            ("name", "", filename),
            ("mimetype", "", "text/csv"),
            ("datas", "file", datas),
            ("res_model", "", "student.importer"),
            ("res_id", "ref", importer),
        ]
        out.append(_record(xml_id, "ir.attachment", fields))
    refs = ", ".join(f"ref('{xml_id}')" for xml_id, _name in files)
    attachments = [("attachment_ids", "eval", f"[Command.set([{refs}])]")]
    out.append(_record(importer, "student.importer", attachments))
    out.append(XML_TAIL)
    return "".join(out)


def main():
    rng = random.Random(SEED)
    roster, new_pins = make_roster(rng)
    daily, bad_number = make_daily(rng, roster, new_pins)
    addresses = make_addresses(rng, roster)
    demo = ROOT / "demo"
    (demo / "files").mkdir(parents=True, exist_ok=True)
    students = students_xml(roster)
    (demo / "school_student_demo.xml").write_text(students, encoding="utf-8")
    (demo / "student_importer_demo.xml").write_text(importer_xml(), encoding="utf-8")
    write_csv(demo / "files" / "mosaic_daily.csv", daily, bad_number)
    write_csv(demo / "files" / "mosaic_addresses.csv", addresses)


if __name__ == "__main__":
    main()
