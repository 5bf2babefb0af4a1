"""The participant register's declared schema (pandera), and what each rule says when broken.

The schema checks typed values (text already parsed into dates and numbers by
:mod:`evalkit.register.parse`); its index is the line in the file, so every failure names a line.
``as_of`` is part of the schema because three rules depend on it: no end date after the extract
date, no start after it, and no follow-up status before its horizon is due.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pandera.pandas as pa

from evalkit.definitions import BASIS_CODES, HORIZONS, PILOT_IDS, SEX_CODES, STATUS_CODES

AGE_RANGE = (15, 74)
WAS_RANGE = (0, 10)


def _codes(codes) -> str:
    return "one of " + ", ".join(codes)


class _Allowed(dict):
    """What is allowed in each column; ``pilot_id`` is read from the active programme when asked."""

    def __missing__(self, column: str) -> str:
        if column == "pilot_id":
            return _codes(PILOT_IDS) + " (the pilots of programme.yml)"
        raise KeyError(column)


# What is allowed in each column, said once; messages are "<what is wrong>; allowed: <this>".
ALLOWED = _Allowed({
    "person_id": "a pseudonymous identifier, unique within the pilot",
    "service": "free text",
    "start_date": "a date not after as_of (YYYY-MM-DD or D.M.YYYY)",
    "end_date": "empty while in service, else a date from start_date to as_of",
    "age": f"a whole number from {AGE_RANGE[0]} to {AGE_RANGE[1]} (age at start)",
    "sex": _codes(SEX_CODES),
    "basis": _codes(BASIS_CODES),
    "unemployment_months": "a whole number of months, 0 or more",
    "was_start": f"empty or a whole number from {WAS_RANGE[0]} to {WAS_RANGE[1]}",
    "was_end": f"empty or a whole number from {WAS_RANGE[0]} to {WAS_RANGE[1]}",
    **{f"status_{h}m": f"empty or {_codes(STATUS_CODES)}" for h in HORIZONS},
    "cost_eur": "empty or a number of euros, 0 or more",
})
REQUIRED = ("person_id", "pilot_id", "start_date", "age", "sex", "basis", "unemployment_months")


def due_dates(end_date: pd.Series, months: int) -> pd.Series:
    """``end_date + months`` with pandas ``DateOffset`` semantics (calendar months, clipped to the month's end).

    So 2023-08-31 + 3 months = 2023-11-30. NaT stays NaT. This is the contract's due date of the
    h-month follow-up (CONTRACT.md, eligibility).

    Parameters
    ----------
    end_date : pandas.Series
        ``datetime64[ns]`` end dates.
    months : int
        The horizon h, in months.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]``, aligned with ``end_date``.
    """
    return end_date + pd.DateOffset(months=months)


def eligible(end_date: pd.Series, as_of: dt.date, months: int) -> np.ndarray:
    """The contract's eligibility: end_date set and end_date + h months <= as_of.

    Adding months keeps the order of dates, so the end dates that qualify are those up to the last
    one that does: each row is compared with that date instead of being moved by h months itself
    (a calendar sum per row, seconds on ten million rows). An end date with a time of day (never
    from a register, whose dates are days) is eligible when its day's due date is before as_of.
    """
    values = pd.DatetimeIndex(end_date)
    last = _last_end(pd.Timestamp(as_of), months)          # due exactly on as_of at the latest
    before = _last_end(pd.Timestamp(as_of) - pd.Timedelta(days=1), months) + pd.Timedelta(days=1)
    ok = np.asarray(values < before)
    edge = np.flatnonzero(np.asarray((values >= before) & (values <= last)))
    if len(edge):   # due on as_of itself: only at midnight, a time of day would carry it past
        on_edge = values[edge]
        ok[edge] = np.asarray(on_edge == on_edge.normalize())
    return ok


def _last_end(as_of: pd.Timestamp, months: int) -> pd.Timestamp:
    """The last day whose date + ``months`` months is not after ``as_of``."""
    day = pd.Timedelta(days=1)
    last = (as_of - pd.DateOffset(months=months)).normalize()
    # Month ends clip: 2022-11-29 and 2022-11-30 + 3 months are both 2023-02-28.
    while due_dates(pd.Series([last + day]), months).iloc[0] <= as_of:
        last += day
    return last


def _status_check(months: int, as_of: dt.date) -> pa.Check:
    def check(frame: pd.DataFrame) -> pd.Series:
        filled = frame[f"status_{months}m"].notna().to_numpy(dtype=bool)
        return pd.Series(~filled | eligible(frame["end_date"], as_of, months), index=frame.index)
    return pa.Check(check, name=f"status_{months}m_before_due")


def _end_not_before_start(frame: pd.DataFrame) -> pd.Series:
    ok = (frame["end_date"] >= frame["start_date"]) | frame["end_date"].isna() | frame["start_date"].isna()
    return pd.Series(ok.to_numpy(dtype=bool), index=frame.index)


def register_schema(as_of: dt.date, with_cost: bool = True) -> pa.DataFrameSchema:
    """The declared schema for a parsed register extracted on ``as_of``.

    Code columns are Categoricals of the codes found in the file (each distinct code checked once,
    not once per row); the check names the codes the contract allows.
    """
    limit = pd.Timestamp(as_of)

    def not_after_as_of(series: pd.Series) -> pd.Series:
        return (series <= limit) | series.isna()

    columns = {
        "person_id": pa.Column("str", nullable=False),
        "pilot_id": pa.Column("category", pa.Check.isin(tuple(PILOT_IDS)), nullable=False),
        "service": pa.Column("str", nullable=True),
        "start_date": pa.Column("datetime64[ns]", pa.Check(not_after_as_of, name="not_after_as_of"),
                                nullable=False),
        "end_date": pa.Column("datetime64[ns]", pa.Check(not_after_as_of, name="not_after_as_of"),
                              nullable=True),
        "age": pa.Column("Int64", pa.Check.in_range(*AGE_RANGE), nullable=False),
        "sex": pa.Column("category", pa.Check.isin(SEX_CODES), nullable=False),
        "basis": pa.Column("category", pa.Check.isin(BASIS_CODES), nullable=False),
        "unemployment_months": pa.Column("Int64", pa.Check.ge(0), nullable=False),
        "was_start": pa.Column("Int64", pa.Check.in_range(*WAS_RANGE), nullable=True),
        "was_end": pa.Column("Int64", pa.Check.in_range(*WAS_RANGE), nullable=True),
        **{f"status_{h}m": pa.Column("category", pa.Check.isin(STATUS_CODES), nullable=True)
           for h in HORIZONS},
    }
    if with_cost:
        columns["cost_eur"] = pa.Column("float64", pa.Check.ge(0), nullable=True)
    return pa.DataFrameSchema(
        columns,
        checks=[pa.Check(_end_not_before_start, name="end_before_start"),
                *(_status_check(h, as_of) for h in HORIZONS)],
        unique=["pilot_id", "person_id"],
        report_duplicates="all",
        strict=True,
        ordered=False,
    )
