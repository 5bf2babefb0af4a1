"""Every refusal of load_register / load_employers: feed the bad file, check the message.

Messages name the file, the line (header = 1) and the column; henkilötunnus values are never
printed. Valid codes below are computed by the check-character rule in ``_hetu`` (a second route
to the one in evalkit.register.hetu: arithmetic written out here).
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.cli import main
from evalkit.errors import InputError
from evalkit.register import load_employers, load_register
from evalkit.register.hetu import HETU_MESSAGE, is_valid_hetu
from register_rows import HEADER, row, write_register

AS_OF = dt.date(2023, 12, 31)
ROOT = Path(__file__).resolve().parents[1]


def _hetu(birth: str, sign: str, individual: str) -> str:
    return f"{birth}{sign}{individual}" + "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(birth + individual) % 31]


def problems_of(path, as_of=AS_OF, **kwargs) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_register(path, as_of, **kwargs)
    return [str(p) for p in caught.value.problems]


def only_problem(path, **kwargs) -> str:
    found = problems_of(path, **kwargs)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("changes, column, words", [
    ({"person_id": ""}, "person_id", "is empty"),
    ({"pilot_id": "lapland"}, "pilot_id", "'lapland' is not allowed; allowed: one of pohjois-pohjanmaa"),
    ({"pilot_id": ""}, "pilot_id", "is empty"),
    ({"start_date": ""}, "start_date", "is empty"),
    ({"age": "14"}, "age", "'14' is not allowed; allowed: a whole number from 15 to 74"),
    ({"age": "75"}, "age", "'75' is not allowed"),
    ({"age": "34.5"}, "age", "'34.5' is not a whole number"),
    ({"age": ""}, "age", "is empty"),
    ({"sex": "X"}, "sex", "'X' is not allowed; allowed: one of F, M, U"),
    ({"basis": "other"}, "basis", "allowed: one of diagnosis, tasmatyo, none"),
    ({"unemployment_months": "-1"}, "unemployment_months", "'-1' is not allowed"),
    ({"unemployment_months": "many"}, "unemployment_months", "'many' is not a whole number"),
    ({"was_start": "11"}, "was_start", "'11' is not allowed; allowed: empty or a whole number from 0 to 10"),
    ({"was_end": "-1"}, "was_end", "'-1' is not allowed"),
    ({"status_3m": "working"}, "status_3m", "'working' is not allowed; allowed: empty or one of employed_open"),
    ({"cost_eur": "-5"}, "cost_eur", "'-5' is not allowed; allowed: empty or a number of euros"),
    ({"cost_eur": '"1200,50"'}, "cost_eur", "decimal comma only in a semicolon-separated file"),
    ({"start_date": "12/31/2021"}, "start_date", "not a date in a form read without guessing"),
    ({"start_date": "10.1.22"}, "start_date", "not a date in a form read without guessing"),
    ({"start_date": "2022-02-30"}, "start_date", "is not a date of the calendar"),
    ({"end_date": "31.2.2022"}, "end_date", "is not a date of the calendar"),
    ({"end_date": "2022-01-01"}, "end_date", "2022-01-01 is before start_date 2022-01-10"),
    ({"end_date": "2024-01-01", "status_3m": "", "status_6m": ""}, "end_date",
     "2024-01-01 is after as_of 2023-12-31"),
    ({"start_date": "2024-01-02", "end_date": "", "status_3m": "", "status_6m": ""}, "start_date",
     "2024-01-02 is after as_of 2023-12-31"),
    # Beyond the nanosecond dates pandas keeps (1677-2262): an internal error before.
    ({"start_date": "0001-01-01"}, "start_date", "'0001-01-01' is not a date between the years 1900 and 2099"),
    ({"end_date": "31.12.9999"}, "end_date", "'31.12.9999' is not a date between the years 1900 and 2099"),
    ({"start_date": "1899-12-31"}, "start_date", "is not a date between the years 1900 and 2099"),
    # Digits other than ASCII ones: one reader took them and another failed with an internal error.
    ({"age": "\uff14\uff10"}, "age", "is not a whole number"),
    ({"unemployment_months": "\u0665"}, "unemployment_months", "is not a whole number"),
    ({"cost_eur": "\u0661\u0660\u0660"}, "cost_eur", "is not a number"),
    ({"start_date": "\u0662\u0660\u0662\u0661-06-01"}, "start_date", "not a date in a form read without guessing"),
])
def test_each_cell_rule(tmp_path, changes, column, words):
    message = only_problem(write_register(tmp_path, row(**changes)))
    assert message.startswith(f"participants.csv: line 2: column {column}: ")
    assert words in message


def test_status_filled_while_in_service(tmp_path):
    message = only_problem(write_register(tmp_path, row(end_date="", status_6m="")))
    assert message == ("participants.csv: line 2: column status_3m: is filled in before the 3-month "
                       "follow-up is due: end_date is empty (still in service); allowed: empty "
                       "until end_date + 3 months <= as_of")


def test_status_before_due_on_the_31st(tmp_path):
    # DateOffset: 2023-08-31 + 3 months = 2023-11-30. Due on as_of 2023-11-30, not on 11-29.
    path = write_register(tmp_path, row(end_date="2023-08-31", status_6m=""))
    assert len(load_register(path, dt.date(2023, 11, 30))) == 1
    message = only_problem(path, as_of=dt.date(2023, 11, 29))
    assert "column status_3m" in message
    assert "end_date 2023-08-31 + 3 months = 2023-11-30 is after as_of 2023-11-29" in message


def test_twelve_month_status_too_early(tmp_path):
    message = only_problem(write_register(tmp_path, row(end_date="2023-01-31",
                                                        status_12m="training")))
    assert "column status_12m" in message and "2023-01-31 + 12 months = 2024-01-31" in message


def test_duplicate_person_within_a_pilot_names_both_lines(tmp_path):
    found = problems_of(write_register(tmp_path, row(), row(person_id="p2"), row()))
    assert found == [
        "participants.csv: line 2: column person_id: 'p1' appears more than once in pilot lappi "
        "(also on line 4); allowed: a pseudonymous identifier, unique within the pilot",
        "participants.csv: line 4: column person_id: 'p1' appears more than once in pilot lappi "
        "(also on line 2); allowed: a pseudonymous identifier, unique within the pilot",
    ]


@pytest.mark.parametrize(("character", "named"), [("\u200b", "U+200B ZERO WIDTH SPACE"),
                                                  ("\u00ad", "U+00AD SOFT HYPHEN"),
                                                  ("\u2060", "U+2060 WORD JOINER")])
def test_an_identifier_with_a_character_that_shows_nothing_is_refused(tmp_path, character, named):
    # 'p1' and 'p1' + U+200B look the same: accepted, they were one person counted twice.
    found = problems_of(write_register(tmp_path, row(), row(person_id="p1" + character)))
    assert found == [
        f"participants.csv: line 3: column person_id: {'p1' + character!r} holds a character that shows nothing "
        f"({named}), so it differs from the same identifier written without it; allowed: a pseudonymous "
        "identifier, unique within the pilot"]


def test_every_problem_in_one_pass(tmp_path):
    found = problems_of(write_register(tmp_path, row(age="12", sex="X"), row(person_id="p2"),
                                       row(person_id="p3", basis="")))
    assert [p.split(": ")[1:3] for p in found] == [
        ["line 2", "column age"], ["line 2", "column sex"], ["line 4", "column basis"]]


def test_missing_and_unknown_columns(tmp_path):
    header = HEADER.replace("sex,", "").replace("cost_eur", "cost_eur,name")
    path = write_register(tmp_path, "x", header=header)
    found = problems_of(path)
    assert any(p.startswith("participants.csv: line 1: column sex: column missing") for p in found)
    assert any(p.startswith("participants.csv: line 1: column name: unknown column") for p in found)


def test_cost_column_is_optional(tmp_path):
    header = HEADER.removesuffix(",cost_eur")
    path = write_register(tmp_path, row().rsplit(",", 1)[0], header=header)
    assert load_register(path, AS_OF)["cost_eur"].isna().all()


@pytest.mark.parametrize("content, words", [
    (b"", "the file is empty"),
    (HEADER.encode() + b"\n", "has a header but no rows"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a text table (binary content)"),
    ("Tämä on muistio, ei taulukko.\nToinen rivi.\n".encode(), "does not look like a participant register"),
    (b"PK\x03\x04broken zip", "is not a readable .xlsx workbook"),
])
def test_files_that_are_not_registers(tmp_path, content, words):
    path = tmp_path / "participants.csv"
    path.write_bytes(content)
    assert words in "\n".join(problems_of(path))


def test_missing_file(tmp_path):
    assert "file not found" in only_problem(tmp_path / "nothing.csv")


def test_lines_with_wrong_field_counts(tmp_path):
    found = problems_of(write_register(tmp_path, row(), row(person_id="p2") + ",extra",
                                       "p3,lappi,short"))
    assert found == [
        "participants.csv: line 3: has 16 fields but the header has 15; check the separators and "
        "quotes on this line",
        "participants.csv: line 4: has 3 fields but the header has 15; check the separators and "
        "quotes on this line",
    ]


def test_short_line_alone(tmp_path):
    message = only_problem(write_register(tmp_path, row(), "p3,lappi,short"))
    assert message.startswith("participants.csv: line 3: has 3 fields")


def test_other_pilots_rows_refused_for_a_pilot_report(tmp_path):
    path = write_register(tmp_path, row(), row(pilot_id="hame"), row(person_id="p3", pilot_id="hame"))
    message = only_problem(path, pilot_id="lappi")
    assert message.startswith("participants.csv: line 3: column pilot_id: 2 row(s) belong to pilot "
                              "hame, first on this line; this run is for pilot lappi only")


# ---------------------------------------------------------------- henkilötunnus

ALL_SIGNS = "+-YXWVUABCDEF"


@pytest.mark.parametrize("sign", list(ALL_SIGNS))
def test_hetu_with_every_century_sign_is_refused_and_never_shown(tmp_path, sign):
    code = _hetu("131052", sign, "308")
    assert is_valid_hetu(code)
    path = write_register(tmp_path, row(person_id=code), row(person_id="p2", service=f"asiakas {code}"))
    found = problems_of(path)
    assert found == [
        "participants.csv: line 2: column person_id: holds a Finnish personal identity code "
        "(henkilötunnus); only pseudonymous identifiers may enter evalkit (the value is not shown)",
        "participants.csv: line 3: column service: holds a Finnish personal identity code "
        "(henkilötunnus); only pseudonymous identifiers may enter evalkit (the value is not shown)",
    ]
    assert code not in "\n".join(found) and code[:6] not in "\n".join(found)


def test_hetu_in_a_numeric_column_is_not_echoed_as_a_bad_number(tmp_path):
    code = _hetu("010199", "-", "123")
    found = problems_of(write_register(tmp_path, row(age=code)))
    assert len(found) == 1 and "column age: holds a Finnish personal identity code" in found[0]
    assert code not in found[0]


@pytest.mark.parametrize("column", ["sex", "age", "status_3m"])
def test_a_code_with_a_wrong_check_character_is_refused_as_a_code_and_never_quoted(tmp_path, column):
    """131052-308U is no valid code (U is not its check character), but it looks like one, and one
    digit mistyped it is still a person's code (CONTRACT: a value that looks like a code is refused)."""
    found = problems_of(write_register(tmp_path, row(**{column: "131052-308U"})))
    assert found and all("131052" not in line for line in found), found
    assert any(f"line 2: column {column}: holds a Finnish personal identity code" in line for line in found), found


