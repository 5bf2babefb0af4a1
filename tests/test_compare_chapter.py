"""The comparison chapter's publishing layer: small cells kept out, the DiD section with and
without a regional series."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from comparison_data import make_register, random_register
from evalkit import compare
from evalkit.chapters import comparison as chapter
from evalkit.definitions import HORIZONS
from evalkit.i18n import set_language
from evalkit.page_output import Page
from evalkit.paths import pilots_file, reported_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def captured(monkeypatch):
    out = {"markdown": [], "figures": [], "tables": []}
    monkeypatch.setattr(chapter, "markdown", lambda text: out["markdown"].append(text))
    monkeypatch.setattr(chapter, "show_figure",
                        lambda page, fig, name, caption, alt: out["figures"].append((name, fig, alt)))
    monkeypatch.setattr(chapter, "show_table",
                        lambda frame, caption, name=None, align=None: out["tables"].append(frame))
    set_language("fi")
    return out


def _page(tmp_path, register=None, as_of="2023-01-01"):
    reported_dir(tmp_path).mkdir(parents=True)
    shutil.copy(pilots_file(ROOT), pilots_file(tmp_path))
    labels = {"hame": "Häme", "lappi": "Lappi", "uusimaa": "Uusimaa"}
    page = chapter.ComparisonPage(Page(tmp_path / "page", "comparison"), tmp_path, labels,
                                  register, pd.Timestamp(as_of) if register is not None else None)
    if register is not None:
        page.rates = compare.employment_rates(register, page.as_of, HORIZONS)
    return page


def test_a_pilot_with_fewer_than_five_followed_up_is_not_plotted_and_shows_lt5(tmp_path, captured):
    register = pd.concat([random_register(seed=4, pilots=("hame", "uusimaa"), n_per_pilot=40,
                                          effects=(0.0, 0.2)),
                          make_register([{"pilot_id": "lappi", "status_6m": "employed_open",
                                          "end_date": "2021-06-30", "person_id": f"l{i}"}
                                         for i in range(3)])], ignore_index=True)
    page = _page(tmp_path, register)
    chapter.forest(page, 6)
    name, fig, alt = captured["figures"][0]
    ticks = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    assert len(ticks) == 2 and not any("Lappi" in tick for tick in ticks) and "Lappi" not in alt
    chapter.rates_table(page)
    rates, counts = (table.set_index("Pilotti") for table in captured["tables"])
    assert counts.loc["Lappi", "6 kk"] == "<5" and rates.loc["Lappi", "6 kk"] == "–"


def test_rates_table_has_pilots_as_rows_and_follow_up_times_as_columns(tmp_path, captured):
    # Häme: 8 of 20 employed at every follow-up time; Uusimaa: 5 of 10, the rest unemployed.
    rows = [{"pilot_id": "hame", "person_id": f"h{i}", "end_date": "2021-06-30",
             **{f"status_{h}m": "employed_open" if i < 8 else "unemployed" for h in HORIZONS}}
            for i in range(20)]
    rows += [{"pilot_id": "uusimaa", "person_id": f"u{i}", "end_date": "2021-06-30",
              **{f"status_{h}m": "employed_subsidised" if i < 5 else "unemployed" for h in HORIZONS}}
             for i in range(10)]
    page = _page(tmp_path, make_register(rows))
    chapter.rates_table(page)
    rates, counts = captured["tables"]
    for table in (rates, counts):
        assert list(table.columns) == ["Pilotti", "3 kk", "6 kk", "12 kk"]
        assert list(table["Pilotti"]) == ["Häme", "Uusimaa", "Kaikki pilotit"]   # the pooled row last
    # Wilson interval of 8/20 with z = 1.96: 21.9–61.3 %; of 13/30: 27.4–60.8 %.
    assert rates.iloc[0]["6 kk"] == "40,0\u00a0% (21,9\u2060–\u206061,3\u00a0%)"
    assert rates.iloc[2]["12 kk"] == "43,3\u00a0% (27,4\u2060–\u206060,8\u00a0%)"
    assert list(counts.iloc[:, 1]) == ["20", "10", "30"]


def test_pilots_are_presented_by_name_although_computed_in_the_report_order(tmp_path, captured):
    # evalkit.compare gives Uusimaa, Lappi, Häme (the contract's order); the chapter lists pilots
    # alphabetically by name in prose and tables: Häme, Lappi, Uusimaa, then all pilots.
    # Häme 90 of 100 employed, Lappi and Uusimaa 30 of 100: pooled 50 %, the 99.8 % limits at
    # n = 100 are 50 ± 3.09 · 5 %, so all three lie outside.
    rows = []
    for pilot, employed in (("uusimaa", 30), ("hame", 90), ("lappi", 30)):
        rows += [{"pilot_id": pilot, "person_id": f"{pilot}{i}", "was_start": 5, "was_end": 5 + i % 3,
                  "status_6m": "employed_open" if i < employed else "unemployed"} for i in range(100)]
    page = _page(tmp_path, make_register(rows))
    assert list(page.rates["pilot_id"].drop_duplicates()) == ["uusimaa", "lappi", "hame", "all"]
    chapter.funnel(page, 6)
    outside = captured["markdown"][-1]
    assert outside.index("Häme") < outside.index("Lappi") < outside.index("Uusimaa")
    chapter.was_change(page)
    assert list(captured["tables"][-1]["Pilotti"]) == ["Häme", "Lappi", "Uusimaa", "Kaikki pilotit"]
    chapter.adjusted_table(page)
    adjusted = captured["tables"][-1]
    assert list(adjusted.loc[adjusted["Seuranta-aika (kk)"] == "6", "Pilotti"]) == ["Häme", "Lappi", "Uusimaa"]


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_the_chapter_compares_positive_exits_and_open_employment_too(tmp_path, captured, lang):
    # Häme: of 20, 6 in open work, 2 subsidised, 4 in training, the rest unemployed; Uusimaa: of
    # 10, 1 in open work (a small count), 5 in another service, 4 unemployed.
    statuses = {"hame": ["employed_open"] * 6 + ["employed_subsidised"] * 2 + ["training"] * 4 + ["unemployed"] * 8,
                "uusimaa": ["employed_open"] + ["other_service"] * 5 + ["unemployed"] * 4}
    rows = [{"pilot_id": pilot, "person_id": f"{pilot}{i}", "end_date": "2021-06-30",
             **{f"status_{h}m": status for h in HORIZONS}}
            for pilot, found in statuses.items() for i, status in enumerate(found)]
    page = _page(tmp_path, make_register(rows))
    page.hidden = frozenset({("uusimaa", "share_employed_open", h) for h in HORIZONS})
    set_language(lang)
    for indicator in ("positive_exit_rate", "open_employment_rate"):
        chapter.rates_table(page, indicator)
        chapter.forest(page, 6, indicator)
    positive, open_market = (table.set_index(table.columns[0]) for table in captured["tables"])
    month = "6 kk" if lang == "fi" else "6 months"
    # Positive exits by hand: Häme 12 of 20, Uusimaa 6 of 10, all 18 of 30; Wilson 95 % of 12/20 is 38.7–78.1 %.
    percent = "\u00a0%" if lang == "fi" else "%"
    decimal = "," if lang == "fi" else "."
    assert positive.iloc[0][month].startswith(f"60{decimal}0{percent} (38{decimal}7")
    assert positive.iloc[2][month].startswith(f"60{decimal}0{percent}")
    # Open-market work: Uusimaa's one person is hidden, so its rate is a dash.
    assert open_market.iloc[1][month] == "–" and open_market.iloc[0][month].startswith(f"30{decimal}0{percent}")
    names = [name for name, _, _ in captured["figures"]]
    assert names == ["forest-6-positive-exit-rate", "forest-6-open-employment-rate"]
    _, fig, alt = captured["figures"][1]
    assert [tick.get_text().split(" (")[0] for tick in fig.axes[0].get_yticklabels()] == ["Häme"]
    label = {"fi": "avoimille työmarkkinoille työllistyneiden osuus", "en": "open-market employment rate"}[lang]
    assert label in alt


def test_the_chapter_template_shows_every_compared_indicator_with_its_figures():
    import json

    template = json.loads((ROOT / "book" / "templates" / "comparison.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in template["cells"] if c["cell_type"] == "code")
    assert chapter.INDICATORS == ("employment_rate", "positive_exit_rate", "open_employment_rate")
    for indicator in chapter.INDICATORS[1:]:
        for call in ("rates_table(page", "forest(page", "funnel(page", "adjusted_rates(page", "adjusted_table(page"):
            assert f'{call}, "{indicator}")' in code or f'{call}, chapter.MAIN_HORIZON, "{indicator}")' in code


def test_the_chi_square_test_is_withheld_where_a_count_it_rests_on_is_hidden(tmp_path, captured):
    """A test statistic computed from counts the tables hide would help a reader recover them."""
    from evalkit.i18n import t

    big = random_register(seed=4, pilots=("hame", "uusimaa"), n_per_pilot=40, effects=(0.0, 0.2))
    small = make_register([{"pilot_id": "lappi", "status_6m": "employed_open", "end_date": "2021-06-30",
                            "person_id": f"l{i}"} for i in range(3)])
    withheld = t("comparison.homogeneity_undefined.hidden_counts")
    for register, hidden in ((big, False), (pd.concat([big, small], ignore_index=True), True)):
        captured["tables"].clear()
        chapter.homogeneity(_page(tmp_path / str(hidden), register))
        table = captured["tables"][0]
        assert len(table) == len(HORIZONS)
        assert (table[t("comparison.col.p_value")] == withheld).all() == hidden, table
        assert (table[t("comparison.col.chi2")] == t("format.missing")).all() == hidden, table
        assert (t("comparison.homogeneity_hidden") in captured["markdown"]) == hidden   # and why, once


def test_the_pooled_rate_in_the_prose_is_hidden_where_the_tables_hide_it(tmp_path):
    from evalkit.definitions import POOLED

    set_language("fi")   # the expected text is Finnish; a test before may have left another language

    page = _page(tmp_path, random_register(seed=4, pilots=("hame", "uusimaa"), n_per_pilot=40, effects=(0.0, 0.2)))
    pooled = page.rates[(page.rates["pilot_id"] == POOLED) & (page.rates["horizon_months"] == 12)].iloc[0]
    expected = f"{100 * pooled['numerator'] / pooled['denominator']:.1f}\u00a0%".replace(".", ",")
    assert chapter.pooled_rate_text(page, 12) == expected
    page.hidden = frozenset({(POOLED, "eligible", 12)})   # a partner of a small count elsewhere
    assert chapter.pooled_rate_text(page, 12) == "–"
    assert chapter.pooled_rate_text(page, 6) != "–"   # only the hidden follow-up time


def test_the_plots_leave_out_the_pooled_rate_where_the_tables_hide_it(tmp_path, captured):
    from evalkit.definitions import POOLED
    from evalkit.formatting import fmt_percent

    page = _page(tmp_path, random_register(seed=4, pilots=("hame", "uusimaa"), n_per_pilot=40, effects=(0.0, 0.2)))
    pooled = page.rates[(page.rates["pilot_id"] == POOLED) & (page.rates["horizon_months"] == 6)].iloc[0]
    rate = fmt_percent(pooled["numerator"] / pooled["denominator"])
    for hidden in (False, True):
        page.hidden = frozenset({(POOLED, "eligible", 6)}) if hidden else frozenset()
        captured["figures"].clear()
        captured["markdown"].clear()
        chapter.forest(page, 6)
        name, fig, alt = captured["figures"][0]
        legend = [text.get_text() for box in (*fig.legends, fig.axes[0].get_legend()) if box
                  for text in box.get_texts()]
        assert any(rate in text for text in legend) != hidden and (rate in alt) != hidden, (legend, alt)
        chapter.funnel(page, 6)
        assert len(captured["figures"]) == (1 if hidden else 2)
        withheld = any(text.startswith("6 kuukauden kohdalla yhdenkään") for text in captured["markdown"])
        assert withheld == hidden, captured["markdown"]


def test_a_pilot_whose_rate_is_hidden_is_not_said_to_have_had_everybody_employed(tmp_path, captured):
    from evalkit.i18n import t

    register = pd.concat([random_register(seed=4, pilots=("hame", "uusimaa"), n_per_pilot=40, effects=(0.0, 0.2)),
                          make_register([{"pilot_id": "lappi", "status_6m": "employed_open",
                                          "end_date": "2021-06-30", "person_id": f"l{i}"} for i in range(3)])],
                         ignore_index=True)
    page = _page(tmp_path, register)
    chapter.adjusted_table(page)
    text = "\n".join(captured["markdown"])
    assert "Lappi" in text and t("comparison.note.left_out_hidden", pilot="Lappi", horizon=6) in text, text
    everybody = t("comparison.note.all_employed", pilot="Lappi", horizon=6)
    assert everybody not in text
    # A pilot whose rate is published keeps the reason.
    rates = pd.DataFrame({"pilot_id": ["lappi"], "employed": [40], "eligible": [40]})
    assert chapter._note_key(page, rates, "all_employed", {"pilot": "lappi", "horizon": 6}, 6,
                             chapter.DEFAULT) == "all_employed"


def _small_pilot(pilot_id: str, statuses) -> pd.DataFrame:
    return make_register([{"pilot_id": pilot_id, "status_6m": status, "end_date": "2021-06-30",
                           "person_id": f"{pilot_id}{i}", "age": 30 + 7 * i, "sex": "FM"[i % 2]}
                          for i, status in enumerate(statuses)])


def test_the_model_table_hides_odds_ratios_that_would_give_back_a_hidden_rate(tmp_path, captured):
    """A pilot's odds ratio with the reference's published rate approximates the pilot's own rate."""
    from evalkit.i18n import t

    mixed = ["employed_open", "unemployed", "employed_open", "training"]   # 4 people: in the model, rate hidden
    odds, term = t("comparison.col.odds_ratio"), t("comparison.col.term")
    covariates = {"Sukupuoli: mies", "Ikä (vuotta)", "Työttömyyden kesto (kuukautta)"}
    # Hame is the reference pilot (first by id): hidden, it takes the intercept and every pilot's ratio along.
    cases = {"lappi": {"Pilotti: Lappi"}, "hame": {"Vakiotermi", "Pilotti: Lappi", "Pilotti: Uusimaa"}}
    for small, dashed in cases.items():
        big = tuple(p for p in ("hame", "lappi", "uusimaa") if p != small)
        register = pd.concat([random_register(seed=4, pilots=big, n_per_pilot=60, effects=(0.0, 0.2)),
                              _small_pilot(small, mixed)], ignore_index=True)
        captured["tables"].clear()
        chapter.model_table(_page(tmp_path / small, register), 6)
        table = captured["tables"][0].set_index(term)
        assert set(table.index[table[odds] == "–"]) == dashed, table
        assert (table.loc[sorted(covariates)] != "–").all().all(), table
        assert set(table.index) - dashed - covariates, table   # something besides the covariates shown
        hidden = table.loc[sorted(dashed)]
        assert (hidden == "–").all().all(), hidden   # interval and p-value too


