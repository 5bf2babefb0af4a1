"""data/reported/ against the seed report itself, and the facts loader against bad files.

The seed report is read from ../shared/seed (beside the clone, as in CI). Each fact's ``stated``
words must occur in the section it names, and its value must be one of the numbers those words
state (parsed here independently of the YAML), so a mistyped value or a wrong section fails.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path

import pytest

from evalkit.errors import InputError
from evalkit.paths import facts_file, pilots_file
from evalkit.reported import load_pilots
from evalkit.reported_facts import SECTION_TITLES, load_facts

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "000_dd9921ece495c885.txt"
needs_seed = pytest.mark.skipif(not SEED.exists(), reason="the seed report is not beside the clone")

FACTS = load_facts(facts_file(ROOT))
PILOTS = load_pilots(pilots_file(ROOT))

# Finnish number words as the report inflects them; longest stems first (kahdeksan ⊃ kahde).
WORD_STEMS = [("yhdeksä", 9), ("kahdeksa", 8), ("seitsemä", 7), ("kymmene", 10), ("kuusi", 6),
              ("kuude", 6), ("viisi", 5), ("viide", 5), ("neljä", 4), ("kolme", 3), ("kaksi", 2),
              ("kahde", 2), ("yksi", 1), ("yhde", 1), ("puolet", 0.5)]
MONTH_GENITIVE = {12: "joulukuuta"}
MONTH_INESSIVE = {5: "toukokuussa"}


def section_texts() -> dict[str, str]:
    """Section code → its text, from its heading line to the next heading line."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    starts = {}
    for number, line in enumerate(lines):
        for code, title in SECTION_TITLES.items():
            if line.strip() == title:
                starts[code] = number  # the last match: "Tiivistelmä" is also in the contents
    order = sorted(starts.items(), key=lambda item: item[1])
    spans = {}
    for (code, start), following in zip(order, [*order[1:], (None, len(lines))]):
        spans[code] = "\n".join(lines[start:following[1]])
    return spans


def numbers_in(text: str) -> set[float]:
    found = set()
    for token in re.findall(r"\d{1,3}(?: \d{3})+|\d+(?:[.,]\d+)?", text):
        found.add(float(token.replace(" ", "").replace(",", ".")))
        found.update(float(part) for part in re.split(r"[.,]", token.replace(" ", "")) if part)
    for word in re.findall(r"[a-zäö]+", text.lower()):
        for stem, value in WORD_STEMS:
            if word.startswith(stem):
                found.add(value)
                break
    return found


def date_written(day: dt.date, text: str) -> bool:
    d, m, y = day.day, day.month, day.year
    forms = [f"{d}.{m}.{y}", f"{d}.{m}.{y % 100}", f"{d}.{m}-", f"-{d}.{m}.{y}"]
    if m in MONTH_GENITIVE:
        forms.append(f"{d}. {MONTH_GENITIVE[m]} {y}")
    return any(form in text for form in forms)


def month_written(month: str, text: str) -> bool:
    y, m = (int(part) for part in month.split("-"))
    if m in MONTH_INESSIVE and f"{MONTH_INESSIVE[m]} {y}" in text:
        return True
    return re.search(rf"(?<![\d.]){m}(-\d+)?/{y}|\d-{m}/{y}", text) is not None


@needs_seed
@pytest.mark.parametrize("fact_id", list(FACTS.facts))
def test_fact_is_stated_in_its_section(fact_id):
    fact = FACTS[fact_id]
    text = section_texts()[fact.section]
    assert fact.stated in text, f"{fact_id}: {fact.stated!r} is not in section {fact.section}"
    if fact.subsection:
        assert fact.subsection in text, f"{fact_id}: no heading {fact.subsection!r} in {fact.section}"
    if fact.how == "counted":
        return
    if fact.unit == "date":
        assert date_written(fact.value, fact.stated), f"{fact_id}: {fact.value} not in {fact.stated!r}"
    elif fact.unit == "month":
        assert month_written(fact.value, fact.stated), f"{fact_id}: {fact.value} not in {fact.stated!r}"
    else:
        assert float(fact.value) in numbers_in(fact.stated), \
            f"{fact_id}: {fact.value} is not a number of {fact.stated!r}"


