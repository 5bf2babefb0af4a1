"""evalkit.did: the estimate against the 2×2 difference of means, input checks, the loader."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from did_simulation import START, TREATED, simulate_panel
from evalkit import did
from evalkit.errors import EvalkitError, InputError


def test_estimate_equals_the_difference_of_mean_changes_on_a_balanced_panel():
    # Second route: with one start date and a balanced panel, the two-way fixed-effects estimate
    # equals (treated post − treated pre) − (others post − others pre) of the mean log counts.
    panel = simulate_panel(np.random.default_rng(1))
    result = did.estimate_did(panel, TREATED, START)
    logs = panel.assign(y=np.log(panel["count"]), treated=panel["region"].isin(TREATED),
                        post=panel["month"] >= pd.Period(START, "M"))
    means = logs.groupby(["treated", "post"])["y"].mean()
    by_hand = (means[True, True] - means[True, False]) - (means[False, True] - means[False, False])
    assert result.estimate == pytest.approx(by_hand, abs=1e-10)
    assert result.n_regions == 15 and result.n_treated == 8 and result.n_months == 36
    assert result.pretrend_df == (3, 14)  # 3 lead bins; G − 1 = 14 denominator df
    assert result.ci_low < result.estimate < result.ci_high


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")  # zero residuals
def test_count_scale_and_noise_free_panel_recover_the_effect_exactly():
    panel = simulate_panel(np.random.default_rng(2), sd=0.0, rho=0.0, effect=0.1)
    result = did.estimate_did(panel, TREATED, START)
    assert result.estimate == pytest.approx(0.1, abs=1e-10)
    assert result.percent_effect[0] == pytest.approx(np.expm1(0.1))
    counted = did.estimate_did(panel, TREATED, START, scale="count")
    assert counted.scale == "count" and np.isnan(counted.percent_effect[0])
    # Event study: every post bin is the effect, every lead 0, the reference bin 0.
    events = result.event_study.set_index("event_time")
    assert events.loc[[0, 1, 2, 3, 4], "estimate"].to_numpy() == pytest.approx([0.1] * 5, abs=1e-9)
    assert events.loc[[-4, -3, -2], "estimate"].to_numpy() == pytest.approx([0] * 3, abs=1e-9)
    assert bool(events.loc[-1, "reference"])


@pytest.mark.parametrize("change, message", [
    (lambda p: p[~p["region"].isin(TREATED)], "no rows for pilot region"),
    (lambda p: p[p["region"].isin(TREATED)], "no region without a pilot"),
    (lambda p: p[p["month"] >= pd.Period(START, "M")], "before and from"),
    (lambda p: p.assign(count=p["count"].where(p.index != 5, 0)), "logarithm"),
])
def test_designs_that_cannot_identify_the_effect_are_refused(change, message):
    panel = simulate_panel(np.random.default_rng(3))
    with pytest.raises(EvalkitError, match=message):
        did.estimate_did(change(panel), TREATED, START)


def test_loader_returns_none_without_a_series(tmp_path):
    assert did.load_regional_series(tmp_path) is None
    assert did.load_regional_series(tmp_path / "missing") is None
    (tmp_path / "README.md").write_text("no data here")
    assert did.load_regional_series(tmp_path) is None


def test_loader_reads_every_csv(tmp_path):
    (tmp_path / "a.csv").write_text("region,month,count\nUusimaa,2021-01,5200\nUusimaa,2021-02,5150\n")
    (tmp_path / "b.csv").write_text("region,month,count\nLappi,2021-01,800\n")
    series = did.load_regional_series(tmp_path)
    assert list(series["region"]) == ["Lappi", "Uusimaa", "Uusimaa"]
    assert series["month"].iloc[0] == pd.Period("2021-01", "M")
    assert series["count"].sum() == 11150


def test_loader_names_file_line_and_column_of_every_problem(tmp_path):
    (tmp_path / "a.csv").write_text(
        "region,month,count\nUusimaa,2021-13,5200\n,2021-02,x\nLappi,2021-01,1\n")
    (tmp_path / "b.csv").write_text("region,month,count\nLappi,2021-01,2\n")
    (tmp_path / "c.csv").write_text("region,kuukausi,count\nLappi,2021-01,2\n")
    with pytest.raises(InputError) as caught:
        did.load_regional_series(tmp_path)
    lines = str(caught.value).splitlines()
    a, b, c = (str(tmp_path / n) for n in ("a.csv", "b.csv", "c.csv"))
    assert f"{a}: line 2: column month: '2021-13' is not a month written YYYY-MM" in lines
    assert f"{a}: line 3: column region: empty; give the region name" in lines
    assert f"{a}: line 3: column count: 'x' is not a whole number ≥ 0" in lines
    assert any(line.startswith(f"{b}: line 2: column month: Lappi 2021-01 is given twice") for line in lines)
    assert f"{c}: line 1: missing column(s) month; expected region, month, count" in lines
