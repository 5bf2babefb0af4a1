"""Spreadsheet and CSV variants people really hand in: each is read right, or refused with the
file (and sheet), line and column, never a traceback and never an identity code printed.

Expected values are read off the small files written here (by hand), not asked of evalkit.
"""
from __future__ import annotations

import codecs
import datetime as dt
import math
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from evalkit.errors import InputError
from evalkit.indicators import compute_indicators
from evalkit.register import load_employers, load_register
from register_rows import BASE, COLUMNS, HEADER, row, write_register

AS_OF = dt.date(2023, 12, 31)
HETU_WORDS = "holds a Finnish personal identity code (henkilötunnus)"


def _hetu(birth: str, sign: str, individual: str) -> str:
    # The check character by the rule written out here: "0123…Y"[DDMMYYNNN mod 31].
    return f"{birth}{sign}{individual}" + "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(birth + individual) % 31]


def problems_of(path, **kwargs) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_register(path, AS_OF, **kwargs)
    return [str(p) for p in caught.value.problems]


def values(**changes) -> list:
    return [{**BASE, **changes}[c] for c in COLUMNS]


def line(separator: str, **changes) -> str:
    return separator.join(values(**changes))


def workbook(path: Path, *sheets: tuple[str, list[list]]) -> Path:
    import openpyxl
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for cells in rows:
            sheet.append(cells)
    book.save(path)
    return path


# ---------------------------------------------------------------- identity codes that used to escape

def test_code_on_a_second_sheet_is_refused_naming_that_sheet(tmp_path):
    code = _hetu("131052", "-", "308")
    path = workbook(tmp_path / "r.xlsx", ("Rekisteri", [COLUMNS, values()]),
                    ("Muistiinpanot", [["huom"], [None, None], [None, f"asiakas {code}"]]))
    found = problems_of(path)
    assert found == [f'r.xlsx, sheet "Muistiinpanot": line 3: column B: {HETU_WORDS}; only '
                     "pseudonymous identifiers may enter evalkit (the value is not shown)"]


def test_code_right_of_the_last_header_is_refused(tmp_path):
    # Second variant: the code is in the first sheet, in column P (16), which has no header.
    code = _hetu("010199", "A", "123")
    path = workbook(tmp_path / "r.xlsx", ("Taul1", [COLUMNS, values(), values(person_id="p2") + [code]]))
    found = problems_of(path)
    assert found == [
        'r.xlsx, sheet "Taul1": line 1: column P: has no name in the header row but holds values, '
        "first on line 3; name the column or delete it",
        f'r.xlsx, sheet "Taul1": line 3: column #P: {HETU_WORDS}; only pseudonymous identifiers '
        "may enter evalkit (the value is not shown)"]
    assert code not in "\n".join(found)


def test_a_code_in_a_sheet_name_or_file_name_is_never_printed(tmp_path):
    # Third variant: the sheet's name (named in every message) or the file's name holds a code.
    code = _hetu("241224", "A", "912")
    path = workbook(tmp_path / "r.xlsx", ("Data", [COLUMNS, values(age="12")]), (code, [["x"]]))
    found = problems_of(path)
    assert len(found) == 2 and code not in "\n".join(found)
    assert found[0].startswith('r.xlsx, sheet "Data": line 2: column age:')
    assert found[1] == (f"r.xlsx, sheet 2: the sheet name {HETU_WORDS}; only pseudonymous identifiers "
                        "may enter evalkit (the value is not shown)")
    named = write_register(tmp_path, row(), name=f"{code}.csv")
    assert problems_of(named) == [f"(file name not shown): the file name {HETU_WORDS}; only pseudonymous "
                                  "identifiers may enter evalkit (the value is not shown); rename the file"]


def test_a_workbook_whose_first_sheet_is_empty_reads_the_next_one_and_names_it(tmp_path):
    path = workbook(tmp_path / "r.xlsx", ("Kansi", []), ("Data", [COLUMNS, values(age="12")]))
    assert problems_of(path)[0].startswith('r.xlsx, sheet "Data": line 2: column age: ')


