"""Reading an ``.xlsx`` workbook into text cells, with no value left unseen or made up.

- The table is the first sheet that holds anything; every message about it names that sheet
  (``participants.xlsx, sheet "Taul1"``). Its header is its first non-empty row.
- What the table's layout hides is refused, as the person who checked the sheet by eye did not
  see it: a hidden table sheet, hidden rows and columns, and merged cells (only a merged range's
  first cell holds its value; read as empty, the others would turn a status into ``unknown``).
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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from defusedxml import ElementTree

from evalkit.errors import InputError, InputProblem
from evalkit.register.readers import RawTable, _object_to_text, column_letter
from evalkit.register.xlsx_package import MAX_CELLS, SAVE_AGAIN

FORMULA_MESSAGE = ("is a formula with no saved value (the file was written by a program that does "
                   "not calculate formulas): open and save the file in Excel, or paste values")
_CELL_REFERENCE = re.compile(r"^([A-Z]+)(\d+)$")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


MAX_GRID = 40_000_000     # rows x columns of the table read (a dense frame is made of it)


def read_xlsx(path: Path, label: str) -> RawTable:
    """Read the first non-empty sheet of a workbook as text cells (see the module text).

    The package is checked first (:func:`evalkit.register.xlsx_package.check_package`). Only
    filled cells are kept, wherever they are: a declared size (``A1:XFD1048576``) or a stray
    cell far away costs nothing.

    Parameters
    ----------
    path : Path
        The ``.xlsx`` file.
    label : str
        The file's name, for messages; the sheet's name is added to it.

    Returns
    -------
    RawTable
        Index = the sheet's row number. Identity codes found on other sheets and outside cells
        are among its ``file_problems``; unsaved formula cells and a sheet name holding an
        identity code among its ``problems``.

    Raises
    ------
    InputError
        When the workbook cannot be read, exceeds the bounds, or every sheet is empty.
    """
    import openpyxl

    from evalkit.register.xlsx_package import check_package

    scan = check_package(path, label)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError([InputProblem(label, None, None, f"is not a readable .xlsx workbook "
                                       f"({type(exc).__name__}); {SAVE_AGAIN}")]) from None
    try:
        return _read_book(book, path, label, scan)
    finally:
        book.close()


def _read_book(book, path: Path, label: str, scan) -> RawTable:
    from evalkit.register.hetu import HETU_MESSAGE, contains_hetu
    from evalkit.register.xlsx_package import SHARED_STRINGS, code_problem

    sheets = book.worksheets
    coded_strings = _strings_with_codes(sheets[0]._shared_strings) if sheets else set()
    budget = _Budget(label)
    table, other_problems, name_problems, titles = None, [], [], {}
    for number, sheet in enumerate(sheets, start=1):
        sheet_label = f'{label}, sheet "{sheet.title}"'
        titles[sheet._worksheet_path] = f'sheet "{sheet.title}"'
        if contains_hetu(sheet.title):   # named in every message: by its place instead
            sheet_label = f"{label}, sheet {number}"
            titles[sheet._worksheet_path] = f"sheet {number}"
            name_problems.append(InputProblem(sheet_label, None, None, f"the sheet name {HETU_MESSAGE}"))
        cells = _filled_cells(sheet, sheet_label, budget, coded_strings)
        if table is None and cells.values:
            table = _table(cells, sheet_label)
            if getattr(sheet, "sheet_state", "visible") != "visible":
                table.file_problems.append(InputProblem(sheet_label, None, None, (
                    "is hidden, and it is the first sheet that holds anything, which is the one read as the "
                    "register; unhide it, or move the register to the first sheet")))
            table.problems += _unsaved_formulas(path, sheet._worksheet_path, table, cells.positions)
            table.problems += _layout_problems(cells, table, sheet_label)
        elif cells.values:
            other_problems += _hetu_in_cells(cells, sheet_label)
    if table is None:
        raise InputError([InputProblem(label, None, None, "every sheet is empty; expected a "
                                       "header row and one row per person")])
    unread = [part for part in scan.worksheet_parts if part not in titles]   # in no sheet list: never read
    parts = scan.parts_with_codes + _orphan_parts_with_codes(path, label, unread)
    if coded_strings - budget.seen:
        parts.append(SHARED_STRINGS)
    table.file_problems += other_problems + [code_problem(label, part, titles) for part in parts]
    table.problems += name_problems   # reported with the rows (a file problem would stop the checks)
    return table


@dataclass
class _Cells:
    """A sheet's filled cells, sparse: row and column numbers (from 1) and the value as text."""

    rows: list[int] = field(default_factory=list)
    columns: list[int] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    positions: dict[int, int] = field(default_factory=dict)   # sheet column -> table column
    merged: list[str] = field(default_factory=list)          # merged ranges, as "A2:A5"
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)


