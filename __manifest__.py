{
    "name": "School Student Import",
    "summary": "Import the student roster from a SIS export, review every change, "
    "and guard the roster against suspicious mass changes",
    "version": "18.0.1.0.0",
    "category": "Education",
    "license": "LGPL-3",
    "author": "school_student_import developers",
    "website": "https://example.org/school_student_import",
    "depends": ["mail"],
    "external_dependencies": {"python": ["openpyxl", "xlrd"]},
    "data": [],
    "demo": [],
    "assets": {},
    "application": True,
    "installable": True,
}