@pytest.mark.parametrize("dash", ["\u2013", "\u2014", "\u2212", "\u2011", "\uff0d"])
def test_codes_typed_with_a_look_alike_dash_are_refused_and_never_printed(tmp_path, dash):
    # 131052-308T is valid (check character T = 131052308 mod 31 = 26); a word processor turns
    # the hyphen into an en dash, a minus sign or a non-breaking hyphen.
    code = "131052" + dash + "308T"
    # The same person twice: the duplicate message used to quote the code.
    path = write_register(tmp_path, row(person_id=code), row(person_id=code),
                          row(person_id="p3", service=f"Ohjaus {code.lower()} tehty"))
    found = problems_of(path)
    assert [p.split(": ")[1:3] for p in found] == [
        ["line 2", "column person_id"], ["line 3", "column person_id"], ["line 4", "column service"]]
    assert all(HETU_WORDS in p for p in found)
    text = "\n".join(found)
    assert code not in text and "308" not in text


def test_full_width_digits_are_read_as_digits(tmp_path):
    # Second variant: an East Asian input method types full-width digits and letters.
    code = "".join(chr(ord(c) + 0xFEE0) for c in "131052-308T")   # U+FF11 …
    found = problems_of(write_register(tmp_path, row(service=code)))
    assert len(found) == 1 and HETU_WORDS in found[0]


# ---------------------------------------------------------------- formulas without a saved value

def _status_book(path: Path, formula_cell: str) -> Path:
    """Five people followed up at 3 months: two employed in the open market by hand, the second
    one's status written as a formula."""
    rows = [COLUMNS]
    statuses = ["employed_open", formula_cell, "unemployed", "unemployed", "training"]
    for i, status in enumerate(statuses, start=1):
        rows.append(values(person_id=f"p{i}", status_3m=status, status_6m="", cost_eur=""))
    return workbook(path, ("Taul1", rows))


def test_formula_with_no_saved_value_is_refused_with_line_and_column(tmp_path):
    path = _status_book(tmp_path / "r.xlsx", '="employed_"&"open"')
    assert problems_of(path) == [
        'r.xlsx, sheet "Taul1": line 3: column status_3m: is a formula with no saved value (the '
        "file was written by a program that does not calculate formulas): open and save the file "
        "in Excel, or paste values"]


def test_formula_in_a_required_number_column_is_refused_once(tmp_path):
    # Second variant: a computed age; it must not also be reported as "is empty".
    path = workbook(tmp_path / "r.xlsx", ("Taul1", [COLUMNS, values(), values(person_id="p2", age="=30+4")]))
    found = problems_of(path)
    assert len(found) == 1 and "line 3: column age: is a formula with no saved value" in found[0]


