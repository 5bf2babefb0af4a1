"""National figures from the reported facts, against sums and ratios worked by hand."""
from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from evalkit import national
from evalkit.i18n import set_language
from evalkit.paths import facts_file, pilots_file
from evalkit.plots import national as plots
from evalkit.reported import load_pilots
from evalkit.reported_facts import load_facts

ROOT = Path(__file__).resolve().parents[1]
PILOTS = load_pilots(pilots_file(ROOT))
FACTS = load_facts(facts_file(ROOT))

# By hand from section 5's funding list, in its order.
BUDGETS = {"pohjois-pohjanmaa": 600000, "uusimaa": 4000000, "pohjois-karjala": 278000,
           "etela-pohjanmaa": 500000, "lappi": 200000, "pirkanmaa": 2960000,
           "pohjanmaa": 600000, "hame": 500000}
TOTAL = 600000 + 4000000 + 278000 + 500000 + 200000 + 2960000 + 600000 + 500000  # 9 638 000


def test_budget_by_region_sums_and_shares():
    frame = national.budget_by_region(PILOTS)
    assert TOTAL == 9_638_000
    assert dict(zip(frame["pilot_id"], frame["budget_eur"])) == BUDGETS
    assert frame["budget_eur"].sum() == TOTAL
    shares = dict(zip(frame["pilot_id"], frame["share"]))
    assert shares["uusimaa"] == pytest.approx(4000000 / 9638000)      # 41.50 %
    assert shares["lappi"] == pytest.approx(0.020751193)               # 200000 / 9638000
    assert frame["share"].sum() == pytest.approx(1.0)
    assert list(frame["pilot_id"][:2]) == ["uusimaa", "pirkanmaa"]     # largest first
    assert frame["pilot_id"].iloc[-1] == "lappi"


def test_budget_total_against_each_stated_total():
    frame = national.budget_total(PILOTS, FACTS)
    assert list(frame["section"]) == ["2.3", "5", "5"]
    assert (frame["computed_eur"] == TOTAL).all()
    assert frame["difference_eur"].tolist() == [38000.0] * 3           # 9 638 000 − 9 600 000
    assert frame["consistent"].all()


def test_budget_total_notices_a_grant_that_breaks_the_rounding():
    # Lappi 200 000 → 220 000 makes the sum 9 658 000, which no longer rounds to 9,6 M€.
    pilots = PILOTS.model_copy(update={"pilots": tuple(
        p.model_copy(update={"budget_eur": 220000}) if p.pilot_id == "lappi" else p
        for p in PILOTS.pilots)})
    assert not national.budget_total(pilots, FACTS)["consistent"].any()


def test_stock_change_by_hand():
    frame = national.stock_change(FACTS).set_index("base_section")
    main = frame.loc["6"]
    assert (main["base_count"], main["end_count"], main["absolute_change"]) == (34300, 29300, -5000)
    assert main["relative_change"] == pytest.approx(-5000 / 34300)     # −14.577 %
    assert main["relative_change"] == pytest.approx(-0.14577, abs=1e-5)
    # Widest ranges the rounded counts allow: (29 350 − 34 250)/34 250 and (29 250 − 34 350)/34 350.
    assert main["relative_change_high"] == pytest.approx(-4900 / 34250)
    assert main["relative_change_low"] == pytest.approx(-5100 / 34350)
    assert main["stated_relative_change"] == pytest.approx(-0.085)
    other = frame.loc["1"]
    assert other["absolute_change"] == 2900                            # 29 300 − 26 400: a rise
    assert other["relative_change"] == pytest.approx(2900 / 26400)


def test_focus_area_matrix_and_counts():
    matrix = national.focus_area_matrix(PILOTS)
    assert len(matrix) == 8 * 4
    # Table 1 by hand: area 2 all but Pohjanmaa; area 4 only these four.
    chosen = matrix[matrix["chosen"]]
    assert set(chosen[chosen["focus_area"] == 4]["pilot_id"]) == {
        "pohjanmaa", "pohjois-karjala", "pohjois-pohjanmaa", "uusimaa"}
    assert set(matrix[(matrix["focus_area"] == 2) & ~matrix["chosen"]]["pilot_id"]) == {"pohjanmaa"}
    counts = national.focus_area_counts(PILOTS, FACTS)
    assert counts["pilots_in_table"].tolist() == [8, 7, 6, 4]
    assert counts["pilots_stated"].tolist() == [8, 7, 6, 4]


def test_call_timeline_in_days():
    frame = national.call_timeline(FACTS)
    # 4.12.2020 → 29.1.2021: 27 days left in December + 29 in January = 56.
    assert frame["days_from_opening"].tolist() == [0, 56, 57, 86, 90]
    assert frame["date"].is_monotonic_increasing


def test_key_figures():
    figures = national.key_figures(PILOTS, FACTS)
    assert figures["pilots"] == figures["regions"] == 8
    assert figures["budget_total_eur"] == TOTAL
    assert figures["stock_change_abs"] == -5000
    assert figures["continued_pilots"] == 4


def test_figures_return_figure_and_alt_text_from_the_data():
    set_language("fi")  # the language is global; another test may have left English active
    fig, alt = plots.budget_figure(national.budget_by_region(PILOTS))
    assert isinstance(fig, Figure)
    assert "Uusimaa" in alt and "Lappi" in alt and "41,5" in alt
    fig, alt = plots.focus_area_figure(national.focus_area_matrix(PILOTS))
    assert isinstance(fig, Figure)
    assert "Lappi, Pirkanmaa" in alt and "Pohjois-Karjala, Pohjois-Pohjanmaa, Uusimaa" in alt
    fig, alt = plots.stock_figure(national.stock_change(FACTS))
    assert "14,6" in alt and "8,5" in alt


@pytest.mark.parametrize("lappi, consistent", [(200000, True), (220000, False)])
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_funding_sentence_concludes_what_the_table_does(lappi, consistent, lang, monkeypatch):
    from evalkit.chapters import national as chapter
    from evalkit.i18n import t

    glued = {}
    monkeypatch.setattr(chapter, "glue", lambda name, text: glued.__setitem__(name, text))
    set_language(lang)
    pilots = PILOTS.model_copy(update={"pilots": tuple(
        p.model_copy(update={"budget_eur": lappi}) if p.pilot_id == "lappi" else p for p in PILOTS.pilots)})
    chapter._glue_budgets(pilots, FACTS, {"pilots": 8, "regions": 8, "budget_total_eur": TOTAL - 200000 + lappi,
                                          "budget_stated_meur": 9.6})
    assert glued["budget_verdict"] == t("costs.budget_consistent" if consistent else "costs.budget_inconsistent")
    assert t("costs.budget_consistent") != t("costs.budget_inconsistent")
    set_language("fi")
