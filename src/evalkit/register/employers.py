"""``load_employers``: the optional employer file (one row per employer contacted by a pilot).

Columns: ``pilot_id``; ``employer_id`` (pseudonymous, unique within the pilot); ``interested``
(the employer was marked "interested in recruiting partially able people": 1/0, true/false,
kyllä/ei); ``coached`` (the employer received coaching or advice from the pilot, same codes);
``hires`` (people the pilot placed with this employer, a whole number, 0 or more).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.definitions import PILOT_IDS
from evalkit.errors import InputError, InputProblem
from evalkit.register.load import check_header, check_short_rows, refuse_hetu
from evalkit.register.parse import CellParser, shown
from evalkit.register.readers import RawTable, read_table

EMPLOYER_COLUMNS = ("pilot_id", "employer_id", "interested", "coached", "hires")
_YES = {"1", "true", "yes", "kyllä", "k", "x"}
_NO = {"0", "false", "no", "ei", "e"}
_FLAG_ALLOWED = "1 or 0 (also true/false, kyllä/ei)"


def load_employers(path: str | Path) -> pd.DataFrame:
    """Read and validate ``employers.csv``; raise :class:`InputError` with every problem.

    Returns columns ``pilot_id`` (Categorical over the programme's pilots), ``employer_id`` (str),
    ``interested`` and ``coached`` (bool), ``hires`` (int64), ``line`` (line in the file).
    In a build, validated once and kept (:mod:`evalkit.register.artefact`).
    """
    from evalkit.register import artefact

    return artefact.cached("employers", path, {}, lambda: _validated(path))


def _validated(path: str | Path) -> pd.DataFrame:
    """:func:`load_employers`'s work: read, check and type the file, or raise with every problem."""
    raw = read_table(path)
    cells, problems = _rows(raw)
    pilot, employer, key_problems = _keys(raw, cells)
    flags, flag_problems = _flags(raw, cells)
    hires, hire_problems = _hires(raw, cells)
    problems += key_problems + flag_problems + hire_problems
    if problems:
        raise InputError(problems)
    out = pd.DataFrame({
        "pilot_id": pd.Categorical(pilot, categories=PILOT_IDS),
        "employer_id": employer.astype("str"),
        "interested": flags["interested"],
        "coached": flags["coached"],
        "hires": hires.astype("int64"),
        "line": cells.index.to_numpy(dtype=np.int64),
    })
    return out.reset_index(drop=True)


def _rows(raw: RawTable) -> tuple[pd.DataFrame, list[InputProblem]]:
    """The non-blank rows, stripped, and the file-level problems; raise when no row can be read."""
    label = raw.file_label
    problems = refuse_hetu(raw)
    header = check_header(raw, EMPLOYER_COLUMNS, (), "an employer file")
    problems += header
    if any("missing" in p.message or p.column is None for p in header):
        raise InputError(problems)
    problems += check_short_rows(raw)
    cells = raw.cells[~(raw.cells == "").all(axis=1).to_numpy(dtype=bool)]
    if cells.empty:
        if any(p.line is not None and p.line > raw.header_line for p in problems):   # they say why
            raise InputError(problems)
        raise InputError(problems + [InputProblem(label, None, None, "has a header but no rows")])
    return cells[list(EMPLOYER_COLUMNS)].apply(lambda s: s.str.strip()), problems


def _keys(raw: RawTable, cells: pd.DataFrame) -> tuple[pd.Series, pd.Series, list[InputProblem]]:
    """The pilot (lower case) and employer of each row: a known pilot, a given employer, no pair twice."""
    label = raw.file_label
    problems = []
    pilot = cells["pilot_id"].str.lower()
    for line, value in pilot[~pilot.isin(PILOT_IDS)].items():
        if (int(line), "pilot_id") not in raw.hetu_cells:
            problems.append(InputProblem(label, int(line), "pilot_id", f"{shown(value)} is not "
                                         f"allowed; allowed: one of {', '.join(PILOT_IDS)}"))
    employer = cells["employer_id"]
    for line in employer.index[(employer == "").to_numpy(dtype=bool)]:
        if (int(line), "employer_id") not in raw.hetu_cells:
            problems.append(InputProblem(label, int(line), "employer_id", "is empty; required: a "
                                         "pseudonymous identifier, unique within the pilot"))
    from evalkit.register.hetu import invisible_identifier_problems

    problems += invisible_identifier_problems(employer, label, "employer_id")
    keyed = pd.DataFrame({"pilot_id": pilot, "employer_id": employer})
    keyed = keyed[(employer != "").to_numpy(dtype=bool)]
    for line in keyed.index[keyed.duplicated(keep=False).to_numpy(dtype=bool)]:
        problems.append(InputProblem(label, int(line), "employer_id", f"{shown(employer[line])} "
                                     "appears more than once in the same pilot"))
    return pilot, employer, problems


def _flags(raw: RawTable, cells: pd.DataFrame) -> tuple[dict[str, np.ndarray], list[InputProblem]]:
    """``interested`` and ``coached`` as booleans, each cell one of the yes or no codes."""
    problems = []
    flags = {}
    for column in ("interested", "coached"):
        lowered = cells[column].str.lower()
        yes, no = lowered.isin(_YES), lowered.isin(_NO)
        for line, value in cells[column][~(yes | no)].items():
            if (int(line), column) not in raw.hetu_cells:
                problems.append(InputProblem(raw.file_label, int(line), column,
                                             f"{shown(value)} is not allowed; allowed: {_FLAG_ALLOWED}"))
        flags[column] = yes.to_numpy(dtype=bool)
    return flags, problems


def _hires(raw: RawTable, cells: pd.DataFrame) -> tuple[pd.Series, list[InputProblem]]:
    """``hires`` as a whole number, given and not negative."""
    label = raw.file_label
    parser = CellParser(label, raw.decimal_comma)
    hires = parser.whole(cells["hires"], "hires", "a whole number, 0 or more")
    problems = [p for p in parser.problems if (p.line, p.column) not in raw.hetu_cells]
    for line in hires.index[(hires < 0).fillna(False).to_numpy(dtype=bool)]:
        problems.append(InputProblem(label, int(line), "hires", f"{hires[line]} is negative; "
                                     "allowed: a whole number, 0 or more"))
    for line in hires.index[(hires.isna() & (cells["hires"] == "")).to_numpy(dtype=bool)]:
        if (int(line), "hires") not in raw.hetu_cells:
            problems.append(InputProblem(label, int(line), "hires", "is empty; required: a whole "
                                         "number, 0 or more"))
    return hires, problems


def other_pilot_employers(employers, pilot_id: str, label: str) -> list[InputProblem]:
    """``load_employers`` has no pilot filter: refuse other pilots' employers here, one line per pilot."""
    other = employers[(employers["pilot_id"] != pilot_id).to_numpy(dtype=bool)]
    return [InputProblem(label, int(group["line"].iloc[0]), "pilot_id",
                         f"{len(group)} row(s) belong to pilot {pilot}, first on this line; this report "
                         f"is for pilot {pilot_id} only: give a file with that pilot's employers only")
            for pilot, group in other.groupby("pilot_id", observed=True, sort=True)]
