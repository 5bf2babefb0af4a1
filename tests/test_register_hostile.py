"""Hostile, broken and wrong-format files: each refused in one line, exit 2, in bounded memory
and seconds, never an internal error or a traceback, and never an identity code printed.

The hostile files are made here, small, by hand (their sizes and ratios are asserted, not assumed).
CLI cases run in a fresh interpreter under a 1 GiB address-space cap (``bounded.run_bounded``).
"""
from __future__ import annotations

import codecs
import datetime as dt

import pytest

from bounded import assert_refused, run_bounded
from evalkit.errors import InputError
from evalkit.register import load_employers, load_register
from register_rows import HEADER

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
