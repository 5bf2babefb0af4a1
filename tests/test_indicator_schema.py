"""The declared indicator frame (evalkit.indicator_schema): what evalkit makes passes, a frame
broken in one way at a time is refused by the rule that names that way, and compute_indicators
checks its own output."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
import pytest

from evalkit import indicators
from evalkit.indicator_registry import INDICATORS
from evalkit.indicator_schema import ContractIndicatorFrame, IndicatorFrame
from evalkit.indicators import compute_indicators, published_indicators
from evalkit.register import load_employers, load_register
from evalkit.reported import load_pilots
from evalkit.suppression import suppress_complementary
from register_rows import row, write_register

REFUSED = (pandera.errors.SchemaError, pandera.errors.SchemaErrors)
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
DEMO_AS_OF = dt.date(2023, 12, 31)


@pytest.fixture(scope="module")
def demo():
    """Everything the demonstration book publishes. (A fresh synthetic register would do as well,
    but the small-cell rule on one of a few hundred rows can take minutes: many small cells.)"""
    register = load_register(DEMO / "participants.csv", DEMO_AS_OF)
    employers = load_employers(DEMO / "employers.csv")
    return published_indicators(register, DEMO_AS_OF, load_pilots().budgets, employers)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Edge cases the demo rarely has: one person with both scores (no interval), a pilot with no
    budget (costs and the pooled budget missing), nobody followed up at 12 months (denominator 0),
    small counts that the rule hides."""
    folder = tmp_path_factory.mktemp("tiny")
    path = write_register(
        folder,
        row(person_id="a", was_start="4", was_end="9"),
        row(person_id="b", was_start="", was_end="", basis="tasmatyo", status_3m="unknown"),
        row(person_id="c", end_date="", was_end="", status_3m="", status_6m=""),
        row(person_id="h", pilot_id="hame", status_6m="", was_end=""))
    as_of = dt.date(2023, 1, 31)
    return published_indicators(load_register(path, as_of), as_of, {"lappi": 90_000})


def test_what_evalkit_makes_passes(demo, tiny):
    for frame in (demo, tiny):
        IndicatorFrame.validate(frame)
        published = suppress_complementary(frame)
        assert published["suppressed"].any()       # hidden cells are missing, and still pass
        IndicatorFrame.validate(published)
        IndicatorFrame.validate(published.drop(columns="complementary"))   # as exported
        contract = frame[frame["indicator"].isin(INDICATORS)].reset_index(drop=True)
        ContractIndicatorFrame.validate(contract)


def test_the_tiny_register_has_the_edges_it_claims(tiny):
    # Checked by hand against the rows above: lappi has no interval for was_change (one person),
    # hame has no budget, so hame's and the pooled costs are missing, and nobody is followed up
    # at 12 months on 2023-01-31 (end 2022-06-30 + 12 months is later).
    frame = tiny.set_index(["pilot_id", "indicator"])
    was = frame.loc[("lappi", "was_change")]
    assert was["denominator"] == 1 and was["value"] == 5 and pd.isna(was["ci_low"])
    assert pd.isna(frame.loc[("hame", "cost_per_participant"), "numerator"])
    assert np.isnan(frame.loc[("all", "cost_per_participant"), "value"])
    twelve = tiny[(tiny["horizon_months"] == 12) & (tiny["indicator"] == "employment_rate")]
    assert (twelve["denominator"] == 0).all() and twelve["value"].isna().all()


def _at(frame: pd.DataFrame, indicator: str, pilot_id: str = "all", horizon=None) -> int:
    chosen = (frame["indicator"] == indicator) & (frame["pilot_id"] == pilot_id) & (
        frame["horizon_months"].isna() if horizon is None else frame["horizon_months"] == horizon)
    return int(np.flatnonzero(chosen.to_numpy())[0])


def _set(frame, indicator, column, value, pilot_id="all", horizon=None):
    out = frame.copy()
    out.iloc[_at(out, indicator, pilot_id, horizon), out.columns.get_loc(column)] = value
    return out


def _swap_columns(frame, a, b):
    columns = list(frame.columns)
    i, j = columns.index(a), columns.index(b)
    columns[i], columns[j] = columns[j], columns[i]
    return frame[columns]