def _saved_by_a_spreadsheet(path: Path, cached: str) -> Path:
    """What Excel or LibreOffice writes: the formula with its last value, and no request to
    recalculate on opening (done here by editing the XML openpyxl wrote)."""
    patched = path.with_name("saved.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b' fullCalcOnLoad="1"', b"")
            if item.filename == "xl/worksheets/sheet1.xml":
                # The empty value is <v /> or <v/> or <v></v>, as the XML writer openpyxl finds has it.
                data, found = re.subn(rb"<v\s*/>|<v></v>", f"<v>{cached}</v>".encode(), data)
                assert found == 1
                data = data.replace(b"<c r=\"L3\"><f>", b"<c r=\"L3\" t=\"str\"><f>")
            target.writestr(item, data)
    return patched


def test_formula_with_a_saved_value_reads_that_value(tmp_path):
    # The same workbook as saved by a spreadsheet program: 2 of 5 employed in the open market.
    path = _saved_by_a_spreadsheet(_status_book(tmp_path / "r.xlsx", '="employed_"&"open"'), "employed_open")
    register = load_register(path, AS_OF)
    assert register["status_3m"].astype(str).tolist() == ["employed_open", "employed_open", "unemployed",
                                                          "unemployed", "training"]
    rates = compute_indicators(register, AS_OF, {"lappi": 1000})
    rate = rates[(rates.pilot_id == "lappi") & (rates.indicator == "open_employment_rate")
                 & (rates.horizon_months == 3)].iloc[0]
    assert (rate.numerator, rate.denominator) == (2, 5)


# ---------------------------------------------------------------- encodings

def test_a_windows_1252_line_appended_to_utf8_is_read_line_by_line(tmp_path):
    # Lines 2–3 UTF-8, line 4 Windows-1252 (Notepad or old Excel appended it). Decoding the
    # whole file as Windows-1252 used to turn every "ö" of lines 2–3 into "Ã¶".
    utf8 = "\n".join([HEADER, row(person_id="pö1", service="Työkokeilu"),
                      row(person_id="pä2", service="Työkokeilu")]) + "\n"
    legacy = row(person_id="på3", service="Työhönvalmennus") + "\n"
    path = tmp_path / "participants.csv"
    path.write_bytes(utf8.encode("utf-8") + legacy.encode("cp1252"))
    register = load_register(path, AS_OF)
    assert register["person_id"].tolist() == ["pö1", "pä2", "på3"]
    assert register["service"].tolist() == ["Työkokeilu", "Työkokeilu", "Työhönvalmennus"]


def test_the_same_person_in_both_encodings_is_one_person(tmp_path):
    # Second variant: the Windows-1252 line comes first and repeats a UTF-8 line's person; read
    # right, it is a duplicate within the pilot (before, two different mangled names).
    path = tmp_path / "participants.csv"
    path.write_bytes((HEADER + "\n").encode() + (row(person_id="Pöllö") + "\n").encode("cp1252")
                     + (row(person_id="Pöllö") + "\n").encode("utf-8"))
    found = problems_of(path)
    assert [p.split(": ")[1:4] for p in found] == [
        ["line 2", "column person_id", "'Pöllö' appears more than once in pilot lappi (also on line 3); allowed"],
        ["line 3", "column person_id", "'Pöllö' appears more than once in pilot lappi (also on line 2); allowed"]]


def test_a_line_that_is_neither_utf8_nor_windows_1252_is_named(tmp_path):
    path = tmp_path / "participants.csv"
    path.write_bytes((HEADER + "\n" + row() + "\n").encode() + b"p2,lappi,\x81\x8d,x\n")
    assert problems_of(path) == ["participants.csv: line 3: cannot be read as text: neither UTF-8 "
                                 "nor Windows-1252; save the file as CSV UTF-8"]


# ---------------------------------------------------------------- shifted and misnamed columns

def test_an_unquoted_comma_in_the_first_row_is_one_message_for_that_line(tmp_path):
    path = write_register(tmp_path, row(service="Ohjaus, ryhmä"), row(person_id="p2"))
    assert problems_of(path) == ["participants.csv: line 2: has 16 fields but the header has 15; "
                                 "check the separators and quotes on this line"]


def test_an_extra_semicolon_in_a_finnish_excel_file_names_its_line(tmp_path):
    # Second variant: semicolons; the extra separator is in the cost of the second data line.
    lines = [HEADER.replace(",", ";"), line(";"), line(";", person_id="p2", cost_eur="1200;50")]
    path = tmp_path / "participants.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert problems_of(path) == ["participants.csv: line 3: has 16 fields but the header has 15; "
                                 "check the separators and quotes on this line"]


@pytest.mark.parametrize("quoted", [False, True])
def test_trailing_columns_with_no_name_and_no_values_are_ignored(tmp_path, quoted):
    # "H,," as Excel writes a sheet where two columns right of the table were once used.
    service = '"Ohjaus, ryhmä"' if quoted else "Ohjaus"
    path = write_register(tmp_path, row(service=service) + ",,", row(person_id="p2") + ",,",
                          header=HEADER + ",,")
    register = load_register(path, AS_OF)
    assert register["service"].tolist() == ["Ohjaus, ryhmä" if quoted else "Ohjaus", "coaching"]


