"""Hostile, broken and wrong-format files: each refused in one line, exit 2, in bounded memory
and seconds, never an internal error or a traceback, and never an identity code printed.

The hostile files are made here, small, by hand (their sizes and ratios are asserted, not assumed).
CLI cases run in a fresh interpreter under a 1 GiB address-space cap (``bounded.run_bounded``).
"""
from __future__ import annotations

import codecs
import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest

from bounded import assert_refused, run_bounded
from evalkit.errors import InputError
from evalkit.register import load_employers, load_register
from register_rows import BASE, COLUMNS, HEADER

AS_OF = dt.date(2023, 12, 31)
EMPLOYER_HEADER = "pilot_id,employer_id,interested,coached,hires"
SAVE = "save it as CSV UTF-8 or .xlsx"


def problems_of(path, loader=None) -> list[str]:
    with pytest.raises(InputError) as caught:
        (loader or (lambda p: load_register(p, AS_OF)))(path)
    return [str(p) for p in caught.value.problems]


# ---------------------------------------------------------------- one-line files

@pytest.mark.parametrize("header", [HEADER, HEADER.replace(",", ";"), HEADER.replace(",", "\t")],
                         ids=["comma", "semicolon", "tab"])
@pytest.mark.parametrize("prefix", [b"", codecs.BOM_UTF8], ids=["plain", "bom"])
def test_a_header_without_a_final_line_break_is_a_register_with_no_rows(tmp_path, header, prefix):
    path = tmp_path / "participants.csv"
    path.write_bytes(prefix + header.encode())
    assert problems_of(path) == ["participants.csv: has a header but no rows; expected one row per person"]


def test_a_file_whose_every_row_is_malformed_names_those_rows_and_does_not_say_it_has_none(tmp_path):
    path = tmp_path / "participants.csv"
    short = ",".join(HEADER.split(",")[:-1])   # one field too few
    path.write_text(f"{HEADER}\n{short}\n{short}\n", encoding="utf-8")
    found = problems_of(path)
    assert [p.split(": ")[1] for p in found] == ["line 2", "line 3"], found
    employers = tmp_path / "employers.csv"
    employers.write_text(f"{EMPLOYER_HEADER}\nlappi,e1\n", encoding="utf-8")
    found = problems_of(employers, load_employers)
    assert [p.split(": ")[1] for p in found] == ["line 2"], found


def test_an_employer_file_with_only_its_header_says_so(tmp_path):
    path = tmp_path / "employers.csv"
    path.write_bytes(EMPLOYER_HEADER.encode())
    assert problems_of(path, load_employers) == ["employers.csv: has a header but no rows"]


def test_the_command_refuses_a_header_only_file_in_one_line(tmp_path):
    path = tmp_path / "participants.csv"
    path.write_bytes(HEADER.encode())
    employers = tmp_path / "employers.csv"
    employers.write_bytes(EMPLOYER_HEADER.encode())
    done = run_bounded("validate", str(path), "--as-of", "2023-12-31", "--employers", str(employers))
    assert_refused(done, "participants.csv: has a header but no rows", "employers.csv: has a header but no rows",
                   lines=2)


# ---------------------------------------------------------------- wrong formats, named

EXCEL_HTML = ('<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:'
              'office:excel"><head><meta charset="utf-8"></head><body><table><tr><td>person_id</td>'
              '<td>pilot_id</td></tr><tr><td>p1</td><td>lappi</td></tr></table></body></html>')
