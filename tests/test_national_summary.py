"""The front page's key results section (evalkit.chapters.national.key_results): what it glues and
shows, from the small register of test_key_results, in both languages."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evalkit import page_output
from evalkit.chapters import national as chapter
from evalkit.params import Goal
from evalkit.pooled import PooledRegister
from test_key_results import AS_OF, _params, small_register

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def shown(monkeypatch):
    out = {"glue": {}, "markdown": [], "tables": []}
    monkeypatch.setattr(chapter, "glue", lambda name, text: out["glue"].__setitem__(name, text))
    monkeypatch.setattr(chapter, "markdown", lambda text: out["markdown"].append(text))
    monkeypatch.setattr(chapter, "synthetic_notice", lambda: out["markdown"].append("SYNTHETIC NOTICE"))
    monkeypatch.setattr(chapter, "show_table", lambda frame, caption, name=None, align=None:
                        out["tables"].append((frame, page_output._caption(caption), name)))
    params = {"uusimaa": _params("uusimaa", Goal(text="work", indicator="employment_rate", horizon=6, target=0.3),
                                 Goal(text="qualitative")),
              "hame": _params("hame", Goal(text="work", indicator="employment_rate", horizon=6, target=0.2)),
              "pohjanmaa": _params("pohjanmaa", Goal(text="exits", indicator="positive_exit_rate", horizon=12,
                                                     target=0.5))}
    monkeypatch.setattr(chapter, "load_all_params", lambda root: params)
    out["pooled"] = PooledRegister(small_register(), None, AS_OF, synthetic=True, missing=())
    monkeypatch.setattr(chapter, "load_pooled", lambda p: out["pooled"])
    return out


def _run(lang: str, out: dict) -> dict:
    page = chapter.setup(lang, str(ROOT), "/tmp/unused", "index")
    page = chapter.NationalPage(page.page, page.root, page.pilots, page.facts, _budgets(page.programme))
    summary = chapter.key_results(page)
    chapter.key_results_table(page, summary)
    return out["glue"]


def _budgets(programme):
    """The programme with the test's budgets (1.2 M€ over the three pilots present)."""
    import dataclasses

    budgets = {"uusimaa": 600_000, "hame": 300_000, "pohjanmaa": 300_000}
    pilots = tuple(p.model_copy(update={"budget_eur": budgets.get(p.pilot_id, p.budget_eur)})
                   for p in programme.spec.pilots)
    return dataclasses.replace(programme, spec=programme.spec.model_copy(update={"pilots": pilots}))


def test_finnish_summary_states_the_results(shown):
    glued = _run("fi", shown)
    assert glued["results_participants"] == "80" and glued["results_pilots"] == "3"
    assert glued["results_horizon"] == "6" and glued["results_as_of"] == "1.1.2023"
    assert glued["results_employment_main"] == "37,5\u00a0%"        # 30 / 80
    assert glued["results_positive_main"] == "62,5\u00a0%"          # 50 / 80
    # Häme 0/20 at the bottom; a tie at the top: 10/20 and 20/40.
    assert glued["results_range"] == ("Pilottien omat työllistymisosuudet samalla seuranta-ajalla vaihtelivat "
                                      "0,0\u00a0%:sta (Häme) 50,0\u00a0%:iin (Pohjanmaa ja Uusimaa).")
    assert (glued["results_funnel_above"], glued["results_funnel_below"]) == ("ei yhtään", "Häme")
    assert glued["results_funnel_level"] == glued["results_ci_level"] == "95\u00a0%"
    assert glued["results_cost_per_employed"] == "40\u00a0000\u00a0€"   # 1 200 000 / 30
    # 20 changes of +1 and 20 of +2; t interval 1.34–1.66 (test_key_results works it out), written
    # with the indicator's one decimal, as every other page writes it.
    assert [glued[f"results_was_{n}"] for n in ("change", "low", "high", "n")] == ["+1,5", "+1,3", "+1,7", "40"]
    assert [glued[f"results_goals_{v}"] for v in ("total", "measurable", "met", "not_met", "unclear",
                                                   "no_data", "qualitative")] == ["4", "3", "1", "1", "1", "0", "1"]
    assert "esimerkkilukuja" in glued["results_demo"]
    assert shown["markdown"] == ["SYNTHETIC NOTICE"]


