"""Every note and reason the comparison can give reaches the reader as a sentence in the reader's
language: the keys exist in both catalogues (a missing one fails here, not as an "internal error"
of a command), every declared key can actually be produced, and the chapter renders each with
pilot names and published counts, with no English inside the Finnish page."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from comparison_data import make_register, random_register
from evalkit import compare
from evalkit.chapters import comparison as chapter
from evalkit.definitions import BASIS_CODES, HORIZONS, SEX_CODES
from evalkit.i18n import LANGUAGES, catalogue, set_language
from evalkit.page_output import Page

AS_OF = "2023-01-01"
LABELS = {"hame": "Häme", "lappi": "Lappi", "uusimaa": "Uusimaa"}
# What the chapter looks up beyond compare's own keys: the model's reference levels and terms,
# and the sentence the reasons go into.
CHAPTER_KEYS = (*compare.MESSAGE_KEYS, *(f"comparison.sex.{c}" for c in SEX_CODES),
                *(f"comparison.basis.{c}" for c in BASIS_CODES), "comparison.adjusted_undefined")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_the_comparison_can_produce_is_in_the_catalogue(lang):
    missing = [key for key in CHAPTER_KEYS if key not in catalogue(lang)]
    assert not missing, f"src/evalkit/locales/{lang}/comparison.yml lacks {missing}"


def _two_pilots():
    return random_register(seed=3, pilots=("hame", "lappi"), n_per_pilot=60, effects=(0.0, 0.3))


def _plus_uusimaa(**row):
    extra = make_register([{"pilot_id": "uusimaa", "age": 30 + i, **row} for i in range(8)])
    extra["person_id"] = [f"x{i}" for i in range(len(extra))]
    return pd.concat([_two_pilots(), extra], ignore_index=True)


def _missing_age():
    register = _two_pilots()
    register.loc[register.index[:3], "age"] = pd.NA
    return register


def _everybody_alike():
    return make_register(
        [{"pilot_id": "hame", "status_6m": "employed_open" if i < 3 else "unemployed"} for i in range(10)]
        + [{"pilot_id": "lappi", "status_6m": "employed_open" if i < 7 else "unknown"} for i in range(10)])


def _age_tells_pilots_apart():
    return make_register([{"pilot_id": pilot, "age": age, "status_6m": "employed_open" if i % 3 == 0 else "unemployed"}
                          for pilot, age in (("hame", 30), ("lappi", 50)) for i in range(9)])


def _sex_separates():
    return make_register([{"pilot_id": pilot, "sex": "M" if i % 2 else "F", "age": 25 + i,
                           "status_6m": "employed_open" if i % 2 else "unemployed"}
                          for pilot in ("hame", "lappi") for i in range(12)])


# Each key with a register that produces it at 6 months.
SCENARIOS = {
    "no_eligible": lambda: _plus_uusimaa(end_date=None),
    "all_employed": lambda: _plus_uusimaa(**{f"status_{h}m": "employed_open" for h in HORIZONS}),
    "none_employed": lambda: _plus_uusimaa(**{f"status_{h}m": "unemployed" for h in HORIZONS}),
    "missing_covariates": _missing_age,
    "constant_covariate": _everybody_alike,
    "no_pilot": lambda: make_register([{"pilot_id": p, "status_6m": "employed_open"}
                                       for p in ("hame", "lappi") for _ in range(6)]),
    "one_pilot": lambda: random_register(seed=1, pilots=("hame",), n_per_pilot=30, effects=(0.0,)),
    "collinear": _age_tells_pilots_apart,
    "separation": _sex_separates,
}


# The same situations for another indicator give the variants naming the outcome: a positive exit
# (training counts, unemployment does not).
OUTCOME_SCENARIOS = {
    "all_outcome": lambda: _plus_uusimaa(**{f"status_{h}m": "training" for h in HORIZONS}),
    "none_outcome": lambda: _plus_uusimaa(**{f"status_{h}m": "unemployed" for h in HORIZONS}),
    "no_pilot_outcome": SCENARIOS["no_pilot"],
    "one_pilot_outcome": SCENARIOS["one_pilot"],
    "separation_outcome": SCENARIOS["separation"],
}


def test_every_declared_note_and_reason_can_be_produced():
    produced = {}
    for name, make, indicator in [*((n, m, "employment_rate") for n, m in SCENARIOS.items()),
                                  *((n, m, "positive_exit_rate") for n, m in OUTCOME_SCENARIOS.items())]:
        try:
            result = compare.adjusted_rates(make(), AS_OF, 6, indicator)
        except compare.ComparisonUndefined as exc:
            produced[name] = {exc.unavailable.reason}
        else:
            produced[name] = {key for key, _ in result.notes}
    assert all(name in keys for name, keys in produced.items()), produced
    assert set().union(*produced.values()) == set(compare.NOTE_KEYS) | set(compare.UNAVAILABLE_REASONS)


def _lines(tmp_path: Path, register: pd.DataFrame, lang: str, monkeypatch) -> list[str]:
    out = []
    monkeypatch.setattr(chapter, "markdown", out.append)
    monkeypatch.setattr(chapter, "show_table", lambda *args, **kwargs: None)
    set_language(lang)
    try:
        page = chapter.ComparisonPage(Page(tmp_path / "page", "comparison"), tmp_path, LABELS,
                                      register, pd.Timestamp(AS_OF))
        chapter.adjusted_table(page)
    finally:
        set_language("fi")
    return "\n".join(out).splitlines()


def _fragments(text: str) -> list[str]:
    """The literal parts of a catalogue text, between its placeholders."""
    return [part.strip() for part in re.split(r"\{[a-z_]+\}", text) if len(part.strip()) > 3]


def _key(name: str) -> str:
    section = "note" if name in compare.NOTE_KEYS else "unavailable"
    return f"comparison.{section}.{name}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_chapter_says_each_note_and_reason_in_the_readers_language(name, lang, tmp_path, monkeypatch):
    text = "\n".join(_lines(tmp_path, SCENARIOS[name](), lang, monkeypatch))
    for fragment in _fragments(catalogue(lang)[_key(name)]):
        assert fragment in text, (name, lang, fragment)
    other = next(other for other in LANGUAGES if other != lang)
    for key in (*(f"comparison.note.{k}" for k in compare.NOTE_KEYS),
                *(f"comparison.unavailable.{r}" for r in compare.UNAVAILABLE_REASONS)):
        assert not any(fragment in text for fragment in _fragments(catalogue(other)[key])), (name, lang, key)
    assert "uusimaa" not in text and "hame" not in text  # pilots by name, never by id


def test_finnish_sentences_written_out(tmp_path, monkeypatch):
    # Expected texts typed here from the Finnish catalogue's wording, with the chapter's choices:
    # the pilot's name, and a count of 1–4 people published as "<5".
    one = _lines(tmp_path, SCENARIOS["one_pilot"](), "fi", monkeypatch)
    assert "- Vakioituja osuuksia ei voitu laskea 6 kuukauden kohdalla: vakiointiin tarvitaan vähintään " \
           "kaksi pilottia, joiden seuratuissa on sekä työllistyneitä että työllistymättömiä, ja sellaisia " \
           "oli vain yksi (Häme)." in one
    missing = _lines(tmp_path, _missing_age(), "fi", monkeypatch)
    assert "- <5 henkilöltä puuttui jokin taustatieto, joten heidät jätettiin 6 kuukauden mallin " \
           "ulkopuolelle." in missing


def test_the_collinear_reason_names_no_number_of_people(tmp_path, monkeypatch):
    # The model's n less the published counts could give back a hidden one (as in the model's caption).
    lines = [line for line in _lines(tmp_path, _age_tells_pilots_apart(), "fi", monkeypatch) if "riippuvia" in line]
    assert lines and not any(re.search(r"\d", line.replace("6 kuukauden", "")) for line in lines), lines