def test_hetu_in_header_and_other_formats(tmp_path):
    code = _hetu("241224", "A", "912")
    path = write_register(tmp_path, row(), header=HEADER.replace("cost_eur", code))
    found = "\n".join(problems_of(path))
    assert "line 1: column #15: the column name holds a Finnish personal identity code" in found
    assert code not in found


def test_hetu_in_xlsx_and_parquet(tmp_path):
    import openpyxl
    import pandas as pd
    code = _hetu("311299", "Y", "004")
    from register_rows import BASE, COLUMNS
    book = openpyxl.Workbook()
    book.active.append(COLUMNS)
    book.active.append([code if c == "person_id" else BASE[c] for c in COLUMNS])
    book.save(tmp_path / "r.xlsx")
    pd.DataFrame([{**BASE, "service": code}]).to_parquet(tmp_path / "r.parquet")
    # A workbook's messages name the sheet that was read.
    for name, column in (('r.xlsx, sheet "Sheet"', "person_id"), ("r.parquet", "service")):
        found = problems_of(tmp_path / name.split(",")[0])
        assert found == [f"{name}: line 2: column {column}: holds a Finnish personal identity "
                         "code (henkilötunnus); only pseudonymous identifiers may enter evalkit "
                         "(the value is not shown)"]


@pytest.mark.parametrize("column", ["person_id", "service"])
def test_a_code_with_a_wrong_check_character_is_refused_in_identifiers_and_text(tmp_path, column):
    # 010203A123B: its check character would be 0 (10203123 mod 31 = 0), not B.
    found = problems_of(write_register(tmp_path, row(**{column: "x 010203A123B"})))
    assert found == [f"participants.csv: line 2: column {column}: {HETU_MESSAGE}"], found


