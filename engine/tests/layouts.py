"""Real-layout fixtures, made here from one small district.

Each writer renders the district as a layout's export would: the layout's
published header row (from :mod:`engine.presets`) and its value vocabulary
(Clever's ``Kindergarten`` and ``Free``, PowerSchool's ``-1``/``0`` grades,
OneRoster's ``male``/``female``...), with the internal ids each layout
carries next to the student number.
"""

import csv
import io
import zipfile

try:  # imported by the addon's Odoo tests, inside the addon package
    from ..presets import PRESETS
    from ..roster import Roster
except ImportError:  # under pytest, engine/tests is the rootdir and engine is top-level
    from engine.presets import PRESETS
    from engine.roster import Roster

#: The district in canonical values.
STUDENTS = (
    {
        "student_number": "300001",
        "first_name": "Ava",
        "middle_name": "Rose",
        "last_name": "Lopez",
        "birthdate": "2021-03-04",
        "gender": "F",
        "grade": "PK",
        "school_code": "101",
        "eligibility": "free",
        "homeroom": "R1",
        "email": "ava.lopez@students.example.org",
        "guardian_name": "Maria Lopez",
        "guardian_phone": "555-0101",
        "guardian_email": "maria.lopez@example.org",
        "street": "12 Oak St",
        "city": "Springfield",
        "zip": "62701",
    },
    {
        "student_number": "300002",
        "first_name": "Ben",
        "middle_name": "",
        "last_name": "Okafor",
        "birthdate": "2019-11-30",
        "gender": "M",
        "grade": "KG",
        "school_code": "101",
        "eligibility": "reduced",
        "homeroom": "R2",
        "email": "ben.okafor@students.example.org",
        "guardian_name": "Ngozi Okafor",
        "guardian_phone": "555-0102",
        "guardian_email": "ngozi.okafor@example.org",
        "street": "48 Elm Ave",
        "city": "Springfield",
        "zip": "62702",
    },
    {
        "student_number": "300003",
        "first_name": "Chloe",
        "middle_name": "Ann",
        "last_name": "Nguyen",
        "birthdate": "2016-07-15",
        "gender": "F",
        "grade": "03",
        "school_code": "102",
        "eligibility": "paid",
        "homeroom": "R3",
        "email": "chloe.nguyen@students.example.org",
        "guardian_name": "Linh Nguyen",
        "guardian_phone": "555-0103",
        "guardian_email": "linh.nguyen@example.org",
        "street": "7 Pine Rd",
        "city": "Riverton",
        "zip": "62703",
    },
    {
        "student_number": "300004",
        "first_name": "Dev",
        "middle_name": "",
        "last_name": "Patel",
        "birthdate": "2011-01-09",
        "gender": "M",
        "grade": "08",
        "school_code": "102",
        "eligibility": "free",
        "homeroom": "R4",
        "email": "dev.patel@students.example.org",
        "guardian_name": "Asha Patel",
        "guardian_phone": "555-0104",
        "guardian_email": "asha.patel@example.org",
        "street": "300 Main St",
        "city": "Riverton",
        "zip": "62704",
    },
)

#: The schools: (OneRoster sourcedId, identifier, name)
SCHOOLS = (("org-101", "101", "Lincoln Elementary"), ("org-102", "102", "Washington Middle"))


def roster(students=STUDENTS):
    """The district as the roster knows it (all active)."""
    result = Roster()
    for student in students:
        result.add(dict(student), ref=student["student_number"])
    return result


def write_roster_csv(path, students=STUDENTS):
    """Write ``students`` as ``python -m engine preview --existing`` reads them."""
    fields = list(students[0])
    lines = [",".join([*fields, "active"])]
    lines += [",".join([*(s[f] for f in fields), "1"]) for s in students]
    path.write_text("\n".join(lines) + "\n")


def _mdy(iso):
    if not iso:
        return ""
    year, month, day = iso.split("-")
    return f"{month}/{day}/{year}"


def _csv(headers, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(header, "") for header in headers])
    return out.getvalue().encode("utf-8")


def _plain_grade(grade):
    return grade.lstrip("0") if grade not in ("PK", "KG") else grade


_CLEVER_GRADES = {"PK": "PreKindergarten", "KG": "Kindergarten"}
_ELIGIBILITY_WORD = {"free": "Free", "reduced": "Reduced", "paid": "Paid"}
_ELIGIBILITY_CODE = {"free": "F", "reduced": "R", "paid": "N"}