BROKEN = {
    # name of the case: (how the frame is broken, words the refusal must contain)
    "a column missing": (lambda f: f.drop(columns="ci_high"), "column 'ci_high' not in dataframe"),
    "a column renamed": (lambda f: f.rename(columns={"value": "rate"}), "column 'rate' not in"),
    "a column too many": (lambda f: f.assign(note="x"), "column 'note' not in"),
    "columns out of order": (lambda f: _swap_columns(f, "ci_low", "ci_high"), "out-of-order"),
    "counts as floats": (lambda f: f.astype({"numerator": "float64"}), "'numerator' to have type int64"),
    "a horizon as float": (lambda f: f.astype({"horizon_months": "float64"}),
                           "'horizon_months' to have type int64"),
    "a value as text": (lambda f: f.astype({"value": str}), "'value' to have type float64"),
    "an unknown indicator": (lambda f: _set(f, "participants", "indicator", "failure cases: participant\n"),
                             "failure cases: participant\n"),
    "an unknown pilot": (lambda f: _set(f, "participants", "pilot_id", "ahvenanmaa"), "failure cases: ahvenanmaa"),
    "a missing pilot": (lambda f: _set(f, "participants", "pilot_id", None), "'pilot_id' contains null"),
    "a row twice": (lambda f: pd.concat([f, f.iloc[[3]]], ignore_index=True), "not unique"),
    "a negative denominator": (lambda f: _set(f, "employment_rate", "denominator", -5, horizon=3),
                               "greater_than_or_equal_to(0) failure cases: -5"),
    "a horizon where none applies": (lambda f: _set(f, "tasmatyo_share", "horizon_months", 6),
                                     "horizon_where_defined"),
    "a rate without its horizon": (lambda f: _set(f, "employment_rate", "horizon_months", pd.NA, horizon=12),
                                   "horizon_where_defined"),
    "a horizon that is not followed up": (lambda f: _set(f, "eligible", "horizon_months", 9, horizon=3),
                                          "isin((3, 6, 12)) failure cases: 9"),
    "a lower bound above the rate": (
        lambda f: _set(f, "employment_rate", "ci_low", 0.99, horizon=6), "shares_within_their_interval"),
    "an upper bound above 1": (
        lambda f: _set(f, "positive_exit_rate", "ci_high", 1.01, horizon=3), "shares_within_their_interval"),
    "a share above 1": (lambda f: _set(f, "was_band_good", "value", 1.5), "shares_within_their_interval"),
    "more people than the denominator": (
        lambda f: _set(f, "share_unknown", "numerator", 10**6, horizon=3), "shares_within_their_interval"),
    "a rate that is not its fraction": (
        lambda f: _set(f, "tasmatyo_share", "value", _value(f, "tasmatyo_share") * 0.999 + 0.0001),
        "shares_within_their_interval"),
    "a count that is not its value": (lambda f: _set(f, "participants", "value", 1.0), "counts_are_their_value"),
    "a count with a denominator": (lambda f: _set(f, "hires", "denominator", 10), "counts_are_their_value"),
    "a negative cost": (lambda f: _set(f, "cost_per_participant", "value", -1.0), "costs_not_negative"),
    "a negative budget": (lambda f: _set(f, "cost_per_employed", "numerator", -1, horizon=6),
                          "costs_not_negative"),
    "a mean outside its interval": (lambda f: _set(f, "was_change", "ci_high", _value(f, "was_change") - 0.1),
                                    "mean_change_within_its_interval"),
    "a mean change beyond the scale": (
        lambda f: _set(_set(_set(f, "was_change", "value", 11.0), "was_change", "ci_low", 10.5),
                       "was_change", "ci_high", 11.5),
        "mean_change_within_its_interval"),
}


def _value(frame, indicator):
    return float(frame.iloc[_at(frame, indicator)]["value"])


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_frame_is_refused_for_its_fault(demo, case):
    breaking, words = BROKEN[case]
    broken = breaking(demo)
    with pytest.raises(REFUSED) as refusal:
        IndicatorFrame.validate(broken)
    assert words.lower() in str(refusal.value).lower()


def test_the_contract_frame_refuses_the_families_beyond_the_contract(demo):
    with pytest.raises(REFUSED, match="contract_indicator"):
        ContractIndicatorFrame.validate(demo)


def test_compute_indicators_checks_its_own_output(monkeypatch, tmp_path):
    # A family that drifts (its interval no longer around its value) stops compute_indicators,
    # which is what the declared output is for; the same family unbroken passes.
    register = load_register(write_register(tmp_path, row(person_id="a"), row(person_id="b")),
                             dt.date(2023, 12, 31))
    compute_indicators(register, dt.date(2023, 12, 31), {"lappi": 1})
    honest = indicators.tasmatyo_share

    def drifted(frame):
        out = honest(frame)
        out["ci_low"], out["ci_high"] = out["ci_high"], out["ci_low"]
        return out

    monkeypatch.setattr(indicators, "tasmatyo_share", drifted)
    with pytest.raises(REFUSED, match="shares_within_their_interval"):
        compute_indicators(register, dt.date(2023, 12, 31), {"lappi": 1})
