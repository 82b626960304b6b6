"""The bounded .xlsx reader (ledger/xlsx.py) reads what Excel and other writers produce:
shared strings (rich text, phonetic runs), inline strings, booleans, errors, formula
results, dates by style (also the Chinese date formats and the 1904 date system), cells
without references, prefixed namespaces, escaped control characters."""

import io
import zipfile

from ledger import parsing

from . import hostile

HEAD = '<?xml version="1.0" encoding="UTF-8"?>'


def workbook(sheet_xml, shared_xml=None, styles_xml=None, workbook_xml=None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", hostile.CONTENT_TYPES)
        z.writestr("_rels/.rels", hostile.ROOT_RELS)
        z.writestr("xl/workbook.xml", workbook_xml or hostile.WORKBOOK)
        rels = hostile.WORKBOOK_RELS.replace(
            "</Relationships>",
            f'<Relationship Id="rId3" Type="{hostile.REL_TYPE}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/worksheets/sheet1.xml", HEAD + sheet_xml)
        if shared_xml is not None:
            z.writestr("xl/sharedStrings.xml", HEAD + shared_xml)
        if styles_xml is not None:
            z.writestr("xl/styles.xml", HEAD + styles_xml)
    return out.getvalue()


def sheet(rows_xml, ns=hostile.NS):
    return f"<worksheet {ns}><sheetData>{hostile.header_row()}{rows_xml}</sheetData></worksheet>"


def read(data):
    return parsing.read(io.BytesIO(data), "a.xlsx")


STYLES = (
    f"<styleSheet {hostile.NS}>"
    '<numFmts count="1"><numFmt numFmtId="176" '
    'formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
    '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="31"/>'
    '<xf numFmtId="176"/></cellXfs>'
    "</styleSheet>"
)


def test_shared_strings_rich_text_and_phonetic_runs():
    shared = (
        f'<sst {hostile.NS} count="2" uniqueCount="2">'
        "<si><t>青岛</t></si>"
        "<si><r><t>海晟</t></r><r><rPr><b/></rPr><t>科技</t></r>"
        '<rPh sb="0" eb="2"><t>カイセイ</t></rPh></si></sst>'
    )
    rows = '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>0</v></c></row>'
    parsed = read(workbook(sheet(rows), shared))
    assert parsed.rows == [(2, ["海晟科技", "青岛"])]


def test_values_of_every_kind():
    rows = (
        '<row r="2">'
        '<c r="A2" t="inlineStr"><is><t xml:space="preserve"> 甲 </t></is></c>'
        '<c r="B2" t="b"><v>1</v></c>'
        '<c r="C2" t="e"><v>#N/A</v></c>'
        '<c r="D2" t="str"><f>A2&amp;"x"</f><v>甲x</v></c>'
        '<c r="E2"><v>12</v></c><c r="F2"><v>12.5</v></c><c r="G2"><v>1.2E+3</v></c>'
        '<c r="H2" t="inlineStr"><is><t>a_x000D_b</t></is></c>'
        "</row>"
    )
    parsed = read(workbook(sheet(rows)))
    assert parsed.rows[0][1] == [" 甲 ", True, "#N/A", "甲x"]  # the header is 4 wide
    header = "".join(
        f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for c, h in zip("EFGH", ["从业人数", "预备党员", "发展对象", "地址"], strict=True)
    )
    wide = read(workbook(sheet(rows).replace('</row><row r="2">', header + '</row><row r="2">')))
    assert wide.rows[0][1][4:] == [12, 12.5, 1200.0, "a\rb"]


def test_numbers_and_escapes_beyond_the_header_are_not_read_but_said():
    rows = '<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c><c r="H2"><v>12</v></c></row>'
    parsed = read(workbook(sheet(rows)))
    assert dict(parsed.notes)["wide_cells"]["rows"] == [2]


def test_dates_by_style_including_the_chinese_formats():
    rows = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c>'
        '<c r="B2" s="1"><v>45431</v></c><c r="C2" s="2"><v>45431</v></c>'
        '<c r="D2" s="3"><v>45431.5</v></c></row>'
    )
    parsed = read(workbook(sheet(rows), styles_xml=STYLES))
    assert parsed.rows[0][1] == ["甲", "2024-05-19", "2024-05-19", "2024-05-19 12:00:00"]


def test_the_1904_date_system():
    book = hostile.WORKBOOK.replace("<sheets>", '<workbookPr date1904="1"/><sheets>')
    rows = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c>'
        '<c r="B2" s="1"><v>43969</v></c></row>'
    )
    parsed = read(workbook(sheet(rows), styles_xml=STYLES, workbook_xml=book))
    assert parsed.rows[0][1][1] == "2024-05-19"


def test_cells_and_rows_without_references_and_a_prefixed_namespace():
    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    xml = (
        f"<x:worksheet {ns}><x:sheetData>"
        "<x:row>"
        + "".join(f'<x:c t="inlineStr"><x:is><x:t>{h}</x:t></x:is></x:c>' for h in hostile.HEADERS)
        + "</x:row>"
        '<x:row><x:c t="inlineStr"><x:is><x:t>甲</x:t></x:is></x:c><x:c/>'
        '<x:c t="inlineStr"><x:is><x:t>水城路社区</x:t></x:is></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    parsed = read(workbook(xml))
    assert parsed.header_row == 1
    assert parsed.rows == [(2, ["甲", None, "水城路社区"])]


def test_a_bad_shared_string_index_is_damaged():
    shared = f'<sst {hostile.NS} count="1" uniqueCount="1"><si><t>甲</t></si></sst>'
    rows = '<row r="2"><c r="A2" t="s"><v>7</v></c></row>'
    try:
        read(workbook(sheet(rows), shared))
    except parsing.FileProblem as problem:
        assert problem.code == "damaged"
    else:
        raise AssertionError("an index beyond the shared strings must not pass")
