"""The national summary's key outcome results, computed once from the pooled register.

Pure: registers and parameters in, frames and a small dataclass out; no text, no I/O. Everything
here is *as published*: a value the small-cell rule hides (the full rule with its complementary
suppression, computed on everything published from the register, as on every other page) comes
back missing, and a pilot whose rate is hidden is left out of the range and the funnel list, as
the comparison chapter leaves it out of its figures. The chapter module formats what is left.

- :func:`key_results`: participants, the pooled employment and positive exit rates at every
  horizon, the pilots' employment rates at one horizon with where each falls against the funnel
  limits (:func:`evalkit.compare.funnel_points`), the pooled cost per employed person and the mean
  change in the work ability score.
- :func:`goal_verdicts` / :func:`verdict_counts`: every pilot's own goals with the verdict its
  chapter publishes (a result hidden by the small-cell rule gets no verdict there either).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from evalkit import compare
from evalkit.definitions import HORIZONS, POOLED
from evalkit.goals import NO_DATA, QUALITATIVE, VERDICTS, assess_goals
from evalkit.indicators import published_indicators
from evalkit.params import PilotParams
from evalkit.publication import cell, publish
from evalkit.register import pilot_ids

SUMMARY_RATES = ("employment_rate", "positive_exit_rate")


@dataclass(frozen=True)
class Estimate:
    """A published value with its 95 % interval (NaN when it has none) and the people behind it."""

    value: float
    ci_low: float
    ci_high: float
    n: int


@dataclass(frozen=True)
class KeyResults:
    """The summary's key outcome results, as published (:func:`key_results`).

    Attributes
    ----------
    as_of : datetime.date
        The register's extract date.
    pilots : int
        Pilots with people in the register.
    participants : int or None
        All participants; None when the small-cell rule hides the count.
    rates : DataFrame
        The pooled rows of ``SUMMARY_RATES`` at every horizon, tidy (CONTRACT.md columns), hidden
        cells NaN.
    horizon : int
        The follow-up time of the range across pilots, the funnel and the cost.
    pilot_rates : DataFrame
        Per pilot at ``horizon``, of the indicator asked for (the employment rate by default),
        published rates only, lowest rate first: pilot_id, numerator,
        denominator, value, ci_low, ci_high, position (inside, outside_95, outside_998) and side
        (above, below, at) against the funnel limits (:func:`evalkit.compare.funnel_points`).
    cost_per_employed : float or None
        The pooled budget per employed person at ``horizon``, in euros; None when hidden.
    was_change : Estimate or None
        The pooled mean change in the work ability score with its t-based 95 % interval; None
        when hidden or not computable.
    """

    as_of: dt.date
    pilots: int
    participants: int | None
    rates: pd.DataFrame
    horizon: int
    pilot_rates: pd.DataFrame
    cost_per_employed: float | None
    was_change: Estimate | None

    @property
    def outside_funnel(self) -> pd.DataFrame:
        """The published pilots outside the 95 % funnel limits (the 99.8 % ones among them)."""
        return self.pilot_rates[self.pilot_rates["position"] != "inside"]


def key_results(register: pd.DataFrame, as_of: dt.date, budgets: Mapping[str, int],
                employers: pd.DataFrame | None = None, horizon: int = 6,
                horizons: tuple[int, ...] = HORIZONS,
                indicator: str = compare.DEFAULT_INDICATOR) -> KeyResults:
    """The summary's outcome figures from the pooled register at ``as_of`` (see the module text).

    ``horizon``: the follow-up time of the range across pilots, the funnel and the cost per
    employed person (the comparison chapter's main horizon). ``indicator``: the rate whose range
    across pilots and funnel positions are given (:data:`evalkit.compare.OUTCOME_INDICATORS`).
    """
    publication = publish(published_indicators(register, as_of, budgets, employers))
    published = publication.published
    pooled = published[(published["pilot_id"] == POOLED) & published["indicator"].isin(SUMMARY_RATES)
                       & published["horizon_months"].isin(horizons)]
    pooled = pooled.sort_values(["indicator", "horizon_months"],
                                key=lambda s: s.map(SUMMARY_RATES.index) if s.name == "indicator" else s)
    participants = publication.published_value(POOLED, "participants")

    present = sorted(pilot_ids(register))
    rates = compare.crude_rates(register, as_of, (horizon,), indicator)
    points = compare.funnel_points(rates, horizon)
    shown = [publication.published_value(p, indicator, horizon) is not None for p in points["pilot_id"]]
    points = points[shown].sort_values(["value", "pilot_id"]).reset_index(drop=True)

    was = cell(published, POOLED, "was_change", None)
    was_change = None if was is None or pd.isna(was["value"]) else \
        Estimate(float(was["value"]), float(was["ci_low"]), float(was["ci_high"]), int(was["denominator"]))
    return KeyResults(
        as_of=as_of, pilots=len(present),
        participants=None if participants is None else int(participants),
        rates=pooled.drop(columns=["suppressed", "complementary"]).reset_index(drop=True),
        horizon=horizon,
        pilot_rates=points[["pilot_id", "numerator", "denominator", "value", "ci_low", "ci_high",
                            "position", "side"]],
        cost_per_employed=publication.published_value(POOLED, "cost_per_employed", horizon),
        was_change=was_change,
    )


def goal_verdicts(register: pd.DataFrame, as_of: dt.date, params: Mapping[str, PilotParams],
                  budgets: Mapping[str, int], employers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every pilot's own goals with the verdict its chapter publishes, in the params' order.

    Each pilot is judged as its chapter in the national report judges it: at the programme's
    common extract date ``as_of`` (the earliest, evalkit.pooled), on the rows of every pilot in
    ``register`` (the small-cell rule is computed on them all), and a measurable goal whose result
    the rule hides gets ``no_data``, as in the chapter's goals table.
    Columns: pilot_id, goal (its number within the pilot, from 1), indicator, horizon_months, verdict.
    """
    publication = publish(published_indicators(register, as_of, budgets, employers))
    rows = []
    for pilot_id in sorted(params):
        p = params[pilot_id]
        for number, result in enumerate(assess_goals(p.goals, publication.exact, pilot_id), start=1):
            verdict = result.verdict
            if verdict != QUALITATIVE and (
                    result.value is None
                    or publication.published_value(pilot_id, result.goal.indicator, result.goal.horizon) is None):
                verdict = NO_DATA
            rows.append({"pilot_id": pilot_id, "goal": number, "indicator": result.goal.indicator,
                         "horizon_months": result.goal.horizon, "verdict": verdict})
    frame = pd.DataFrame(rows, columns=["pilot_id", "goal", "indicator", "horizon_months", "verdict"])
    return frame.astype({"horizon_months": "Int64"})


def verdict_counts(verdicts: pd.DataFrame) -> pd.Series:
    """How many goals got each verdict (every verdict of :data:`evalkit.goals.VERDICTS`, zeros too)."""
    return verdicts["verdict"].value_counts().reindex(list(VERDICTS), fill_value=0).astype(int)
