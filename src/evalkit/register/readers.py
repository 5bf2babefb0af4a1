"""Reading a table file into text cells, with the line of the file each row came from.

Everything is read as text so that validation can say exactly what was in a cell. The format is
recognised from the content (a renamed file still reads), the extension only breaks ties.

Read:
- CSV in UTF-8, with or without a byte-order mark, separated by commas, semicolons (Finnish
  Excel, with decimal commas) or tabs (Excel's "Text (tab delimited)");
- CSV in Windows-1252 (Finnish Excel's plain "CSV"), also when only some lines are: every line
  that is valid UTF-8 is read as UTF-8, never re-decoded, and only the others as Windows-1252;
- UTF-16 with a byte-order mark (Excel's "Unicode text", tab-separated);
- Excel's ``sep=;`` first line, which names the separator (line numbers still follow the file);
- ``.xlsx`` (see :mod:`evalkit.register.workbook`) and ``.parquet``.

Columns: trailing columns with no name and no value in any row are ignored (spreadsheet exports
leave them); a column with no name that holds values, and a name used twice, are refused by
position. Line numbers follow the file: the header is line 1. A CSV field holding a line break
moves the following rows down, as an editor would show them. For ``.xlsx`` the line is the
sheet's row number; for ``.parquet`` it is the row position + 1 (header = 1), as if exported.
"""
from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.errors import InputError, InputProblem

_XLSX_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"
# Excel writes (and reads) a first line "sep=;" naming the separator; sometimes quoted.
_SEP_LINE = re.compile(r'^"?sep=(.)"?[ \t]*\r?$', re.IGNORECASE)
_SEPARATORS = (",", ";", "\t")
# A float from Excel or Parquet is written out in digits only while every digit is exact.
_EXACT_INTEGER = 2 ** 53
# The plain-CSV scan reads this much at a time: the file is never held whole.
SCAN_BLOCK = 1 << 24


@dataclass
class RawTable:
    """Text cells (``""`` for empty, ``NA`` for a field missing from a short CSV line)."""

    cells: pd.DataFrame          # index = line in the file, columns = header as written
    decimal_comma: bool          # numbers may use a decimal comma (semicolon or tab CSV)
    file_label: str              # the file's name (and the sheet read, for a workbook)
    header_line: int = 1
    # Cells already reported and blanked (identity codes, unsaved formulas): never quoted again.
    hetu_cells: set[tuple[int, str]] = field(default_factory=set)
    problems: list[InputProblem] = field(default_factory=list)       # lines that are not rows
    file_problems: list[InputProblem] = field(default_factory=list)  # header and other sheets
    # A workbook's column number of each column, where only used columns are read (else 1, 2, ...).
    positions: list[int] | None = None