@needs_seed
def test_headline_figures_by_their_words():
    # The figures issue 3 names, checked as literal strings of the report, section by section.
    sections = section_texts()
    assert "noin 26 400 henkilöä" in sections["1"]
    assert "n. 34 300 henkilöä" in sections["6"] and "n. 29 300 henkilöä" in sections["6"]
    assert "noin 8,5 prosenttia" in sections["6"]
    assert "9,6 Me" in sections["2.3"] and "9.6 Me" in sections["5"]
    assert (FACTS.value("partially_able_unemployed_2020_12_section1"),
            FACTS.value("partially_able_unemployed_2020_12_section6"),
            FACTS.value("partially_able_unemployed_2022_11"),
            FACTS.value("partially_able_unemployed_fall_percent")) == (26400, 34300, 29300, 8.5)


@needs_seed
def test_budgets_match_the_funding_list():
    text = section_texts()["5"]
    for pilot in PILOTS.pilots:
        ely = pilot.ely_centre.removesuffix("-keskus")
        amount = f"{pilot.budget_eur:,}".replace(",", " ")
        assert f"{pilot.call_order}. {ely} {amount} euroa" in text, pilot.pilot_id


@needs_seed
def test_focus_areas_match_table_1():
    lines = SEED.read_text(encoding="utf-8").splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("Painopiste\t"))
    regions = [p.region for p in PILOTS.pilots]
    # The table spells one region "Etelä-Pohjamaa": match each column to the nearest region.
    columns = [difflib.get_close_matches(name, regions, n=1, cutoff=0.8)[0]
               for name in lines[header_at].split("\t")[1:]]
    chosen = {region: set() for region in regions}
    for area, line in enumerate(lines[header_at + 1:header_at + 5], start=1):
        cells = line.split("\t")[1:]
        for region, cell in zip(columns, cells):
            if cell.strip() == "x":
                chosen[region].add(area)
    assert {p.region: set(p.focus_areas) for p in PILOTS.pilots} == chosen


@needs_seed
def test_counted_facts_by_counting_the_report():
    sections = section_texts()
    news = sections["5"].split("(5kpl)")[1]
    assert news.count("<https://") == FACTS.value("news_items_listed") == 5
    continued = re.search(r"jatkaneita pilotteja: ([^)]*)\)", sections["5"]).group(1).split(", ")
    assert len(continued) == FACTS.value("continued_pilots") == 4
    assert sorted(continued) == sorted(p.region for p in PILOTS.pilots if p.continued_2023)
    recommendations = sections["6"].split("\nSuosituks\n")[1]
    themes = [line for line in recommendations.splitlines() if line.startswith("Suositu")]
    numbered = re.findall(r"^\d\. ", recommendations, flags=re.MULTILINE)
    assert len(themes) == FACTS.value("recommendation_themes") == 6
    assert len(numbered) == FACTS.value("recommendations") == 14
    assert len(re.findall(r"^- ✓", sections["3"], flags=re.MULTILINE)) == FACTS.value("ips_quality_criteria")
    bolded = re.findall(r"^- \d\) \*\*", sections["2"], flags=re.MULTILINE)
    assert len(bolded) == FACTS.value("programme_objectives_addressed") == 5


# --- the loader refuses bad files, naming file, line and key ---------------------------------

GOOD = """\
facts:
  - fact_id: total
    value: 9.6
    unit: million_eur
    qualifier: about
    resolution: 0.1
    section: "2.3"
    stated: "9,6 Me"
"""


def load_text(tmp_path, text):
    path = tmp_path / "facts_bad.yml"
    path.write_text(text, encoding="utf-8")
    return load_facts(path)


def refused(tmp_path, text) -> str:
    with pytest.raises(InputError) as caught:
        load_text(tmp_path, text)
    return str(caught.value)


def test_a_good_file_loads(tmp_path):
    facts = load_text(tmp_path, GOOD)
    assert facts["total"].interval() == pytest.approx((9.55, 9.65))


