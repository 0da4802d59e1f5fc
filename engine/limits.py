"""Limits on what a file may make the engine do, and the archive check.

A roster file comes from outside: an SIS export, but also whatever a clerk
picked by mistake or an attacker crafted.  Every reader stops as soon as a
limit is passed and says which limit, the figure, and where it is set, in
one line (:class:`~engine.errors.LimitError`).  The defaults fit a district
of a million students: a CSV export of a million rows is about 150 MB, an
XLSX of a million rows about 900 MB once unpacked.

:func:`check_archive` reads a ZIP's central directory (sizes and
compression ratios) before anything is inflated: the readers of XLSX
workbooks and of ZIP bundles call it first.
"""

import io
import os
import struct
import zipfile
from dataclasses import dataclass, field, replace

from .errors import FileFormatError, LimitError

MB = 1_000_000

#: name -> (what it limits, in a person's words; unit; command-line option)
LIMITS = {
    "max_file_mb": ("file size", "MB", "--max-file-mb"),
    "max_unpacked_mb": ("unpacked size of a workbook or archive", "MB", "--max-unpacked-mb"),
    "max_ratio": ("compression ratio", "to 1", "--max-ratio"),
    "max_rows": ("rows", "rows", "--max-rows"),
    "max_columns": ("columns", "columns", "--max-columns"),
    "max_cell_chars": ("characters in a value", "characters", "--max-cell-chars"),
}

# Parts smaller than this are not judged by their compression ratio: a small
# part of repeated text compresses well and costs nothing to inflate.
_RATIO_FLOOR = 1 << 20
# An XLSX has a few dozen parts; a million entries is a directory bomb.
_MAX_MEMBERS = 10_000
# ... and a directory of a few kilobytes.
_MAX_DIRECTORY = 4 << 20
_NAME_SHOWN = 48


@dataclass(frozen=True)
class Limits:
    """What a file may make a preview do; every limit is a positive number.

    ``origin`` maps a limit's name to where it was set, in a few words that
    name it ("system parameter school_student_import.max_rows"), for the
    message that refuses a file; a limit it does not name is the engine's
    default, set on the command line by the option in :data:`LIMITS`.
    """

    #: Size of the file itself, in MB (1,000,000 bytes).
    max_file_mb: int = 300
    #: Total uncompressed size of an XLSX (or ZIP bundle), in MB, read from
    #: the archive's directory before anything is inflated.
    max_unpacked_mb: int = 1500
    #: Uncompressed size / compressed size of one part of an archive (parts
    #: of 1 MB or more).  Real workbooks stay under 20; a bomb is in the
    #: hundreds or thousands.
    max_ratio: int = 100
    #: Rows of the file, blank rows and the rows above the header included.
    max_rows: int = 2_000_000
    #: Columns of one row.
    max_columns: int = 1000
    #: Characters of one value (Excel's own limit for a cell is 32,767).
    max_cell_chars: int = 32_767
    origin: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        for name in LIMITS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"the limit {name} must be a whole number of 1 or more")

    @classmethod
    def from_settings(cls, values, origin=None):
        """Limits from ``{name: value}``; a value that is empty or 0 keeps the default."""
        chosen = {name: int(value) for name, value in values.items() if name in LIMITS and value}
        return cls(**chosen, origin=dict(origin or {}))

    def with_values(self, **values):
        """A copy with some limits changed (``origin`` kept)."""
        return replace(self, **values)

    def where(self, name):
        """Where limit ``name`` is set, in a few words."""
        return self.origin.get(name) or f"{name}, the default; {LIMITS[name][2]} changes it"

    def refuse(self, filename, name, found, place="", advice=""):
        """Return the :class:`LimitError` for ``found`` over limit ``name``."""
        unit = LIMITS[name][1]
        limit = getattr(self, name)
        where = f" {place}" if place else ""
        advice = advice or "split the file or export fewer columns, or raise the limit"
        message = (
            f"{short_name(filename)}{where}: {found}, over the limit of {limit:,} {unit} "
            f"({self.where(name)}): {advice}."
        )
        return LimitError(message, limit=name, value=limit)

    def check_file_size(self, size, filename):
        """Refuse a file of ``size`` bytes over :attr:`max_file_mb`."""
        if size > self.max_file_mb * MB:
            raise self.refuse(
                filename,
                "max_file_mb",
                f"the file has {size / MB:,.1f} MB",
                advice="export only the students and columns needed, or raise the limit",
            )


def short_name(filename, width=_NAME_SHOWN):
    """The file's base name, cut to ``width`` characters for a message."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1] or filename or "the file"
    if len(name) > width:
        stem, extension = os.path.splitext(name)
        extension = extension[:10]
        name = stem[: width - len(extension) - 3] + "..." + extension
    return name


def check_archive(data, limits, filename, kind="an XLSX workbook"):
    """Open ``data`` as a ZIP and check its directory against ``limits``; return the ZipFile.

    Only the central directory is read: the number of parts, each part's
    declared uncompressed size and its compression ratio, and their total.
    Python's zipfile never inflates a part beyond its declared size (a part
    that would is reported as damaged), so a checked archive cannot unpack to
    more than the sizes checked here.  Raises :class:`LimitError` past a
    limit, :class:`FileFormatError` when ``data`` is not a readable ZIP.
    """
    name = short_name(filename)
    size = _directory_size(data)
    if size is not None and size > _MAX_DIRECTORY:
        # zipfile would build an object per entry of it before any check.
        raise FileFormatError(
            f"{name} has a ZIP directory of {_size(size)}, more than {kind} ever has: "
            "it is damaged or not a roster export."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception as exc:  # BadZipFile, but also struct/unicode/value errors
        raise FileFormatError(
            f"{name} cannot be opened as {kind}: the file is damaged or incomplete."
        ) from exc
    if len(members) > _MAX_MEMBERS:
        archive.close()
        raise FileFormatError(
            f"{name} holds {len(members):,} parts, more than {kind} ever has "
            f"({_MAX_MEMBERS:,}): it is damaged or not a roster export."
        )
    total = 0
    for member in members:
        total += member.file_size
        packed = max(member.compress_size, 1)
        if member.file_size >= _RATIO_FLOOR and member.file_size > limits.max_ratio * packed:
            archive.close()
            raise limits.refuse(
                filename,
                "max_ratio",
                f"the part {short_name(member.filename, 32)} would unpack from "
                f"{_size(member.compress_size)} to {_size(member.file_size)} "
                f"({member.file_size // packed:,} to 1)",
                advice="this is not a plain export (a ZIP bomb?); save it again from Excel",
            )
    if total > limits.max_unpacked_mb * MB:
        archive.close()
        raise limits.refuse(
            filename,
            "max_unpacked_mb",
            f"it would unpack to {_size(total)}",
            advice="export fewer rows or columns, or as CSV, or raise the limit",
        )
    return archive


def _directory_size(data):
    """The size of a ZIP's central directory, from its end record; None if not found."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - (1 << 16) - 22))
    if end < 0 or end + 22 > len(data):
        return None
    (size,) = struct.unpack_from("<I", data, end + 12)
    if size == 0xFFFFFFFF:  # ZIP64: the size is in the ZIP64 end record
        record = data.rfind(b"PK\x06\x06", 0, end)
        if record < 0 or record + 56 > len(data):
            return None
        (size,) = struct.unpack_from("<Q", data, record + 40)
    return size


def _size(count):
    if count >= MB:
        return f"{count / MB:,.1f} MB"
    return f"{count:,} bytes"
