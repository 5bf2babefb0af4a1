"""Reading a table file into text cells, with the line of the file each row came from.

Everything is read as text so that validation can say exactly what was in a cell. Supported:
UTF-8 CSV with commas; CSV saved by a Finnish Excel (semicolons, decimal comma, byte-order mark,
Windows-1252 when not saved as UTF-8); ``.xlsx`` (first sheet); ``.parquet``. The format is
recognised from the content (a renamed file still reads), the extension only breaks ties.

Line numbers follow the file: the header is line 1. A CSV field holding a line break moves the
following rows down, as an editor would show them. For ``.xlsx`` the line is the sheet's row
number; for ``.parquet`` it is the row position + 1 (header = 1), as if exported to CSV.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.errors import InputError, InputProblem

_XLSX_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"


@dataclass
class RawTable:
    """Text cells (``""`` for empty, ``NA`` for a field missing from a short CSV line)."""

    cells: pd.DataFrame          # index = line in the file, columns = header as written
    decimal_comma: bool          # numbers may use a decimal comma (semicolon CSV)
    file_label: str
    header_line: int = 1
    hetu_cells: set[tuple[int, str]] = field(default_factory=set)  # blanked, never quoted
    problems: list[InputProblem] = field(default_factory=list)     # lines that are not rows


def read_table(path: str | Path) -> RawTable:
    """Read ``path`` into a :class:`RawTable`; raise ``InputError`` when it is not a table."""
    path = Path(path)
    label = path.name
    if not path.exists():
        raise InputError([InputProblem(label, None, None, f"file not found: {path}")])
    if path.is_dir():
        raise InputError([InputProblem(label, None, None, "is a folder, expected a table file")])
    head = path.open("rb").read(8192)
    if not head:
        raise InputError([InputProblem(label, None, None, "the file is empty; expected a header "
                                       "row and one row per person")])
    if head.startswith(_XLSX_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, label)
    if head.startswith(_PARQUET_MAGIC) or path.suffix.lower() == ".parquet":
        return _read_parquet(path, label)
    if b"\x00" in head:
        raise InputError([InputProblem(label, None, None, "is not a text table (binary content); "
                                       "give a CSV, .xlsx or .parquet file")])
    return _read_csv(path, label)


def _decode(path: Path, label: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Finnish Excel's plain "CSV" export is Windows-1252, not UTF-8.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError([InputProblem(label, None, None, "cannot be read as text: it is neither "
                                       "UTF-8 nor Windows-1252; save it as CSV UTF-8")]) from None


def _read_csv(path: Path, label: str) -> RawTable:
    text = _decode(path, label)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if not first_line.strip():
        raise InputError([InputProblem(label, 1, None, "the first line is empty; expected the "
                                       "header row with the column names")])
    if '"' in text:
        # Quoted fields may hold separators and line breaks: read record by record, which
        # knows the line each record starts on.
        return _read_csv_by_line(text, delimiter, label)
    try:
        cells = pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, na_filter=False,
            skip_blank_lines=False, quoting=csv.QUOTE_NONE, engine="c",
        )
    except pd.errors.ParserError:
        # Some line has too many fields: read line by line to name every such line.
        return _read_csv_by_line(text, delimiter, label)
    except pd.errors.EmptyDataError:
        raise InputError([InputProblem(label, None, None, "the file has no header row")]) from None
    cells.columns = [str(c).strip() for c in cells.columns]
    # Without quotes every record is one line (header = line 1), so a short line shows in its
    # separator count; pandas would silently pad it with empty fields.
    lines = text.split("\n")[1:1 + len(cells)]
    expected = len(cells.columns) - 1
    problems = [_field_count_problem(label, number, line.count(delimiter) + 1, expected + 1)
                for number, line in enumerate(lines, start=2)
                if line.strip() and line.count(delimiter) < expected]
    cells.index = pd.Index(np.arange(len(cells), dtype=np.int64) + 2, name="line")
    if problems:
        short = [p.line for p in problems]
        cells.loc[short] = np.nan   # marked so that check_short_rows leaves them out
    return RawTable(cells, decimal_comma=delimiter == ";", file_label=label, problems=problems)


def _read_csv_by_line(text: str, delimiter: str, label: str) -> RawTable:
    """The slow path for a damaged CSV: every line whose field count differs from the header's
    is reported and left out, the rest is read as usual."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [c.strip() for c in next(reader)]
    except (StopIteration, csv.Error):
        raise InputError([InputProblem(label, 1, None, "is not a readable CSV header")]) from None
    rows, lines, problems = [], [], []
    next_line = 2
    try:
        for row in reader:
            line, next_line = next_line, reader.line_num + 1
            if not row:
                continue
            if len(row) != len(header):
                problems.append(_field_count_problem(label, line, len(row), len(header)))
                continue
            rows.append(row)
            lines.append(line)
    except csv.Error as exc:
        problems.append(InputProblem(label, next_line, None, f"is not readable CSV ({exc})"))
    cells = pd.DataFrame(rows, columns=header, dtype=object).astype(str) if rows else \
        pd.DataFrame(columns=header, dtype=str)
    cells.index = pd.Index(np.asarray(lines, dtype=np.int64), name="line")
    return RawTable(cells, decimal_comma=delimiter == ";", file_label=label, problems=problems)