@pytest.mark.parametrize("quoted", [False, True])
def test_a_column_with_no_name_but_values_is_named_by_position(tmp_path, quoted):
    service = '"Ohjaus"' if quoted else "Ohjaus"
    path = write_register(tmp_path, row(service=service) + ",,", row(person_id="p2") + ",,muistiinpano",
                          header=HEADER + ",,")
    assert problems_of(path) == ["participants.csv: line 1: column 17: has no name in the header row "
                                 "but holds values, first on line 3; name the column or delete it"]


@pytest.mark.parametrize("quoted", [False, True])
def test_a_repeated_column_name_is_named_once(tmp_path, quoted):
    service = '"Ohjaus"' if quoted else "Ohjaus"
    path = write_register(tmp_path, row(service=service) + ",34", header=HEADER + ",age")
    assert problems_of(path) == ["participants.csv: line 1: column age: appears twice (columns 6 and "
                                 "16); keep one of them"]


def test_repeated_and_unnamed_columns_in_a_workbook_use_its_letters(tmp_path):
    # Second variant: in a workbook a name is repeated and a column inside the table has no name.
    header = COLUMNS[:3] + [""] + COLUMNS[3:] + ["sex"]
    cells = values()
    cells = cells[:3] + ["x"] + cells[3:] + ["F"]
    path = workbook(tmp_path / "r.xlsx", ("Taul1", [header, cells]))
    assert problems_of(path) == [
        'r.xlsx, sheet "Taul1": line 1: column D: has no name in the header row but holds values, '
        "first on line 2; name the column or delete it",
        'r.xlsx, sheet "Taul1": line 1: column sex: appears twice (columns H and Q); keep one of them']