def read_table(path: str | Path, categorical_except: Collection[str] | None = None) -> RawTable:
    """Read ``path`` into a :class:`RawTable`, recognising the format from the content (see the module text).

    Parameters
    ----------
    path : str or Path
        A CSV, ``.xlsx`` or ``.parquet`` file.
    categorical_except : collection of str, optional
        With it, a plainly regular CSV (the form large extracts take) gives every column not named
        here as a pandas Categorical of its texts, each distinct text kept once; the columns named
        (identifiers, unique per row) and every column of other files stay text. Without it, every
        column is text.

    Returns
    -------
    RawTable
        Cells as text, index = line in the file, header tidied (:func:`tidy_header`).

    Raises
    ------
    InputError
        When the file is absent, a folder, empty, binary but neither workbook nor Parquet,
        undecodable or without a header, or its name holds an identity code (the name is then
        not shown).
    """
    from evalkit.register.hetu import HETU_MESSAGE, contains_hetu
    from evalkit.register.sniff import wrong_format

    path = Path(path)
    label = path.name
    if contains_hetu(label):   # every message names the file: not this one
        raise InputError([InputProblem("(file name not shown)", None, None,
                                       f"the file name {HETU_MESSAGE}; rename the file")])
    if not path.exists():
        from evalkit.shown import shown_path
        raise InputError([InputProblem(label, None, None, f"file not found: {shown_path(path)}")])
    if path.is_dir():
        raise InputError([InputProblem(label, None, None, "is a folder, expected a table file")])
    if not path.is_file():   # reading /dev/zero or a named pipe would never end
        raise InputError([InputProblem(label, None, None, "is a device or a pipe, not a file; give a CSV, "
                                       ".xlsx or .parquet file")])
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head:
        raise InputError([InputProblem(label, None, None, "the file is empty; expected a header "
                                       "row and one row per person")])
    problem = wrong_format(head, _ole2_directory(path, head))
    if problem:
        raise InputError([InputProblem(label, None, None, problem)])
    if head.startswith(_XLSX_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
        from evalkit.register.workbook import read_xlsx
        return tidy_header(read_xlsx(path, label), spreadsheet=True)
    if head.startswith(_PARQUET_MAGIC) or path.suffix.lower() == ".parquet":
        return tidy_header(_read_parquet(path, label))
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in head:
        # The line of the first NUL: one stray byte in a text file is found there, a binary file on line 1.
        line = head[:head.index(b"\x00")].count(b"\n") + 1
        raise InputError([InputProblem(label, line, None, "holds a NUL byte, so it is not a text table (binary "
                                       "content); give a CSV, .xlsx or .parquet file")])
    if b"\n" not in head and b"\r" in head.rstrip(b"\r"):
        # Read as one line, the file gave a header of every row's cells and no rows.
        raise InputError([InputProblem(label, None, None, "ends its lines with a carriage return alone (an old "
                                       "Mac 'CSV (Macintosh)' export); save it as 'CSV UTF-8 (comma delimited)'")])
    return tidy_header(_read_csv(path, label, categorical_except))


def _ole2_directory(path: Path, head: bytes) -> bytes | None:
    """The first megabyte of an OLE2 file, where its directory of streams lies; None for other files."""
    if not head.startswith(b"\xd0\xcf\x11\xe0"):
        return None
    with path.open("rb") as handle:
        return handle.read(1 << 20)


# ---------------------------------------------------------------- text

def decode(data: bytes, label: str) -> str:
    """The file's text, decoded as UTF-16, UTF-8 or, line by line, UTF-8 and Windows-1252.

    UTF-16 when it starts with its byte-order mark; else UTF-8 when the whole file is (a UTF-8
    byte-order mark dropped); else line by line, UTF-8 where a line is valid UTF-8 and
    Windows-1252 where it is not (a file saved by Finnish Excel, or such lines appended to a UTF-8
    file).

    Parameters
    ----------
    data : bytes
        The whole file.
    label : str
        The file's name, for messages.

    Returns
    -------
    str

    Raises
    ------
    InputError
        When a UTF-16 file does not decode, or a line is neither UTF-8 nor Windows-1252 (named by
        its line number).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError([InputProblem(label, None, None, "starts as UTF-16 (Unicode text) "
                                           "but is not readable as UTF-16; save it again as CSV "
                                           "UTF-8")]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    if lines[0].startswith(codecs.BOM_UTF8):
        lines[0] = lines[0][len(codecs.BOM_UTF8):]
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            lines[number - 1] = line.decode("utf-8")
        except UnicodeDecodeError:
            try:
                lines[number - 1] = line.decode("cp1252")
            except UnicodeDecodeError:
                raise InputError([InputProblem(label, number, None, "cannot be read as text: "
                                               "neither UTF-8 nor Windows-1252; save the file as "
                                               "CSV UTF-8")]) from None
    return "\n".join(line if isinstance(line, str) else line.decode("ascii") for line in lines)


def _separator(first_line: str) -> str:
    """The separator the header row uses most (a comma when none or tied)."""
    counts = {sep: first_line.count(sep) for sep in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def _read_csv(path: Path, label: str, categorical_except: Collection[str] | None = None) -> RawTable:
    regular = _read_plain_utf8_csv(path, label, categorical_except)
    if regular is not None:
        return regular
    data = path.read_bytes()
    text = decode(data, label)
    del data
    first_line, _, rest = text.partition("\n")
    named = _SEP_LINE.match(first_line)
    offset = 0
    if named:
        text, offset = rest, 1
        first_line = text.partition("\n")[0]
    if not first_line.strip():
        raise InputError([InputProblem(label, 1 + offset, None, "the first line is empty; expected "
                                       "the header row with the column names")])
    delimiter = named.group(1) if named else _separator(first_line)
    raw = _read_csv_text(text, delimiter, label)
    return _shifted(raw, offset) if offset else raw


def _read_plain_utf8_csv(path: Path, label: str,
                         categorical_except: Collection[str] | None = None) -> RawTable | None:
    """The file as Arrow reads it straight from disk, or None when it is not plainly regular.

    Plainly regular: UTF-8, no quotes, no ``sep=`` line, no carriage return other than in a
    Windows line end, every line with the header's fields or empty (an empty line is a row of
    empty cells, which the loaders drop as blank). Then row n is line n + 1 with no line-by-line
    work in Python, which is what lets a national extract of ten million rows load at all;
    anything else takes the careful path. With ``categorical_except``, every column not named in
    it comes back as a pandas Categorical (see :func:`read_table`).
    """
    import pyarrow as pa

    first_line, rows_follow, plain = _scan(path)
    if not plain:
        return None
    if first_line.startswith(codecs.BOM_UTF8):
        first_line = first_line[len(codecs.BOM_UTF8):]
    try:
        header_text = first_line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _SEP_LINE.match(header_text) or not header_text.strip():
        return None
    delimiter = _separator(header_text)
    header = [name.strip() for name in header_text.split(delimiter)]
    categorical = None if categorical_except is None else \
        [name not in categorical_except for name in header]
    try:
        cells = _arrow_text_table(path if rows_follow else None, delimiter, header, categorical)
    except (pa.ArrowInvalid, UnicodeDecodeError):   # a line with other fields, or not UTF-8
        return None
    cells.index = pd.Index(np.arange(len(cells), dtype=np.int64) + 2, name="line")
    return RawTable(cells, decimal_comma=delimiter in (";", "\t"), file_label=label)


def _scan(path: Path) -> tuple[bytes, bool, bool]:
    """(the first line, whether anything follows it, whether the file can take Arrow's route).

    Arrow's route needs no quote anywhere and no carriage return but in a Windows line end (Arrow
    would break a line at a lone one, where the careful path and an editor do not). The file is
    read in blocks, never held whole: searching for a byte is fast, counting is only needed when a
    carriage return is found.
    """
    first_line = b""
    header_done = rows_follow = False
    plain = True
    returns = pairs = 0
    block, last = bytearray(SCAN_BLOCK), b""
    with path.open("rb", buffering=0) as handle:
        while True:
            size = handle.readinto(block)
            if not size:
                break
            if not header_done:
                end = block.find(b"\n", 0, size)
                first_line += bytes(block[:size if end < 0 else end])
                if end >= 0:
                    header_done = True
                    first_line = first_line.rstrip(b"\r")
                    rows_follow = end + 1 < size
            else:
                rows_follow = True
            if block.find(b'"', 0, size) >= 0:
                plain = False
                break
            if block.find(b"\r", 0, size) >= 0 or last == b"\r":
                # A Windows line end may straddle two blocks: count across the seam.
                returns += block.count(b"\r", 0, size)
                pairs += block.count(b"\r\n", 0, size) + (last == b"\r" and block[:1] == b"\n")
            last = bytes(block[size - 1:size])
    return first_line, rows_follow, plain and returns == pairs


def _arrow_text_table(source: bytes | Path | None, delimiter: str, header: list[str],
                      categorical: list[bool] | None = None, skip_empty_lines: bool = False) -> pd.DataFrame:
    """Every cell of an unquoted CSV (header line skipped) as text, by Arrow's multithreaded reader.

    A million rows take well under a second, where pandas takes seconds. ``source`` is the file
    or its bytes; None (or bytes with no line after the header) gives no rows. Arrow refuses a
    line whose field count differs from the header's (ArrowInvalid); an empty line is a row of
    empty cells, or skipped with ``skip_empty_lines``.
    Where ``categorical`` says so, a column is dictionary-encoded as Arrow reads it and becomes a
    pandas Categorical: a few dozen distinct dates or codes kept once each, not ten million times.
    """
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    names = [f"c{position}" for position in range(len(header))]  # header names may repeat
    if isinstance(source, bytes):
        newline = source.find(b"\n")
        if newline < 0 or not source[newline + 1:].strip(b"\r\n"):
            source = None
        else:
            source = io.BytesIO(source)
    if source is None:
        # A header and no rows: Arrow cannot skip a header that no line break ends.
        cells = pd.DataFrame({name: pd.Series([], dtype=object) for name in names}).astype(str)
        cells.columns = header
        return cells
    # large_string is what pandas keeps its text in: no copy on the way in.
    text, encoded = pa.large_string(), pa.dictionary(pa.int32(), pa.large_string())
    types = {name: encoded if categorical and categorical[position] else text
             for position, name in enumerate(names)}
    table = arrow_csv.read_csv(
        str(source) if isinstance(source, Path) else source,   # a name: Arrow reads it without Python
        read_options=arrow_csv.ReadOptions(skip_rows=1, column_names=names, block_size=1 << 24),
        parse_options=arrow_csv.ParseOptions(delimiter=delimiter, quote_char=False, escape_char=False,
                                             ignore_empty_lines=skip_empty_lines),
        convert_options=arrow_csv.ConvertOptions(column_types=types, strings_can_be_null=False),
    )
    if categorical:
        table = table.unify_dictionaries()   # one set of categories per column, not one per block
    cells = table.to_pandas(types_mapper={text: pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    cells.columns = header
    return cells


def _read_csv_text(text: str, delimiter: str, label: str) -> RawTable:
    decimal_comma = delimiter in (";", "\t")
    if '"' in text:
        # Quoted fields may hold separators and line breaks: read record by record, which
        # knows the line each record starts on.
        return _read_csv_by_line(text, delimiter, label)
    lines = text.split("\n")
    header = [name.strip() for name in lines[0].split(delimiter)]
    width, named = len(header), _named_width(header)
    # Without quotes every record is one line (header = line 1): its separators give its
    # fields. A line with more fields than the header would make pandas take the first
    # column as the index (and shift every value); pandas would pad a short one silently.
    counts = [line.count(delimiter) + 1 for line in lines[1:]]
    if any(count > width for count in counts):
        return _read_csv_by_line(text, delimiter, label)
    data_lines = [number for number, (count, line) in enumerate(zip(counts, lines[1:]), start=2)
                  if line not in ("", "\r")]
    if all(counts[number - 2] == width for number in data_lines):
        # Every line has the header's fields: the common case, and the one large files are.
        return RawTable(_read_regular_csv(text, delimiter, header, data_lines),
                        decimal_comma=decimal_comma, file_label=label)
    try:
        cells = pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, na_filter=False,
            skip_blank_lines=False, quoting=csv.QUOTE_NONE, engine="c",
        )
    except pd.errors.ParserError:
        return _read_csv_by_line(text, delimiter, label)
    except pd.errors.EmptyDataError:
        raise InputError([InputProblem(label, None, None, "the file has no header row")]) from None
    cells.columns = header   # as written: pandas renames empty and repeated names
    problems = [_field_count_problem(label, number, count, named)
                for number, (count, line) in enumerate(zip(counts, lines[1:]), start=2)
                if count < named and line.strip()]
    cells.index = pd.Index(np.arange(len(cells), dtype=np.int64) + 2, name="line")
    if problems:
        short = [p.line for p in problems]
        cells.loc[short] = np.nan   # marked so that check_short_rows leaves them out
    return RawTable(cells, decimal_comma=decimal_comma, file_label=label, problems=problems)


def _read_regular_csv(text: str, delimiter: str, header: list[str], data_lines: list[int]) -> pd.DataFrame:
    """Text whose every line has the header's fields (some lines may be empty), read by Arrow.

    ``data_lines`` gives each row's line.
    """
    cells = _arrow_text_table(text.encode("utf-8"), delimiter, header, skip_empty_lines=True)
    if len(cells) != len(data_lines):   # never expected: the lines were counted above
        raise InputError([InputProblem("(register)", None, None, "could not be read line by line")])
    cells.index = pd.Index(np.asarray(data_lines, dtype=np.int64), name="line")
    return cells


def _named_width(header: list[str]) -> int:
    """Columns up to the last one with a name: a line may leave out the unnamed ones after it."""
    width = len(header)
    while width > 1 and not header[width - 1].strip():
        width -= 1
    return width


def _read_csv_by_line(text: str, delimiter: str, label: str) -> RawTable:
    """The slow path for quoted or damaged CSV, record by record.

    Every line whose field count differs from the header's is reported and left out, the rest is
    read as usual.
    """
    # As long a field as Arrow's route reads unquoted (its 16 MiB block), not the csv module's 128 KiB.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [c.strip() for c in next(reader)]
    except (StopIteration, csv.Error):
        raise InputError([InputProblem(label, 1, None, "is not a readable CSV header")]) from None
    width, named = len(header), _named_width(header)
    rows, lines, problems = [], [], []
    next_line = 2
    try:
        for row in reader:
            line, next_line = next_line, reader.line_num + 1
            if not row:
                continue
            if len(row) > width or len(row) < named:
                expected = width if len(row) > width else named
                problems.append(_field_count_problem(label, line, len(row), expected))
                continue
            rows.append(row + [""] * (width - len(row)))
            lines.append(line)
    except csv.Error as exc:
        problems.append(InputProblem(label, next_line, None, f"is not readable CSV ({exc})"))
    cells = pd.DataFrame(rows, dtype=object).astype(str) if rows else \
        pd.DataFrame(columns=range(width), dtype=str)
    cells.columns = header
    cells.index = pd.Index(np.asarray(lines, dtype=np.int64), name="line")
    return RawTable(cells, decimal_comma=delimiter in (";", "\t"), file_label=label,
                    problems=problems)


def _field_count_problem(label: str, line: int, fields: int, expected: int) -> InputProblem:
    return InputProblem(label, line, None, f"has {fields} fields but the header has {expected}; "
                                           "check the separators and quotes on this line")


def _shifted(raw: RawTable, offset: int) -> RawTable:
    """The same table ``offset`` lines further down the file (after a ``sep=`` line)."""
    raw.cells.index = raw.cells.index + offset
    raw.header_line += offset
    raw.problems = [dataclasses.replace(p, line=p.line + offset) if p.line is not None else p
                    for p in raw.problems]
    return raw


# ---------------------------------------------------------------- columns

def column_letter(position: int) -> str:
    """A spreadsheet's name for the column at 1-based ``position``: 1 = A, 27 = AA."""
    letters = ""
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def tidy_header(raw: RawTable, spreadsheet: bool = False) -> RawTable:
    """Columns as the checks need them: an unnamed column holding values and a repeated name are refused.

    A column with no name and no value in any row is ignored: dropped when no named column
    follows it (spreadsheet exports leave such), else renamed like a refused one. A column with no
    name that holds values is refused by its position; a repeated name is refused ("column age
    appears twice"). Such columns get the name ``#<position>`` (``#P``, the column letter, in a
    spreadsheet), which the header check leaves to these messages and the row checks ignore.

    Parameters
    ----------
    raw : RawTable
        The table as read; changed in place (problems go to ``raw.file_problems``).
    spreadsheet : bool
        Name positions by column letter (A, B, ...) rather than by number.

    Returns
    -------
    RawTable
        ``raw`` itself.
    """
    from evalkit.register.hetu import contains_hetu

    names = [str(name).strip() for name in raw.cells.columns]
    if len(set(names)) == len(names) and "" not in names:
        raw.cells.columns = names
        return raw
    keep, renamed, first_position = [], [], {}
    for position, name in enumerate(names, start=1):
        where = str(position) if not spreadsheet else \
            column_letter(raw.positions[position - 1] if raw.positions else position)
        if name == "":
            column = raw.cells.iloc[:, position - 1]
            filled = (column.notna() & (column.astype(str).str.strip() != "")).to_numpy(dtype=bool)
            if not filled.any():
                if position > _named_width(names):
                    continue    # a trailing column a spreadsheet left: no name, no values
                renamed.append(f"#{where}")
            else:
                first = int(raw.cells.index[filled][0])
                raw.file_problems.append(InputProblem(
                    raw.file_label, raw.header_line, where,
                    f"has no name in the header row but holds values, first on line {first}; "
                    "name the column or delete it"))
                renamed.append(f"#{where}")
        elif name in first_position and not contains_hetu(name):
            raw.file_problems.append(InputProblem(
                raw.file_label, raw.header_line, name,
                f"appears twice (columns {first_position[name]} and {where}); keep one of them"))
            renamed.append(f"#{where}")
        else:
            first_position.setdefault(name, where)
            renamed.append(name)
        keep.append(position - 1)
    raw.cells = raw.cells.iloc[:, keep].copy()
    if raw.positions:
        raw.positions = [raw.positions[index] for index in keep]
    raw.cells.columns = renamed
    return raw


