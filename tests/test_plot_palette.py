"""Every national and comparison figure keeps to the one shared colour-blind-safe palette."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from evalkit import national
from evalkit.plots import comparison as comparison_plots
from evalkit.plots import national as national_plots
from evalkit.plots.style import colours_outside_palette
from evalkit.reported import load_pilots
from evalkit.reported_facts import load_facts


@pytest.fixture(scope="module")
def facts():
    return load_pilots(), load_facts()


def national_figures(facts):
    pilots, reported = facts
    yield national_plots.focus_area_figure(national.focus_area_matrix(pilots))
    yield national_plots.budget_figure(national.budget_by_region(pilots))
    yield national_plots.stock_figure(national.stock_change(reported))


def test_national_figures_use_only_the_shared_palette_and_have_alt_text(facts):
    for figure, alt in national_figures(facts):
        assert colours_outside_palette(figure) == []
        assert alt.strip()
        plt.close(figure)


def test_forest_plot_uses_only_the_shared_palette():
    rates = pd.DataFrame({
        "pilot_id": ["lappi", "uusimaa"], "horizon_months": [6, 6],
        "indicator": ["employment_rate"] * 2, "numerator": [10, 30], "denominator": [40, 100],
        "value": [0.25, 0.30], "ci_low": [0.14, 0.22], "ci_high": [0.40, 0.40],
    })
    figure, alt = comparison_plots.forest_plot(rates, 40 / 140, 6, labels={"lappi": "Lappi", "uusimaa": "Uusimaa"})
    assert colours_outside_palette(figure) == []
    assert "Lappi" in alt and "Uusimaa" in alt
    plt.close(figure)
