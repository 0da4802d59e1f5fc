"""The import engine of school_student_import: plain Python, no Odoo.

Read a district's SIS export (CSV, XLSX, XLS, a OneRoster bundle), map its columns to canonical
student fields, compare it with the roster, flag suspicious values and
judge the result against the safeguards.  The addon's models call
:func:`preview` with plain data and turn the :class:`Preview` into records.
"""

from .checks import Signal
from .diff import ChangeType, FieldChange, Line, apply_change_set
from .errors import EngineError, FileFormatError, MappingError
from .fields import DEFAULT_REQUIRED, ELIGIBILITIES, FIELDS, GENDERS, GRADES, KEY, LABELS
from .mapping import match_columns, plan_columns
from .normalize import TRANSFORMS
from .oneroster import BundleTable
from .policy import Thresholds, evaluate, largest_unguarded
from .presets import PRESETS, recognise
from .preview import Preview, PreviewOptions, change_set_digest, preview
from .readers import read_table
from .sample import sample_columns
from .roster import Roster

__all__ = [
    "BundleTable",
    "ChangeType",
    "DEFAULT_REQUIRED",
    "ELIGIBILITIES",
    "EngineError",
    "FIELDS",
    "FieldChange",
    "FileFormatError",
    "GENDERS",
    "GRADES",
    "KEY",
    "LABELS",
    "Line",
    "MappingError",
    "PRESETS",
    "Preview",
    "PreviewOptions",
    "Roster",
    "Signal",
    "TRANSFORMS",
    "Thresholds",
    "apply_change_set",
    "change_set_digest",
    "evaluate",
    "largest_unguarded",
    "match_columns",
    "plan_columns",
    "preview",
    "read_table",
    "recognise",
    "sample_columns",
]