def test_employer_file_gets_the_same_column_rules(tmp_path):
    path = tmp_path / "employers.csv"
    path.write_text("pilot_id,employer_id,interested,coached,hires,hires,\nlappi,e1,1,0,2,2,\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_employers(path)
    assert [str(p) for p in caught.value.problems] == [
        "employers.csv: line 1: column hires: appears twice (columns 5 and 6); keep one of them"]


# ---------------------------------------------------------------- numbers no register holds

def _parquet(path: Path, **columns) -> Path:
    frame = pd.DataFrame([{**BASE, "person_id": f"p{i}"} for i in range(3)])
    for name, cells in columns.items():
        frame[name] = cells
    frame.to_parquet(path)
    return path


def test_parquet_infinite_and_huge_numbers_are_quoted_as_in_the_file(tmp_path):
    path = _parquet(tmp_path / "r.parquet", cost_eur=[10.5, math.inf, 1e20], age=[34.0, 1e20, 40.0])
    assert problems_of(path) == [
        "r.parquet: line 3: column age: '1e+20' is a number in exponent form (a spreadsheet shows a "
        "very long number so); write the number out in digits; allowed: a whole number from 15 to 74 "
        "(age at start)",
        "r.parquet: line 3: column cost_eur: 'inf' is not a finite number; allowed: empty or a number "
        "of euros, 0 or more",
        "r.parquet: line 4: column cost_eur: '1e+20' is a number in exponent form (a spreadsheet shows "
        "a very long number so); write the number out in digits; allowed: empty or a number of euros, "
        "0 or more"]


def test_huge_whole_numbers_in_csv_and_parquet_are_refused_not_wrapped(tmp_path):
    # Second variant: a 20-digit age in a CSV (crashed before), minus infinity and a 64-bit
    # integer in a Parquet file; NaN is an empty cell (allowed for cost_eur).
    csv_path = write_register(tmp_path, row(age="12345678901234567890"))
    assert problems_of(csv_path) == ["participants.csv: line 2: column age: '12345678901234567890' is "
                                     "far too large; allowed: a whole number from 15 to 74 (age at start)"]
    path = _parquet(tmp_path / "r.parquet", cost_eur=[-math.inf, math.nan, 5.0],
                    unemployment_months=pd.array([3, 2 ** 62, 4], dtype="int64"))
    assert problems_of(path) == [
        "r.parquet: line 2: column cost_eur: '-inf' is not a finite number; allowed: empty or a "
        "number of euros, 0 or more",
        f"r.parquet: line 3: column unemployment_months: '{2 ** 62}' is far too large; allowed: a "
        "whole number of months, 0 or more"]


# ---------------------------------------------------------------- what Excel writes

def test_excel_sep_line_names_the_separator_and_lines_still_follow_the_file(tmp_path):
    path = tmp_path / "participants.csv"
    lines = ["sep=;", HEADER.replace(",", ";"), line(";", cost_eur="1200,50"),
             line(";", person_id="p2", age="12", cost_eur="")]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    assert problems_of(path) == ["participants.csv: line 4: column age: '12' is not allowed; allowed: "
                                 "a whole number from 15 to 74 (age at start)"]
    path.write_text("\r\n".join(lines[:3]) + "\r\n", encoding="utf-8-sig")
    assert load_register(path, AS_OF)["cost_eur"].tolist() == [1200.5]


def test_excel_unicode_text_utf16_tab_separated_is_read(tmp_path):
    # Excel's "Unicode text": UTF-16 little-endian with a byte-order mark, tabs, CRLF, decimal comma.
    path = tmp_path / "participants.txt"
    lines = [HEADER.replace(",", "\t"), line("\t", service="Työkokeilu", cost_eur="1200,5")]
    path.write_bytes(codecs.BOM_UTF16_LE + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))
    register = load_register(path, AS_OF)
    assert register["service"].tolist() == ["Työkokeilu"] and register["cost_eur"].tolist() == [1200.5]


def test_tab_separated_utf8_and_big_endian_utf16_are_read(tmp_path):
    # Second variant: a plain TSV (decimal point) and UTF-16 big-endian with its mark.
    lines = [HEADER.replace(",", "\t"), line("\t", service="Ohjaus, ryhmä"), line("\t", person_id="p2")]
    tsv = tmp_path / "participants.tsv"
    tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load_register(tsv, AS_OF)["service"].tolist() == ["Ohjaus, ryhmä", "coaching"]
    big = tmp_path / "participants-be.txt"
    big.write_bytes(codecs.BOM_UTF16_BE + ("\n".join(lines) + "\n").encode("utf-16-be"))
    assert load_register(big, AS_OF)["cost_eur"].tolist() == [1200.5, 1200.5]


def test_renamed_files_still_read_by_content(tmp_path):
    source = write_register(tmp_path, row())
    shutil.copy(source, tmp_path / "participants.xlsx.txt")
    assert len(load_register(tmp_path / "participants.xlsx.txt", AS_OF)) == 1


# ---------------------------------------------------------------- what a sheet's layout hides

def _five_people(path: Path, title: str = "Taul1") -> Path:
    """The five people of _status_book, written by hand: statuses at 3 months p1..p5."""
    statuses = ["employed_open", "employed_open", "unemployed", "unemployed", "training"]
    rows = [COLUMNS] + [values(person_id=f"p{i}", status_3m=s, status_6m="", cost_eur="")
                        for i, s in enumerate(statuses, start=1)]
    return workbook(path, (title, rows))