def test_the_model_n_is_withheld_where_it_would_give_back_a_hidden_count(tmp_path, monkeypatch):
    """n is the pooled number followed up less the pilots left out: their counts must be published."""
    from evalkit.i18n import t

    captions = []
    monkeypatch.setattr(chapter, "show_table", lambda frame, caption, name=None, align=None: captions.append(caption))
    set_language("fi")

    big = random_register(seed=4, pilots=("hame", "uusimaa"), n_per_pilot=60, effects=(0.0, 0.2))
    for left_out, shown in ((3, False), (12, True)):   # lappi: everybody employed, so left out of the model
        register = pd.concat([big, _small_pilot("lappi", ["employed_open"] * left_out)], ignore_index=True)
        chapter.model_table(_page(tmp_path / str(left_out), register), 6)
        assert captions[-1] == t("comparison.model_caption", horizon=6, n="120" if shown else "–")


def test_the_comparison_names_the_pilots_extracted_after_the_common_date(tmp_path, captured):
    import datetime as dt

    page = _page(tmp_path, random_register(seed=4, pilots=("hame", "uusimaa"), n_per_pilot=40, effects=(0.0, 0.2)))
    chapter.notices(page)
    assert not any("poimitut aineistot" in text for text in captured["markdown"])
    page.later_extracts = {"uusimaa": dt.date(2023, 6, 30)}
    chapter.notices(page)
    [note] = [text for text in captured["markdown"] if "poimitut aineistot" in text]
    assert note.startswith(":::{note}\nMyöhemmin kuin 1.1.2023 poimitut aineistot: Uusimaa (30.6.2023). "), note
