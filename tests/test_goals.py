"""Verdicts on a pilot's goals at their edges: the interval touching the target, missing intervals,
qualitative goals, and indicators where less is better."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from evalkit.goals import MET, NO_DATA, NOT_MET, QUALITATIVE, UNCLEAR, assess_goals, lower_is_better, verdict
from evalkit.params import Goal

NAN = float("nan")


@pytest.mark.parametrize("low, high, target, expected", [
    (0.30, 0.40, 0.25, MET),          # wholly above
    (0.10, 0.20, 0.25, NOT_MET),      # wholly below
    (0.20, 0.30, 0.25, UNCLEAR),      # spans
    (0.25, 0.40, 0.25, UNCLEAR),      # lower bound exactly on the target: not above it
    (0.10, 0.25, 0.25, UNCLEAR),      # upper bound exactly on the target: not below it
    (0.25, 0.25, 0.25, UNCLEAR),      # a zero-width interval on the target
    (0.2500001, 0.4, 0.25, MET),      # just above
    (0.1, 0.2499999, 0.25, NOT_MET),  # just below
    (NAN, NAN, 0.25, NO_DATA),
    (0.30, NAN, 0.25, NO_DATA),       # half an interval is no interval
    (None, None, 0.25, NO_DATA),
    (pd.NA, pd.NA, 0.25, NO_DATA),
    (-1.9, 1.7, 0.0, UNCLEAR),        # a score change around zero
    (0.2, 1.1, 0.0, MET),
])
def test_verdict_more_is_better(low, high, target, expected):
    assert verdict(low, high, target) == expected


@pytest.mark.parametrize("low, high, expected", [
    (0.10, 0.20, MET),       # a ceiling of 25 %: wholly below it is met
    (0.30, 0.40, NOT_MET),
    (0.10, 0.25, UNCLEAR),   # touching the ceiling
    (0.25, 0.40, UNCLEAR),
    (NAN, NAN, NO_DATA),
])
def test_verdict_less_is_better(low, high, expected):
    assert verdict(low, high, 0.25, lower_better=True) == expected


def test_direction_follows_the_indicator():
    assert lower_is_better("share_unemployed")
    assert lower_is_better("share_unknown")
    assert lower_is_better("cost_per_employed")
    assert not lower_is_better("employment_rate")
    assert not lower_is_better("was_change")
    assert not lower_is_better("tasmatyo_share")


def _indicator_frame() -> pd.DataFrame:
    # Hand-made rows in the contract's layout; the numbers are not meant to be consistent rates.
    rows = [
        ("lappi", 6, "employment_rate", 20, 60, 20 / 60, 0.22, 0.46),
        ("lappi", 3, "employment_rate", 10, 60, 10 / 60, 0.09, 0.28),
        ("lappi", 6, "share_unemployed", 10, 60, 10 / 60, 0.09, 0.28),
        ("lappi", 12, "employment_rate", 0, 0, NAN, NAN, NAN),
        ("lappi", None, "tasmatyo_share", 0, 70, 0.0, 0.0, 0.052),
        ("lappi", None, "was_change", 3, 9, 1 / 3, -0.2, 0.9),
        ("all", 6, "employment_rate", 2000, 6000, 1 / 3, 0.32, 0.345),
    ]
    frame = pd.DataFrame(rows, columns=["pilot_id", "horizon_months", "indicator", "numerator",
                                        "denominator", "value", "ci_low", "ci_high"])
    frame["horizon_months"] = frame["horizon_months"].astype("Int64")
    return frame


def test_assess_goals_picks_the_goal_horizon_and_keeps_order():
    goals = (
        Goal(text="at least a fifth employed at 6 months", indicator="employment_rate", horizon=6,
             target=0.20),   # 0.22 > 0.20
        Goal(text="at least a fifth employed at 3 months", indicator="employment_rate", horizon=3,
             target=0.20),   # 0.09..0.28
        Goal(text="at most 30 % unemployed at 6 months", indicator="share_unemployed", horizon=6,
             target=0.30),   # 0.28 < 0.30
        Goal(text="employers learn about partial work ability"),
        Goal(text="at least a third employed at 12 months", indicator="employment_rate", horizon=12,
             target=0.33),   # nobody due
        Goal(text="täsmätyö reaches a fifth", indicator="tasmatyo_share", target=0.20),   # 0.052 < 0.20
        Goal(text="work ability improves", indicator="was_change", target=0.0),           # spans 0
    )
    results = assess_goals(goals, _indicator_frame(), "lappi")
    assert [r.verdict for r in results] == [MET, UNCLEAR, MET, QUALITATIVE, NO_DATA, NOT_MET, UNCLEAR]
    assert [r.goal for r in results] == list(goals)
    first = results[0]
    assert (first.numerator, first.denominator) == (20, 60)
    assert math.isclose(first.value, 20 / 60)
    assert results[2].lower_is_better and not results[0].lower_is_better
    assert results[3].value is None and results[4].value is None


def test_a_pilot_missing_from_the_frame_has_no_data_not_someone_elses_numbers():
    goals = (Goal(text="employed at 6 months", indicator="employment_rate", horizon=6, target=0.2),
             Goal(text="qualitative"))
    results = assess_goals(goals, _indicator_frame(), "hame")
    assert [r.verdict for r in results] == [NO_DATA, QUALITATIVE]


def test_the_pooled_row_has_no_goals():
    with pytest.raises(ValueError):
        assess_goals((), _indicator_frame(), "all")
