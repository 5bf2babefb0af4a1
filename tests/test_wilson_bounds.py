"""Wilson bounds at the ends of the scale are exactly 0 and 1.

By the formula, the lower bound at x = 0 is (z²/2n − z·√(z²/4n²)) / (1 + z²/n) = 0 and the upper
bound at x = n is 1 by symmetry; floating point used to give 5.6e-17 and 0.9999999999999999,
which turned a goal with a target of 1 (or a ceiling of 0) from "not yet clear" into "not met".
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from evalkit.goals import NOT_MET, UNCLEAR, assess_goals
from evalkit.indicators import compute_indicators, wilson_interval
from evalkit.params import Goal


def test_bounds_are_exact_at_zero_and_at_n_for_every_size():
    n = np.arange(1, 3001, dtype=float)
    low_at_zero, high_at_zero = wilson_interval(np.zeros_like(n), n)
    low_at_n, high_at_n = wilson_interval(n, n)
    assert (low_at_zero == 0.0).all()
    assert (high_at_n == 1.0).all()
    # The other ends stay strictly inside (0, 1): nothing was clipped that should not be.
    assert ((high_at_zero > 0) & (high_at_zero < 1)).all()
    assert ((low_at_n > 0) & (low_at_n < 1)).all()
    # And the interior keeps statsmodels' values (1 of 7 by hand: centre ± half, z = 1.959964).
    z = 1.959963984540054
    p, k = 1 / 7, 7
    centre = (p + z * z / (2 * k)) / (1 + z * z / k)
    half = z * np.sqrt(p * (1 - p) / k + z * z / (4 * k * k)) / (1 + z * z / k)
    low, high = wilson_interval([1], [7])
    assert (low[0], high[0]) == (pytest.approx(centre - half), pytest.approx(centre + half))


def _register(statuses: list[str]) -> pd.DataFrame:
    n = len(statuses)
    return pd.DataFrame({
        "person_id": [f"p{i}" for i in range(n)], "pilot_id": pd.Categorical(["lappi"] * n),
        "service": ["x"] * n, "start_date": pd.to_datetime(["2022-01-01"] * n),
        "end_date": pd.to_datetime(["2022-06-30"] * n), "age": pd.array([40] * n, dtype="Int64"),
        "sex": ["F"] * n, "basis": ["tasmatyo"] * n, "unemployment_months": pd.array([3] * n, dtype="Int64"),
        "was_start": pd.array([5] * n, dtype="Int64"), "was_end": pd.array([6] * n, dtype="Int64"),
        "status_3m": statuses, "status_6m": [None] * n, "status_12m": [None] * n,
        "cost_eur": [np.nan] * n,
    })


# Sizes where statsmodels' bounds at 0 or n missed by one ulp (found by trying 1–40), and a few more.
SIZES = (1, 2, 5, 7, 9, 12, 14, 18, 19, 20, 23, 28, 34, 36, 37, 38, 39)


@pytest.mark.parametrize("n", SIZES)
def test_everyone_employed_with_a_target_of_one_is_not_yet_clear(n):
    # n of n employed: the interval reaches 1 exactly; a target of 1 lies on its upper end, so the
    # data cannot tell the result from the target ("unclear"), not "not met". Same for a täsmätyö
    # share of everyone.
    indicators = compute_indicators(_register(["employed_open"] * n), dt.date(2023, 12, 31), {"lappi": 1000})
    rates = indicators[indicators.indicator.isin(["employment_rate", "tasmatyo_share"])
                       & (indicators.numerator == n)]
    assert (rates.ci_high == 1.0).all() and len(rates) == 4   # lappi and all, two indicators
    goals = (Goal(text="all", indicator="employment_rate", horizon=3, target=1.0),
             Goal(text="all of them täsmätyö", indicator="tasmatyo_share", target=1.0))
    assert [r.verdict for r in assess_goals(goals, indicators, "lappi")] == [UNCLEAR, UNCLEAR]


@pytest.mark.parametrize("n", SIZES[1:])
def test_nobody_unemployed_with_a_ceiling_of_zero_is_not_yet_clear(n):
    # Second variant: 0 of n unemployed against a ceiling of 0 (less is better). The lower bound 0
    # touches the ceiling: "unclear". One unemployed of n lies clearly above a ceiling of 0.
    as_of = dt.date(2023, 12, 31)
    none = compute_indicators(_register(["training"] * n), as_of, {"lappi": 1000})
    one = compute_indicators(_register(["training"] * (n - 1) + ["unemployed"]), as_of, {"lappi": 1000})
    zero_rows = none[(none.numerator == 0) & none.indicator.str.startswith("share_")]
    assert (zero_rows.ci_low == 0.0).all()
    goal = (Goal(text="no one unemployed", indicator="share_unemployed", horizon=3, target=0.0),)
    assert assess_goals(goal, none, "lappi")[0].verdict == UNCLEAR
    assert assess_goals(goal, one, "lappi")[0].verdict == NOT_MET
