"""The tidy indicator frame as a declared type (pandera), checked where it is made.

Every indicator function returns one long frame with the contract's columns (CONTRACT.md,
"evalkit indicators"), and the small-cell rule adds its flags. :class:`IndicatorFrame` states
what such a frame holds, so that a family that drifts (a column renamed, a count turned float, an
interval that misses its value) fails where the frame is made, not as a wrong number in the book:

- columns and their order: ``pilot_id, horizon_months, indicator, numerator, denominator,
  value, ci_low, ci_high``, then optionally ``suppressed`` and ``complementary``
  (:func:`evalkit.suppression.suppress_complementary`); nothing else;
- dtypes: text ids, nullable ``Int64`` horizon and counts, ``float64`` value and interval
  (missing where the rule hides a cell or no interval applies);
- one row per ``(pilot_id, horizon_months, indicator)``, pilots of the funding list or ``all``;
- a follow-up time exactly on the indicators defined at one (the rates, shares, costs per exit
  and ``eligible``);
- shares (rates, status shares, work ability bands, employer shares):
  ``0 <= ci_low <= value <= ci_high <= 1``, ``0 <= numerator <= denominator`` and
  ``value = numerator / denominator``;
- counts (``participants``, ``hires``, ...): no denominator, ``value = numerator >= 0``;
- costs: a budget of 0 or more over people, a value of 0 or more;
- the mean change of the work ability score: within the scale's possible changes (−10 to 10),
  inside its own interval.

Each check passes where a cell is missing, so a published frame (hidden cells set to missing)
is checked by the same model. :class:`ContractIndicatorFrame` narrows the names to the
contract's (what :func:`evalkit.indicators.compute_indicators` returns).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from evalkit.definitions import HORIZONS, PILOT_IDS, POOLED
from evalkit.indicator_registry import (
    BY_NAME,
    HORIZON_INDICATORS,
    INDICATORS,
    PUBLISHED_INDICATORS,
    Kind,
)

_WITH_HORIZON = frozenset(HORIZON_INDICATORS)


def _is(kind: Kind, indicator: pd.Series) -> np.ndarray:
    """Which rows are indicators of ``kind`` (:mod:`evalkit.indicator_registry`); an undeclared name is none."""
    return indicator.map(lambda name: name in BY_NAME and BY_NAME[name].kind is kind).to_numpy(dtype=bool)


def _value_range(indicator: pd.Series, end: int) -> np.ndarray:
    """Each row's declared lowest (``end`` 0) or highest (1) value; NaN where none is declared."""
    def bound(name):
        declared = BY_NAME.get(name)
        return np.nan if declared is None or declared.value_range is None else declared.value_range[end]
    return indicator.map(bound).to_numpy(dtype=float)


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].astype("float64").to_numpy()


def _holds(condition: np.ndarray, *operands: np.ndarray) -> np.ndarray:
    """``condition`` where every operand is present; True where any is missing (a hidden cell)."""
    present = np.logical_and.reduce([~np.isnan(x) for x in operands])
    return ~present | condition