def clever(students=STUDENTS, headers=None):
    """Clever's students.csv: Student_id is Clever's internal SIS id."""
    rows = []
    for n, s in enumerate(students):
        rows.append(
            {
                "School_id": s["school_code"],
                "Student_id": f"5f3a9c{n:04d}e1",
                "Student_number": s["student_number"],
                "State_id": f"IL{9000 + n}",
                "Last_name": s["last_name"],
                "Middle_name": s["middle_name"],
                "First_name": s["first_name"],
                "Grade": _CLEVER_GRADES.get(s["grade"], _plain_grade(s["grade"])),
                "Gender": s["gender"],
                "Graduation_year": "2035",
                "DOB": _mdy(s["birthdate"]),
                "Hispanic_Latino": "N",
                "Ell_status": "N",
                "Frl_status": _ELIGIBILITY_WORD.get(s["eligibility"], ""),
                "IEP_status": "N",
                "Student_street": s["street"],
                "Student_city": s["city"],
                "Student_state": "IL",
                "Student_zip": s["zip"],
                "Student_email": s["email"],
                "Contact_relationship": "Parent",
                "Contact_type": "primary",
                "Contact_name": s["guardian_name"],
                "Contact_phone": s["guardian_phone"],
                "Contact_phone_type": "Cell",
                "Contact_email": s["guardian_email"],
                "Contact_sis_id": f"C{n}",
                "Username": s["email"].split("@")[0],
            }
        )
    return _csv(headers or PRESETS["clever"].headers, rows)


_PS_GRADES = {"PK": "-1", "KG": "0"}


def powerschool(students=STUDENTS):
    """A PowerSchool student export: ID is the internal id, Grade_Level -1/0 for PK/K."""
    rows = []
    for n, s in enumerate(students):
        rows.append(
            {
                "Student_Number": s["student_number"],
                "ID": str(4100 + n),
                "State_StudentNumber": f"IL{9000 + n}",
                "LastFirst": f"{s['last_name']}, {s['first_name']}",
                "First_Name": s["first_name"],
                "Middle_Name": s["middle_name"],
                "Last_Name": s["last_name"],
                "Grade_Level": _PS_GRADES.get(s["grade"], _plain_grade(s["grade"])),
                "SchoolID": s["school_code"],
                "DOB": _mdy(s["birthdate"]),
                "Gender": s["gender"],
                "LunchStatus": "FDC" if n == 0 else s["eligibility"][:1].upper(),
                "Home_Room": s["homeroom"],
                "Street": s["street"],
                "City": s["city"],
                "State": "IL",
                "Zip": s["zip"],
                "Home_Phone": s["guardian_phone"],
                "Mother": s["guardian_name"],
                "Guardianemail": s["guardian_email"],
            }
        )
    return _csv(PRESETS["powerschool"].headers, rows)


def infinite_campus(students=STUDENTS):
    """An Infinite Campus extract: personID internal, eligibility F/R/N."""
    rows = []
    for n, s in enumerate(students):
        rows.append(
            {
                "personID": str(77000 + n),
                "studentNumber": s["student_number"],
                "stateID": f"IL{9000 + n}",
                "lastName": s["last_name"],
                "firstName": s["first_name"],
                "middleName": s["middle_name"],
                "birthdate": _mdy(s["birthdate"]),
                "gender": s["gender"],
                "grade": s["grade"],
                "schoolNumber": s["school_code"],
                "eligibility": _ELIGIBILITY_CODE.get(s["eligibility"], ""),
                "homeroomTeacher": s["homeroom"],
                "addressLine1": s["street"],
                "city": s["city"],
                "state": "IL",
                "zip": s["zip"],
                "email": s["email"],
                "guardianName": s["guardian_name"],
                "guardianPhone": s["guardian_phone"],
                "guardianEmail": s["guardian_email"],
            }
        )
    return _csv(PRESETS["infinite_campus"].headers, rows)


def skyward(students=STUDENTS):
    """A Skyward student extract: Name ID internal, Entity the school."""
    rows = []
    for n, s in enumerate(students):
        rows.append(
            {
                "Name ID": str(12000 + n),
                "Student ID": s["student_number"],
                "Other ID": f"IL{9000 + n}",
                "Last Name": s["last_name"],
                "First Name": s["first_name"],
                "Middle Name": s["middle_name"],
                "Entity": s["school_code"],
                "Grade": s["grade"],
                "Birth Date": _mdy(s["birthdate"]),
                "Gender": s["gender"],
                "Free/Reduced": _ELIGIBILITY_CODE.get(s["eligibility"], ""),
                "Homeroom": s["homeroom"],
                "Street Address": s["street"],
                "City": s["city"],
                "State": "IL",
                "Zip Code": s["zip"],
                "Student Email": s["email"],
                "Guardian Name": s["guardian_name"],
                "Guardian Phone": s["guardian_phone"],
                "Guardian Email": s["guardian_email"],
            }
        )
    return _csv(PRESETS["skyward"].headers, rows)


