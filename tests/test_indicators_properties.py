"""compute_indicators against a second computation, and its invariants (hypothesis).

The second computation walks the rows in plain Python with dateutil's relativedelta (which,
like pandas DateOffset, clips 31 August + 3 months to 30 November) and counts by hand.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.definitions import EMPLOYED_CODES, HORIZONS, PILOT_IDS, POSITIVE_EXIT_CODES, STATUS_CODES
from evalkit.indicators import compute_indicators
from evalkit.register import load_register
from evalkit.reported import load_pilots
from evalkit.synth import write_synthetic

AS_OF = dt.date(2023, 12, 31)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth")
    write_synthetic(folder, seed=7, size=3000)
    return load_register(folder / "participants.csv", AS_OF)


def by_loops(register: pd.DataFrame) -> dict:
    counts = {}
    for record in register.to_dict("records"):
        end = record["end_date"]
        for h in HORIZONS:
            if pd.isna(end) or end.date() + relativedelta(months=h) > AS_OF:
                continue
            status = record[f"status_{h}m"]
            status = "unknown" if pd.isna(status) else status
            for pilot in (record["pilot_id"], "all"):
                key = (pilot, h)
                counts.setdefault(key, {code: 0 for code in STATUS_CODES})
                counts[key][status] += 1
    return counts


def test_rates_agree_with_plain_loops(synthetic):
    result = compute_indicators(synthetic, AS_OF, load_pilots().budgets).set_index(
        ["pilot_id", "horizon_months", "indicator"])
    for (pilot, h), counts in by_loops(synthetic).items():
        eligible = sum(counts.values())
        expected = {
            "employment_rate": sum(counts[c] for c in EMPLOYED_CODES),
            "positive_exit_rate": sum(counts[c] for c in POSITIVE_EXIT_CODES),
            "open_employment_rate": counts["employed_open"],
            **{f"share_{c}": counts[c] for c in STATUS_CODES},
        }
        for indicator, numerator in expected.items():
            row = result.loc[(pilot, h, indicator)]
            assert (row.numerator, row.denominator) == (numerator, eligible), (pilot, h, indicator)


def test_was_change_agrees_with_pandas_route(synthetic):
    result = compute_indicators(synthetic, AS_OF, load_pilots().budgets)
    both = synthetic.dropna(subset=["was_start", "was_end"])
    diffs = (both["was_end"] - both["was_start"]).astype(float)
    means = diffs.groupby(both["pilot_id"], observed=True).mean()
    rows = result[result.indicator == "was_change"].set_index("pilot_id")
    for pilot, mean in means.items():
        assert rows.loc[pilot, "value"] == pytest.approx(mean)
    assert rows.loc["all", "value"] == pytest.approx(diffs.mean())
    from scipy import stats
    low, _ = stats.t.interval(0.95, len(diffs) - 1, loc=diffs.mean(), scale=stats.sem(diffs))
    assert rows.loc["all", "ci_low"] == pytest.approx(low)


# ---------------------------------------------------------------- properties

DATES = st.dates(min_value=dt.date(2021, 5, 1), max_value=AS_OF)


@st.composite
def registers(draw):
    n = draw(st.integers(1, 40))
    rows = []
    for i in range(n):
        end = draw(st.one_of(st.none(), DATES))
        row = {"person_id": f"p{i}", "pilot_id": draw(st.sampled_from(PILOT_IDS[:4])),
               "end_date": pd.Timestamp(end) if end else pd.NaT,
               "basis": draw(st.sampled_from(["diagnosis", "tasmatyo", "none"])),
               "was_start": draw(st.one_of(st.none(), st.integers(0, 10))),
               "was_end": draw(st.one_of(st.none(), st.integers(0, 10)))}
        for h in HORIZONS:
            row[f"status_{h}m"] = draw(st.one_of(st.none(), st.sampled_from(STATUS_CODES)))
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["end_date"] = frame["end_date"].astype("datetime64[ns]")
    for column in ("was_start", "was_end"):
        frame[column] = frame[column].astype("Int64")
    return frame


BUDGETS = {p: 100_000 * (i + 1) for i, p in enumerate(PILOT_IDS)}
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(registers())
def test_status_shares_sum_to_one(register):
    result = compute_indicators(register, AS_OF, BUDGETS)
    shares = result[result.indicator.str.startswith("share_") & (result.denominator > 0)]
    sums = shares.groupby(["pilot_id", "horizon_months"])["value"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)
    numerators = shares.groupby(["pilot_id", "horizon_months"])["numerator"].sum()
    denominators = shares.groupby(["pilot_id", "horizon_months"])["denominator"].first()
    assert (numerators == denominators).all()


@FAST
@given(registers())
def test_pooled_is_the_sum_over_pilots(register):
    result = compute_indicators(register, AS_OF, BUDGETS)
    counted = result[~result.indicator.isin(["was_change"])].assign(
        horizon_months=result["horizon_months"].fillna(-1))
    pilots = counted[counted.pilot_id != "all"]
    pooled = counted[counted.pilot_id == "all"].set_index(["horizon_months", "indicator"])
    summed = pilots.groupby(["horizon_months", "indicator"])[
        ["numerator", "denominator"]].sum()
    for key, row in pooled.iterrows():
        assert row.numerator == summed.loc[key, "numerator"], key
        assert row.denominator == summed.loc[key, "denominator"], key


@FAST
@given(registers(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(register, random):
    order = list(range(len(register)))
    random.shuffle(order)
    first = compute_indicators(register, AS_OF, BUDGETS)
    second = compute_indicators(register.iloc[order].reset_index(drop=True), AS_OF, BUDGETS)
    pd.testing.assert_frame_equal(first, second, check_exact=False, rtol=1e-12)