@dataclass
class _Budget:
    """Filled cells read so far in the workbook, and which texts holding codes a cell showed."""

    label: str
    cells: int = 0
    seen: set = field(default_factory=set)


def _strings_with_codes(strings: list) -> set[str]:
    from evalkit.register.hetu import hetu_mask

    if not strings:
        return set()
    texts = pd.Series([str(s) for s in strings], dtype=object)
    return set(texts[hetu_mask(texts)])


def _filled_cells(sheet, sheet_label: str, budget: _Budget, coded_strings: set[str]) -> _Cells:
    """Every filled cell of ``sheet`` as text, parsed as it is stored (a declared size is not used).

    Raises
    ------
    InputError
        When the sheet's XML is damaged or cut short, or the workbook holds more than
        :data:`MAX_CELLS` filled cells.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    book = sheet.parent
    cells = _Cells()
    texts: dict = {}   # one text per distinct value: a million rows repeat a few hundred values
    try:
        with book._archive.open(sheet._worksheet_path) as source:
            parser = WorkSheetParser(source, sheet._shared_strings, data_only=True, epoch=book.epoch,
                                     date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
            for row, row_cells in parser.parse():
                for cell in row_cells:
                    value = cell["value"]
                    if _empty(value):
                        continue
                    if isinstance(value, str):
                        text = value
                        if coded_strings and value in coded_strings:
                            budget.seen.add(value)
                    else:
                        key = (type(value), value)
                        text = texts.get(key)
                        if text is None:
                            text = texts[key] = _object_to_text(value)
                    cells.rows.append(row)
                    cells.columns.append(cell["column"])
                    cells.values.append(text)
                budget.cells += len(row_cells)
                if budget.cells > MAX_CELLS:
                    raise InputError([InputProblem(sheet_label, None, None, f"the workbook holds more than "
                                                   f"{MAX_CELLS:,} cells, more than a register of Excel's full "
                                                   "size; save the register as CSV UTF-8")])
            _layout(parser, cells)
    except InputError:
        raise
    except Exception as exc:  # the XML parser and the zip reader raise many kinds
        raise InputError([InputProblem(sheet_label, None, None, f"is not a readable sheet: its XML is "
                                       f"damaged or cut short ({type(exc).__name__}); {SAVE_AGAIN}")]) from None
    return cells


def _layout(parser, cells: _Cells) -> None:
    """What the sheet's layout hides from whoever looks at it: merged ranges, hidden rows and columns."""
    shown = ("0", "false")
    if parser.merged_cells is not None:
        cells.merged = [str(merged.ref) for merged in parser.merged_cells.mergeCell]
    cells.hidden_rows = {int(row) for row, attrs in parser.row_dimensions.items()
                         if attrs.get("hidden", "0") not in shown}
    for attrs in parser.column_dimensions.values():
        if attrs.get("hidden", "0") not in shown:
            cells.hidden_columns.update(range(int(attrs["min"]), int(attrs.get("max", attrs["min"])) + 1))


