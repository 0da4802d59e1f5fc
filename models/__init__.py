from . import school_site
from . import school_student
from . import student_importer
from . import student_importer_column
from . import student_import_run
from . import student_import_line
from . import student_import_change
