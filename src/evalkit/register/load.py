"""``load_register``: the only way participant data enters evalkit.

Steps, all reported together: read the file as text; refuse personal identity codes; check the
header; parse cells; validate the typed frame against the pandera schema (which includes the
cross-column rules); with ``pilot_id`` given, refuse other pilots' rows. Everything after this
function trusts its output.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from evalkit.definitions import (
    BASIS_CODES,
    HORIZONS,
    OPTIONAL_REGISTER_COLUMNS,
    PILOT_IDS,
    REGISTER_COLUMNS,
    SEX_CODES,
    STATUS_CODES,
)
from evalkit.errors import InputError, InputProblem
from evalkit.register.hetu import HETU_MESSAGE, contains_hetu, hetu_mask
from evalkit.register.parse import CellParser, distinct, shown
from evalkit.register.readers import RawTable, read_table
from evalkit.register.schema import ALLOWED, due_dates, register_schema

DATE_COLUMNS = ("start_date", "end_date")
WHOLE_COLUMNS = ("age", "unemployment_months", "was_start", "was_end")
STATUS_COLUMNS = tuple(f"status_{h}m" for h in HORIZONS)


def refuse_hetu(raw: RawTable) -> list[InputProblem]:
    """Find identity codes in the header and every cell, and blank them so no later message can quote them.

    A column name holding one is renamed ``#<position>``; each cell holding one is emptied and
    listed in ``raw.hetu_cells``. ``raw`` is changed in place.

    Parameters
    ----------
    raw : RawTable
        The file as read, cells as text.

    Returns
    -------
    list of InputProblem
        One per column name and per cell with an identity code: line and column named, value never.
    """
    problems = []
    renamed = []
    for position, name in enumerate(raw.cells.columns, start=1):
        if contains_hetu(name):
            problems.append(InputProblem(raw.file_label, raw.header_line, f"#{position}",
                                         f"the column name {HETU_MESSAGE}"))
            renamed.append(f"#{position}")
        else:
            renamed.append(name)
    raw.cells.columns = renamed
    for column in raw.cells.columns:
        mask = hetu_mask(raw.cells[column])
        if mask.any():
            for line in raw.cells.index[mask]:
                problems.append(InputProblem(raw.file_label, int(line), column, HETU_MESSAGE))
            if isinstance(raw.cells[column].dtype, pd.CategoricalDtype) and \
                    "" not in raw.cells[column].cat.categories:
                raw.cells[column] = raw.cells[column].cat.add_categories([""])
            raw.cells.loc[mask, column] = ""
            raw.hetu_cells.update((int(line), column) for line in raw.cells.index[mask])
    return problems


def check_header(raw: RawTable, expected: tuple[str, ...], optional: tuple[str, ...],
                 what: str) -> list[InputProblem]:
    """Problems with the header: missing, repeated and unknown columns, after the reader's own.

    A column that is not in the contract might carry personal data nobody asked for, so it is
    refused, not ignored.

    Parameters
    ----------
    raw : RawTable
        The file as read (after :func:`refuse_hetu`, whose ``#<position>`` names are not reported).
    expected : tuple of str
        Every column the contract allows, in its order.
    optional : tuple of str
        Those of ``expected`` that may be absent.
    what : str
        What the file should be, for the message when none of ``expected`` is found
        (e.g. ``"a participant register"``).

    Returns
    -------
    list of InputProblem
        With line = the header line; a problem with column None means no expected column was found.
    """
    label, columns = raw.file_label, list(raw.cells.columns)
    found = [c for c in columns if c in expected]
    if not found:
        return raw.file_problems + [InputProblem(label, raw.header_line, None,
                             f"does not look like {what}: none of the expected columns found; "
                             f"the header row must name the columns {', '.join(expected)}")]
    problems = list(raw.file_problems)   # the reader's: unnamed or repeated columns, other sheets
    for column in expected:
        if column not in columns and column not in optional:
            problems.append(InputProblem(label, raw.header_line, column,
                                         f"column missing; the header must name {', '.join(expected)}"))
    seen = set()
    for column in columns:
        if column in seen:
            problems.append(InputProblem(label, raw.header_line, column, "column appears twice"))
        seen.add(column)
        if column not in expected and not column.startswith("#"):
            problems.append(InputProblem(label, raw.header_line, shown(column)[1:-1],
                                         f"unknown column; allowed columns: {', '.join(expected)}"))
    return problems


def check_short_rows(raw: RawTable) -> list[InputProblem]:
    """Name each CSV line with fewer fields than the header once, and leave it out of ``raw.cells``.

    Such a line leaves NA cells; its fields are misaligned, so checking them would only add noise.
    A line the reader already reported is not named again.

    Parameters
    ----------
    raw : RawTable
        The file as read; ``raw.cells`` loses the short lines.

    Returns
    -------
    list of InputProblem
        The reader's row problems followed by one per short line.
    """
    from evalkit.register.readers import _field_count_problem
    cells = raw.cells
    short = cells.isna().any(axis=1).to_numpy(dtype=bool)
    problems = list(raw.problems)
    reported = {p.line for p in problems}
    for line, row in cells[short].iterrows():
        if int(line) not in reported:
            problems.append(_field_count_problem(raw.file_label, int(line),
                                                 int(row.notna().sum()), len(cells.columns)))
    if short.any():   # else no copy of every cell
        raw.cells = cells[~short]
    return problems


def _stripped(text: pd.Series) -> pd.Series:
    """``text.str.strip()``; a Categorical's texts are stripped once each, those then alike merged."""
    if not isinstance(text.dtype, pd.CategoricalDtype):
        return text.str.strip()
    values, rows = distinct(text)
    positions, merged = pd.factorize(values.str.strip())
    return pd.Series(pd.Categorical.from_codes(positions[rows], categories=merged),
                     index=text.index, name=text.name)


def parse_register(raw: RawTable) -> tuple[pd.DataFrame, CellParser]:
    """Parse the register's text cells into typed columns, collecting every unparsable cell.

    Parameters
    ----------
    raw : RawTable
        The file as read, cells stripped text, index = line numbers.

    Returns
    -------
    frame : pandas.DataFrame
        The contract's columns present in the file, typed (dates, nullable integers, codes as
        Categoricals of the codes found, cost as float); a cell that does not parse is NA.
    parser : CellParser
        Holds ``problems`` (one per bad cell) and ``bad_cells`` (their (line, column) pairs).
    """
    parser = CellParser(raw.file_label, raw.decimal_comma)
    cells = raw.cells
    typed = {}
    for column in REGISTER_COLUMNS:
        if column not in cells.columns:
            continue
        text = cells[column]
        if column == "person_id":
            typed[column] = parser.identifier(text, column, ALLOWED[column])
        elif column == "service":
            typed[column] = parser.text(text)
        elif column == "sex":
            typed[column] = parser.code(text, upper=True)
        elif column in ("pilot_id", "basis", *STATUS_COLUMNS):
            typed[column] = parser.code(text)
        elif column in DATE_COLUMNS:
            typed[column] = parser.date(text, column, ALLOWED[column])
        elif column in WHOLE_COLUMNS:
            typed[column] = parser.whole(text, column, ALLOWED[column])
        else:  # cost_eur
            typed[column] = parser.number(text, column, ALLOWED[column])
    return pd.DataFrame(typed, index=cells.index, copy=False), parser


def schema_problems(frame: pd.DataFrame, as_of: dt.date, file_label: str,
                    skip: set[tuple[int, str]], texts: pd.DataFrame) -> list[InputProblem]:
    """Run the pandera schema lazily and turn each failure into a sentence with its line."""
    schema = register_schema(as_of, with_cost="cost_eur" in frame.columns)
    try:
        schema.validate(frame, lazy=True, inplace=True)   # not a copy of every row: nothing is coerced
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    problems: list[InputProblem] = []
    duplicates_done = False
    for case in cases.itertuples(index=False):
        check, column = str(case.check), case.column
        if check == "multiple_fields_uniqueness":
            if not duplicates_done:
                problems += _duplicate_problems(frame, file_label)
                duplicates_done = True
            continue
        if case.index is None or pd.isna(case.index):
            problems.append(InputProblem(file_label, None, column, f"failed check {check}"))
            continue
        line = int(case.index)
        if check.startswith("status_") and check.endswith("_before_due"):
            column = check.removesuffix("_before_due")
            if not {(line, column), (line, "end_date")} & skip:
                problems.append(_status_too_early(frame, line, column, as_of, file_label))
            continue
        if check == "end_before_start":
            if not {(line, "end_date"), (line, "start_date")} & skip:
                row = frame.loc[line]
                problems.append(InputProblem(
                    file_label, line, "end_date",
                    f"{row.end_date:%Y-%m-%d} is before start_date {row.start_date:%Y-%m-%d}; "
                    f"allowed: {ALLOWED['end_date']}"))
            continue
        if (line, column) in skip:
            continue
        if check == "not_nullable":
            problems.append(InputProblem(file_label, line, column,
                                         f"is empty; required: {ALLOWED[column]}"))
        elif check == "not_after_as_of":
            problems.append(InputProblem(file_label, line, column,
                                         f"{case.failure_case:%Y-%m-%d} is after as_of "
                                         f"{as_of:%Y-%m-%d}, the date the data were extracted; "
                                         f"allowed: {ALLOWED[column]}"))
        else:
            value = texts.at[line, column]  # quote what the file says, not the parsed value
            problems.append(InputProblem(file_label, line, column,
                                         f"{shown(str(value))} is not allowed; allowed: {ALLOWED[column]}"))
    # A rule across columns fails once per column in pandera's report: say it once.
    return list(dict.fromkeys(problems))


def _duplicate_problems(frame: pd.DataFrame, file_label: str) -> list[InputProblem]:
    keyed = frame[["pilot_id", "person_id"]].dropna()
    dup = keyed[keyed.duplicated(keep=False)]
    problems = []
    for (pilot, person), group in dup.groupby(["pilot_id", "person_id"], sort=False):
        lines = [int(x) for x in group.index]
        for line in lines:
            others = ", ".join(str(x) for x in lines if x != line)
            problems.append(InputProblem(file_label, line, "person_id",
                                         f"{shown(person)} appears more than once in pilot "
                                         f"{pilot} (also on line {others}); allowed: {ALLOWED['person_id']}"))
    return problems


def _status_too_early(frame: pd.DataFrame, line: int, column: str, as_of: dt.date,
                      file_label: str) -> InputProblem:
    months = int(column.removeprefix("status_").removesuffix("m"))
    end = frame.at[line, "end_date"]
    if pd.isna(end):
        reason = "end_date is empty (still in service)"
    else:
        due = due_dates(pd.Series([end]), months).iloc[0]
        reason = f"end_date {end:%Y-%m-%d} + {months} months = {due:%Y-%m-%d} is after as_of {as_of:%Y-%m-%d}"
    return InputProblem(file_label, line, column,
                        f"is filled in before the {months}-month follow-up is due: {reason}; "
                        f"allowed: empty until end_date + {months} months <= as_of")


def other_pilot_problems(frame: pd.DataFrame, pilot_id: str, file_label: str) -> list[InputProblem]:
    """A pilot's report sees only its own people: name each other pilot once, with its first line."""
    other = frame["pilot_id"].notna() & (frame["pilot_id"] != pilot_id)
    problems = []
    for pilot, group in frame[other.to_numpy(dtype=bool)].groupby("pilot_id", sort=True):
        problems.append(InputProblem(
            file_label, int(group.index[0]), "pilot_id",
            f"{len(group)} row(s) belong to pilot {pilot}, first on this line; this run is for "
            f"pilot {pilot_id} only and may see only its own people: give a file with that "
            f"pilot's rows only"))
    return problems


def finish(frame: pd.DataFrame) -> pd.DataFrame:
    """The trusted frame: categorical codes with the contract's categories, a ``line`` helper."""
    out = frame   # the parsed frame is this call's own: no copy of a million rows
    out["pilot_id"] = _categorical(out["pilot_id"], PILOT_IDS)
    out["sex"] = _categorical(out["sex"], SEX_CODES)
    out["basis"] = _categorical(out["basis"], BASIS_CODES)
    for column in STATUS_COLUMNS:
        out[column] = _categorical(out[column], STATUS_CODES)
    if "cost_eur" not in out.columns:
        out["cost_eur"] = np.nan
    out = out[list(REGISTER_COLUMNS)]
    out.insert(len(out.columns), "line", out.index.to_numpy(dtype=np.int64))
    return out.reset_index(drop=True)


def _categorical(codes: pd.Series, categories: tuple[str, ...]) -> pd.Series:
    """``codes.astype(CategoricalDtype(categories))``, a quarter of the time on a million rows.

    pandas matches every row against the categories as Python objects; here only the distinct
    values are matched (a Categorical has them as its categories, else Arrow's dictionary encoding
    finds them). The schema has already refused any value outside ``categories``, so none becomes
    missing here.
    """
    if isinstance(codes.dtype, pd.CategoricalDtype):
        rows, found = codes.cat.codes.to_numpy(), codes.cat.categories
    else:
        rows, found = pd.factorize(codes)
    positions = pd.Index(categories).get_indexer(pd.Index(found))
    category_codes = np.where(rows >= 0, positions[rows], -1) if len(found) else rows
    return pd.Series(pd.Categorical.from_codes(category_codes, dtype=pd.CategoricalDtype(categories)),
                     index=codes.index, name=codes.name)


def load_register(path: str | Path, as_of: dt.date, pilot_id: str | None = None) -> pd.DataFrame:
    """Read and validate a participant register extracted on ``as_of``.

    Accepts CSV (UTF-8 commas, or Finnish Excel: semicolons, decimal comma, BOM), ``.xlsx`` and
    ``.parquet``. The columns and rules are those of the contract (shared/CONTRACT.md).

    Parameters
    ----------
    path : str or Path
        The register file.
    as_of : datetime.date
        The date the data were extracted: no date may be after it, and a follow-up status may
        be filled only once it is due (end_date + horizon <= as_of).
    pilot_id : str, optional
        With it, rows of any other pilot are refused (a pilot's own report sees only its people).

    Returns
    -------
    pandas.DataFrame
        One row per person with the contract's columns: ``start_date``/``end_date``
        ``datetime64[ns]`` (``end_date`` NaT while in service); ``age``, ``unemployment_months``,
        ``was_start``, ``was_end`` nullable ``Int64``; ``pilot_id``, ``sex``, ``basis`` and
        ``status_3m/6m/12m`` ``Categorical`` with the contract's codes as categories (NA when
        empty); ``person_id``/``service`` strings; ``cost_eur`` float (NaN when absent); plus
        ``line``, the row's line in the file. ``attrs`` holds ``source``, ``as_of`` and
        ``synthetic``.

    Raises
    ------
    InputError
        Listing every problem (file, line with header = 1, column, what is wrong and what is
        allowed), identity codes never quoted; also for an unknown ``pilot_id``.
    """
    from evalkit.register import artefact
    from evalkit.register.manifest import is_synthetic

    if pilot_id is not None and pilot_id not in PILOT_IDS:
        raise InputError([InputProblem(str(pilot_id), None, "pilot_id",
                                       f"unknown pilot; allowed: {', '.join(PILOT_IDS)}")])
    if pilot_id is None:   # in a build, validated once and kept (evalkit.register.artefact)
        out = artefact.cached("register", path, {"as_of": as_of}, lambda: _validated(path, as_of, None))
    else:
        out = _validated(path, as_of, pilot_id)
    out.attrs.update(source=str(path), as_of=as_of, synthetic=is_synthetic(path))
    return out


def _validated(path: str | Path, as_of: dt.date, pilot_id: str | None) -> pd.DataFrame:
    """:func:`load_register`'s work: read, check and type the file, or raise with every problem."""
    # Each column but the identifier comes as a Categorical from a large CSV: its checks and
    # parsing then run once per distinct text, not once per row (parse.distinct).
    raw = read_table(path, categorical_except=("person_id",))
    problems = refuse_hetu(raw)
    header = check_header(raw, REGISTER_COLUMNS, OPTIONAL_REGISTER_COLUMNS, "a participant register")
    problems += header
    if any(p.column in REGISTER_COLUMNS and "missing" in p.message or p.column is None
           for p in header):
        raise InputError(problems)  # without the columns, row checks would only add noise
    problems += check_short_rows(raw)
    # Empty lines (common at the end of Excel exports) are no data; nor is a line whose only values
    # are in refused columns (a stray note far right): the column's own message names that line.
    named = [c for c in raw.cells.columns if not str(c).startswith("#")]
    blank = (raw.cells[named] == "").all(axis=1).to_numpy(dtype=bool)
    if blank.any():
        raw.cells = raw.cells[~blank]
    if raw.cells.empty:
        if not any(p.line is not None and p.line > raw.header_line for p in problems):   # else they say why
            problems.append(InputProblem(raw.file_label, None, None,
                                         "has a header but no rows; expected one row per person"))
        raise InputError(problems)
    raw.cells = raw.cells[[c for c in raw.cells.columns if c in REGISTER_COLUMNS]]
    raw.cells = raw.cells.apply(_stripped)
    frame, parser = parse_register(raw)
    problems += parser.problems
    skip = parser.bad_cells | raw.hetu_cells
    problems += schema_problems(frame, as_of, raw.file_label, skip, raw.cells)
    if pilot_id is not None:
        problems += other_pilot_problems(frame, pilot_id, raw.file_label)
    if problems:
        raise InputError(problems)
    return finish(frame)