def _field_count_problem(label: str, line: int, fields: int, expected: int) -> InputProblem:
    return InputProblem(label, line, None, f"has {fields} fields but the header has {expected}; "
                                           "check the separators and quotes on this line")


def _cells_to_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed cells (from Excel or Parquet) to the text a CSV export would hold."""
    out = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime("%Y-%m-%d")
            has_time = values.notna() & (values != values.dt.normalize())
            text = text.where(~has_time, values.astype(str))
        elif pd.api.types.is_bool_dtype(values):
            text = values.map({True: "true", False: "false"})
        elif pd.api.types.is_float_dtype(values):
            whole = values.notna() & (values == np.floor(values.fillna(0)))
            text = values.astype(object).map(lambda v: "" if pd.isna(v) else repr(float(v)))
            text = text.where(~whole, values.fillna(0).astype("int64").astype(str))
        else:
            text = values.astype(object).map(_object_to_text)
        out[str(column).strip()] = text.where(values.notna(), "").astype(str)
    result = pd.DataFrame(out, index=frame.index)
    return result


def _object_to_text(value) -> str:
    import datetime as dt
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        if value.hour == value.minute == value.second == 0:
            return value.strftime("%Y-%m-%d")
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read_xlsx(path: Path, label: str) -> RawTable:
    import openpyxl
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError([InputProblem(label, None, None, f"is not a readable .xlsx workbook "
                                       f"({type(exc).__name__})")]) from None
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    book.close()
    while rows and all(v is None or str(v).strip() == "" for v in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError([InputProblem(label, None, None, "the first sheet is empty; expected a "
                                       "header row and one row per person")])
    header = [("" if v is None else str(v)).strip() for v in rows[0]]
    while header and header[-1] == "":
        header.pop()
    body = [[_object_to_text(v) for v in row[:len(header)]] for row in rows[1:]]
    body = [row + [""] * (len(header) - len(row)) for row in body]
    cells = pd.DataFrame(body, columns=header, dtype=object).astype(str) if body else \
        pd.DataFrame(columns=header, dtype=str)
    cells.index = pd.Index(np.arange(len(body), dtype=np.int64) + 2, name="line")
    return RawTable(cells, decimal_comma=False, file_label=label)


def _read_parquet(path: Path, label: str) -> RawTable:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        raise InputError([InputProblem(label, None, None, f"is not a readable .parquet table "
                                       f"({type(exc).__name__})")]) from None
    cells = _cells_to_text(frame.reset_index(drop=True))
    cells.index = pd.Index(np.arange(len(cells), dtype=np.int64) + 2, name="line")
    return RawTable(cells, decimal_comma=False, file_label=label)
