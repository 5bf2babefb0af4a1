"""Verdicts on a pilot's own goals (the goals-results-metrics table). Pure, no I/O, no text.

A measurable goal names an indicator, a horizon (for horizon indicators) and a target. Its
verdict compares the target with the 95 % interval of the result, never with the point estimate
alone, so that a small pilot is not declared to have failed (or succeeded) on noise:

- ``met``      the whole interval lies on the good side of the target;
- ``not_met``  the whole interval lies on the bad side;
- ``unclear``  the interval contains the target, endpoints included (a bound exactly on the
  target means the data cannot tell the result from the target);
- ``no_data``  there is no interval (nobody eligible yet, fewer than two paired scores);
- ``qualitative`` the goal names no indicator: it is reported, not judged.

Direction. For most indicators more is better (employment, positive exits, the täsmätyö share,
the change in the work ability score), and a target is a floor. For the shares of people
unemployed, outside the labour force or of unknown status, and for costs, less is better and the
target is a ceiling: ``met`` then means the interval lies *below* it. The direction is the
indicator's declaration (evalkit.indicator_registry), so a params file cannot get it wrong. (Cost
indicators have no interval; params refuse them as goal indicators today, and a cost goal here
would get ``no_data``.)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from evalkit.definitions import POOLED
from evalkit.indicator_registry import spec
from evalkit.params import Goal
from evalkit.publication import cell

MET, NOT_MET, UNCLEAR, NO_DATA, QUALITATIVE = "met", "not_met", "unclear", "no_data", "qualitative"
VERDICTS = (MET, NOT_MET, UNCLEAR, NO_DATA, QUALITATIVE)


def lower_is_better(indicator: str) -> bool:
    """Whether less is better for ``indicator``, so that a goal's target on it is a ceiling.

    Parameters
    ----------
    indicator : str
        Indicator name as in the tidy indicator frame (e.g. ``share_unemployed``).

    Returns
    -------
    bool
        As the indicator declares (:mod:`evalkit.indicator_registry`): True for the shares
        unemployed, outside the labour force or of unknown status, and for the costs.

    Raises
    ------
    KeyError
        When ``indicator`` is undeclared.
    """
    return spec(indicator).lower_is_better


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def verdict(ci_low, ci_high, target: float, lower_better: bool = False) -> str:
    """The verdict for one interval against one target (see the module text).

    Parameters
    ----------
    ci_low, ci_high : float or None
        The 95 % interval of the result; None, NA or NaN for either means there is none.
    target : float
        The goal's target, in the indicator's unit.
    lower_better : bool
        Whether the target is a ceiling (:func:`lower_is_better`) rather than a floor.

    Returns
    -------
    str
        ``met``, ``not_met``, ``unclear`` (the target within the interval, endpoints included) or
        ``no_data``.
    """
    if _missing(ci_low) or _missing(ci_high):
        return NO_DATA
    above, below = ci_low > target, ci_high < target
    if not (above or below):
        return UNCLEAR
    good = below if lower_better else above
    return MET if good else NOT_MET


@dataclass(frozen=True)
class GoalResult:
    """One goal with its verdict and the result it was judged on (None where there is none)."""

    goal: Goal
    verdict: str
    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    lower_is_better: bool = False


def assess_goals(goals: tuple[Goal, ...] | list[Goal], indicators: pd.DataFrame,
                 pilot_id: str) -> list[GoalResult]:
    """Judge a pilot's goals against its results: one result per goal, in the params' order.

    Parameters
    ----------
    goals : sequence of Goal
        The pilot's goals from its params file.
    indicators : pandas.DataFrame
        Tidy indicator frame (``compute_indicators``) with pilot_id, indicator, horizon_months,
        numerator, denominator, value, ci_low, ci_high.
    pilot_id : str
        The pilot; a pilot absent from the frame gets ``no_data`` for every measurable goal.

    Returns
    -------
    list of GoalResult
        A goal naming no indicator is ``qualitative``; others get :func:`verdict` on the row of
        their indicator and horizon.

    Raises
    ------
    ValueError
        When ``pilot_id`` is the pooled row, which has no goals.
    """
    if pilot_id == POOLED:
        raise ValueError("goals belong to a pilot, not to the pooled row")
    results = []
    for goal in goals:
        if goal.indicator is None:
            results.append(GoalResult(goal, QUALITATIVE))
            continue
        lower = lower_is_better(goal.indicator)
        row = cell(indicators, pilot_id, goal.indicator, goal.horizon)
        if row is None:
            results.append(GoalResult(goal, NO_DATA, lower_is_better=lower))
            continue
        as_float = {k: (None if _missing(row[k]) else float(row[k]))
                    for k in ("numerator", "denominator", "value", "ci_low", "ci_high")}
        results.append(GoalResult(goal, verdict(as_float["ci_low"], as_float["ci_high"], goal.target, lower),
                                  lower_is_better=lower, **as_float))
    return results
