"""compute_indicators on a small register whose every number was worked out by hand.

as_of = 2023-11-30. Eligibility uses DateOffset months (clipped to month end):
  L1 end 2023-08-31 + 3 = 2023-11-30  -> eligible at 3 (the 31st edge)
  L2 end 2023-08-30 + 3 = 2023-11-30  -> eligible at 3, status empty -> unknown
  L3 end 2023-09-01 + 3 = 2023-12-01  -> not eligible
  L4 end 2022-11-30 + 3 = 2023-02-28, +6 = 2023-05-30, +12 = 2023-11-30 -> eligible at all
  L5 in service; L6 end 2023-05-31 + 6 = 2023-11-30 -> eligible at 3 and 6
  H1 end 2022-01-15 all; H2 end 2022-06-30 all (12m empty -> unknown); H3 end 2023-02-28 at 3, 6
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from evalkit.indicators import CONTRACT_COLUMNS, compute_indicators, extra_indicators
from evalkit.register import load_register

AS_OF = dt.date(2023, 11, 30)
BUDGETS = {"lappi": 200_000, "hame": 500_000}
Z = 1.959963984540054
HEADER = ("person_id,pilot_id,service,start_date,end_date,age,sex,basis,unemployment_months,"
          "was_start,was_end,status_3m,status_6m,status_12m")
ROWS = """\
L1,lappi,s,2023-01-01,2023-08-31,30,F,tasmatyo,1,4,6,employed_open,,
L2,lappi,s,2023-01-01,2023-08-30,30,F,tasmatyo,1,,,,,
L3,lappi,s,2023-01-01,2023-09-01,30,M,diagnosis,1,,,,,
L4,lappi,s,2022-01-01,2022-11-30,30,M,diagnosis,1,7,6,training,employed_subsidised,entrepreneur
L5,lappi,s,2023-01-01,,30,U,diagnosis,1,,,,,
L6,lappi,s,2022-06-01,2023-05-31,30,F,none,1,5,,unemployed,outside_labour_force,
H1,hame,s,2021-06-01,2022-01-15,40,F,tasmatyo,2,3,8,other_service,employed_open,employed_open
H2,hame,s,2021-06-01,2022-06-30,40,M,diagnosis,2,,,unknown,unemployed,
H3,hame,s,2022-06-01,2023-02-28,40,F,diagnosis,2,10,10,employed_subsidised,entrepreneur,
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "participants.csv"
    path.write_text(HEADER + "\n" + ROWS, encoding="utf-8")
    register = load_register(path, AS_OF)
    return compute_indicators(register, AS_OF, BUDGETS), extra_indicators(register, AS_OF)


def get(frame, pilot, horizon, indicator):
    mask = (frame.pilot_id == pilot) & (frame.indicator == indicator)
    mask &= frame.horizon_months.isna() if horizon is None else (frame.horizon_months == horizon)
    rows = frame[mask.fillna(False)]
    assert len(rows) == 1, (pilot, horizon, indicator)
    return rows.iloc[0]


def wilson_by_hand(k, n):
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


# (pilot, horizon, indicator, numerator, denominator), counted from the table above.
HAND = [
    ("lappi", 3, "employment_rate", 1, 4), ("lappi", 3, "open_employment_rate", 1, 4),
    ("lappi", 3, "positive_exit_rate", 2, 4), ("lappi", 3, "share_unknown", 1, 4),
    ("lappi", 3, "share_training", 1, 4), ("lappi", 3, "share_unemployed", 1, 4),
    ("hame", 3, "employment_rate", 1, 3), ("hame", 3, "open_employment_rate", 0, 3),
    ("hame", 3, "positive_exit_rate", 2, 3), ("hame", 3, "share_unknown", 1, 3),
    ("all", 3, "employment_rate", 2, 7), ("all", 3, "positive_exit_rate", 4, 7),
    ("all", 3, "share_unknown", 2, 7),
    ("lappi", 6, "employment_rate", 1, 2), ("lappi", 6, "share_outside_labour_force", 1, 2),
    ("hame", 6, "employment_rate", 2, 3), ("hame", 6, "open_employment_rate", 1, 3),
    ("all", 6, "employment_rate", 3, 5), ("all", 6, "positive_exit_rate", 3, 5),
    ("lappi", 12, "employment_rate", 1, 1), ("lappi", 12, "share_entrepreneur", 1, 1),
    ("hame", 12, "employment_rate", 1, 2), ("hame", 12, "share_unknown", 1, 2),
    ("all", 12, "employment_rate", 2, 3), ("all", 12, "open_employment_rate", 1, 3),
    ("lappi", None, "tasmatyo_share", 2, 6), ("hame", None, "tasmatyo_share", 1, 3),
    ("all", None, "tasmatyo_share", 3, 9),
]


@pytest.mark.parametrize("pilot, horizon, indicator, numerator, denominator", HAND)
def test_rates_by_hand(result, pilot, horizon, indicator, numerator, denominator):
    row = get(result[0], pilot, horizon, indicator)
    assert (row.numerator, row.denominator) == (numerator, denominator)
    assert row.value == pytest.approx(numerator / denominator)
    low, high = wilson_by_hand(numerator, denominator)
    assert (row.ci_low, row.ci_high) == (pytest.approx(low), pytest.approx(high))


