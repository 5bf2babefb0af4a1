"""The small-cell rule: no count 1–4, no rate with denominator under 5 (nor one that gives a
count 1–4 back), for tables (strings) and figures (masked numbers)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from evalkit.i18n import set_language
from evalkit.suppression import (
    count_text,
    is_small_count,
    rate_hidden,
    rate_text,
    suppress_complementary,
    suppress_display,
)


@pytest.fixture(autouse=True)
def finnish():
    set_language("fi")


def frame(rows):
    out = pd.DataFrame(rows, columns=["pilot_id", "horizon_months", "indicator", "numerator",
                                      "denominator", "value", "ci_low", "ci_high"])
    out["horizon_months"] = out["horizon_months"].astype("Int64")
    out["numerator"] = out["numerator"].astype("Int64")
    out["denominator"] = out["denominator"].astype("Int64")
    return out


# One pilot's cells, consistent with each other (40 followed up at 3 months, of them 3 employed
# and 8 positive exits; 4 at 6 months) and with no whole published beside all its parts, so that
# each cell is judged on its own numbers: no complementary partner is needed.
ROWS = [
    ("lappi", 3, "employment_rate", 3, 40, 0.075, 0.03, 0.2),      # numerator 3: hidden
    ("lappi", 6, "share_unknown", 0, 4, 0.0, 0.0, 0.5),           # denominator 4: hidden
    ("lappi", 3, "share_training", 5, 40, 0.125, 0.05, 0.26),     # shown
    ("lappi", 3, "cost_per_employed", 200000, 3, 66666.7, None, None),   # 3 employed: hidden
    ("lappi", 3, "cost_per_positive_exit", 200000, 8, 25000.0, None, None),  # shown
    ("lappi", None, "was_change", 2, 4, 0.5, -1.0, 2.0),          # 4 people: hidden
    ("lappi", None, "hires", 4, None, 4.0, None, None),           # count 4: <5
    ("lappi", None, "in_service", 0, None, 0.0, None, None),      # zero is shown
]


def test_masked_numbers_for_figures():
    out = suppress_complementary(frame(ROWS))
    assert list(out["suppressed"]) == [True, True, False, True, False, True, True, False]
    assert not out["complementary"].any()
    assert pd.isna(out.loc[0, "numerator"]) and math.isnan(out.loc[0, "value"])
    assert out.loc[0, "denominator"] == 40
    assert pd.isna(out.loc[1, "denominator"]) and math.isnan(out.loc[1, "ci_high"])
    assert out.loc[1, "numerator"] == 0
    assert out.loc[2, "value"] == 0.125
    assert out.loc[3, "numerator"] == 200000 and math.isnan(out.loc[3, "value"])
    assert out.loc[4, "value"] == 25000.0
    # The sum of score changes of hidden people goes with them (sum / people = the mean).
    assert pd.isna(out.loc[5, "numerator"]) and math.isnan(out.loc[5, "value"])
    assert math.isnan(out.loc[6, "value"]) and out.loc[7, "value"] == 0


def test_display_strings_for_tables():
    out = suppress_display(frame(ROWS), lang="fi")
    assert list(out["numerator"][:3]) == ["<5", "0", "5"]
    assert list(out["value"][:3]) == ["–", "–", "12,5\u00a0%"]
    assert out.loc[1, "denominator"] == "<5"
    assert out.loc[3, "denominator"] == "<5" and out.loc[3, "value"] == "–"
    assert out.loc[4, "value"] == "25\u00a0000\u00a0€"
    assert out.loc[6, "value"] == "<5" and out.loc[7, "value"] == "0"


def test_single_values():
    assert [is_small_count(n) for n in (0, 1, 4, 5, None)] == [False, True, True, False, False]
    assert rate_hidden(4) and not rate_hidden(5) and rate_hidden(100, numerator=2)
    assert count_text(3, lang="fi") == "<5" and count_text(1234, lang="fi") == "1\u00a0234"
    assert rate_text(0.5, 4, lang="fi") == "–" and rate_text(0.5, 10, 5, lang="fi") == "50,0\u00a0%"
    assert count_text(2, lang="en") == "<5"