def test_merged_cells_are_refused_not_read_as_empty(tmp_path):
    import openpyxl

    path = _five_people(tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    letter = openpyxl.utils.get_column_letter(COLUMNS.index("status_3m") + 1)
    # p1 and p2 both employed_open: merged to look grouped, the second cell is emptied by Excel.
    book["Taul1"].merge_cells(f"{letter}2:{letter}3")
    book.save(path)
    assert problems_of(path) == [
        f'r.xlsx, sheet "Taul1": line 2: column status_3m: cells {letter}2:{letter}3 are merged: a merged range '
        "keeps its value in its first cell only, and the others would be read as empty; unmerge it and fill "
        "every cell"]


def test_hidden_rows_and_columns_of_the_table_are_refused(tmp_path):
    import openpyxl

    path = _five_people(tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    book["Taul1"].row_dimensions[4].hidden = True
    letter = openpyxl.utils.get_column_letter(COLUMNS.index("service") + 1)
    book["Taul1"].column_dimensions[letter].hidden = True
    book.save(path)
    found = problems_of(path)
    assert 'r.xlsx, sheet "Taul1": line 4: is a hidden row, which would be read as data although nobody sees ' \
           "it; unhide it, or delete it" in found
    assert any(p.startswith('r.xlsx, sheet "Taul1": line 1: column service: is a hidden column') for p in found)
    assert len(found) == 2


def test_a_hidden_first_sheet_is_refused_not_read_in_place_of_the_visible_one(tmp_path):
    import openpyxl

    path = workbook(tmp_path / "r.xlsx", ("vanha", [COLUMNS, values(person_id="old")]),
                    ("Taul1", [COLUMNS, values()]))
    book = openpyxl.load_workbook(path)
    book["vanha"].sheet_state = "hidden"
    book.save(path)
    assert problems_of(path) == [
        'r.xlsx, sheet "vanha": is hidden, and it is the first sheet that holds anything, which is the one read '
        "as the register; unhide it, or move the register to the first sheet"]


def test_layout_outside_the_table_is_no_matter(tmp_path):
    import openpyxl

    path = _five_people(tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    book["Taul1"].merge_cells("AA10:AB10")          # empty cells far right of the table
    book["Taul1"].row_dimensions[40].hidden = True    # an empty hidden row below it
    book.save(path)
    frame = load_register(path, AS_OF)
    assert len(frame) == 5
    employed = compute_indicators(frame, AS_OF, {})
    row = employed[(employed["pilot_id"] == "all") & (employed["indicator"] == "open_employment_rate")
                   & (employed["horizon_months"] == 3)].iloc[0]
    assert (row["numerator"], row["denominator"]) == (2, 5)


def test_carriage_returns_alone_as_line_ends_are_one_line_saying_so(tmp_path):
    # An old Mac "CSV (Macintosh)" export: read as one line it was a header of every cell, no rows,
    # and hundreds of messages about repeated columns.
    path = tmp_path / "r.csv"
    path.write_bytes("\r".join([HEADER, line(","), line(",", person_id="p2")]).encode() + b"\r")
    assert problems_of(path) == ["r.csv: ends its lines with a carriage return alone (an old Mac 'CSV "
                                 "(Macintosh)' export); save it as 'CSV UTF-8 (comma delimited)'"]


def test_a_nul_byte_is_named_by_its_line_and_a_long_quoted_text_reads_as_an_unquoted_one(tmp_path):
    text = "\n".join([HEADER, line(","), line(",", person_id="p2", service="a\x00b")]) + "\n"
    (tmp_path / "nul.csv").write_bytes(text.encode())
    assert problems_of(tmp_path / "nul.csv") == ["nul.csv: line 3: holds a NUL byte, so it is not a text table "
                                                 "(binary content); give a CSV, .xlsx or .parquet file"]
    # 200,000 characters of service text: read unquoted, so quoted too (the csv module stopped at 128 KiB).
    long = "x" * 200_000
    for name, service in (("plain.csv", long), ("quoted.csv", f'"{long}, quoted"')):
        path = tmp_path / name
        path.write_text("\n".join([HEADER, line(",", service=service)]) + "\n", encoding="utf-8")
        assert len(load_register(path, AS_OF)["service"].iloc[0]) >= 200_000