XML_2003 = ('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:'
            'schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Taul1"/></Workbook>\n')
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize("name, content, words", [
    ("participants.xls", EXCEL_HTML.encode(), "is an HTML page"),
    ("participants.csv", EXCEL_HTML.encode(), "is an HTML page"),
    ("participants.xls", codecs.BOM_UTF16_LE + EXCEL_HTML.encode("utf-16-le"), "is an HTML page"),
    ("participants.xls", b"\r\n  <!DOCTYPE html>\n<table><tr><td>a</td></tr></table>\n", "is an HTML page"),
    ("participants.xml", XML_2003.encode(), 'is an Excel "XML Spreadsheet 2003" file'),
    ("participants.xls", OLE2 + "Workbook".encode("utf-16-le"), "is an old-format Excel 97-2003 workbook"),
    ("participants.xlsx", OLE2 + b"\x00" * 4000 + "EncryptionInfo".encode("utf-16-le"),
     "is a password-protected (encrypted) workbook"),
], ids=["excel-html-export", "html-named-csv", "utf16-html", "doctype-table", "xml-2003", "xls", "encrypted"])
def test_a_file_of_another_format_is_named_for_what_it_is(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    found = problems_of(path)
    assert len(found) == 1 and found[0].startswith(f"{name}: {words}"), found
    assert found[0].endswith(SAVE)
    assert problems_of(path, load_employers)[0].startswith(f"{name}: {words}")


# ---------------------------------------------------------------- hostile workbooks

def _register_book(path: Path, rows: int = 3) -> Path:
    """A valid register of ``rows`` people as openpyxl writes it (first sheet "Taul1")."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Taul1"
    sheet.append(COLUMNS)
    for number in range(1, rows + 1):
        sheet.append([{**BASE, "person_id": f"p{number}"}[c] for c in COLUMNS])
    book.save(path)
    return path


def _rewritten(path: Path, name: str = "hostile.xlsx", **parts) -> Path:
    """A copy of the workbook with parts changed (a function of the old bytes, or new bytes) or added."""
    parts = {key.replace("__", "/").replace("_DOT_", "."): value for key, value in parts.items()}
    target = path.with_name(name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED,
                                                             compresslevel=9) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            change = parts.pop(item.filename, None)
            data = change(data) if callable(change) else data if change is None else change
            out.writestr(item.filename, data)
        for new_name, data in parts.items():
            out.writestr(new_name, data)
    return target


SHEET = "xl/worksheets/sheet1.xml"


def _dimension(ref: str):
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), xml)


def _stray_cell(xml: bytes) -> bytes:
    cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>huom</t></is></c></row>'
    return _dimension("A1:XFD1048576")(xml).replace(b"</sheetData>", cell + b"</sheetData>")


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
                     for n in range(1, 10))
          + b']>\n')


def test_a_declared_size_of_the_whole_grid_costs_nothing(tmp_path):
    path = _rewritten(_register_book(tmp_path / "r.xlsx"), **{SHEET: _dimension("A1:XFD1048576")})
    assert path.stat().st_size < 10_000
    done = run_bounded("validate", str(path), "--as-of", "2023-12-31", timeout=20)
    assert done.returncode == 0, done.stderr
    assert "OK, 3 rows" in done.stdout


def test_a_stray_cell_at_the_grids_far_corner_is_one_line(tmp_path):
    path = _rewritten(_register_book(tmp_path / "r.xlsx"), **{SHEET: _stray_cell})
    done = run_bounded("validate", str(path), "--as-of", "2023-12-31", timeout=20)
    assert_refused(done, 'hostile.xlsx, sheet "Taul1": line 1: column XFD: has no name in the header row but '
                         "holds values, first on line 1048576")


def _bomb(tmp_path: Path) -> Path:
    """A sheet padded inside with 300 MB of blanks: compressed about a thousandfold."""
    padding = b" " * (300 << 20)
    path = _rewritten(_register_book(tmp_path / "r.xlsx"),
                      **{SHEET: lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding)})
    with zipfile.ZipFile(path) as archive:   # measured, not assumed
        part = archive.getinfo(SHEET)
        assert part.file_size > 300 << 20 and part.file_size > 500 * part.compress_size
    return path


def _many_parts_bomb(tmp_path: Path) -> Path:
    """1,100 parts of a million zero bytes each (each under a mebibyte): 1.1 GB in all."""
    zeros = b"\0" * 1_000_000
    path = _rewritten(_register_book(tmp_path / "r.xlsx"), **{f"xl/media/pad{n}.bin": zeros for n in range(1100)})
    with zipfile.ZipFile(path) as archive:   # measured, not assumed
        assert sum(m.file_size for m in archive.infolist()) > 1 << 30
        assert max(m.file_size for m in archive.infolist()) < 1 << 20
    return path


def _lying_sizes(tmp_path: Path) -> Path:
    """The bomb with its directory (and local header) declaring the sheet as 1,000 bytes: no ratio seen."""
    import struct

    data = bytearray(_bomb(tmp_path).read_bytes())
    name = SHEET.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if offset == 22 else 46)
            if data[name_at:name_at + len(name)] == name:
                data[at + offset:at + offset + 4] = struct.pack("<I", 1000)
            at = data.find(signature, at + 4)
    path = tmp_path / "lying.xlsx"
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:   # the lie is what the directory says
        assert archive.getinfo(SHEET).file_size == 1000
    return path


def _too_many_parts(tmp_path: Path) -> Path:
    return _rewritten(_register_book(tmp_path / "r.xlsx"), **{f"xl/media/p{n}.bin": b"" for n in range(10_001)})


def _cut_sheet(tmp_path: Path) -> Path:
    return _rewritten(_register_book(tmp_path / "r.xlsx"), **{SHEET: lambda xml: xml[:len(xml) * 2 // 3]})


def _cut_file(tmp_path: Path) -> Path:
    path = _register_book(tmp_path / "r.xlsx")
    cut = tmp_path / "hostile.xlsx"
    cut.write_bytes(path.read_bytes()[:path.stat().st_size // 2])
    return cut


def _laughs_in_sheet(tmp_path: Path) -> Path:
    return _rewritten(_register_book(tmp_path / "r.xlsx"),
                      **{SHEET: lambda xml: LAUGHS + re.sub(rb"^<\?xml[^>]*>", b"", xml).replace(
                          b"<sheetData>", b"<sheetData><!-- &lol9; -->")})


def _external_entity_in_properties(tmp_path: Path) -> Path:
    xxe = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><p>&x;</p>'
    return _rewritten(_register_book(tmp_path / "r.xlsx"), **{"docProps/core.xml": xxe})


def _utf16_doctype_in_shared_strings(tmp_path: Path) -> Path:
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE sst [<!ENTITY a "b">]><sst/>'
    return _rewritten(_register_book(tmp_path / "r.xlsx"),
                      **{"xl/sharedStrings.xml": codecs.BOM_UTF16_LE + xml.encode("utf-16-le")})


def _ods(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        out.writestr("content.xml", "<office:document-content/>")
    return path


def _docx(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("word/document.xml", "<w:document/>")
    return path


@pytest.mark.parametrize("make, words", [
    (_bomb, 'its part xl/worksheets/sheet1.xml would expand'),
    (_many_parts_bomb, "would expand to 1,049 MB, more than the 1,024 MB evalkit reads from a workbook"),
    (_lying_sizes, "its part xl/worksheets/sheet1.xml is damaged or cut short"),
    (_too_many_parts, "has 10,010 parts, more than the 10,000"),
    (_cut_sheet, 'hostile.xlsx, sheet "Taul1": is not a readable sheet: its XML is damaged or cut short'),
    (_cut_file, "is not a readable .xlsx workbook: the zip archive is damaged or cut short"),
    (_laughs_in_sheet, "its part xl/worksheets/sheet1.xml declares a DTD"),
    (_external_entity_in_properties, "its part docProps/core.xml declares a DTD"),
    (_utf16_doctype_in_shared_strings, "its part xl/sharedStrings.xml declares a DTD"),
    (_ods, "is an OpenDocument spreadsheet (.ods), not .xlsx"),
    (_docx, "is a zip archive but not an .xlsx workbook"),
], ids=["zip-bomb", "many-parts-bomb", "lying-sizes", "too-many-parts", "cut-sheet", "cut-file", "billion-laughs",
        "xxe", "utf16-dtd", "ods", "docx"])
def test_a_hostile_or_broken_workbook_is_one_line_in_bounded_memory_and_seconds(tmp_path, make, words):
    path = make(tmp_path)
    assert path.stat().st_size < 10 << 20
    # The same file as the register and as the employer file: one line each.
    done = run_bounded("validate", str(path), "--as-of", "2023-12-31", "--employers", str(path), timeout=30)
    assert_refused(done, lines=2)
    assert [words in line for line in done.stderr.splitlines()] == [True, True], done.stderr


# ---------------------------------------------------------------- identity codes outside the cells

CODE = "131052-308T"   # valid: 131052308 mod 31 = 26 -> "T"
HETU_WORDS = "holds a Finnish personal identity code (henkilötunnus)"


def _book_with(tmp_path: Path, change) -> Path:
    """The valid register with one thing added by ``change(book, sheet)``, as openpyxl saves it."""
    import openpyxl

    path = _register_book(tmp_path / "plain.xlsx")
    book = openpyxl.load_workbook(path)
    change(book, book["Taul1"])
    target = tmp_path / "r.xlsx"
    book.save(target)
    return target


def _comment(text, author="Liisa"):
    from openpyxl.comments import Comment
    return lambda book, sheet: setattr(sheet["B2"], "comment", Comment(text, author))


def _property(name, value):
    return lambda book, sheet: setattr(book.properties, name, value)


def _custom_property(book, sheet):
    from openpyxl.packaging.custom import StringProperty
    book.custom_doc_props.append(StringProperty(name="asiakas", value=f"asiakas {CODE}"))


def _header(book, sheet):
    sheet.oddHeader.left.text = CODE


def _footer(book, sheet):
    sheet.evenFooter.center.text = f"Tulostettu asiakkaalle {CODE}"


def _defined_name(book, sheet):
    from openpyxl.workbook.defined_name import DefinedName
    book.defined_names["asiakas"] = DefinedName("asiakas", attr_text=f'"{CODE}"')


def _link_target(book, sheet):
    sheet["C2"].hyperlink = f"https://asiakas.example.fi/?id={CODE}"


def _link_tooltip(book, sheet):
    from openpyxl.worksheet.hyperlink import Hyperlink
    sheet["C2"].hyperlink = Hyperlink(ref="C2", location="Taul1!A1", tooltip=f"ks. {CODE}")


def _drop_down(book, sheet):
    from openpyxl.worksheet.datavalidation import DataValidation
    validation = DataValidation(type="list", formula1=f'"muu,{CODE}"')
    sheet.add_data_validation(validation)
    validation.add("C2")


def _input_prompt(book, sheet):
    from openpyxl.worksheet.datavalidation import DataValidation
    validation = DataValidation(type="whole", prompt=f"esim. {CODE}", showInputMessage=True)
    sheet.add_data_validation(validation)
    validation.add("F2")


def _formula_elsewhere(book, sheet):
    book.create_sheet("Laskenta")["A1"] = f'=IF(Taul1!A2="{CODE}",1,0)'


@pytest.mark.parametrize("change, part, place", [
    (_comment(f"Asiakas {CODE} soitti"), "xl/comments/comment1.xml", "a cell comment"),
    (_comment("huom", author=CODE), "xl/comments/comment1.xml", "a cell comment"),
    (_property("creator", CODE), "docProps/core.xml", "the document properties"),
    (_property("title", CODE.replace("-", "\u2013")), "docProps/core.xml", "the document properties"),
    (_custom_property, "docProps/custom.xml", "the document properties"),
    (_header, SHEET, 'print header or footer, hyperlink, drop-down list (data validation), filter or other '
                     'setting of a sheet on sheet "Taul1"'),
    (_footer, SHEET, "print header or footer"),
    (_defined_name, "xl/workbook.xml", "defined names"),
    (_link_target, "xl/worksheets/_rels/sheet1.xml.rels", 'a hyperlink target (Insert > Link) on sheet "Taul1"'),
    (_link_tooltip, SHEET, "hyperlink"),
    (_drop_down, SHEET, "drop-down list (data validation)"),
    (_input_prompt, SHEET, "drop-down list (data validation)"),
    (_formula_elsewhere, "xl/worksheets/sheet2.xml", 'a formula, print header or footer, hyperlink, drop-down '
                                                     'list (data validation), filter or other setting of a sheet '
                                                     'on sheet "Laskenta"'),
], ids=["comment", "comment-author", "creator", "title-en-dash", "custom-property", "print-header",
        "print-footer", "defined-name", "hyperlink-target", "hyperlink-tooltip", "drop-down-list",
        "input-prompt", "formula-on-another-sheet"])
def test_a_code_outside_the_cells_is_refused_naming_where_it_is(tmp_path, change, part, place):
    path = _book_with(tmp_path, change)
    found = problems_of(path)
    assert len(found) == 1, found
    assert found[0].startswith("r.xlsx: ") and place in found[0] and f"(part {part}) {HETU_WORDS}" in found[0]
    assert CODE not in found[0] and CODE.replace("-", "\u2013") not in found[0]


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                       b'officedocument.spreadsheetml.sharedStrings+xml"/>')


@pytest.mark.parametrize("make, part", [
    # A comment whose code is split into two formatting runs (one bold), as Excel stores it.
    (lambda tmp: _rewritten(_book_with(tmp, _comment("XMARKX")), **{"xl/comments/comment1.xml": lambda xml: xml.replace(
        b"<t>XMARKX</t>", b'<r><t>asiakas 1310</t></r><r><rPr><b/></rPr><t xml:space="preserve">52-308T</t></r>')}),
     "xl/comments/comment1.xml"),
    # A title written with a character reference for the hyphen.
    (lambda tmp: _rewritten(_book_with(tmp, _property("title", "XMARKX")), **{"docProps/core.xml": lambda xml:
                            xml.replace(b"XMARKX", b"131052&#45;308T")}), "docProps/core.xml"),
    # A text no cell shows any more (a deleted cell's), left in the shared strings.
    (lambda tmp: _rewritten(_register_book(tmp / "r.xlsx"), **{
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}"><si><t>{CODE}</t></si></sst>'.encode(),
        "[Content_Types].xml": lambda xml: xml.replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")}),
     "xl/sharedStrings.xml"),
    # A sheet part that no sheet list names (openpyxl never reads it): its cells are searched too.
    (lambda tmp: _rewritten(_register_book(tmp / "r.xlsx"), **{"xl/worksheets/sheet9.xml": (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        f'<c r="A1" t="inlineStr"><is><t>{CODE}</t></is></c></row></sheetData></worksheet>').encode()}),
     "xl/worksheets/sheet9.xml"),
    # A text box in a drawing.
    (lambda tmp: _rewritten(_register_book(tmp / "r.xlsx"), **{"xl/drawings/drawing1.xml": (
        '<xdr:wsDr xmlns:xdr="x" xmlns:a="a"><xdr:sp><xdr:txBody><a:p><a:r><a:rPr lang="fi-FI"/>'
        f'<a:t>{CODE}</a:t></a:r></a:p></xdr:txBody></xdr:sp></xdr:wsDr>').encode()}), "xl/drawings/drawing1.xml"),
], ids=["comment-split-in-runs", "character-reference", "unused-shared-string", "unlisted-sheet", "text-box"])
def test_a_code_hidden_in_the_packages_xml_is_found_too(tmp_path, make, part):
    found = problems_of(make(tmp_path))
    assert len(found) == 1 and f"(part {part}) {HETU_WORDS}" in found[0], found
    assert CODE not in found[0]


def test_the_same_places_without_a_code_are_read(tmp_path):
    # Comments, properties, headers, names, links and drop-downs with ordinary text (a phone
    # number, a date) leave the register as it is.
    def ordinary(book, sheet):
        for change in (_comment("soita 040 123 4567 viimeistään 13.10.2052"), _property("creator", "Liisa Virtanen")):
            change(book, sheet)
        sheet.oddHeader.left.text = "Rekisteri 2023"
        sheet["C2"].hyperlink = "https://example.fi/ohje"
        book.create_sheet("Laskenta")["A1"] = "=1+1"
    register = load_register(_book_with(tmp_path, ordinary), AS_OF)
    assert register["person_id"].tolist() == ["p1", "p2", "p3"]


def test_a_pilot_report_refuses_a_workbook_with_a_code_in_a_comment_and_copies_nothing(tmp_path):
    path = _book_with(tmp_path, _comment(f"Asiakas {CODE}"))
    out = tmp_path / "report"
    done = run_bounded("pilot", "lappi", "--data", str(path), "--as-of", "2023-12-31", "--out", str(out),
                       "--no-pdf", timeout=60)
    assert_refused(done, "r.xlsx: a cell comment or note (part xl/comments/comment1.xml)")
    assert CODE not in done.stderr + done.stdout
    assert not out.exists() and not list(tmp_path.glob(".report-building-*"))


def test_a_code_in_a_shared_string_a_cell_shows_is_reported_once_by_its_cell(tmp_path):
    # As Excel stores text: cell A3 refers to shared string 0, which holds the code.
    path = _rewritten(_register_book(tmp_path / "r.xlsx"), **{
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}"><si><t>{CODE}</t></si></sst>'.encode(),
        "[Content_Types].xml": lambda xml: xml.replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>"),
        SHEET: lambda xml: xml.replace(b'<c r="A3" t="inlineStr"><is><t>p2</t></is></c>',
                                       b'<c r="A3" t="s"><v>0</v></c>')})
    found = problems_of(path)
    assert len(found) == 1 and found[0].startswith('hostile.xlsx, sheet "Taul1": line 3: column person_id: '
                                                   + HETU_WORDS), found


def test_more_cells_than_the_bound_are_refused_before_they_are_parsed(tmp_path, monkeypatch):
    # The bound lowered to 1,000 so that the file stays small: 1,500 empty cells, and no filled one
    # beyond the register's own 3 x 15 + 15 (which the bound alone would never refuse).
    from evalkit.register import xlsx_package

    monkeypatch.setattr(xlsx_package, "MAX_CELLS", 1000, raising=False)
    empty = b"".join(f'<c r="{column}5"/>'.encode() for column in ("A", "B", "C") * 500)
    row = b'<row r="5">' + empty + b"</row></sheetData>"
    path = _rewritten(_register_book(tmp_path / "r.xlsx"), **{SHEET: lambda xml: xml.replace(b"</sheetData>", row)})
    assert problems_of(path) == ["hostile.xlsx: holds more than 1,000 cells in its sheets, more than a register of "
                                 "Excel's full size; save the register as CSV UTF-8"]
