"""The consistency check of the source report: verdicts, tolerances and the command."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest

from evalkit.claims import CONSISTENT, INCONSISTENT, Claim, claims_table
from evalkit.cli import main
from evalkit.i18n import set_language
from evalkit.paths import facts_file, pilots_file
from evalkit.reported import load_pilots
from evalkit.reported_facts import load_facts

ROOT = Path(__file__).resolve().parents[1]
PILOTS = load_pilots(pilots_file(ROOT))
FACTS = load_facts(facts_file(ROOT))

# Worked by hand from the report: these four disagree with the report's other facts.
EXPECTED_INCONSISTENT = {
    "partially_able_unemployed_fall",     # 8,5 % stated; (34 300 − 29 300)/34 300 = 14,6 %
    "partially_able_unemployed_2020_12",  # 26 400 in section 1, 34 300 in section 6
    "monitoring_survey_1_month",          # 6/2020 is before the call opened on 4.12.2020
    "rooting_seminars_period",            # "10-11/2022" lists seminars on 15.9. and 30.9.
}


@pytest.fixture(scope="module")
def table():
    return claims_table(PILOTS, FACTS).set_index("claim_id")


def test_exactly_the_known_inconsistencies_are_flagged(table):
    flagged = set(table.index[table["verdict"] == INCONSISTENT])
    assert flagged == EXPECTED_INCONSISTENT
    assert (table.drop(index=list(EXPECTED_INCONSISTENT))["verdict"] == CONSISTENT).all()


def test_the_stated_fall_against_the_computed_one(table):
    row = table.loc["partially_able_unemployed_fall"]
    assert row["stated_value"] == 8.5
    assert (row["stated_low"], row["stated_high"]) == pytest.approx((8.45, 8.55))
    assert row["derived_value"] == pytest.approx(5000 / 34300 * 100)   # 14.577 %
    assert row["difference"] == pytest.approx(8.5 - 14.5773, abs=1e-3)
    assert row["derived_low"] == pytest.approx(4900 / 34250 * 100)     # 14.31 %


def test_the_two_december_counts(table):
    row = table.loc["partially_able_unemployed_2020_12"]
    assert (row["stated_value"], row["derived_value"], row["difference"]) == (26400, 34300, -7900)


def test_focus_area_counts_and_totals(table):
    for area, count in zip((1, 2, 3, 4), (8, 7, 6, 4)):
        row = table.loc[f"focus_area_{area}_pilots"]
        assert (row["stated_value"], row["derived_value"]) == (count, count)
    for claim_id in ("total_granted_section2_3", "total_granted_section5", "total_proposed"):
        row = table.loc[claim_id]
        assert row["derived_value"] == pytest.approx(9.638)
        assert (row["stated_low"], row["stated_high"]) == pytest.approx((9.55, 9.65))


def test_survey_arithmetic(table):
    row = table.loc["ngo_survey_pilot_respondents"]   # 6 pilots among 17 respondents, 8 pilots
    assert row["stated_value"] == 6 and row["derived_high"] == 8
    assert table.loc["coordination_survey_respondents", "derived_value"] == 8


def test_a_mistyped_fact_changes_the_verdict():
    # Were the December 2020 count of section 1 typed as 34 300, the two would agree.
    facts = dataclasses.replace(FACTS, facts={
        **FACTS.facts,
        "partially_able_unemployed_2020_12_section1":
            FACTS["partially_able_unemployed_2020_12_section1"].model_copy(update={"value": 34300})})
    table = claims_table(PILOTS, facts).set_index("claim_id")
    assert table.loc["partially_able_unemployed_2020_12", "verdict"] == CONSISTENT


def claim(stated, derived, rule="overlap", closed=False):
    return Claim("x", "5", "total", "million_eur", "x", stated[0], stated, derived[0], derived,
                 rule, "test", closed)


@pytest.mark.parametrize("total, verdict", [
    (9.55, CONSISTENT), (9.638, CONSISTENT), (9.6499, CONSISTENT),
    (9.65, INCONSISTENT), (9.549, INCONSISTENT),
])
def test_rounding_tolerance_is_half_open(total, verdict):
    # "9,6 Me" admits [9.55, 9.65): 9.65 would have been written 9,7.
    assert claim((9.55, 9.65), (total, total)).verdict == verdict


def test_rules_on_ranges():
    assert claim((1, 4), (2, 4), "derived_within_stated", closed=True).verdict == CONSISTENT
    assert claim((1, 4), (2, 5), "derived_within_stated", closed=True).verdict == INCONSISTENT
    assert claim((6, 6), (0, 8), "stated_within_derived").verdict == CONSISTENT
    assert claim((9, 9), (0, 8), "stated_within_derived").verdict == INCONSISTENT


def run_cli(capsys, *args):
    try:
        code = main(["claims", *args])
    finally:
        set_language("fi")  # --lang sets the process-wide language; leave the default behind
    return code, capsys.readouterr().out


def test_command_prints_a_table_and_exits_zero(capsys):
    code, out = run_cli(capsys)
    assert code == 0
    assert "ristiriitainen" in out and "”noin 8,5 prosenttia vähemmän”" in out


@pytest.mark.parametrize(("lang", "summary"), [("fi", "tiivistelmä"), ("sv", "sammandrag"), ("en", "summary")])
def test_the_summary_section_is_named_in_the_editions_language(capsys, lang, summary):
    # The Swedish and English tables named the source report's summary in Finnish.
    code, out = run_cli(capsys, "--lang", lang)
    sections = [line.split()[0] for line in out.splitlines()[2:] if line.strip()]
    assert code == 0 and summary in sections and all(s == summary or s[0].isdigit() for s in sections), sections


def test_command_csv_and_json(capsys):
    code, out = run_cli(capsys, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == len(claims_table(PILOTS, FACTS))
    assert {r["claim_id"] for r in rows if r["verdict"] == INCONSISTENT} == EXPECTED_INCONSISTENT
    code, out = run_cli(capsys, "--format", "json", "--lang", "en")
    records = json.loads(out)
    ely = next(r for r in records if r["claim_id"] == "ely_areas_applied")
    assert code == 0 and ely["derived_high"] is None   # an open bound, not Infinity


def test_a_figure_made_inconsistent_by_corrected_facts_is_listed_with_a_plain_explanation(monkeypatch):
    """A corrected budget (Lappi 200 000 → 220 000) breaks the stated 9,6 M€ total, which the report's
    text never flagged: the list still names it, with the general explanation, and does not fail."""
    from evalkit.chapters import national as chapter
    from evalkit.page_output import Page

    pilots = PILOTS.model_copy(update={"pilots": tuple(
        p.model_copy(update={"budget_eur": 220000}) if p.pilot_id == "lappi" else p for p in PILOTS.pilots)})
    shown = []
    monkeypatch.setattr(chapter, "markdown", shown.append)
    set_language("fi")
    chapter.inconsistencies_list(chapter.NationalPage(Page(Path("."), "claims"), ROOT, pilots, FACTS))
    lines = shown[0].splitlines()
    assert len(lines) > len(EXPECTED_INCONSISTENT)
    from evalkit.i18n import t
    assert sum(line.endswith(t("claims.explain_other")) for line in lines) == len(lines) - len(EXPECTED_INCONSISTENT)


@pytest.mark.parametrize(("lang", "summary_place", "chapter_word"),
                         [("fi", "Tiivistelmä, ”", "Luku"), ("sv", "Sammandraget, ”", "Kapitel"),
                          ("en", "Summary, ‘", "Section")])
def test_a_flagged_figure_of_the_summary_is_placed_in_the_summary_not_in_a_chapter_so_named(
        monkeypatch, lang, summary_place, chapter_word):
    """With seven pilots funded instead of eight, the summary's count of pilots is inconsistent: its line
    names the summary ("Tiivistelmä, ”…”"), not a chapter called "tiivistelmä"; numbered ones keep "Luku 2.3"."""
    from evalkit.chapters import national as chapter
    from evalkit.page_output import Page

    seven = PILOTS.model_copy(update={"pilots": PILOTS.pilots[:-1]})
    shown = []
    monkeypatch.setattr(chapter, "markdown", shown.append)
    set_language(lang)
    try:
        chapter.inconsistencies_list(chapter.NationalPage(Page(Path("."), "claims"), ROOT, seven, FACTS))
    finally:
        set_language("fi")
    lines = shown[0].splitlines()
    summary_lines = [line for line in lines if line.startswith(f"- {summary_place}")]
    assert len(summary_lines) == 1, lines
    assert any(line.startswith(f"- {chapter_word} 1, {summary_place[-1]}") for line in lines), lines
    places = [line.split(summary_place[-1])[0][2:].lower() for line in lines if line not in summary_lines]
    assert not any(word in place for place in places for word in ("tiivistelmä", "sammandrag", "summary"))
