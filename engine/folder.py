"""Server folders for recurring imports: safe paths, file picking, moving files.

Plain Python like the rest of the engine: the importer model gives it the
base folder (a system parameter), the importer's folders and pattern, and
turns its :class:`FolderError` into a ``UserError`` or a note.
"""

import fnmatch
import hashlib
import os
import shutil
from dataclasses import dataclass

from .errors import EngineError

MARKER_SUFFIX = ".done"


class FolderError(EngineError):
    """A folder or file that the importer may not, or cannot, use."""


def resolve_below(base, path, what="Folder"):
    """Return the real path of ``path`` if it lies inside ``base``, else raise.

    ``path`` is relative to ``base`` or absolute.  Both are resolved with
    every symbolic link followed (:func:`os.path.realpath`), so ``..`` and a
    link that points out of the base are refused like an absolute path
    elsewhere.  The path need not exist yet.
    """
    if not base:
        raise FolderError(
            "Folder importers are off: the system parameter "
            "school_student_import.base_folder is empty."
        )
    if not path:
        raise FolderError(f"{what} is empty: give a folder below the base folder {base}.")
    real_base = os.path.realpath(base)
    real = os.path.realpath(os.path.join(real_base, os.path.expanduser(path)))
    if os.path.commonpath([real_base, real]) != real_base:
        raise FolderError(
            f"{what} {path} is outside the base folder {real_base}: "
            f"folder importers read and write only below it."
        )
    return real


def file_sha256(path, chunk=1 << 20):
    """The hex SHA-256 of the file at ``path``, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Candidate:
    """A file of the folder that matches the importer's pattern."""

    path: str
    name: str
    size: int
    mtime: float


def candidates(folder, pattern, base):
    """The regular files of ``folder`` that match ``pattern``, newest first.

    Markers (``*.done``) never count as files to import.  A file whose real
    path leaves ``base`` (a symbolic link that points out) raises
    :class:`FolderError`, naming the file.
    """
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        raise FolderError(f"Folder {folder} does not exist.") from None
    except OSError as error:
        raise FolderError(f"Folder {folder} cannot be read: {error.strerror}.") from None
    found = []
    for entry in entries:
        if entry.name.endswith(MARKER_SUFFIX) or not fnmatch.fnmatch(entry.name, pattern or "*"):
            continue
        resolve_below(base, entry.path, what="File")
        if not entry.is_file():
            continue
        stat = entry.stat()
        found.append(Candidate(entry.path, entry.name, stat.st_size, stat.st_mtime))
    found.sort(key=lambda c: (c.mtime, c.name), reverse=True)
    return found


def is_settled(path, seconds, sleep):
    """True when the file's size and mtime stay the same across ``seconds``.

    A file that an export is still writing grows or is touched meanwhile;
    ``sleep`` is given by the caller (``time.sleep`` in production).
    """
    before = os.stat(path)
    sleep(seconds)
    after = os.stat(path)
    return (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)


def has_marker(path):
    """True when the export's ``<file>.done`` marker sits next to the file."""
    return os.path.exists(path + MARKER_SUFFIX)


def target_in(folder, path, label):
    """Where ``path`` goes in ``folder``: ``<stem>.<label><ext>``, never an existing name."""
    stem, ext = os.path.splitext(os.path.basename(path))
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in label)
    target = os.path.join(folder, f"{stem}.{safe}{ext}")
    counter = 1
    while os.path.exists(target):
        counter += 1
        target = os.path.join(folder, f"{stem}.{safe}-{counter}{ext}")
    return target


def move(path, folder, label):
    """Move ``path`` into ``folder`` (created when missing); return the new path.

    The file is named by :func:`target_in`, so nothing is overwritten; its
    ``.done`` marker, if any, is removed.
    """
    os.makedirs(folder, exist_ok=True)
    target = target_in(folder, path, label)
    shutil.move(path, target)
    if os.path.exists(path + MARKER_SUFFIX):
        os.remove(path + MARKER_SUFFIX)
    return target
