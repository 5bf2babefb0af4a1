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
    (_too_many_parts, "has 10,010 parts, more than the 10,000"),
    (_cut_sheet, 'hostile.xlsx, sheet "Taul1": is not a readable sheet: its XML is damaged or cut short'),
    (_cut_file, "is not a readable .xlsx workbook: the zip archive is damaged or cut short"),
    (_laughs_in_sheet, "its part xl/worksheets/sheet1.xml declares a DTD"),
    (_external_entity_in_properties, "its part docProps/core.xml declares a DTD"),
    (_utf16_doctype_in_shared_strings, "its part xl/sharedStrings.xml declares a DTD"),
    (_ods, "is an OpenDocument spreadsheet (.ods), not .xlsx"),
    (_docx, "is a zip archive but not an .xlsx workbook"),
], ids=["zip-bomb", "many-parts-bomb", "too-many-parts", "cut-sheet", "cut-file", "billion-laughs", "xxe",
        "utf16-dtd", "ods", "docx"])
def test_a_hostile_or_broken_workbook_is_one_line_in_bounded_memory_and_seconds(tmp_path, make, words):
    path = make(tmp_path)
    assert path.stat().st_size < 10 << 20
    # The same file as the register and as the employer file: one line each.
    done = run_bounded("validate", str(path), "--as-of", "2023-12-31", "--employers", str(path), timeout=30)
    assert_refused(done, lines=2)
    assert [words in line for line in done.stderr.splitlines()] == [True, True], done.stderr