def test_the_table_has_the_horizons_as_columns_and_says_the_data_are_synthetic(shown):
    _run("fi", shown)
    frame, caption, name = shown["tables"][0]
    assert name == "tbl-key-results"
    assert list(frame.columns) == ["Kaikki pilotit", "3 kk", "6 kk", "12 kk"]
    assert list(frame.iloc[0]) == ["Seurattuja", "80", "80", "80"]
    assert frame.iloc[1]["12 kk"] == "43,8\u00a0% (33,4\u2060–\u206054,7\u00a0%)"   # 35 / 80, Wilson
    assert caption.endswith("(synteettinen esimerkkiaineisto)")
    assert page_output.page_data_synthetic() is False   # the page's later figures are the reported facts'


def test_english_summary_and_a_real_register(shown):
    shown["pooled"] = PooledRegister(small_register(), None, AS_OF, synthetic=False, missing=())
    glued = _run("en", shown)
    assert glued["results_employment_main"] == "37.5%" and glued["results_as_of"] == "1 January 2023"
    assert glued["results_demo"] == ""               # real data: no demonstration marker
    assert (glued["results_funnel_above"], glued["results_funnel_below"]) == ("none", "Häme")
    assert "to 50.0% (Ostrobothnia and Uusimaa)." in glued["results_range"]   # the English names
    assert glued["results_cost_per_employed"] == "€40,000"
    assert shown["markdown"] == []                   # no synthetic-data notice
    assert not shown["tables"][0][1].endswith("(synthetic demonstration data)")


def test_without_any_register_every_name_is_still_glued(shown):
    shown["pooled"] = PooledRegister(None, None, None, synthetic=False, missing=("hame",))
    glued = _run("fi", shown)
    assert set(glued) >= set(chapter._RESULT_NAMES)
    assert glued["results_participants"] == "–" and glued["results_demo"] == ""
    assert any("rekisteriaineistoa ei löytynyt" in text for text in shown["markdown"])
    assert shown["tables"] == []


def test_with_fewer_than_two_published_pilot_rates_there_is_no_range(shown):
    """One pilot's rate alone is no range; 'from – (–) to – (–)' would read as one."""
    register = small_register()
    register = register[register["pilot_id"] == "uusimaa"]
    shown["pooled"] = PooledRegister(register, None, AS_OF, synthetic=False, missing=())
    glued = _run("fi", shown)
    assert glued["results_range"] == ("Pilottien omien työllistymisosuuksien vaihteluväliä ei esitetä, koska osuus "
                                      "voidaan julkaista alle kahdelta pilotilta.")


def test_with_every_published_pilot_rate_equal_there_is_no_range(shown):
    register = small_register()
    register = register[register["pilot_id"] == "pohjanmaa"]   # 10 of 20 employed
    uusimaa = register.assign(pilot_id="uusimaa", person_id=[f"u{i}" for i in range(len(register))])
    shown["pooled"] = PooledRegister(pd.concat([register, uusimaa], ignore_index=True), None, AS_OF,
                                     synthetic=False, missing=())
    glued = _run("fi", shown)
    assert glued["results_range"] == ("Kaikkien niiden pilottien, joiden osuuden voi julkaista, oma "
                                      "työllistymisosuus samalla seuranta-ajalla oli pyöristettynä 50,0\u00a0%.")


def test_rates_that_print_alike_tie_in_the_range(shown):
    import types

    page = chapter.setup("fi", str(ROOT), "/tmp/unused", "index")
    # 49/164 = 29.88 % and 50/167 = 29.94 % both print 29,9 %: one end of the range, named together.
    rates = pd.DataFrame({"pilot_id": ["hame", "uusimaa", "pohjanmaa"], "value": [49 / 164, 50 / 167, 0.2]})
    chapter._glue_range(page, types.SimpleNamespace(pilot_rates=rates))
    assert shown["glue"]["results_range"] == ("Pilottien omat työllistymisosuudet samalla seuranta-ajalla vaihtelivat "
                                              "20,0\u00a0%:sta (Pohjanmaa) 29,9\u00a0%:iin (Häme ja Uusimaa).")
    chapter._glue_range(page, types.SimpleNamespace(pilot_rates=rates.iloc[:2]))
    assert shown["glue"]["results_range"].endswith("samalla seuranta-ajalla oli pyöristettynä 29,9\u00a0%.")