@pytest.mark.parametrize("value", [
    "x131052-308T",          # a prefix: the commonest way a code slips into an identifier
    "HETU131052-308T",
    "131052-308Tb",          # a letter after it
    "ab131052-3081",         # hexadecimal, but 12 digits: no hash
    "0123456789abcdef-131052-3081",   # a hash, with a code apart inside it
    "010101-1230010101-1230",         # two codes glued: the first ends in a digit, which touches the second
    "a010101-1230010101-1230",        # the same with a hexadecimal letter: 20 hexadecimal digits, but no hash
    "010101-1230010101-1230ab",
])
@pytest.mark.parametrize("column", ["person_id", "service"])
def test_a_code_touching_letters_is_refused(tmp_path, column, value):
    assert problems_of(write_register(tmp_path, row(**{column: value}))) == \
        [f"participants.csv: line 2: column {column}: {HETU_MESSAGE}"]


@pytest.mark.parametrize("value", [
    "131052G308T",      # G is no century sign
    "321052-308T",      # day 32
    "20230115-0001",    # a number with a date in it: a digit touches 230115-0001
    "010101-1230010101-12300",   # codes glued, but a digit touches the last: a number, as above
    # A UUID and a SHA-256 digest with a code-shaped run between hexadecimal digits, which
    # pseudonymous identifiers of this kind hold by chance (one UUID in about 2,600).
    "ab131052-3081-4d4a-a716-446655440000",
    "{ab131052-3081-4d4a-a716-446655440000}",
    "P-ab131052-3081-4d4a-a716-446655440000",
    "id-ab131052-3081-4d4a-a716-446655440000",   # a prefix set off by a dash, though "d" is hexadecimal
    "case-ab131052-3081-4d4a-a716-446655440000",
    "e3b0c44298fc1cac131052a3081f9afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
])
def test_lookalikes_are_accepted(tmp_path, value):
    assert load_register(write_register(tmp_path, row(person_id=value)), AS_OF).loc[0, "person_id"] == value


