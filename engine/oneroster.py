"""OneRoster 1.1 and 1.2 CSV bundles: a ``.zip`` read as one student table.

A bundle holds ``manifest.csv`` and one CSV per entity.  The students are
the ``users.csv`` rows whose role is ``student`` (1.1: the ``role`` column;
1.2: ``roles.csv``, its primary role first); ``orgs.csv`` turns each
student's ``orgSourcedIds`` into the school's ``identifier``, and
``demographics.csv`` (optional) adds ``birthDate`` and ``sex``.  The result
is a :class:`BundleTable`, the same header-and-rows shape the CSV and
workbook readers give, so that mapping, diff, checks and policy stay as
they are.  Its columns are those of :data:`HEADERS` plus one
``userIds.<type>`` per identifier type found, so that the importer's
mapping (not a special setting) says which identifier is the student
number: ``identifier`` by default, ``username`` or a ``userIds.<type>``.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from zipfile import ZipFile

from .errors import FileFormatError
from .readers import Table, read_table

#: The columns a bundle's students are given, before the userIds types.
HEADERS = (
    "sourcedId",
    "status",
    "identifier",
    "username",
    "givenName",
    "familyName",
    "middleName",
    "email",
    "grades",
    "orgSourcedIds",
    "birthDate",
    "sex",
)
_USERS = "users.csv"
_MEMBERS = ("manifest.csv", _USERS, "orgs.csv", "demographics.csv", "roles.csv")
# A user ids cell of the CSV binding: {type:identifier},{type:identifier}
_USER_ID = re.compile(r"\{\s*([^:{}]+?)\s*:\s*([^{}]*?)\s*\}")
_DELETED = "tobedeleted"
_ROLE_NAMES = {
    "teacher": "teachers",
    "guardian": "guardians",
    "parent": "parents",
    "relative": "relatives",
    "administrator": "administrators",
    "aide": "aides",
    "proctor": "proctors",
}


@dataclass
class BundleTable(Table):
    """A bundle's students as a :class:`~engine.readers.Table`, with what the bundle adds.

    ``delta`` is true for a delta export (``file.users`` is ``delta`` in the
    manifest): students left out of it are unchanged, and only the
    ``removed`` rows (status ``tobedeleted``, same columns as ``rows``) may
    be inactivated.  In a bulk export the removed rows are simply absent.
    ``ignored`` counts the other users by role; ``known_schools`` holds
    the identifiers of the bundle's orgs, for a caller with no list of its
    own; ``version`` is the manifest's ``oneroster.version``.
    """

    delta: bool = False
    removed: list = field(default_factory=list)
    ignored: dict = field(default_factory=dict)
    known_schools: frozenset = frozenset()
    version: str = ""

    def ignored_note(self):
        """One line saying which users were not students, or ``""``."""
        if not self.ignored:
            return ""
        parts = [
            f"{count} {_ROLE_NAMES.get(role, role) if count != 1 else role}"
            for role, count in sorted(self.ignored.items())
        ]
        return f"users.csv also holds {', '.join(parts)}: not students, so not imported."


def is_bundle(members):
    """True when zip member names look like a OneRoster CSV bundle."""
    return any(_base(member) in (_USERS, "manifest.csv") for member in members)


def read_bundle(data, name):
    """Read the bundle ``data`` (bytes of ``name``) and return a :class:`BundleTable`.

    Raises :class:`~engine.errors.FileFormatError` with a one-line reason for
    a bundle that cannot be used (no ``users.csv``, no role for its users,
    a damaged archive).
    """
    files = _members(data, name)
    manifest = _manifest(files, name)
    if _USERS not in files or manifest.get("file.users") == "absent":
        raise FileFormatError(
            f"{name} is a OneRoster bundle without users.csv: export the bundle with its users."
        )
    orgs = _by_id(files, "orgs.csv", name)
    demographics = _by_id(files, "demographics.csv", name)
    roles = _roles(files, name)
    users = read_table(files[_USERS], f"{name}/users.csv", allow_empty=True)
    columns = {header: i for i, header in enumerate(users.headers)}
    if "role" not in columns and not roles:
        raise FileFormatError(
            f"{name}: users.csv has no role column and the bundle has no roles.csv, "
            "so its students cannot be told apart."
        )
    # A first pass finds the userIds types (the columns); the second keeps
    # only the students, never every user's raw cells.
    types = sorted(
        {
            kind
            for _n, cells in users.rows
            for kind, _v in _user_ids(_cell(cells, columns, "userIds"))
        }
    )
    users = read_table(files[_USERS], f"{name}/users.csv", allow_empty=True)
    headers = [*HEADERS, *(f"userIds.{kind}" for kind in types)]
    table = BundleTable(
        headers,
        1,
        iter(()),
        "oneroster",
        encoding=users.encoding,
        delimiter=users.delimiter,
        delta=manifest.get("file.users") == "delta",
        known_schools=frozenset(org.get("identifier") or sid for sid, org in orgs.items() if sid),
        version=manifest.get("oneroster.version", ""),
    )
    students = []
    for number, cells in users.rows:
        user = {header: _cell(cells, columns, header) for header in columns}
        sourced_id = user.get("sourcedId", "")
        role, org_ids = _role_of(user, roles.get(sourced_id))
        if role != "student":
            table.ignored[role or "no role"] = table.ignored.get(role or "no role", 0) + 1
            continue
        demographic = demographics.get(sourced_id, {})
        ids = dict(_user_ids(user.get("userIds", "")))
        values = {
            **user,
            "grades": _first(user.get("grades", "")),
            "orgSourcedIds": _school(org_ids, orgs),
            "birthDate": demographic.get("birthDate", ""),
            "sex": demographic.get("sex", ""),
        }
        out = [values.get(header, "") for header in HEADERS]
        out.extend(ids.get(kind, "") for kind in types)
        if user.get("status", "").strip().lower() == _DELETED:
            table.removed.append(out)
        else:
            students.append((number, out))
    table.rows = iter(students)
    return table


def _base(member):
    return member.replace("\\", "/").rsplit("/", 1)[-1].lower()


def _members(data, name):
    """The bundle's known CSV files, by lower-case base name, as bytes."""
    found = {}
    try:
        with ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                base = _base(info.filename)
                if base in _MEMBERS and not info.is_dir() and base not in found:
                    found[base] = archive.read(info)
    except FileFormatError:
        raise
    except Exception as exc:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise FileFormatError(f"{name} cannot be opened as a OneRoster bundle: {reason}.") from exc
    return found


