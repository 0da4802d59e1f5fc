"""The engine's own exceptions.

Every message is one line meant for a person (a district's data clerk): it
says what is wrong and, where it can, where (file row, column).  The Odoo
models turn these into ``UserError``; the command line prints them and exits
non-zero.
"""


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""


class FileFormatError(EngineError):
    """The file cannot be read as a student table (format, encoding, empty)."""


class MappingError(EngineError):
    """The file's columns cannot be mapped (no key column, bad mapping)."""