# ---------------------------------------------------------------- employers file

def test_employer_file_refusals(tmp_path):
    code = _hetu("131052", "-", "308")
    path = tmp_path / "employers.csv"
    path.write_text("pilot_id,employer_id,interested,coached,hires\n"
                    "lappi,e1,1,0,2\nlapland,e2,maybe,0,-1\nlappi,e1,0,0,x\n"
                    f"lappi,{code},0,0,0\nlappi,,0,1,\nlappi,e1\u200b,0,0,0\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_employers(path)
    text = str(caught.value)
    assert code not in text
    for expected in ("line 3: column pilot_id: 'lapland' is not allowed",
                     "line 3: column interested: 'maybe' is not allowed; allowed: 1 or 0",
                     "line 3: column hires: -1 is negative",
                     "line 2: column employer_id: 'e1' appears more than once",
                     "line 4: column hires: 'x' is not a whole number",
                     "line 5: column employer_id: holds a Finnish personal identity code",
                     "line 6: column employer_id: is empty",
                     "line 6: column hires: is empty",
                     "line 7: column employer_id: 'e1\\u200b' holds a character that shows nothing "
                     "(U+200B ZERO WIDTH SPACE)"):
        assert expected in text, expected


# ---------------------------------------------------------------- command line

def test_validate_command_ok(tmp_path, capsys):
    path = write_register(tmp_path, row())
    assert main(["validate", str(path), "--as-of", "2023-12-31"]) == 0
    assert "OK, 1 rows, 1 pilot(s)" in capsys.readouterr().out


def test_validate_for_one_pilot_refuses_other_pilots_employers_as_the_pilot_command_does(tmp_path, capsys):
    path = write_register(tmp_path, row())   # the row's pilot is lappi
    employers = tmp_path / "employers.csv"
    employers.write_text("pilot_id,employer_id,interested,coached,hires\nlappi,e1,1,0,2\nuusimaa,e2,1,1,0\n"
                         "uusimaa,e3,0,0,0\n", encoding="utf-8")
    arguments = ["validate", str(path), "--as-of", "2023-12-31", "--employers", str(employers)]
    assert main(arguments) == 0   # a file of every pilot is fine for the whole programme
    capsys.readouterr()
    assert main([*arguments, "--pilot", "lappi"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "evalkit validate: employers.csv: line 3: column pilot_id: 2 row(s) belong to pilot uusimaa, first "
        "on this line; this report is for pilot lappi only: give a file with that pilot's employers only"]


def test_validate_command_reports_each_problem_on_stderr(tmp_path, capsys):
    code = _hetu("131052", "-", "308")
    path = write_register(tmp_path, row(person_id=code), row(person_id="p2", age="200"))
    assert main(["validate", str(path), "--as-of", "2023-12-31"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines == [
        "evalkit validate: participants.csv: line 2: column person_id: holds a Finnish personal "
        "identity code (henkilötunnus); only pseudonymous identifiers may enter evalkit (the value "
        "is not shown)",
        "evalkit validate: participants.csv: line 3: column age: '200' is not allowed; allowed: a "
        "whole number from 15 to 74 (age at start)",
    ]
    assert code not in captured.err


def test_installed_command_prints_no_traceback(tmp_path):
    code = _hetu("010203", "B", "456")
    path = write_register(tmp_path, row(person_id=code), row(person_id="p2", start_date="1/2/2022"))
    evalkit = ROOT / ".venv" / "bin" / "evalkit"
    command = [str(evalkit)] if evalkit.exists() else [sys.executable, "-m", "evalkit.cli"]
    done = subprocess.run([*command, "validate", str(path), "--as-of", "2023-12-31"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and code not in done.stderr + done.stdout
    assert len(done.stderr.splitlines()) == 2


def test_a_named_pipe_or_a_device_is_refused_unread(tmp_path):
    # Reading a FIFO waited for a writer for ever; /dev/zero never ends.
    import os

    pipe = tmp_path / "extract.csv"
    os.mkfifo(pipe)
    message = "is a device or a pipe, not a file; give a CSV, .xlsx or .parquet file"
    assert problems_of(pipe) == [f"extract.csv: {message}"]
    assert problems_of(Path("/dev/zero")) == [f"zero: {message}"]


def test_one_identifier_in_two_unicode_forms_is_one_person(tmp_path):
    # "å" as one character (U+00E5) and as "a" with a combining ring (U+030A) look the same.
    path = write_register(tmp_path, row(person_id="\u00e5"), row(person_id="a\u030a"))
    found = problems_of(path)
    assert len(found) == 2 and all("column person_id:" in line and "appears more than once" in line
                                   for line in found), found