def _records(files, member, name):
    """``(headers, [(row, cells)])`` of an optional member, or ``([], [])``."""
    if member not in files or not files[member].strip():
        return [], []
    table = read_table(files[member], f"{name}/{member}", allow_empty=True)
    return table.headers, list(table.rows)


def _manifest(files, name):
    headers, rows = _records(files, "manifest.csv", name)
    return {
        cells[0].strip().lower(): cells[1].strip().lower() for _n, cells in rows if len(cells) > 1
    }


def _by_id(files, member, name):
    """``{sourcedId: {header: value}}`` of ``orgs.csv`` or ``demographics.csv``."""
    headers, rows = _records(files, member, name)
    if headers and "sourcedId" not in headers:
        raise FileFormatError(f"{name}: {member} has no sourcedId column.")
    return {
        values.get("sourcedId", ""): values
        for values in (
            {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(headers)}
            for _n, cells in rows
        )
    }


def _roles(files, name):
    """1.2's ``roles.csv``: ``{userSourcedId: (role, [orgSourcedId, ...])}``, primary first."""
    headers, rows = _records(files, "roles.csv", name)
    found = {}
    for _n, cells in rows:
        row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(headers)}
        if row.get("status", "").lower() == _DELETED:
            continue
        user, role = row.get("userSourcedId", ""), row.get("role", "").lower()
        primary = row.get("roleType", "").lower() == "primary"
        current = found.get(user)
        if current is None or (primary and not current[2]):
            found[user] = (role, [row.get("orgSourcedId", "")], primary)
        elif current[0] == role:
            current[1].append(row.get("orgSourcedId", ""))
    return {user: (role, orgs) for user, (role, orgs, _p) in found.items()}


def _role_of(user, from_roles):
    if from_roles is not None:
        role, orgs = from_roles
    else:
        role = user.get("role", "").strip().lower()
        orgs = _split(user.get("orgSourcedIds", "")) or _split(user.get("primaryOrgSourcedId", ""))
    return role, orgs


def _school(org_ids, orgs):
    """The identifier of the user's school: its first org of type school, else its first org.

    An org that orgs.csv does not list gives its own sourcedId, which the
    import then reports as an unknown school on that student's line.
    """
    known = [orgs[sid] for sid in org_ids if sid in orgs]
    schools = [org for org in known if org.get("type", "").lower() == "school"]
    chosen = (schools or known)[:1]
    if chosen:
        return chosen[0].get("identifier") or chosen[0].get("sourcedId", "")
    return org_ids[0] if org_ids else ""


def _cell(cells, columns, header):
    index = columns.get(header)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _split(value):
    return [part.strip() for part in next(csv.reader([value]), []) if part.strip()] if value else []


def _first(value):
    parts = _split(value)
    return parts[0] if parts else ""


def _user_ids(value):
    return [(kind.strip(), ident) for kind, ident in _USER_ID.findall(value or "")]
