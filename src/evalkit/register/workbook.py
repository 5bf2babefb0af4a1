"""Reading an ``.xlsx`` workbook into text cells, with no value left unseen or made up.

- The table is the first sheet that holds anything; every message about it names that sheet
  (``participants.xlsx, sheet "Taul1"``). Its header is its first non-empty row.
- Every used cell of every other sheet is searched for personal identity codes too, so that a
  code on a second sheet cannot travel along unnoticed (the cells there are not read as data).
- A formula cell holds the formula and, when a spreadsheet program saved the file, the value it
  last calculated. A file written by a script (openpyxl, XlsxWriter) has no such value, or a 0
  standing in for it, and says so by asking to be recalculated on opening (``fullCalcOnLoad``).
  Such cells are refused by line and column: read as empty (or 0) they would change the numbers
  without a word.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from evalkit.errors import InputError, InputProblem
from evalkit.register.readers import RawTable, _object_to_text, column_letter

FORMULA_MESSAGE = ("is a formula with no saved value (the file was written by a program that does "
                   "not calculate formulas): open and save the file in Excel, or paste values")
_CELL_REFERENCE = re.compile(r"^([A-Z]+)(\d+)$")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def read_xlsx(path: Path, label: str) -> RawTable:
    """Read the first non-empty sheet of a workbook as text cells (see the module text).

    Parameters
    ----------
    path : Path
        The ``.xlsx`` file.
    label : str
        The file's name, for messages; the sheet's name is added to it.

    Returns
    -------
    RawTable
        Index = the sheet's row number. Identity codes found on other sheets are among its
        ``file_problems``; unsaved formula cells and a sheet name holding an identity code among
        its ``problems``.

    Raises
    ------
    InputError
        When the workbook cannot be read or every sheet is empty.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError([InputProblem(label, None, None, f"is not a readable .xlsx workbook "
                                       f"({type(exc).__name__})")]) from None
    from evalkit.register.hetu import HETU_MESSAGE, contains_hetu

    table, other_problems, name_problems = None, [], []
    try:
        for number, sheet in enumerate(book.worksheets, start=1):
            rows = _used_rows(sheet)
            sheet_label = f'{label}, sheet "{sheet.title}"'
            if contains_hetu(sheet.title):   # named in every message: by its place instead
                sheet_label = f"{label}, sheet {number}"
                name_problems.append(InputProblem(sheet_label, None, None, f"the sheet name {HETU_MESSAGE}"))
            if table is None and rows:
                table = _table(rows, sheet_label)
                table.problems += _unsaved_formulas(path, sheet._worksheet_path, table)
            elif rows:
                other_problems += _hetu_in_sheet(rows, sheet_label)
    finally:
        book.close()
    if table is None:
        raise InputError([InputProblem(label, None, None, "every sheet is empty; expected a "
                                       "header row and one row per person")])
    table.file_problems += other_problems
    table.problems += name_problems   # reported with the rows (a file problem would stop the checks)
    return table


def _used_rows(sheet) -> list[tuple]:
    """The sheet's rows from row 1, with the empty rows at the end left off."""
    rows = list(sheet.iter_rows(values_only=True))
    while rows and all(_empty(v) for v in rows[-1]):
        rows.pop()
    return rows


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(rows: list[tuple], label: str) -> RawTable:
    start = next(i for i, row in enumerate(rows) if not all(_empty(v) for v in row))
    width = max(len(row) for row in rows)
    header = [("" if v is None else str(v)).strip() for v in rows[start]]
    header += [""] * (width - len(header))
    body = [[_object_to_text(v) for v in row] + [""] * (width - len(row)) for row in rows[start + 1:]]
    cells = pd.DataFrame(body, dtype=object).astype(str) if body else \
        pd.DataFrame(columns=range(width), dtype=str)
    cells.columns = header
    # The line is the sheet's row number (rows are read from row 1).
    cells.index = pd.Index(np.arange(len(body), dtype=np.int64) + start + 2, name="line")
    return RawTable(cells, decimal_comma=False, file_label=label, header_line=start + 1)


def _hetu_in_sheet(rows: list[tuple], label: str) -> list[InputProblem]:
    from evalkit.register.hetu import HETU_MESSAGE, hetu_mask

    width = max(len(row) for row in rows)
    cells = pd.DataFrame([[_object_to_text(v) for v in row] + [""] * (width - len(row))
                          for row in rows], dtype=object)
    problems = []
    for position in range(width):
        mask = hetu_mask(cells[position])
        for row in np.flatnonzero(mask):
            problems.append(InputProblem(label, int(row) + 1, column_letter(position + 1), HETU_MESSAGE))
    return problems


def _unsaved_formulas(path: Path, sheet_path: str, table: RawTable) -> list[InputProblem]:
    """Formula cells of the table whose value no spreadsheet program saved, one problem each.

    Each such data cell is blanked and listed among the reported cells, so that no later message
    quotes or counts it.
    """
    with zipfile.ZipFile(path) as archive:
        recalculate = _asks_for_recalculation(archive)
        with archive.open(sheet_path) as handle:
            if not _has_formula(handle):
                return []
        with archive.open(sheet_path) as handle:
            cells = list(_formula_cells(handle, recalculate))
    problems = []
    names = list(table.cells.columns)
    for row, position in cells:
        column = names[position - 1] if position <= len(names) and names[position - 1] \
            else column_letter(position)
        if row == table.header_line:
            problems.append(InputProblem(table.file_label, row, column_letter(position),
                                         f"the header cell {FORMULA_MESSAGE}"))
        elif row > table.header_line and row in table.cells.index:
            problems.append(InputProblem(table.file_label, row, column, FORMULA_MESSAGE))
            table.hetu_cells.add((row, column))
            if position <= len(names):   # a stand-in value (XlsxWriter writes 0) is no data
                table.cells.iloc[table.cells.index.get_loc(row), position - 1] = ""
    return problems


def _asks_for_recalculation(archive: zipfile.ZipFile) -> bool:
    try:
        workbook = archive.read("xl/workbook.xml")
    except KeyError:
        return False
    return re.search(rb"fullCalcOnLoad=[\"'](?:1|true)[\"']", workbook) is not None


def _has_formula(handle) -> bool:
    """A quick look through the sheet's XML for any formula element (most sheets have none)."""
    tail = b""
    while chunk := handle.read(1 << 20):
        if _FORMULA_TAG.search(tail + chunk):
            return True
        tail = chunk[-16:]
    return False


def _formula_cells(handle, recalculate: bool):
    """(row, column position) of every formula cell with no saved value, from the sheet's XML.

    No saved value means no ``<v>``, or an empty one that is not a saved empty text; with
    ``recalculate``, every formula cell counts. (Row and cell references are optional in the
    format: without one, the next is meant.)
    """
    row, position = 0, 0
    for event, element in ElementTree.iterparse(handle, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                row, position = int(element.get("r") or row + 1), 0
            continue
        if tag == "row":
            element.clear()
        if tag != "c":
            continue
        match = _CELL_REFERENCE.match(element.get("r", ""))
        position = _column_position(match.group(1)) if match else position + 1
        children = {_local(child.tag): child for child in element}
        if "f" in children:
            value = children.get("v")
            saved = value is not None and (value.text or element.get("t") == "str")
            if recalculate or not saved:
                yield row, position


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_position(letters: str) -> int:
    position = 0
    for letter in letters:
        position = position * 26 + ord(letter) - ord("A") + 1
    return position
