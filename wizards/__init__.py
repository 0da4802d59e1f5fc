from . import student_import_upload
