from . import models
from . import wizards


def uninstall_hook(env):
    """Drop the table of students found normal (not an Odoo model, see school.student.init)."""
    env.cr.execute("DROP TABLE IF EXISTS student_import_normal")
