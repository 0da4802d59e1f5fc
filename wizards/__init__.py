from . import student_import_dialog
from . import student_import_upload
from . import student_import_confirm
from . import student_import_authorize
from . import student_import_code_issue
from . import student_import_decision
from . import student_importer_mapping
