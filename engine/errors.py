"""The engine's own exceptions.

Every message is one line meant for a person (a district's data clerk): it
says what is wrong and, where it can, where (file row, column) and what to
do.  The Odoo models turn these into ``UserError``; the command line prints
them and exits non-zero.
"""


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""


class FileFormatError(EngineError):
    """The file cannot be read as a student table (format, encoding, empty)."""


class LimitError(FileFormatError):
    """The file passes one of the :class:`~engine.limits.Limits`.

    ``limit`` is the limit's name (``"max_rows"``), ``value`` its value.
    """

    def __init__(self, message, limit="", value=None):
        super().__init__(message)
        self.limit = limit
        self.value = value


class MappingError(EngineError):
    """The file's columns cannot be mapped (no key column, bad mapping)."""
