"""Known layouts: the exports districts really send, as plain data.

A preset is a layout's header row (as its publisher documents it) and the
student field each of its columns feeds.  An administrator picks one when
creating an importer, which fills the importer's mapping lines; automatic
matching recognises a layout by its headers (see :func:`recognise`).

Clever ``students.csv`` and the OneRoster CSV bundle follow their published
specifications; PowerSchool uses the column names of its Students table;
Infinite Campus and Skyward have no published export layout, so their
presets are the columns of a typical extract, to edit where a district's
differs.
"""

from dataclasses import dataclass

from .oneroster import HEADERS as BUNDLE_HEADERS


@dataclass(frozen=True)
class Preset:
    """One known layout."""

    code: str
    label: str
    #: the layout's header row, in its published order
    headers: tuple
    #: ``(header, field, transform)`` of every column that feeds a field
    columns: tuple
    #: headers (exact text) whose presence together recognises the layout
    signature: frozenset
    #: what the layout's values look like, for the person choosing it
    vocabulary: str = ""

    def mapping(self):
        """``{header: {"field", "transform"}}``, as an importer's mapping lines give it."""
        return {
            header: {"field": field, "transform": transform}
            for header, field, transform in self.columns
        }


# Clever's students.csv (Clever SFTP instructions, "Preparing students.csv").
# Student_id is the SIS's internal id; Student_number is the number staff
# know, which the roster is keyed on.
CLEVER = Preset(
    code="clever",
    label="Clever students.csv",
    headers=(
        "School_id",
        "Student_id",
        "Student_number",
        "State_id",
        "Last_name",
        "Middle_name",
        "First_name",
        "Grade",
        "Gender",
        "Graduation_year",
        "DOB",
        "Race",
        "Hispanic_Latino",
        "Home_language",
        "Ell_status",
        "Frl_status",
        "IEP_status",
        "Student_street",
        "Student_city",
        "Student_state",
        "Student_zip",
        "Student_email",
        "Contact_relationship",
        "Contact_type",
        "Contact_name",
        "Contact_phone",
        "Contact_phone_type",
        "Contact_email",
        "Contact_sis_id",
        "Username",
        "Password",
    ),
    columns=(
        ("School_id", "school_code", "none"),
        ("Student_number", "student_number", "none"),
        ("Last_name", "last_name", "none"),
        ("Middle_name", "middle_name", "none"),
        ("First_name", "first_name", "none"),
        ("Grade", "grade", "none"),
        ("Gender", "gender", "none"),
        ("DOB", "birthdate", "none"),
        ("Frl_status", "eligibility", "none"),
        ("Student_street", "street", "none"),
        ("Student_city", "city", "none"),
        ("Student_zip", "zip", "none"),
        ("Student_email", "email", "none"),
        ("Contact_name", "guardian_name", "none"),
        ("Contact_phone", "guardian_phone", "none"),
        ("Contact_email", "guardian_email", "none"),
    ),
    signature=frozenset({"School_id", "Student_id", "Last_name", "First_name"}),
    vocabulary="Grade: PreKindergarten, TransitionalKindergarten, Kindergarten, 1-12; "
    "Gender: M, F, X; Frl_status: Free, Reduced, Paid; DOB: MM/DD/YYYY",
)

# PowerSchool: the Students table's field names, as a student export (or a
# "Quick Export") writes them.  ID and DCID are internal ids.
POWERSCHOOL = Preset(
    code="powerschool",
    label="PowerSchool student export",
    headers=(
        "Student_Number",
        "ID",
        "State_StudentNumber",
        "LastFirst",
        "First_Name",
        "Middle_Name",
        "Last_Name",
        "Grade_Level",
        "SchoolID",
        "DOB",
        "Gender",
        "LunchStatus",
        "Home_Room",
        "Street",
        "City",
        "State",
        "Zip",
        "Home_Phone",
        "Mother",
        "Guardianemail",
    ),
    columns=(
        ("Student_Number", "student_number", "none"),
        ("First_Name", "first_name", "none"),
        ("Middle_Name", "middle_name", "none"),
        ("Last_Name", "last_name", "none"),
        ("Grade_Level", "grade", "none"),
        ("SchoolID", "school_code", "none"),
        ("DOB", "birthdate", "none"),
        ("Gender", "gender", "none"),
        ("LunchStatus", "eligibility", "none"),
        ("Home_Room", "homeroom", "none"),
        ("Street", "street", "none"),
        ("City", "city", "none"),
        ("Zip", "zip", "none"),
        ("Home_Phone", "guardian_phone", "none"),
        ("Mother", "guardian_name", "none"),
        ("Guardianemail", "guardian_email", "none"),
    ),
    signature=frozenset({"Student_Number", "Grade_Level", "SchoolID", "LunchStatus"}),
    vocabulary="Grade_Level: -1 (PK), 0 (K), 1-12; LunchStatus: F, R, P, FDC; DOB: MM/DD/YYYY",
)