def test_contract_columns_and_rows(result):
    frame = result[0]
    assert tuple(frame.columns) == CONTRACT_COLUMNS
    # 3 pilots-or-pooled x (3 horizons x 13 horizon indicators + 3 overall)
    assert len(frame) == 3 * (3 * 13 + 3)
    assert list(dict.fromkeys(frame.pilot_id)) == ["lappi", "hame", "all"]
    assert not frame.duplicated(["pilot_id", "horizon_months", "indicator"]).any()


def test_was_change_by_hand(result):
    # differences: lappi [+2, -1], hame [+5, 0], all four together; t(0.975, 1) = 12.7062047.
    lappi = get(result[0], "lappi", None, "was_change")
    assert (lappi.numerator, lappi.denominator, lappi.value) == (1, 2, 0.5)
    half = 12.706204736174707 * math.sqrt(((2 - 0.5) ** 2 + (-1 - 0.5) ** 2) / 1) / math.sqrt(2)
    assert lappi.ci_low == pytest.approx(0.5 - half) and lappi.ci_high == pytest.approx(0.5 + half)
    pooled = get(result[0], "all", None, "was_change")
    assert (pooled.numerator, pooled.denominator, pooled.value) == (6, 4, 1.5)
    sd = math.sqrt(sum((d - 1.5) ** 2 for d in (2, -1, 5, 0)) / 3)
    assert pooled.ci_high == pytest.approx(1.5 + 3.182446305284263 * sd / 2)


def test_costs_by_hand(result):
    frame = result[0]
    assert get(frame, "lappi", None, "cost_per_participant").value == pytest.approx(200_000 / 6)
    assert get(frame, "all", None, "cost_per_participant").value == pytest.approx(700_000 / 9)
    row = get(frame, "all", 3, "cost_per_employed")
    assert (row.numerator, row.denominator, row.value) == (700_000, 2, 350_000)
    assert get(frame, "hame", 3, "cost_per_positive_exit").value == 250_000
    assert math.isnan(get(frame, "hame", 3, "cost_per_employed").ci_low)
    # Lappi at 12 months: one employed (L4), cost 200,000 per employed
    assert get(frame, "lappi", 12, "cost_per_employed").value == 200_000


def test_a_budget_with_cents_divides_as_written_and_its_numerator_is_whole_euros(tmp_path):
    # A budget of 200,000.75 euros failed every page ("cannot safely cast ... to int64").
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "\n" + ROWS, encoding="utf-8")
    frame = compute_indicators(load_register(path, AS_OF), AS_OF, {"lappi": 200_000.75, "hame": 500_000})
    row = get(frame, "lappi", None, "cost_per_participant")
    assert (row.numerator, row.denominator) == (200_001, 6) and row.value == pytest.approx(200_000.75 / 6)
    pooled = get(frame, "all", None, "cost_per_participant")
    assert (pooled.numerator, pooled.value) == (700_001, pytest.approx(700_000.75 / 9))


def test_missing_budget_gives_missing_costs(result, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "\n" + ROWS, encoding="utf-8")
    frame = compute_indicators(load_register(path, AS_OF), AS_OF, {"lappi": 1})
    assert math.isnan(get(frame, "hame", None, "cost_per_participant").value)
    assert math.isnan(get(frame, "all", 3, "cost_per_employed").value)


def test_empty_denominator_gives_nan(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "\n" + ROWS.splitlines()[4] + "\n", encoding="utf-8")   # only L5
    frame = compute_indicators(load_register(path, AS_OF), AS_OF, BUDGETS, horizons=[3])
    row = get(frame, "lappi", 3, "employment_rate")
    assert (row.numerator, row.denominator) == (0, 0) and math.isnan(row.value)
    assert math.isnan(row.ci_low)


def test_flow_and_was_bands_by_hand(result):
    extra = result[1]
    expected = {("lappi", None, "participants"): 6, ("lappi", None, "ended"): 5,
                ("lappi", None, "in_service"): 1, ("lappi", 3, "eligible"): 4,
                ("lappi", 6, "eligible"): 2, ("lappi", 12, "eligible"): 1,
                ("hame", 12, "eligible"): 2, ("all", 3, "eligible"): 7}
    for key, count in expected.items():
        assert get(extra, *key).value == count
    # WAS at start: lappi 4, 7, 5 -> poor 2/3, moderate 1/3; hame 3, 10 -> poor 1/2, excellent 1/2
    poor = get(extra, "lappi", None, "was_band_poor")
    assert (poor.numerator, poor.denominator) == (2, 3)
    assert get(extra, "hame", None, "was_band_excellent").value == 0.5
    assert get(extra, "all", None, "was_start_recorded").numerator == 5


def test_horizon_subset_and_bad_horizon(result, tmp_path):
    from evalkit.errors import EvalkitError
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "\n" + ROWS, encoding="utf-8")
    register = load_register(path, AS_OF)
    only6 = compute_indicators(register, AS_OF, BUDGETS, horizons=[6])
    assert set(only6.horizon_months.dropna()) == {6}
    with pytest.raises(EvalkitError, match="horizon 9"):
        compute_indicators(register, AS_OF, BUDGETS, horizons=[9])


def test_employer_indicators():
    from evalkit.indicators import employer_indicators
    employers = pd.DataFrame({"pilot_id": ["lappi", "lappi", "hame"], "employer_id": ["a", "b", "a"],
                              "interested": [True, False, True], "coached": [True, False, False],
                              "hires": [2, 0, 1]})
    frame = employer_indicators(employers)
    assert get(frame, "lappi", None, "employers_interested").value == 0.5
    assert get(frame, "all", None, "hires").value == 3
    assert get(frame, "all", None, "employers_hiring").numerator == 2
