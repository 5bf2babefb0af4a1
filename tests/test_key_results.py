"""The national summary's key results (evalkit.key_results) against a small register worked by
hand: pooled rates with Wilson intervals, the range across pilots, the funnel, the cost per
employed person, the work ability change, the goals' verdicts, and the small-cell rule."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from comparison_data import make_register
from evalkit import key_results as kr
from evalkit.params import Goal, PilotParams

AS_OF = dt.date(2023, 1, 1)   # everybody ended 2021-06-30: followed up at 3, 6 and 12 months
BUDGETS = {"uusimaa": 600_000, "hame": 300_000, "pohjanmaa": 300_000}
Z = stats.norm.ppf(0.975)


def _people(pilot: str, count: int, status: str, status_12m: str | None = None, **extra) -> list[dict]:
    return [{"pilot_id": pilot, "end_date": "2021-06-30", "status_3m": status, "status_6m": status,
             "status_12m": status_12m or status, **extra} for _ in range(count)]


def small_register() -> pd.DataFrame:
    """Every count 0 or at least 5, so the small-cell rule hides nothing.

    uusimaa (40): 10 open, 10 subsidised, 5 training, 5 other service, 10 unemployed; at 12 months
    the 5 in another service are in open work. Work ability 4 → 5 for 20 people, 4 → 6 for 20.
    hame (20): nobody employed, 10 training, 10 unemployed. pohjanmaa (20): 10 open, 10 unemployed.
    """
    rows = (_people("uusimaa", 10, "employed_open", was_start=4, was_end=5)
            + _people("uusimaa", 10, "employed_subsidised", was_start=4, was_end=5)
            + _people("uusimaa", 5, "training", was_start=4, was_end=6)
            + _people("uusimaa", 5, "other_service", "employed_open", was_start=4, was_end=6)
            + _people("uusimaa", 10, "unemployed", was_start=4, was_end=6)
            + _people("hame", 10, "training") + _people("hame", 10, "unemployed")
            + _people("pohjanmaa", 10, "employed_open") + _people("pohjanmaa", 10, "unemployed"))
    register = make_register(rows)
    register["person_id"] = [f"p{i}" for i in range(len(register))]
    return register


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson score interval, written out: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre = p + Z * Z / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return (centre - half) / (1 + Z * Z / n), (centre + half) / (1 + Z * Z / n)


def test_pooled_rates_at_every_horizon_by_hand():
    results = kr.key_results(small_register(), AS_OF, BUDGETS)
    assert results.participants == 80 and results.pilots == 3
    rates = results.rates.set_index(["indicator", "horizon_months"])
    # employed: uusimaa 20 (25 at 12 months), hame 0, pohjanmaa 10; positive exits add training
    # and other services: uusimaa 30, hame 10, pohjanmaa 10 at every horizon.
    expected = {("employment_rate", 3): 30, ("employment_rate", 6): 30, ("employment_rate", 12): 35,
                ("positive_exit_rate", 3): 50, ("positive_exit_rate", 6): 50, ("positive_exit_rate", 12): 50}
    assert set(rates.index) == set(expected)
    for key, employed in expected.items():
        row = rates.loc[key]
        assert (row["numerator"], row["denominator"]) == (employed, 80)
        assert row["value"] == pytest.approx(employed / 80)
        low, high = wilson(employed, 80)
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert list(results.rates["indicator"]) == ["employment_rate"] * 3 + ["positive_exit_rate"] * 3


def test_range_and_funnel_at_the_main_horizon_by_hand():
    results = kr.key_results(small_register(), AS_OF, BUDGETS, horizon=6)
    pilots = results.pilot_rates
    assert list(pilots["pilot_id"]) == ["hame", "pohjanmaa", "uusimaa"]   # lowest rate first
    assert list(pilots["value"]) == pytest.approx([0 / 20, 10 / 20, 20 / 40])
    # Funnel around the pooled 30/80 = 0.375: p ± z·√(p(1−p)/n).
    p = 30 / 80
    for _, row in pilots.iterrows():
        spread = math.sqrt(p * (1 - p) / row["denominator"])
        outside_95 = abs(row["value"] - p) > Z * spread
        outside_998 = abs(row["value"] - p) > stats.norm.ppf(0.999) * spread
        expected = "outside_998" if outside_998 else "outside_95" if outside_95 else "inside"
        assert row["position"] == expected
    # Häme at 0 % lies more than 3.09 standard errors (0.108 each) below 37.5 %; the others inside.
    outside = results.outside_funnel
    assert list(outside["pilot_id"]) == ["hame"]
    assert (outside.iloc[0]["position"], outside.iloc[0]["side"]) == ("outside_998", "below")


def test_cost_per_employed_and_work_ability_change_by_hand():
    results = kr.key_results(small_register(), AS_OF, BUDGETS, horizon=6)
    assert results.cost_per_employed == pytest.approx(1_200_000 / 30)     # 40 000 € per employed
    assert kr.key_results(small_register(), AS_OF, BUDGETS, horizon=12).cost_per_employed == \
        pytest.approx(1_200_000 / 35)
    # 20 changes of +1 and 20 of +2: mean 1.5, sd √(40·0.25/39), t interval with 39 df.
    was = results.was_change
    sd = math.sqrt(40 * 0.25 / 39)
    half = stats.t.ppf(0.975, 39) * sd / math.sqrt(40)
    assert (was.n, was.value) == (40, pytest.approx(1.5))
    assert (was.ci_low, was.ci_high) == (pytest.approx(1.5 - half), pytest.approx(1.5 + half))


def test_a_pilot_the_small_cell_rule_hides_is_left_out_of_the_range_and_the_funnel():
    from evalkit import suppression
    from evalkit.indicators import published_indicators

    register = small_register()
    lappi = make_register(_people("lappi", 3, "employed_open"))
    lappi["person_id"] = ["l1", "l2", "l3"]
    register = pd.concat([register, lappi], ignore_index=True)
    budgets = {**BUDGETS, "lappi": 100_000}
    results = kr.key_results(register, AS_OF, budgets, horizon=6)
    shown = set(results.pilot_rates["pilot_id"])
    assert "lappi" not in shown                      # three people followed up: never shown
    # Lappi's 3 can be worked out from the pooled count minus the others', so the rule hides a
    # partner too; a pilot whose count is hidden has its rate hidden, here as in the comparison.
    hidden = suppression.hidden_counts(published_indicators(register, AS_OF, budgets))
    partners = {p for p in ("hame", "pohjanmaa", "uusimaa")
                if (p, "eligible", 6) in hidden or (p, "employment_rate", 6) in hidden}
    assert partners and shown == {"hame", "pohjanmaa", "uusimaa"} - partners
    # The pooled figures (83 people, 33 employed at 6 months) are not small and stay.
    assert results.participants == 83
    six = results.rates[(results.rates["indicator"] == "employment_rate") & (results.rates["horizon_months"] == 6)]
    assert six.iloc[0]["value"] == pytest.approx(33 / 83)


def _params(pilot: str, *goals: Goal, as_of: dt.date = AS_OF) -> PilotParams:
    return PilotParams(pilot_id=pilot, data=Path("participants.csv"), as_of=as_of, goals=tuple(goals))


def test_goal_verdicts_as_each_chapter_publishes_them():
    params = {
        # 20/40 employed: Wilson 0.352–0.648, wholly above 0.3
        "uusimaa": _params("uusimaa", Goal(text="work", indicator="employment_rate", horizon=6, target=0.3),
                           Goal(text="a qualitative goal")),
        # 0/20: Wilson 0–0.161, wholly below 0.2
        "hame": _params("hame", Goal(text="work", indicator="employment_rate", horizon=6, target=0.2)),
        # 10/20 positive exits: the interval holds 0.5; nobody in pohjanmaa was scored
        "pohjanmaa": _params("pohjanmaa",
                             Goal(text="exits", indicator="positive_exit_rate", horizon=12, target=0.5),
                             Goal(text="ability", indicator="was_change", target=0.0)),
    }
    verdicts = kr.goal_verdicts(small_register(), AS_OF, params, BUDGETS)
    assert list(zip(verdicts["pilot_id"], verdicts["goal"], verdicts["verdict"])) == [
        ("hame", 1, "not_met"), ("pohjanmaa", 1, "unclear"), ("pohjanmaa", 2, "no_data"),
        ("uusimaa", 1, "met"), ("uusimaa", 2, "qualitative")]
    counts = kr.verdict_counts(verdicts)
    assert counts.to_dict() == {"met": 1, "not_met": 1, "unclear": 1, "no_data": 1, "qualitative": 1}


def test_a_goal_is_judged_at_the_programme_s_common_extract_date_as_its_chapter_judges_it():
    # At 2022-03-01 (the earliest pilot's extract) nobody who ended 2021-06-30 has been followed up
    # for 12 months yet, though this pilot's own extract is later.
    params = {"pohjanmaa": _params("pohjanmaa",
                                   Goal(text="exits", indicator="positive_exit_rate", horizon=12, target=0.2),
                                   Goal(text="exits", indicator="positive_exit_rate", horizon=6, target=0.2),
                                   as_of=AS_OF)}
    verdicts = kr.goal_verdicts(small_register(), dt.date(2022, 3, 1), params, BUDGETS)
    assert list(verdicts["verdict"]) == ["no_data", "met"]   # 10/20 at 6 months: 0.299–0.701
    assert list(kr.goal_verdicts(small_register(), AS_OF, params, BUDGETS)["verdict"]) == ["met", "met"]


def test_a_goal_whose_result_is_hidden_gets_no_verdict():
    register = small_register()
    lappi = make_register(_people("lappi", 3, "employed_open"))
    lappi["person_id"] = ["l1", "l2", "l3"]
    register = pd.concat([register, lappi], ignore_index=True)
    # 3 of 3 employed: Wilson 0.44–1 lies above 0.1, but a rate on three people is not published.
    params = {"lappi": _params("lappi", Goal(text="work", indicator="employment_rate", horizon=6, target=0.1))}
    verdicts = kr.goal_verdicts(register, AS_OF, params, {**BUDGETS, "lappi": 100_000})
    assert list(verdicts["verdict"]) == ["no_data"]
    assert kr.verdict_counts(verdicts.iloc[0:0]).sum() == 0