# Infinite Campus: an extract (ad hoc or Data Extract Utility) of the
# student's identity, enrollment and FRAM eligibility.  personID is internal.
INFINITE_CAMPUS = Preset(
    code="infinite_campus",
    label="Infinite Campus extract",
    headers=(
        "personID",
        "studentNumber",
        "stateID",
        "lastName",
        "firstName",
        "middleName",
        "birthdate",
        "gender",
        "grade",
        "schoolNumber",
        "eligibility",
        "homeroomTeacher",
        "addressLine1",
        "city",
        "state",
        "zip",
        "email",
        "guardianName",
        "guardianPhone",
        "guardianEmail",
    ),
    columns=(
        ("studentNumber", "student_number", "none"),
        ("lastName", "last_name", "none"),
        ("firstName", "first_name", "none"),
        ("middleName", "middle_name", "none"),
        ("birthdate", "birthdate", "none"),
        ("gender", "gender", "none"),
        ("grade", "grade", "none"),
        ("schoolNumber", "school_code", "none"),
        ("eligibility", "eligibility", "none"),
        ("homeroomTeacher", "homeroom", "none"),
        ("addressLine1", "street", "none"),
        ("city", "city", "none"),
        ("zip", "zip", "none"),
        ("email", "email", "none"),
        ("guardianName", "guardian_name", "none"),
        ("guardianPhone", "guardian_phone", "none"),
        ("guardianEmail", "guardian_email", "none"),
    ),
    signature=frozenset({"personID", "studentNumber", "lastName", "firstName"}),
    vocabulary="grade: PK, KG, 01-12; gender: M, F, X; eligibility: F, R, N (not eligible)",
)

# Skyward: a student extract (Student Profile export).  Name ID is internal;
# Student ID is the number staff know; Entity is the school's number.
SKYWARD = Preset(
    code="skyward",
    label="Skyward student extract",
    headers=(
        "Name ID",
        "Student ID",
        "Other ID",
        "Last Name",
        "First Name",
        "Middle Name",
        "Entity",
        "Grade",
        "Birth Date",
        "Gender",
        "Free/Reduced",
        "Homeroom",
        "Street Address",
        "City",
        "State",
        "Zip Code",
        "Student Email",
        "Guardian Name",
        "Guardian Phone",
        "Guardian Email",
    ),
    columns=(
        ("Student ID", "student_number", "none"),
        ("Last Name", "last_name", "none"),
        ("First Name", "first_name", "none"),
        ("Middle Name", "middle_name", "none"),
        ("Entity", "school_code", "none"),
        ("Grade", "grade", "none"),
        ("Birth Date", "birthdate", "none"),
        ("Gender", "gender", "none"),
        ("Free/Reduced", "eligibility", "none"),
        ("Homeroom", "homeroom", "none"),
        ("Street Address", "street", "none"),
        ("City", "city", "none"),
        ("Zip Code", "zip", "none"),
        ("Student Email", "email", "none"),
        ("Guardian Name", "guardian_name", "none"),
        ("Guardian Phone", "guardian_phone", "none"),
        ("Guardian Email", "guardian_email", "none"),
    ),
    signature=frozenset({"Name ID", "Student ID", "Entity"}),
    vocabulary="Grade: PK, KG, 01-12; Gender: M, F; Free/Reduced: F, R, N (not eligible)",
)

# ClassLink / OneRoster 1.1 and 1.2 CSV bundles: the columns are those that
# engine.oneroster gives a bundle's students (users.csv with demographics.csv
# and orgs.csv folded in).  To key on the username or one of the userIds
# types instead of the identifier, map "username" or "userIds.<type>".
ONEROSTER = Preset(
    code="oneroster",
    label="ClassLink / OneRoster CSV bundle (.zip)",
    headers=BUNDLE_HEADERS,
    columns=(
        ("identifier", "student_number", "none"),
        ("givenName", "first_name", "none"),
        ("familyName", "last_name", "none"),
        ("middleName", "middle_name", "none"),
        ("email", "email", "none"),
        ("grades", "grade", "none"),
        ("orgSourcedIds", "school_code", "none"),
        ("birthDate", "birthdate", "none"),
        ("sex", "gender", "none"),
    ),
    signature=frozenset({"sourcedId", "identifier", "givenName", "familyName", "orgSourcedIds"}),
    vocabulary="grades: PK, TK, KG, 01-12; sex: male, female, other, unspecified; "
    "birthDate: YYYY-MM-DD; orgSourcedIds: the school's identifier in orgs.csv",
)

#: code -> preset, in the order an administrator is offered them
PRESETS = {
    preset.code: preset for preset in (CLEVER, POWERSCHOOL, INFINITE_CAMPUS, SKYWARD, ONEROSTER)
}


def recognise(headers):
    """Return the :class:`Preset` whose signature headers are all in ``headers``, or ``None``."""
    present = {header.strip() for header in headers if header}
    for preset in PRESETS.values():
        if preset.signature <= present:
            return preset
    return None