class IndicatorFrame(pa.DataFrameModel):
    """Any tidy indicator frame evalkit makes or publishes (module text)."""

    pilot_id: Series[str]
    horizon_months: Series[pd.Int64Dtype] = pa.Field(isin=HORIZONS, nullable=True)
    indicator: Series[str] = pa.Field(isin=PUBLISHED_INDICATORS)
    numerator: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    denominator: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True)
    value: Series[np.float64] = pa.Field(nullable=True)
    ci_low: Series[np.float64] = pa.Field(nullable=True)
    ci_high: Series[np.float64] = pa.Field(nullable=True)
    suppressed: Series[bool] | None
    complementary: Series[bool] | None

    class Config:
        """Exactly the declared columns, in their order; one row per pilot, follow-up time and indicator."""

        strict = True
        ordered = True
        unique = ("pilot_id", "horizon_months", "indicator")

    @pa.check("pilot_id", name="isin")
    def programme_pilot(cls, pilot_id: Series[str]) -> Series[bool]:
        """A pilot of the active programme (read when checked, not when imported), or the pooled row."""
        return pilot_id.isin((*PILOT_IDS, POOLED))

    @pa.dataframe_check
    def horizon_where_defined(cls, frame: pd.DataFrame) -> Series[bool]:
        """A follow-up time on exactly the indicators defined at one.

        Those are the rates and status shares, the costs per employed and per positive exit, and
        ``eligible``; every other row has none.
        """
        due = frame["indicator"].isin(_WITH_HORIZON).to_numpy(dtype=bool)
        return pd.Series(frame["horizon_months"].notna().to_numpy(dtype=bool) == due, index=frame.index)

    @pa.dataframe_check
    def shares_within_their_interval(cls, frame: pd.DataFrame) -> Series[bool]:
        """A share is numerator / denominator and lies within its interval, all of it within 0–1.

        Per share row: ``0 <= ci_low <= value <= ci_high <= 1``, ``0 <= numerator <= denominator``
        and ``value = numerator / denominator`` (relative tolerance 1e-12); each comparison
        passes where one of its cells is missing. Other rows pass.
        """
        share = _is(Kind.SHARE, frame["indicator"])
        value, low, high = (_floats(frame, c) for c in ("value", "ci_low", "ci_high"))
        numerator, denominator = _floats(frame, "numerator"), _floats(frame, "denominator")
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = (_holds((0 <= low) & (low <= value), low, value)
                  & _holds((value <= high) & (high <= 1), value, high)
                  & _holds((0 <= value) & (value <= 1), value)
                  & _holds((0 <= numerator) & (numerator <= denominator), numerator, denominator)
                  & _holds(np.isclose(value, numerator / denominator, rtol=1e-12, atol=0),
                           value, numerator, denominator))
        return pd.Series(~share | ok, index=frame.index)

    @pa.dataframe_check
    def counts_are_their_value(cls, frame: pd.DataFrame) -> Series[bool]:
        """A count row has no denominator, and its value is its numerator, 0 or more (where shown)."""
        count = _is(Kind.COUNT, frame["indicator"])
        value, numerator = _floats(frame, "value"), _floats(frame, "numerator")
        with np.errstate(invalid="ignore"):
            ok = (frame["denominator"].isna().to_numpy(dtype=bool)
                  & _holds(value == numerator, value, numerator) & _holds(value >= 0, value))
        return pd.Series(~count | ok, index=frame.index)

    @pa.dataframe_check
    def costs_not_negative(cls, frame: pd.DataFrame) -> Series[bool]:
        """A cost row's budget (numerator) and value are 0 or more (where shown)."""
        cost = _is(Kind.MONEY, frame["indicator"])
        value, budget = _floats(frame, "value"), _floats(frame, "numerator")
        with np.errstate(invalid="ignore"):
            ok = _holds(value >= 0, value) & _holds(budget >= 0, budget)
        return pd.Series(~cost | ok, index=frame.index)

    @pa.dataframe_check
    def mean_change_within_its_interval(cls, frame: pd.DataFrame) -> Series[bool]:
        """The mean change of the work ability score lies in −10…10 and within its interval (where shown)."""
        mean = _is(Kind.MEAN, frame["indicator"])
        value, low, high = (_floats(frame, c) for c in ("value", "ci_low", "ci_high"))
        lowest, highest = _value_range(frame["indicator"], 0), _value_range(frame["indicator"], 1)
        with np.errstate(invalid="ignore"):
            ok = (_holds((lowest <= value) & (value <= highest), value, lowest, highest)
                  & _holds((low <= value) & (value <= high), low, value, high))
        return pd.Series(~mean | ok, index=frame.index)


class ContractIndicatorFrame(IndicatorFrame):
    """The contract's indicators only (``evalkit indicators`` without ``--all``)."""

    @pa.check("indicator", name="contract_indicator")
    def contract_names(cls, indicator: Series[str]) -> Series[bool]:
        """Only the contract's indicator names (:data:`evalkit.indicator_registry.INDICATORS`)."""
        return indicator.isin(INDICATORS)