@pytest.mark.parametrize("change, line, key, words", [
    (("    stated:", "    colour: red\n    stated:"), 8, "total.colour", "unknown key; valid keys: fact_id"),
    (('    section: "2.3"\n', ""), 2, "total.section", "required key is missing"),
    (('section: "2.3"', 'section: "7"'), 7, "total.section", "unknown section"),
    (("value: 9.6", "value: nine"), 3, "total.value", "expected a number"),
    (("unit: million_eur", "unit: bananas"), 4, "total.unit", "unknown unit"),
    (("    resolution: 0.1\n", ""), 2, "total.resolution", "rounding step"),
    (('stated: "9,6 Me"', "stated: 9.6"), 8, "total.stated", "expected text"),
])
def test_bad_files_are_refused_with_file_line_and_key(tmp_path, change, line, key, words):
    message = refused(tmp_path, GOOD.replace(*change))
    assert f"facts_bad.yml: line {line}: column {key}: " in message and words in message, message


def test_a_key_written_twice_in_a_fact_is_refused_by_line(tmp_path):
    message = refused(tmp_path, GOOD.replace("    value: 9.6\n", "    value: 9.6\n    value: 9.7\n"))
    assert message == ("facts_bad.yml: line 4: column 5: repeats the key 'value' of the same mapping; "
                       "keep one (YAML would silently use the last)"), message


def test_bad_date_and_month_and_duplicate(tmp_path):
    text = GOOD + """\
  - fact_id: opened
    value: 2020-13-04
    unit: date
    section: "5"
    stated: "x"
  - fact_id: survey
    value: 2020-6
    unit: month
    section: "4"
    stated: "6/2020"
  - fact_id: total
    value: 1
    unit: pilots
    section: "1"
    stated: "y"
"""
    message = refused(tmp_path, text)
    assert "column opened.value: a date is written YYYY-MM-DD" in message
    assert "column survey.value: a month is written" in message
    assert "column total.fact_id: fact_id used twice" in message


def test_not_yaml_is_refused_with_its_line(tmp_path):
    message = refused(tmp_path, "facts:\n  - fact_id: [unclosed\n")
    assert message.startswith("facts_bad.yml: line ")


# --- the pilots loader refuses bad files, naming file and key ------------------------------------

PILOTS_TEXT = pilots_file(ROOT).read_text(encoding="utf-8")


@pytest.mark.parametrize("change, expected", [
    # focus_areas given as one number once ended in a TypeError
    (("focus_areas: [1, 2, 3, 4]\n    continued_2023: false\n    call_order: 1",
      "focus_areas: 1\n    continued_2023: false\n    call_order: 1"),
     "pilots.yml: column pilots[0].focus_areas: expected a list, got 1"),
    (("töihin\n    budget_eur: 600000", "töihin\n    budget_eur: '600000'"),
     "pilots.yml: column pilots[0].budget_eur: expected a whole number, got '600000'"),
    (("töihin\n    budget_eur: 600000", "töihin\n    budget_eur: -5"),
     "pilots.yml: column pilots[0].budget_eur: a budget is a positive number of euros"),
    (("pilot_id: pohjois-pohjanmaa", "pilot_id: uusimaa"),
     ("pilots.yml: column pilots: expected exactly the programme's pilots pohjois-pohjanmaa, uusimaa, "
      "pohjois-karjala, etela-pohjanmaa, lappi, pirkanmaa, pohjanmaa, hame")),
    (('  call_order: "5 Muu projektihallinta, Resursointi"\n', ""),
     "pilots.yml: column sources: every field needs the report section it comes from; none for call_order"),
    (("pilots:\n", "pilots:\n\t"),
     ("pilots.yml: line 34: column 1: a tab is used for indentation; YAML indents with spaces only "
      "(replace the tab with spaces)")),
])
def test_bad_pilots_files_are_refused_with_file_and_key(tmp_path, change, expected):
    assert PILOTS_TEXT.count(change[0]) == 1
    path = tmp_path / "pilots.yml"   # a fresh folder per case: the loader caches by path
    path.write_text(PILOTS_TEXT.replace(*change), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_pilots(path)
    assert str(caught.value) == expected