# ---------------------------------------------------------------- typed cells

def _cells_to_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed cells (from Excel or Parquet) to the text a CSV export would hold."""
    out = {}
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime("%Y-%m-%d")
            has_time = values.notna() & (values != values.dt.normalize())
            text = text.where(~has_time, values.astype(str))
        elif pd.api.types.is_bool_dtype(values):
            text = values.map({True: "true", False: "false"})
        elif pd.api.types.is_float_dtype(values):
            text = values.astype(object).map(_float_to_text)
        else:
            text = values.astype(object).map(_object_to_text)
        out[position] = text.where(values.notna(), "").astype(str)
    result = pd.DataFrame(out, index=frame.index)
    result.columns = [str(column).strip() for column in frame.columns]
    return result


def _float_to_text(value) -> str:
    """A float as the file holds it: whole numbers in digits while exact, anything else as Python writes it.

    Anything else is fractions, 1e+20, inf: written as ``repr`` does, so a refusal quotes it
    faithfully.
    """
    if value is None or pd.isna(value):
        return ""
    value = float(value)
    if math.isfinite(value) and value.is_integer() and abs(value) < _EXACT_INTEGER:
        return str(int(value))
    return repr(value)


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
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float_to_text(value)
    return str(value)


def _read_parquet(path: Path, label: str) -> RawTable:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        raise InputError([InputProblem(label, None, None, f"is not a readable .parquet table "
                                       f"({type(exc).__name__})")]) from None
    cells = _cells_to_text(frame.reset_index(drop=True))
    cells.index = pd.Index(np.arange(len(cells), dtype=np.int64) + 2, name="line")
    return RawTable(cells, decimal_comma=False, file_label=label)
