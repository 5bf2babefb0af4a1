"""Comparison figures: they draw what they are given, and the alt text names the extremes
(computed here from the input frame) in the active language; the catalogues match."""
from __future__ import annotations

import re
from importlib import resources

import numpy as np
import pytest
import yaml
from matplotlib.figure import Figure

from comparison_data import random_register
from did_simulation import START, TREATED, simulate_panel
from evalkit import compare, did
from evalkit.formatting import fmt_percent
from evalkit.i18n import _flatten, set_language
from evalkit.plots import comparison as plots

AS_OF = "2023-01-01"
LABELS = {"hame": "Häme", "lappi": "Lappi", "uusimaa": "Uusimaa"}


@pytest.fixture(autouse=True)
def finnish():
    set_language("fi")
    yield
    set_language("fi")


@pytest.fixture(scope="module")
def register():
    return random_register(seed=21, n_per_pilot=80)


def test_forest_plot_alt_text_names_highest_and_lowest(register):
    rates = compare.employment_rates(register, AS_OF, (6,))
    pilots = rates[rates["pilot_id"] != "all"]
    pooled = float(rates.loc[rates["pilot_id"] == "all", "value"].iloc[0])
    fig, alt = plots.forest_plot(pilots, pooled, 6, LABELS)
    assert isinstance(fig, Figure)
    # This register has a tie at the top (35 of 80 in Häme and Lappi): both are named.
    top = pilots[pilots["value"] == pilots["value"].max()]
    bottom = pilots.loc[pilots["value"].idxmin()]
    top_names = ", ".join(sorted(LABELS[p] for p in top["pilot_id"]))
    assert top_names == "Häme, Lappi"
    assert f"pilotilla {top_names} ({fmt_percent(top['value'].iloc[0])})" in alt
    assert f"pilotilla {LABELS[bottom['pilot_id']]} ({fmt_percent(bottom['value'])})" in alt
    assert "," in fmt_percent(bottom["value"])  # Finnish decimal comma reached the text
    # One tick label per pilot, ordered by rate (lowest at the bottom).
    ticks = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    assert ticks[0].startswith(LABELS[bottom["pilot_id"]]) and len(ticks) == 3


def test_a_long_name_is_broken_into_lines_on_the_axis_but_whole_in_the_alt_text(register):
    rates = compare.employment_rates(register, AS_OF, (6,))
    pilots = rates[rates["pilot_id"] != "all"]
    long_name = "Keski-Uudenmaan ja Länsi-Uudenmaan työllisyyspilotti 20"   # 55 characters
    labels = {**LABELS, "uusimaa": long_name}
    fig, alt = plots.forest_plot(pilots, 0.3, 6, labels)
    ticks = {tick.get_text().split(" (n = ")[0] for tick in fig.axes[0].get_yticklabels()}
    [broken] = [tick for tick in ticks if "\n" in tick]
    assert broken.replace("\n", " ").replace("- ", "-") == long_name
    assert max(len(line) for line in broken.splitlines()) <= 20
    assert {"Häme", "Lappi"} <= ticks                     # short names as they are
    assert "\n" not in alt
    # A compound longer than a line keeps its line whole rather than split without a hyphen.
    fig, _ = plots.forest_plot(pilots, 0.3, 6, {**LABELS, "uusimaa": "Työllisyyspalvelukokeilu Uusimaa"})
    ticks = {tick.get_text().split(" (n = ")[0] for tick in fig.axes[0].get_yticklabels()}
    assert "Työllisyyspalvelukokeilu\nUusimaa" in ticks


def test_funnel_plot_lists_pilots_outside_the_limits(register):
    rates = compare.employment_rates(register, AS_OF, (6,))
    points = compare.funnel_points(rates, 6)
    points.loc[points.index[0], "position"] = "outside_95"  # force one outside
    pooled = float(points["pooled_rate"].iloc[0])
    limits = compare.funnel_limits(pooled, np.arange(5, 300))
    fig, alt = plots.funnel_plot(points, limits, pooled, 6, LABELS)
    assert isinstance(fig, Figure)
    assert LABELS[points["pilot_id"].iloc[0]] in alt.split(":")[-1]
    # Sizes within one decade: matplotlib labels minor ticks, which read "2×10²" once.
    fig, _ = plots.funnel_plot(points, compare.funnel_limits(pooled, np.arange(120, 400)), pooled, 6, LABELS)
    fig.canvas.draw()
    labels = [tick.get_text() for tick in fig.axes[0].get_xticklabels(minor=True) if tick.get_text()]
    assert labels and all(re.fullmatch(r"[0-9 \u00a0]+", label) for label in labels), labels


def test_adjusted_plot_and_english_alt_text(register):
    set_language("en")
    result = compare.adjusted_rates(register, AS_OF, 6)
    fig, alt = plots.adjusted_plot(result.rates, 6, LABELS)
    rates = result.rates
    top = rates.loc[rates["adjusted_rate"].idxmax()]
    assert f"highest adjusted rate was in {LABELS[top['pilot_id']]}" in alt
    assert isinstance(fig, Figure)


def test_was_and_event_study_plots(register):
    was = compare.was_change_by_pilot(register)
    fig, alt = plots.was_change_plot(was[was["pilot_id"] != "all"], LABELS)
    assert isinstance(fig, Figure) and "pistettä" in alt
    result = did.estimate_did(simulate_panel(np.random.default_rng(0)), TREATED, START)
    fig, alt = plots.event_study_plot(result)
    assert isinstance(fig, Figure)
    # 4 lead/lag bins + reference + 5 post bins drawn
    assert len(result.event_study) == 9


def test_fi_and_en_comparison_catalogues_have_the_same_keys():
    keys = {}
    for lang in ("fi", "en"):
        text = resources.files("evalkit.locales").joinpath(lang, "comparison.yml").read_text("utf-8")
        keys[lang] = set(_flatten(yaml.safe_load(text)))
    assert keys["fi"] == keys["en"]
