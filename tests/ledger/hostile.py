"""Small generators of hostile spreadsheets (issue 14), written straight into the zip so
that a test builds them in a second: the workbook parts are plain XML strings.

Each builder writes a file and returns its path. ``probe.py`` reads one in a fresh
process and reports the time and the peak memory the reading took.
"""

import struct
import zipfile

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL_TYPE}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {RNS}>'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL_TYPE}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_TYPE}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
HEADERS = ["企业名称", "统一社会信用代码", "所属社区", "行业门类"]


def _cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row():
    letters = "ABCD"
    cells = "".join(_cell(f"{letters[i]}1", h) for i, h in enumerate(HEADERS))
    return f'<row r="1">{cells}</row>'


def write(path, sheet_chunks, shared_chunks=None, level=9):
    """A workbook whose sheet (and shared strings) are the concatenated chunks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in sheet_chunks:
                part.write(chunk.encode() if isinstance(chunk, str) else chunk)
        if shared_chunks is not None:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                for chunk in shared_chunks:
                    part.write(chunk.encode() if isinstance(chunk, str) else chunk)
    return path


def _sheet(rows, tail=""):
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'
    yield header_row()
    yield from rows
    yield "</sheetData>"
    yield tail
    yield "</worksheet>"


def wide_rows(path, rows=3000):
    """One cell in column ZZZ on every row (openpyxl pads each row to 18,278 cells)."""
    return write(
        path, _sheet(f'<row r="{n}">{_cell(f"ZZZ{n}", "x")}</row>' for n in range(2, rows + 2))
    )


def huge_merge(path):
    """Merged ranges far beyond what is read: ZZZ2:ZZZ3001, and A2 down to the last row."""
    rows = [f'<row r="2">{_cell("A2", "青岛合并测试有限公司")}</row>']
    tail = (
        '<mergeCells count="3"><mergeCell ref="ZZZ2:ZZZ3001"/>'
        '<mergeCell ref="A2:A1048576"/><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    )
    return write(path, _sheet(rows, tail))


def shared_strings_bomb(path, megabytes=300):
    """A shared-strings part of ``megabytes`` of text, which deflate packs ~1000:1."""
    block = "A" * (1 << 20)

    def strings():
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="1" uniqueCount="1"><si><t>'
        for _ in range(megabytes):
            yield block
        yield "</t></si></sst>"

    rows = ['<row r="2"><c r="A2" t="s"><v>0</v></c></row>']
    return write(path, _sheet(rows), strings(), level=1)


def far_row(path, number=500_000_000):
    """A single row numbered ``number`` (a reader that yields the missing rows takes ages)."""
    return write(path, _sheet([f'<row r="{number}">{_cell(f"A{number}", "x")}</row>']))


def zip_bomb(path, megabytes=300):
    """A sheet part of ``megabytes`` of blanks (valid XML whitespace)."""
    block = " " * (1 << 20)

    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'
        for _ in range(megabytes):
            yield block
        yield "</sheetData></worksheet>"

    return write(path, chunks(), level=1)


def lying_zip(path):
    """A sheet part that inflates to 64 MB but whose headers say 2,000 bytes."""
    zip_bomb(path, megabytes=64)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    # Central directory entry: compressed size at offset 20, uncompressed at 24, or both in
    # the zip64 extra field. Rewrite the uncompressed size only.
    # zipfile trusts the central directory's sizes (the local header only names the part).
    position = data.find(b"PK\x01\x02")
    while position != -1:
        name_length, extra_length = struct.unpack_from("<HH", data, position + 28)
        if data[position + 46 : position + 46 + name_length] == name:
            _patch_size(data, position + 20, position + 46 + name_length, extra_length)
        position = data.find(b"PK\x01\x02", position + 4)
    path.write_bytes(bytes(data))
    return path


def _patch_size(data, sizes_at, extra_at, extra_length):
    size_at = sizes_at + 4
    (size,) = struct.unpack_from("<I", data, size_at)
    if size != 0xFFFFFFFF:
        struct.pack_into("<I", data, size_at, 2000)
        return
    # zip64: the real sizes are in the extra field (id 0x0001): uncompressed first.
    end = extra_at + extra_length
    while extra_at < end:
        kind, length = struct.unpack_from("<HH", data, extra_at)
        if kind == 1:
            struct.pack_into("<Q", data, extra_at + 4, 2000)
            return
        extra_at += 4 + length


def entity_bomb(path):
    """The billion laughs: an internal DTD whose entities expand exponentially."""
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    chunks = [
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [{entities}]>',
        f"<worksheet {NS}><sheetData>",
        header_row(),
        f'<row r="2">{_cell("A2", "&a9;")}</row>',
        "</sheetData></worksheet>",
    ]
    return write(path, chunks)


def many_merges(path, count=200_000):
    """More merged ranges than a sheet has rows."""
    tail = (
        f'<mergeCells count="{count}">'
        + "".join(f'<mergeCell ref="B{2 * n}:B{2 * n + 1}"/>' for n in range(1, count + 1))
        + "</mergeCells>"
    )
    return write(path, _sheet([], tail))


def csv_wide(path, megabytes=19):
    path.write_bytes(("企业名称,统一社会信用代码\n" + "," * (megabytes << 20)).encode())
    return path


def csv_blank_lines(path, megabytes=19):
    path.write_bytes(b"\xef\xbb\xbf" + b"\n" * (megabytes << 20))
    return path


HOSTILE = {
    "wide_rows": wide_rows,
    "wide_rows_100k": lambda path: wide_rows(path, rows=100_000),
    "huge_merge": huge_merge,
    "shared_strings_bomb": shared_strings_bomb,  # over the unpacked-size limit
    "shared_strings_bomb_200mb": lambda path: shared_strings_bomb(path, megabytes=200),
    "far_row": far_row,
    "zip_bomb": zip_bomb,
    "lying_zip": lying_zip,
    "entity_bomb": entity_bomb,
    "many_merges": many_merges,
    "csv_wide": csv_wide,
    "csv_blank_lines": csv_blank_lines,
}
