"""Crude rates, eligibility, funnel limits, homogeneity test and WAS change in evalkit.compare.

Expected values come from a second route named in each test: closed forms worked by hand on
small tables, not from the functions under test.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from comparison_data import make_register
from evalkit import compare
from evalkit.errors import EvalkitError
from evalkit.indicators import compute_indicators, wilson_interval

Z95 = 1.959963984540054


def test_eligibility_uses_calendar_months_and_keeps_unknown_in_the_denominator():
    register = make_register([
        {"pilot_id": "hame", "end_date": "2021-03-31", "status_3m": "employed_open"},
        {"pilot_id": "hame", "end_date": "2021-04-01", "status_3m": "employed_open"},  # due 2021-07-01
        {"pilot_id": "hame", "end_date": "2021-03-15", "status_3m": pd.NA},  # empty -> unknown
        {"pilot_id": "hame", "end_date": None},  # still in service
    ])
    # 2021-03-31 + 3 months = 2021-06-30 (month end), so as_of 2021-06-30 makes it eligible.
    eligible = compare.eligible_at(register, "2021-06-30", 3)
    assert sorted(eligible["person_id"]) == ["p0", "p2"]
    assert dict(zip(eligible["person_id"], eligible["status"])) == {"p0": "employed_open", "p2": "unknown"}
    assert list(eligible.sort_values("person_id")["employed"]) == [1, 0]
    assert compare.eligible_at(register, "2021-06-29", 3)["person_id"].tolist() == ["p2"]


def test_wilson_interval_matches_the_closed_form():
    # Closed form (Wilson 1927) worked out here: centre (p + z²/2n)/(1 + z²/n),
    # half-width z/(1 + z²/n)·sqrt(p(1-p)/n + z²/4n²).
    k, n = 7, 20
    p = k / n
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 / denom * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2))
    low, high = wilson_interval([k], [n])
    assert low[0] == pytest.approx(centre - half, abs=1e-12)
    assert high[0] == pytest.approx(centre + half, abs=1e-12)
    # At k = 0 the interval starts at 0 and has upper bound z²/(n + z²).
    low0, high0 = wilson_interval([0], [10])
    assert low0[0] == pytest.approx(0, abs=1e-12)
    assert high0[0] == pytest.approx(Z95**2 / (10 + Z95**2), abs=1e-12)
    assert np.isnan(wilson_interval([0], [0])[0][0])


def test_employment_rates_count_by_hand_and_show_pilots_with_nobody_eligible():
    register = make_register(
        [{"pilot_id": "hame", "status_6m": s} for s in
         ("employed_open", "employed_subsidised", "entrepreneur", "training", "unknown")]
        + [{"pilot_id": "lappi", "status_6m": s} for s in ("unemployed", pd.NA, "employed_open")]
        + [{"pilot_id": "uusimaa", "end_date": None}]
    )
    rates = compare.employment_rates(register, "2022-12-31", horizons=(6,)).set_index("pilot_id")
    # hame 3 of 5, lappi 1 of 3 (empty status counts as unknown), pooled 4 of 8.
    assert rates.loc["hame", ["numerator", "denominator"]].tolist() == [3, 5]
    assert rates.loc["lappi", ["numerator", "denominator"]].tolist() == [1, 3]
    assert rates.loc["all", ["numerator", "denominator"]].tolist() == [4, 8]
    assert rates.loc["all", "value"] == pytest.approx(0.5)
    assert rates.loc["uusimaa", "denominator"] == 0
    assert np.isnan(rates.loc["uusimaa", "value"]) and np.isnan(rates.loc["uusimaa", "ci_low"])


def test_funnel_limits_at_known_points():
    limits = compare.funnel_limits(0.3, [100, 4]).set_index(["level", "n"])
    se = math.sqrt(0.3 * 0.7 / 100)  # 0.045826
    assert se == pytest.approx(0.0458, abs=1e-4)
    assert limits.loc[(0.95, 100.0), "low"] == pytest.approx(0.3 - 1.96 * se, abs=1e-4)
    assert limits.loc[(0.95, 100.0), "high"] == pytest.approx(0.3 + 1.96 * se, abs=1e-4)
    # 99.8 %: z = 3.0902 (normal table value).
    assert limits.loc[(0.998, 100.0), "high"] == pytest.approx(0.3 + 3.0902 * se, abs=1e-4)
    # n = 4: 0.3 − 3.09·0.229 < 0, clipped at 0.
    assert limits.loc[(0.998, 4.0), "low"] == 0.0
    with pytest.raises(EvalkitError):
        compare.funnel_limits(1.5, [10])


def test_funnel_points_flag_a_pilot_outside_the_limits():
    register = make_register(
        [{"pilot_id": "hame", "status_6m": "employed_open" if i < 90 else "unemployed"} for i in range(100)]
        + [{"pilot_id": "lappi", "status_6m": "employed_open" if i < 30 else "unemployed"} for i in range(100)]
        + [{"pilot_id": "uusimaa", "status_6m": "employed_open" if i < 30 else "unemployed"} for i in range(100)]
    )
    rates = compare.employment_rates(register, "2022-12-31", horizons=(6,))
    points = compare.funnel_points(rates, 6).set_index("pilot_id")
    # Pooled 150/300 = 0.5; limits at n=100: 0.5 ± 3.09·0.05 = [0.345, 0.655] (99.8 %).
    assert points.loc["hame", "position"] == "outside_998" and points.loc["hame", "side"] == "above"
    assert points.loc["lappi", "position"] == "outside_998" and points.loc["lappi", "side"] == "below"


def _table_register(counts: dict[str, tuple[int, int]], horizon: int = 6):
    rows = []
    for pilot, (employed, n) in counts.items():
        rows += [{"pilot_id": pilot, f"status_{horizon}m": "employed_open" if i < employed else "unemployed"}
                 for i in range(n)]
    return make_register(rows)


def test_chi_square_matches_hand_computation_on_3x2_and_2x2_tables():
    # 3×2: 10/20, 5/20, 15/20 employed; pooled 1/2, every expected count 10:
    # χ² = 2·(0² + 5² + 5²)/10 = 10 on 2 df; the χ²(2) tail is exp(−x/2).
    result = compare.homogeneity_tests(_table_register({"hame": (10, 20), "lappi": (5, 20), "uusimaa": (15, 20)}),
                                       "2022-12-31", horizons=(6,)).iloc[0]
    assert result["statistic"] == pytest.approx(10.0)
    assert result["dof"] == 2
    assert result["p_value"] == pytest.approx(math.exp(-5))
    assert result["min_expected"] == pytest.approx(10.0)
    # 2×2 without continuity correction: 8/10 vs 2/10, expected 5 each: χ² = 4·3²/5 = 7.2;
    # the χ²(1) tail is erfc(sqrt(x/2)).
    result = compare.homogeneity_tests(_table_register({"hame": (8, 10), "lappi": (2, 10)}),
                                       "2022-12-31", horizons=(6,)).iloc[0]
    assert result["statistic"] == pytest.approx(7.2)
    assert result["p_value"] == pytest.approx(math.erfc(math.sqrt(3.6)))


def test_chi_square_is_undefined_with_a_reason():
    one = compare.homogeneity_tests(_table_register({"hame": (3, 10)}), "2022-12-31", horizons=(6,)).iloc[0]
    assert one["undefined_reason"] == "fewer_than_two_pilots" and np.isnan(one["statistic"])
    flat = compare.homogeneity_tests(_table_register({"hame": (10, 10), "lappi": (6, 6)}), "2022-12-31",
                                     horizons=(6,)).iloc[0]
    assert flat["undefined_reason"] == "no_variation" and np.isnan(flat["p_value"])


def test_was_change_matches_hand_computed_paired_t():
    starts, ends = [3, 4, 5, 6, 5], [4, 6, 5, 9, 4]  # differences 1, 2, 0, 3, −1
    register = make_register([{"pilot_id": "hame", "was_start": s, "was_end": e}
                              for s, e in zip(starts, ends)]
                             + [{"pilot_id": "hame", "was_start": 5}]  # no end: left out
                             + [{"pilot_id": "lappi", "was_start": 5, "was_end": 7}])
    table = compare.was_change_by_pilot(register).set_index("pilot_id")
    hame = table.loc["hame"]
    # By hand: mean 1, sd sqrt(10/4) = 1.5811, se 0.7071, t = 1.4142 on 4 df, t_0.975,4 = 2.776445.
    assert hame["n_pairs"] == 5
    assert hame["mean_change"] == pytest.approx(1.0)
    assert hame["ci_low"] == pytest.approx(1 - 2.776445 * math.sqrt(0.5), abs=1e-5)
    assert hame["ci_high"] == pytest.approx(1 + 2.776445 * math.sqrt(0.5), abs=1e-5)
    assert hame["t_statistic"] == pytest.approx(math.sqrt(2))
    assert hame["p_value"] == pytest.approx(2 * stats.t.sf(math.sqrt(2), 4))
    assert 0 < hame["wilcoxon_p"] <= 1
    # One pair: the mean is shown, interval and test are not defined.
    assert table.loc["lappi", "mean_change"] == 2 and np.isnan(table.loc["lappi", "p_value"])
    assert table.loc["all", "n_pairs"] == 6


def test_was_change_with_identical_changes_has_no_test():
    # Every change is +1: the sample standard deviation is 0, so the t interval is the point 1
    # (the exports' was_change says the same; the book hides such a mean) and no test is defined.
    register = make_register([{"pilot_id": "hame", "was_start": 4, "was_end": 5}] * 3)
    row = compare.was_change_by_pilot(register).set_index("pilot_id").loc["hame"]
    assert row["mean_change"] == 1 and row["ci_low"] == 1 and row["ci_high"] == 1
    assert np.isnan(row["t_statistic"]) and np.isnan(row["p_value"]) and np.isnan(row["wilcoxon_p"])


# The contract's pilot table, top to bottom (CONTRACT.md "The eight pilots"): the report's order.
CONTRACT_ORDER = ("pohjois-pohjanmaa", "uusimaa", "pohjois-karjala", "etela-pohjanmaa", "lappi",
                  "pirkanmaa", "pohjanmaa", "hame")


def _mixed_register():
    # Rows deliberately in neither alphabetical nor the contract's order.
    rows = []
    for pilot, employed in (("uusimaa", 2), ("hame", 4), ("pohjois-karjala", 1), ("lappi", 3)):
        rows += [{"pilot_id": pilot, "status_6m": "employed_open" if i < employed else "unemployed",
                  "was_start": 4, "was_end": 4 + i % 3} for i in range(6)]
    return make_register(rows)


def test_employment_rates_are_the_exported_indicator_rows_in_the_report_order():
    register = _mixed_register()
    rates = compare.employment_rates(register, "2022-12-31", horizons=(6,))
    assert list(rates["pilot_id"]) == ["uusimaa", "pohjois-karjala", "lappi", "hame", "all"]
    assert [p for p in CONTRACT_ORDER if p in set(rates["pilot_id"])] == list(rates["pilot_id"][:-1])
    # Counted by hand: 2, 1, 3, 4 of 6 employed; 10 of 24 pooled.
    assert rates["numerator"].tolist() == [2, 1, 3, 4, 10]
    assert rates["denominator"].tolist() == [6, 6, 6, 6, 24]
    # One home: the very rows `evalkit indicators` and the exports hold.
    exported = compute_indicators(register, dt.date(2022, 12, 31), {}, horizons=(6,))
    exported = exported[exported["indicator"] == "employment_rate"].reset_index(drop=True)
    pd.testing.assert_frame_equal(rates, exported)


def test_was_change_by_pilot_is_the_exported_mean_and_interval_in_the_report_order():
    register = _mixed_register()
    table = compare.was_change_by_pilot(register)
    assert list(table["pilot_id"]) == ["uusimaa", "pohjois-karjala", "lappi", "hame", "all"]
    # Each pilot's changes are 0, 1, 2, 0, 1, 2: mean 1, sd sqrt(4/5), n 6.
    half = stats.t.ppf(0.975, 5) * math.sqrt(0.8 / 6)
    hame = table.set_index("pilot_id").loc["hame"]
    assert hame["n_pairs"] == 6 and hame["mean_change"] == pytest.approx(1.0)
    assert hame["ci_low"] == pytest.approx(1 - half) and hame["ci_high"] == pytest.approx(1 + half)
    exported = compute_indicators(register, dt.date(2022, 12, 31), {}, horizons=(6,))
    exported = exported[exported["indicator"] == "was_change"]
    np.testing.assert_array_equal(table[["mean_change", "ci_low", "ci_high"]].to_numpy(),
                                  exported[["value", "ci_low", "ci_high"]].to_numpy(dtype=float))


@pytest.mark.parametrize("horizons", [(3,), (6, 12), (3, 6, 12)])
def test_crude_rates_are_the_indicators_rows_of_every_outcome_rate(horizons):
    """crude_rates computes only its indicator's rows; they are those of all outcome rates."""
    from comparison_data import random_register
    from evalkit import indicators

    register = random_register(seed=3)
    register.loc[register.index[:30], "pilot_id"] = "pirkanmaa"
    everything = indicators.outcome_rates(register, pd.Timestamp("2023-01-01").date(), horizons)
    for indicator in compare.OUTCOME_INDICATORS:
        expected = everything[everything["indicator"] == indicator].reset_index(drop=True)
        pd.testing.assert_frame_equal(compare.crude_rates(register, "2023-01-01", horizons, indicator), expected)


def test_outcome_rates_refuse_a_name_that_is_no_outcome_rate_and_take_one_name_as_text():
    from comparison_data import random_register
    from evalkit import indicators

    register = random_register(seed=3, n_per_pilot=20)
    as_of = pd.Timestamp("2023-01-01").date()
    with pytest.raises(ValueError, match="not an outcome rate: was_change"):
        indicators.outcome_rates(register, as_of, (6,), ("employment_rate", "was_change"))
    one = indicators.outcome_rates(register, as_of, (6,), "employment_rate")
    assert set(one["indicator"]) == {"employment_rate"} and len(one) == 4
