"""Inputs for fuzzing the readers, and the one property every input must keep.

Shared by the bounded test in CI (``test_fuzz.py``, driven by hypothesis)
and the longer campaign (``python engine/tests/fuzz_campaign.py --minutes
10``, driven by a seeded ``random.Random``): both mutate the real fixtures
of ``files/``, byte-wise and, for workbooks, inside their XML parts, so that
the mutants get past the ZIP layer to the parsers.
"""

import io
import zipfile
from pathlib import Path

from helpers import make_roster

from engine import EngineError, PreviewOptions, preview
from engine.limits import Limits

FILES = Path(__file__).resolve().parent / "files"
FIXTURES = {path.name: path.read_bytes() for path in sorted(FILES.iterdir()) if path.is_file()}
WORKBOOKS = [name for name in FIXTURES if name.endswith(".xlsx") and "broken" not in name]
FILENAMES = ("export.csv", "export.xlsx", "export.xls", "export.txt")
# Small limits keep every input fast, and reach the limit paths too.
LIMITS = Limits(
    max_file_mb=2, max_unpacked_mb=8, max_rows=2000, max_columns=64, max_cell_chars=2000
)
# Tokens that matter to the parsers, spliced into mutants.
TOKENS = (
    b'"',
    b'""',
    b",",
    b";",
    b"\t",
    b"\r\n",
    b"\n",
    b"\r",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xc3",
    b"e\xcc\x81",
    b"\xe2\x80\x8b",
    b"<row>",
    b"</row>",
    b'<c r="XFD1" t="s"><v>99999</v></c>',
    b'<c t="inlineStr"><is><t>x</t></is></c>',
    b'<c s="1"><v>1e308</v></c>',
    b'<c t="d"><v>2024-13-45T25:61</v></c>',
    b'<c t="b"><v>2</v></c>',
    b'r="0"',
    b'r="-5"',
    b'r="AAAAAAAAAAAA1"',
    b"<!DOCTYPE x>",
    b"&amp;",
    b"&#0;",
    b"]]>",
    b"=HYPERLINK()",
    b"Student_Number",
    b"First_Name",
)
MUTATIONS = ("flip", "insert", "token", "delete", "duplicate", "truncate", "splice")


def mutate(data, operations, other=b""):
    """Apply ``operations``, ``(kind, position in [0, 1), number, payload)``, to ``data``."""
    data = bytearray(data)
    for kind, where, number, payload in operations:
        at = int(where * len(data)) if data else 0
        if kind == "flip" and data:
            data[min(at, len(data) - 1)] ^= 1 << (number % 8)
        elif kind == "insert":
            data[at:at] = payload
        elif kind == "token":
            data[at:at] = TOKENS[number % len(TOKENS)]
        elif kind == "delete":
            del data[at : at + 1 + number % 64]
        elif kind == "duplicate":
            piece = data[at : at + 1 + number % 256]
            data[at:at] = piece * (1 + number % 8)
        elif kind == "truncate":
            del data[at:]
        elif kind == "splice" and other:
            cut = int(where * len(other))
            data[at:] = other[cut:]
    return bytes(data)


def mutate_workbook(data, member_index, operations, deflate=True):
    """Rewrite an XLSX with one of its parts mutated (a valid ZIP, broken XML)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    target_name = names[member_index % len(names)]
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as target:
        for name in names:
            content = source.read(name)
            if name == target_name:
                content = mutate(content, operations)
            target.writestr(name, content)
    return out.getvalue()


def roster():
    return make_roster(
        ("100234", "José", "García", "05", "2013-04-09", "ELM"),
        ("100235", "Zoë", "Smith", "KG", "2014-01-02", "ELM"),
        ("1001", "Ann", "Lee", "03", "2016-04-02", "EL1"),
    )


def check(data, filename, roster_=None):
    """The property: a preview, or an :class:`EngineError` of one short line; nothing else.

    Returns ``"preview"`` or ``"refused"``; any other exception propagates
    (that is a crash).
    """
    try:
        preview(roster_ or roster(), data, filename, PreviewOptions(limits=LIMITS))
    except EngineError as error:
        message = str(error)
        if "\n" in message or len(message) >= 300:
            raise AssertionError(
                f"refusal of {len(message)} characters: {message[:400]!r}"
            ) from error
        return "refused"
    return "preview"