def _layout_problems(cells: _Cells, table: RawTable, label: str) -> list[InputProblem]:
    """Refusals of what a person reading the sheet would not see as it is read.

    A merged range keeps its value in its first cell only: the others are read as empty (an empty
    status counts as ``unknown``). A hidden row or column is read as data although nobody sees it.
    """
    from openpyxl.utils.cell import range_boundaries

    def column(sheet_column: int) -> str:   # the header's name, as other problems of the table say
        index = cells.positions.get(sheet_column)
        name = "" if index is None else str(table.cells.columns[index])
        return name or column_letter(sheet_column)

    problems = []
    lines = set(table.cells.index)
    for ref in cells.merged:
        first_column, first_row, last_column, last_row = range_boundaries(ref)
        if last_row < table.header_line or not any(c in cells.positions for c in range(first_column, last_column + 1)):
            continue   # outside the table: nothing read from it
        problems.append(InputProblem(label, first_row, column(first_column),
                                     f"cells {ref} are merged: a merged range keeps its value in its first cell "
                                     "only, and the others would be read as empty; unmerge it and fill every cell"))
    problems += [InputProblem(label, row, None, "is a hidden row, which would be read as data although nobody "
                              "sees it; unhide it, or delete it") for row in sorted(cells.hidden_rows & lines)]
    problems += [InputProblem(label, table.header_line, column(hidden), "is a hidden column, which would "
                              "be read as data although nobody sees it; unhide it, or delete it")
                 for hidden in sorted(cells.hidden_columns & set(cells.positions))]
    return problems


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(cells: _Cells, label: str) -> RawTable:
    """The table of a sheet's filled cells: its first filled row the header, the filled rows below.

    Columns are every column up to the header's last, and beyond it only those holding a value
    (each then refused for having no name), so a stray cell in column XFD adds one column, not
    sixteen thousand.
    """
    rows = np.asarray(cells.rows, dtype=np.int64)
    columns = np.asarray(cells.columns, dtype=np.int64)
    values = np.empty(len(cells.values), dtype=object)
    values[:] = cells.values
    start = int(rows.min())
    in_header = rows == start
    header = dict(zip(columns[in_header].tolist(), (str(v).strip() for v in values[in_header])))
    width = max(header)
    body = ~in_header
    beyond = np.unique(columns[body & (columns > width)])
    positions = np.concatenate([np.arange(1, width + 1, dtype=np.int64), beyond])
    lines = np.unique(rows[body])
    if len(lines) * len(positions) > MAX_GRID:
        raise InputError([InputProblem(label, None, None, f"has {len(lines):,} filled rows in {len(positions):,} "
                                       "columns, more than evalkit reads from a workbook; save the register "
                                       "alone as CSV UTF-8")])
    grid = np.full((len(lines), len(positions)), "", dtype=object)
    grid[np.searchsorted(lines, rows[body]), np.searchsorted(positions, columns[body])] = values[body]
    frame = pd.DataFrame(grid, columns=range(len(positions)))
    frame.columns = [header.get(int(position), "") for position in positions]
    frame.index = pd.Index(lines, name="line")   # the sheet's row number
    cells.positions = {int(position): index for index, position in enumerate(positions)}
    return RawTable(frame, decimal_comma=False, file_label=label, header_line=start,
                    positions=[int(p) for p in positions])


def _hetu_in_cells(cells: _Cells, label: str) -> list[InputProblem]:
    from evalkit.register.hetu import HETU_MESSAGE, hetu_mask

    mask = hetu_mask(pd.Series(cells.values, dtype=object))
    return [InputProblem(label, cells.rows[i], column_letter(cells.columns[i]), HETU_MESSAGE)
            for i in np.flatnonzero(mask)]


def _orphan_parts_with_codes(path: Path, label: str, parts: list[str]) -> list[str]:
    """Sheet parts no sheet list names (openpyxl never reads them): their cell values are searched too."""
    from evalkit.register.xlsx_package import scan_part_text

    return [part for part in parts if scan_part_text(path, label, part)]


def _unsaved_formulas(path: Path, sheet_path: str, table: RawTable,
                      positions: dict[int, int]) -> list[InputProblem]:
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
        index = positions.get(position)
        column = names[index] if index is not None and names[index] else column_letter(position)
        if row == table.header_line:
            problems.append(InputProblem(table.file_label, row, column_letter(position),
                                         f"the header cell {FORMULA_MESSAGE}"))
        elif row > table.header_line:
            problems.append(InputProblem(table.file_label, row, column, FORMULA_MESSAGE))
            table.hetu_cells.add((row, column))
            if index is not None and row in table.cells.index:   # a stand-in value (XlsxWriter writes 0) is no data
                table.cells.iloc[table.cells.index.get_loc(row), index] = ""
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