# OneRoster 1.1 CSV binding: the published header rows.
USERS_11 = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
    "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password"
).split(",")
USERS_12 = (
    "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,"
    "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,"
    "resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,"
    "primaryOrgSourcedId,pronouns"
).split(",")
ROLES_12 = (
    "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
    "orgSourcedId,userProfileSourcedId"
).split(",")
ORGS = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId".split(",")
DEMOGRAPHICS = (
    "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
    "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
    "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,"
    "stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus"
).split(",")
_SEX = {"F": "female", "M": "male", "X": "other"}


def oneroster(
    students=STUDENTS,
    version="1.1",
    teachers=1,
    guardians=0,
    users=True,
    delta=False,
    deleted=(),
    org_of=None,
    demographics=True,
    schools=SCHOOLS,
):
    """A OneRoster CSV bundle (zip bytes) of ``students`` plus ``teachers`` and ``guardians``.

    ``deleted`` lists student numbers written with status tobedeleted;
    ``org_of`` maps a student number to another orgSourcedIds value.
    """
    org_of = org_of or {}
    org_id = {identifier: sourced for sourced, identifier, _n in schools}
    rows, roles, demo = [], [], []
    for n, s in enumerate(students):
        sid = f"stu-{n}"
        org = org_of.get(s["student_number"], org_id.get(s["school_code"], s["school_code"]))
        rows.append(
            {
                "sourcedId": sid,
                "status": _DELETED if s["student_number"] in deleted else "active",
                "dateLastModified": "2026-08-20T10:00:00Z",
                "enabledUser": "true",
                "orgSourcedIds": org,
                "role": "student",
                "username": s["email"].split("@")[0] or f"user{n}",
                "userIds": f"{{SIS:S{s['student_number']}}},{{LDAP:user{n}}}",
                "givenName": s["first_name"],
                "familyName": s["last_name"],
                "middleName": s["middle_name"],
                "identifier": s["student_number"],
                "email": s["email"],
                "grades": s["grade"],
                "primaryOrgSourcedId": org,
            }
        )
        roles.append(
            {
                "sourcedId": f"role-{sid}",
                "status": "active",
                "userSourcedId": sid,
                "roleType": "primary",
                "role": "student",
                "orgSourcedId": org,
            }
        )
        demo.append(
            {
                "sourcedId": sid,
                "status": "active",
                "birthDate": s["birthdate"],
                "sex": _SEX.get(s["gender"], ""),
            }
        )
    for n in range(teachers):
        sid = f"tch-{n}"
        rows.append(
            {
                "sourcedId": sid,
                "status": "active",
                "enabledUser": "true",
                "orgSourcedIds": schools[0][0],
                "role": "teacher",
                "username": f"teacher{n}",
                "givenName": "Tess",
                "familyName": f"Teacher{n}",
                "identifier": f"T{n}",
                "email": f"teacher{n}@example.org",
                "primaryOrgSourcedId": schools[0][0],
            }
        )
        roles.append(
            {
                "sourcedId": f"role-{sid}",
                "status": "active",
                "userSourcedId": sid,
                "roleType": "primary",
                "role": "teacher",
                "orgSourcedId": schools[0][0],
            }
        )
    for n in range(guardians):
        sid = f"grd-{n}"
        rows.append(
            {
                "sourcedId": sid,
                "status": "active",
                "role": "guardian",
                "givenName": "Gus",
                "familyName": f"Guardian{n}",
                "orgSourcedIds": schools[0][0],
            }
        )
        roles.append({"sourcedId": f"role-{sid}", "userSourcedId": sid, "role": "guardian"})
    orgs = [
        {"sourcedId": "district", "status": "active", "name": "District", "type": "district"},
        *(
            {
                "sourcedId": sourced,
                "status": "active",
                "name": name,
                "type": "school",
                "identifier": identifier,
                "parentSourcedId": "district",
            }
            for sourced, identifier, name in schools
        ),
    ]
    mode = "delta" if delta else "bulk"
    manifest = [
        {"propertyName": "manifest.version", "value": "1.0"},
        {"propertyName": "oneroster.version", "value": version},
        {"propertyName": "file.orgs", "value": "bulk"},
        {"propertyName": "file.users", "value": mode if users else "absent"},
        {"propertyName": "file.demographics", "value": "bulk" if demographics else "absent"},
    ]
    if version == "1.2":
        manifest.append({"propertyName": "file.roles", "value": mode})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", _csv(("propertyName", "value"), manifest))
        archive.writestr("orgs.csv", _csv(ORGS, orgs))
        if users:
            archive.writestr("users.csv", _csv(USERS_12 if version == "1.2" else USERS_11, rows))
        if version == "1.2":
            archive.writestr("roles.csv", _csv(ROLES_12, roles))
        if demographics:
            archive.writestr("demographics.csv", _csv(DEMOGRAPHICS, demo))
    return out.getvalue()


_DELETED = "tobedeleted"
