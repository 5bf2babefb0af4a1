"""The Excel export gives every pilot a sheet of its own, whatever its name (Excel's rules on names)."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from evalkit.params import load_all_params
from evalkit.pipeline import exports
from evalkit.pipeline.exports import national_indicators, sheet_titles, write_exports
from evalkit.programme import programme_at

ROOT = Path(__file__).resolve().parents[1]


def renamed(monkeypatch, names: dict[str, str]) -> None:
    """The exports name the pilots ``names`` (the programme's names, as write_exports reads them)."""
    class Renamed:
        def names(self, lang=None):
            return names

    monkeypatch.setattr(exports, "current", lambda: Renamed())


def test_names_excel_refuses_or_shares_become_distinct_valid_titles():
    names = {"a": "Etelä-Savo / Itä-Savo", "b": "Pilotti: Lappi [2]*?\\",
             "c": "Varsinais-Suomen työllisyysalue pohjoinen", "d": "Varsinais-Suomen työllisyysalue eteläinen",
             "e": "ALL", "f": "'Quoted'", "g": "history", "h": "///"}
    titles = sheet_titles(list(names), names, taken=("all",))
    assert titles == {"a": "Etelä-Savo - Itä-Savo", "b": "Pilotti- Lappi -2----",
                      "c": "Varsinais-Suomen työllisyysalue", "d": "Varsinais-Suomen työllisyys (2)",
                      "e": "ALL (2)", "f": "Quoted", "g": "history (2)", "h": "---"}
    assert all(len(t) <= 31 for t in titles.values())


def test_every_pilot_keeps_its_rows_in_the_workbook(tmp_path, monkeypatch):
    """Eight pilots renamed so that two share their first 31 characters and one holds a slash."""
    monkeypatch.setenv("EVALKIT_ROOT", str(ROOT))
    programme = programme_at(ROOT)
    frame = national_indicators(load_all_params(ROOT), programme.budgets)
    pilots = sorted(set(frame["pilot_id"]) - {"all"})
    names = {p: f"Varsinais-Suomen työllisyysalue {p}" for p in pilots} | {pilots[0]: "Etelä-Savo / Itä-Savo"}
    renamed(monkeypatch, names)
    write_exports(frame, tmp_path)
    book = openpyxl.load_workbook(tmp_path / "indicators.xlsx", read_only=True)
    titles = sheet_titles(pilots, names, taken=("all",))
    assert book.sheetnames == ["all", *titles.values()]
    published = exports._published(frame)["pilot_id"].value_counts()
    for pilot_id, title in titles.items():   # by hand: the pilot's rows in the published frame
        assert sum(1 for _ in book[title].iter_rows(min_row=2)) == published[pilot_id] > 0, pilot_id


@pytest.mark.parametrize("name", ["a/b", "a:b", "x" * 40])
def test_a_single_awkward_name_builds_its_sheet(tmp_path, monkeypatch, name):
    monkeypatch.setenv("EVALKIT_ROOT", str(ROOT))
    frame = national_indicators(load_all_params(ROOT), programme_at(ROOT).budgets)
    pilot = sorted(set(frame["pilot_id"]) - {"all"})[0]
    renamed(monkeypatch, {pilot: name})
    write_exports(frame, tmp_path)
    sheets = openpyxl.load_workbook(tmp_path / "indicators.xlsx").sheetnames
    assert sheets[:2] == ["all", sheet_titles([pilot], {pilot: name})[pilot]] and len(sheets) == 9
