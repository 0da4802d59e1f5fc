"""Hostile workbooks, made in a moment without ever holding their unpacked content.

A part is described as ``head + chunk * count + tail``.  ``chunk`` is
compressed once, from an empty dictionary and ending on a full flush, so its
compressed block decodes the same wherever it stands: the part's deflate
stream is that block repeated ``count`` times.  The CRC-32 of the repeated
content is combined arithmetically (zlib's ``crc32_combine``), so the archive
is valid: without the engine's limits it really would unpack to gigabytes.
"""

import struct
import zlib

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Students" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData>"
)
SHEET_TAIL = b"</sheetData></worksheet>"
STRINGS_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
STRINGS_TAIL = b"</sst>"
HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Student_Number</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>First_Name</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>Last_Name</t></is></c></row>'
)


def _gf2_times(matrix, vector):
    total, index = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[index]
        vector >>= 1
        index += 1
    return total


def _gf2_square(matrix):
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1, crc2, length2):
    """CRC-32 of ``A + B`` from ``crc32(A)``, ``crc32(B)`` and ``len(B)`` (zlib's algorithm)."""
    if length2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _gf2_square(even)
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def _block(data, final=False):
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def part(head, chunk=b"", count=0, tail=b""):
    """``(deflated bytes, crc, size)`` of ``head + chunk * count + tail``."""
    crc, size = zlib.crc32(head), len(head)
    if count:
        chunk_crc, chunk_size = zlib.crc32(chunk), len(chunk)
        repeated_crc, repeated_size = 0, 0
        base_crc, base_size, left = chunk_crc, chunk_size, count
        while left:
            if left & 1:
                repeated_crc = crc32_combine(repeated_crc, base_crc, base_size)
                repeated_size += base_size
            base_crc = crc32_combine(base_crc, base_crc, base_size)
            base_size *= 2
            left >>= 1
        crc = crc32_combine(crc, repeated_crc, repeated_size)
        size += repeated_size
    crc = crc32_combine(crc, zlib.crc32(tail), len(tail))
    size += len(tail)
    packed = _block(head) + (_block(chunk) * count if count else b"") + _block(tail, final=True)
    return packed, crc & 0xFFFFFFFF, size


def archive(parts, declared=None):
    """A ZIP of ``{name: (deflated, crc, size)}``; ``declared`` overrides a part's size."""
    declared = declared or {}
    body, directory = bytearray(), bytearray()
    for name, (packed, crc, size) in parts.items():
        encoded = name.encode()
        size = declared.get(name, size)
        offset = len(body)
        fields = (20, 0, 8, 0, 0x21, crc, len(packed), size, len(encoded), 0)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded + packed
        directory += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(packed),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), len(body), 0
    )
    return bytes(body + directory + end)


def workbook(sheet, strings=None, declared=None):
    """An XLSX whose sheet (and shared strings) are given as :func:`part` results."""
    parts = {
        "[Content_Types].xml": part(CONTENT_TYPES),
        "_rels/.rels": part(ROOT_RELS),
        "xl/workbook.xml": part(WORKBOOK),
        "xl/_rels/workbook.xml.rels": part(WORKBOOK_RELS),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    return archive(parts, declared)


def _noise(seed, size):
    """Deterministic bytes that deflate cannot shrink, as XML attribute text."""
    out, state = bytearray(), seed
    while len(out) < size:
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out += b"%016x" % state
    return bytes(out[:size])


def empty_rows_bomb():
    """About 2.8 MB whose worksheet unpacks to about 1 GB of empty rows."""
    rows = b"<row/>" * ((1 << 20) // 6)
    chunk = b'<row r="2" x="' + _noise(1, 2600) + b'"/>' + rows[: (1 << 20) - 2620]
    sheet = part(SHEET_HEAD + HEADER_ROW, chunk, 1000, SHEET_TAIL)
    return workbook(sheet)


def shared_strings_bomb():
    """About 8 MB whose shared strings unpack to about 3 GB."""
    one = b"<si><t>Ann</t></si>"
    chunk = b'<si><t xml:space="preserve">' + _noise(2, 900) + b"</t></si>"
    chunk += one * (((1 << 20) - len(chunk)) // len(one))
    strings = part(STRINGS_HEAD, chunk, 3000, STRINGS_TAIL)
    return workbook(part(SHEET_HEAD + HEADER_ROW + SHEET_TAIL), strings)
