"""Canonical student fields, their kinds and the header synonyms of SIS exports."""

import re

KEY = "student_number"

#: Canonical field names, in the order the engine compares and reports them.
FIELDS = (
    "student_number",
    "first_name",
    "middle_name",
    "last_name",
    "birthdate",
    "gender",
    "grade",
    "homeroom",
    "school_code",
    "eligibility",
    "pin",
    "email",
    "guardian_name",
    "guardian_phone",
    "guardian_email",
    "street",
    "city",
    "zip",
)

#: The kind of each field decides how its values are normalised.
KINDS = {
    "student_number": "code",
    "first_name": "name",
    "middle_name": "name",
    "last_name": "name",
    "birthdate": "date",
    "gender": "gender",
    "grade": "grade",
    "homeroom": "text",
    "school_code": "code",
    "eligibility": "eligibility",
    "pin": "code",
    "email": "email",
    "guardian_name": "text",
    "guardian_phone": "text",
    "guardian_email": "email",
    "street": "text",
    "city": "text",
    "zip": "code",
}

#: Fields a row cannot do without unless the caller says otherwise.
DEFAULT_REQUIRED = frozenset({"student_number", "first_name", "last_name"})

#: Person-facing labels, used in messages.
LABELS = {
    "student_number": "Student Number",
    "first_name": "First Name",
    "middle_name": "Middle Name",
    "last_name": "Last Name",
    "birthdate": "Birthdate",
    "gender": "Gender",
    "grade": "Grade",
    "homeroom": "Homeroom",
    "school_code": "School Code",
    "eligibility": "Eligibility",
    "pin": "PIN",
    "email": "Email",
    "guardian_name": "Guardian Name",
    "guardian_phone": "Guardian Phone",
    "guardian_email": "Guardian Email",
    "street": "Street",
    "city": "City",
    "zip": "ZIP",
}

GRADES = ("PK", "KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")
GENDERS = ("M", "F", "X")
ELIGIBILITIES = ("free", "reduced", "paid")

# Header synonyms seen in real SIS exports (PowerSchool, Infinite Campus,
# Skyward, Aeries, Mosaic...).  Keys are "squashed": lower case, without
# spaces, underscores, dashes, dots or slashes.
_SYNONYMS = {
    "student_number": (
        "studentnumber",
        "studentno",
        "studentnum",
        "studentid",
        "stuid",
        "stunum",
        "stunumber",
        "studid",
        "sisid",
        "sisnumber",
        "localid",
        "localstudentid",
        "id",
        "idnumber",
        "pupilnumber",
        "permid",
        "permnumber",
    ),
    "first_name": (
        "firstname",
        "first",
        "fname",
        "givenname",
        "studentfirstname",
        "legalfirstname",
    ),
    "middle_name": ("middlename", "middle", "mname", "middleinitial", "mi", "studentmiddlename"),
    "last_name": (
        "lastname",
        "last",
        "lname",
        "surname",
        "familyname",
        "studentlastname",
        "legallastname",
    ),
    "birthdate": ("birthdate", "dob", "dateofbirth", "birthday", "bdate", "birthdt"),
    "gender": ("gender", "sex", "genderidentity"),
    "grade": ("grade", "gradelevel", "grd", "gr", "currentgrade", "gradelvl", "gradecode"),
    "homeroom": ("homeroom", "homeroomteacher", "hr", "homeroomnumber", "room", "advisory"),
    "school_code": (
        "schoolcode",
        "school",
        "schoolid",
        "schoolnumber",
        "schoolno",
        "site",
        "sitecode",
        "siteid",
        "building",
        "buildingcode",
        "campus",
        "campusid",
        "schlcode",
    ),
    "eligibility": (
        "eligibility",
        "mealeligibility",
        "mealstatus",
        "lunchstatus",
        "frl",
        "frlstatus",
        "freereduced",
        "mealcode",
        "eligibilitystatus",
        "lunchcode",
    ),
    "pin": ("pin", "pinnumber", "lunchpin", "mealpin", "posPin".lower()),
    "email": ("email", "emailaddress", "studentemail", "studentemailaddress"),
    "guardian_name": ("guardianname", "guardian", "parentname", "parent", "contactname"),
    "guardian_phone": (
        "guardianphone",
        "parentphone",
        "phone",
        "homephone",
        "contactphone",
        "phonenumber",
    ),
    "guardian_email": ("guardianemail", "parentemail", "contactemail", "guardianemailaddress"),
    "street": (
        "street",
        "address",
        "streetaddress",
        "address1",
        "addressline1",
        "mailingaddress",
        "studentstreet",
        "homestreet",
    ),
    "city": ("city", "town", "mailingcity", "studentcity", "homecity"),
    "zip": (
        "zip",
        "zipcode",
        "postalcode",
        "postcode",
        "zip5",
        "mailingzip",
        "studentzip",
        "homezip",
    ),
}

_SQUASH = re.compile(r"[\s_\-./#]+")


def squash(header):
    """Return ``header`` lower-cased without spaces, underscores, dashes, dots."""
    return _SQUASH.sub("", header).lower()


#: squashed canonical name -> field: a header equal to a field's own name
#: (ignoring case, spaces and underscores) is an exact match, which always
#: wins over a synonym.
EXACT = {squash(_field): _field for _field in FIELDS}

#: squashed synonym -> canonical field (the canonical names are in EXACT)
SYNONYMS = {}
for _field, _names in _SYNONYMS.items():
    for _name in _names:
        if _name not in EXACT:
            SYNONYMS.setdefault(_name, _field)
