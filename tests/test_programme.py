"""programme.yml: the programme as data, and every refusal of a bad one (file, line, key; one line each)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from evalkit.errors import InputError
from evalkit.programme import load_programme

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
title: {fi: Kokeilut, en: Trials}
publisher: Ministeriö
period: {start: 2024-01-01, end: 2025-06-30}
languages: [fi, en]
focus_areas:
  1: Ohjaus
  2: {fi: Koulutus, en: Training}
pilots:
  - pilot_id: alfa
    name: {fi: Alfa-kokeilu, sv: Alfaförsöket}
    budget_eur: 120000
    project_name: Alfa
    focus_areas: [1, 2]
  - pilot_id: beta-2
    name: Beta
    budget_eur: 0
"""


def write(folder: Path, text: str, params: tuple[str, ...] = ("alfa", "beta-2")) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "programme.yml").write_text(text, encoding="utf-8")
    (folder / "params").mkdir(exist_ok=True)
    for pilot_id in params:
        (folder / "params" / f"{pilot_id}.yml").write_text(f"pilot_id: {pilot_id}\n", encoding="utf-8")
    return folder


def refused(folder: Path) -> list[str]:
    """The problems' lines, the folder's path left out."""
    with pytest.raises(InputError) as caught:
        load_programme(folder)
    return [str(p).replace(f"{folder}/", "").replace(f"{folder / 'params'}/", "") for p in caught.value.problems]


def test_a_good_programme_gives_its_pilots_names_budgets_and_texts_per_language(tmp_path):
    programme = load_programme(write(tmp_path, GOOD))
    assert programme.pilot_ids == ("alfa", "beta-2")
    assert programme.budgets == {"alfa": 120000, "beta-2": 0}
    assert programme.title("en") == "Trials" and programme.title("sv") == "Kokeilut"   # the main language stands in
    assert programme.names("sv") == {"alfa": "Alfaförsöket", "beta-2": "Beta"}
    assert programme.names("en") == {"alfa": "Alfa-kokeilu", "beta-2": "Beta"}
    assert programme.spec.period.end == dt.date(2025, 6, 30)
    assert programme.publication("fi") == {}
    assert not programme.has_source_report


def test_the_default_programme_is_the_eight_pilots_with_the_reported_budgets():
    from evalkit.reported import load_pilots

    programme = load_programme(ROOT)
    reported = load_pilots(ROOT / "data" / "reported" / "pilots.yml")
    assert programme.pilot_ids == tuple(p.pilot_id for p in reported.pilots)
    assert programme.budgets == reported.budgets
    assert {p.pilot_id: p.project_in("fi") for p in programme.pilots} == {
        p.pilot_id: p.project_name for p in reported.pilots}
    assert programme.names("fi") == {p.pilot_id: p.region for p in reported.pilots}
    assert programme.names("sv")["pohjois-pohjanmaa"] == "Norra Österbotten"
    assert programme.has_source_report


@pytest.mark.parametrize(("change", "expected"), [
    # unknown keys, at the top and inside a pilot, with the nearest valid key
    (("publisher: Ministeriö", "publisher: Ministeriö\npublsher: x"),
     "programme.yml: line 3: column publsher: unknown key; did you mean 'publisher'?"),
    (("    budget_eur: 0\n", "    budget_eur: 0\n    colour: red\n"),
     "programme.yml: line 17: column pilots[1].colour: unknown key"),
    # malformed pilot ids
    (("pilot_id: beta-2", "pilot_id: Beta"), "programme.yml: line 14: column pilots[1].pilot_id: a pilot_id is"),
    (("pilot_id: beta-2", "pilot_id: beta_2"), "programme.yml: line 14: column pilots[1].pilot_id: a pilot_id is"),
    (("pilot_id: beta-2", "pilot_id: häme"), "programme.yml: line 14: column pilots[1].pilot_id: a pilot_id is"),
    (("pilot_id: beta-2", "pilot_id: beta--2"), "programme.yml: line 14: column pilots[1].pilot_id: a pilot_id is"),
    (("pilot_id: beta-2", "pilot_id: 12"), "programme.yml: line 14: column pilots[1].pilot_id: a pilot_id is"),
    (("pilot_id: beta-2", "pilot_id: ''"), "programme.yml: line 14: column pilots[1].pilot_id: a pilot_id is"),
    # duplicate pilot id: the second is named, with where the first is
    (("pilot_id: beta-2", "pilot_id: alfa"),
     "programme.yml: line 14: column pilots[1].pilot_id: pilot_id 'alfa' is already pilots[0]"),
    # budgets
    (("budget_eur: 0", "budget_eur: -1"), "programme.yml: line 16: column pilots[1].budget_eur: a budget is"),
    (("budget_eur: 0", "budget_eur: '120000'"), "programme.yml: line 16: column pilots[1].budget_eur: a budget is"),
    (("budget_eur: 0", "budget_eur: 120 000"), "programme.yml: line 16: column pilots[1].budget_eur: a budget is"),
    (("budget_eur: 0", "budget_eur: true"), "programme.yml: line 16: column pilots[1].budget_eur: a budget is"),
    (("budget_eur: 0", "budget_eur: .nan"), "programme.yml: line 16: column pilots[1].budget_eur: a budget is"),
    (("budget_eur: 0", "budget_eur:"), "programme.yml: line 16: column pilots[1].budget_eur: a budget is"),
    (("budget_eur: 0", "budget_eur: 1.0e+300"),
     "programme.yml: line 16: column pilots[1].budget_eur: a budget is at most 1,000,000,000,000 euros"),
    (("budget_eur: 0", "budget_eur: 1" + "0" * 400),
     "programme.yml: line 16: column pilots[1].budget_eur: a budget is at most 1,000,000,000,000 euros (a typing "
     "error otherwise), got a number of 401 digits"),
    (("start: 2024-01-01", "start: 0001-01-01"),
     "programme.yml: line 3: column period: the period lies outside the years 1900-2099"),
    # a value YAML cannot read as its tag says, named by its key in a list
    (("budget_eur: 0", "budget_eur: 1e400"),   # read as infinity, then said to be "inf"
     "programme.yml: line 16: column pilots[1].budget_eur: '1e400' is too large a number"),
    (("budget_eur: 0", "budget_eur: !!float x"),
     "programme.yml: line 16: column pilots[1].budget_eur: 'x' is not a number"),
    # a day the calendar does not have: YAML's own reading raised a bare ValueError (a traceback)
    (("start: 2024-01-01", "start: 2024-02-30"),
     "programme.yml: line 3: column period.start: '2024-02-30' is not a date of the calendar"),
    # two pilots of one name (as shown: case and spacing aside) could not be told apart in a table
    (("name: Beta", "name: ' alfa-KOKEILU '"),
     "programme.yml: line 15: column pilots[1].name: the name is already pilots[0]'s in fi"),
    (("name: Beta", "name: {fi: Beta, en: Alfa-kokeilu}"),
     "programme.yml: line 15: column pilots[1].name: the name is already pilots[0]'s in en"),
    # other keys of the contract
    (("end: 2025-06-30", "end: 2023-06-30"), "programme.yml: line 3: column period: the period ends before"),
    (("languages: [fi, en]", "languages: [fi, de]"), "programme.yml: line 4: column languages[1]:"),
    (("focus_areas: [1, 2]", "focus_areas: [1, 3]"),
     "programme.yml: line 13: column pilots[0].focus_areas[1]: focus area 3 is not one of"),
    (("name: Beta", "name: {fi: Beta, de: Beta}"), "programme.yml: line 15: column pilots[1].name: unknown language"),
    (("pilots:\n", "pilots: []\nunused:\n"), "programme.yml: line 8: column pilots: list at least one pilot"),
])
def test_a_bad_programme_is_refused_naming_file_line_and_key(tmp_path, change, expected):
    assert GOOD.count(change[0]) == 1
    problems = refused(write(tmp_path, GOOD.replace(*change)))
    assert any(p.startswith(expected) for p in problems), problems
    assert all("Traceback" not in p and "\n" not in p for p in problems)


def test_names_over_sixty_characters_are_built_and_named_for_a_warning(tmp_path):
    from evalkit.programme import long_names

    # The contract allows any text; a name labels every table, axis and sheet, so a long one is said.
    sixty = "Keski-Uudenmaan ja Länsi-Uudenmaan työllisyyspilotti 2024–25"
    assert len(sixty) == 60
    programme = load_programme(write(tmp_path, GOOD.replace("name: Beta", f"name: {sixty}")))
    assert programme.by_id("beta-2").name == sixty and long_names(programme.spec) == []
    longer = GOOD.replace("name: Beta", f"name: {sixty}x").replace("sv: Alfaförsöket", "sv: " + "å" * 61)
    assert long_names(load_programme(write(tmp_path, longer)).spec) == ["pilots[0].name", "pilots[1].name"]


@pytest.mark.parametrize("change", [
    ("title: {fi: Kokeilut, en: Trials}", "title: {fi: Kokeilut 131052-308T, en: Trials}"),
    ("name: Beta", "name: Beta 131052-308T"),
    ("project_name: Alfa", "project_name: 'Alfa, 131052-308T'"),
    ("  1: Ohjaus", "  1: Ohjaus 131052-308T"),
    ("publisher: Ministeriö", "publisher: Ministeriö\npublication: {authors: 'A. Virtanen 131052-308T'}"),
    ("  2: {fi: Koulutus", "  131052-308T: x\n  2: {fi: Koulutus"),
])
def test_an_identity_code_in_any_text_is_refused_by_key_and_never_printed(tmp_path, change):
    problems = refused(write(tmp_path, GOOD.replace(*change)))
    assert problems and all("identity code" in p and "131052-308T" not in p for p in problems), problems
    assert all(p.startswith("programme.yml: line ") for p in problems), problems


def test_a_params_file_for_a_pilot_not_in_the_programme_is_refused(tmp_path):
    problems = refused(write(tmp_path, GOOD, params=("alfa", "beta-2", "gamma")))
    assert problems == ["params/gamma.yml: column pilot_id: params file for pilot 'gamma', which programme.yml does "
                        "not list; add the pilot there or remove the file"], problems


def test_a_pilot_without_a_params_file_is_refused_at_its_line(tmp_path):
    problems = refused(write(tmp_path, GOOD, params=("alfa",)))
    assert problems == ["programme.yml: line 14: column pilots[1].pilot_id: pilot 'beta-2' has no params file; "
                        "write params/beta-2.yml (register, extract date, goals)"], problems


def test_a_folder_without_programme_yml_is_refused_in_one_line(tmp_path):
    problems = refused(tmp_path)
    assert len(problems) == 1 and "no programme.yml here" in problems[0]


def test_a_register_row_of_another_programmes_pilot_is_refused(tmp_path, monkeypatch):
    from evalkit.register import load_register

    folder = write(tmp_path / "p", GOOD)
    monkeypatch.setenv("EVALKIT_ROOT", str(folder))
    register = tmp_path / "participants.csv"
    register.write_text(
        "person_id,pilot_id,service,start_date,end_date,age,sex,basis,unemployment_months,was_start,was_end,"
        "status_3m,status_6m,status_12m\n"
        "p1,alfa,s,2024-02-01,,40,F,none,3,,,,,\n"
        "p2,lappi,s,2024-02-01,,40,F,none,3,,,,,\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_register(register, dt.date(2024, 6, 30))
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 1 and "line 3" in lines[0] and "pilot_id" in lines[0] and "'lappi'" in lines[0], lines
    assert "alfa, beta-2" in lines[0], lines


@pytest.mark.parametrize(("change", "key"), [
    ("budget_eur: 600000\n    focus_areas: [1, 2, 3, 4]\n    continued_2023: false\n    call_order: 1",
     "pilots[0].budget_eur"),
    ("project_name: Tykki", "pilots[3].project_name"),
])
def test_the_source_reports_pilot_facts_may_not_disagree_with_programme_yml(tmp_path, change, key):
    from evalkit.reported import load_pilots

    text = (ROOT / "data" / "reported" / "pilots.yml").read_text(encoding="utf-8")
    assert text.count(change) == 1
    changed = change.replace("600000", "600001").replace("Tykki", "Tykki 2")
    path = tmp_path / "pilots.yml"
    path.write_text(text.replace(change, changed), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_pilots(path)
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 1 and f"column {key}:" in lines[0] and "programme.yml says" in lines[0], lines


def _toc_pages(toc: dict) -> list[str]:
    return [toc["root"], *(c["file"] for part in toc["parts"] for c in part["chapters"])]


def test_the_default_programmes_table_of_contents_lists_the_pages_it_listed_by_hand():
    import yaml

    from evalkit.pipeline.book import programme_toc

    old = yaml.safe_load("""
root: national/index
parts:
  - chapters: [{file: national/methods}]
  - chapters: [{file: pilots/pohjois-pohjanmaa}, {file: pilots/uusimaa}, {file: pilots/pohjois-karjala},
               {file: pilots/etela-pohjanmaa}, {file: pilots/lappi}, {file: pilots/pirkanmaa},
               {file: pilots/pohjanmaa}, {file: pilots/hame}]
  - chapters: [{file: national/comparison}, {file: national/costs}, {file: national/claims},
               {file: national/recommendations}]
  - chapters: [{file: national/description}, {file: national/build_status}, {file: national/provenance}]
""")
    assert _toc_pages(programme_toc(ROOT)) == _toc_pages(old)


def test_a_programme_without_a_source_report_opens_on_its_summary_and_drops_the_fact_pages(tmp_path):
    from evalkit.pipeline.book import programme_toc

    folder = write(tmp_path, GOOD)
    pages = _toc_pages(programme_toc(folder))
    assert pages == ["national/summary", "national/programme_methods", "pilots/alfa", "pilots/beta-2",
                     "national/comparison", "national/description", "national/build_status",
                     "national/provenance"]
    (folder / "data").mkdir()
    (folder / "data" / "recommendations.yml").write_text("recommendations: []\n", encoding="utf-8")
    assert "national/programme_recommendations" in _toc_pages(programme_toc(folder))


RECOMMENDATIONS = """\
recommendations:
  - title: {fi: Jatka valmennusta, en: Keep coaching}
    text: Valmennus tuotti parhaat tulokset.
    evidence: [pilots/alfa, national/comparison]
"""


def test_recommendations_come_from_the_programmes_file_with_their_evidence(tmp_path):
    from evalkit.recommendations import shown_recommendations

    folder = write(tmp_path, GOOD)
    assert shown_recommendations(load_programme(folder), "en") == []
    (folder / "data").mkdir()
    (folder / "data" / "recommendations.yml").write_text(RECOMMENDATIONS, encoding="utf-8")
    assert shown_recommendations(load_programme(folder), "en") == [
        ("Keep coaching", "Valmennus tuotti parhaat tulokset.", ("pilots/alfa", "national/comparison"))]


@pytest.mark.parametrize(("change", "expected"), [
    (("pilots/alfa,", "pilots/gamma,"),
     "recommendations.yml: line 4: column recommendations[0].evidence[0]: 'pilots/gamma' is not"),
    (("evidence: [pilots/alfa, national/comparison]", "evidence: []"),
     "recommendations.yml: line 4: column recommendations[0].evidence: name at least one page"),
    (("Valmennus tuotti", "Valmennus (131052-308T) tuotti"),
     "recommendations.yml: line 3: column recommendations[0].text: holds what looks like a personal identity code"),
    (("    text:", "    txt:"), "recommendations.yml: line 3: column recommendations[0].txt: unknown key"),
])
def test_bad_recommendations_are_refused_by_key(tmp_path, change, expected):
    from evalkit.recommendations import load_recommendations

    folder = write(tmp_path, GOOD)
    (folder / "data").mkdir()
    (folder / "data" / "recommendations.yml").write_text(RECOMMENDATIONS.replace(*change), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_recommendations(load_programme(folder))
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith(expected) for line in lines) and not any("131052-308T" in x for x in lines), lines


def test_a_build_names_every_problem_of_the_recommendations_and_the_params_before_any_page_runs(
        tmp_path, monkeypatch):
    from evalkit.pipeline import orchestrate

    folder = write(tmp_path, GOOD)   # its params files name no register: each is refused
    (folder / "data").mkdir()
    (folder / "data" / "recommendations.yml").write_text(
        "recommendations:\n"
        "  - title: {fi: Otsikko, en: Title}\n"
        "    text: Teksti\n"
        "    evidence: [national/comparison, national/nope, ../../etc/passwd]\n"
        "  - title: Toinen\n"
        "    text: Teksti\n"
        "    evidence: []\n"
        "    extra: 1\n", encoding="utf-8")
    monkeypatch.setattr(orchestrate, "_run_pages", lambda *args, **kwargs: pytest.fail("a page ran"))
    with pytest.raises(InputError) as caught:
        orchestrate.build(folder, lang="fi", pdf=False)
    lines = [str(p) for p in caught.value.problems]
    expected = [
        "line 4: column recommendations[0].evidence[1]: 'national/nope' is not a page of this report",
        "line 4: column recommendations[0].evidence[2]: '../../etc/passwd' is not a page of this report",
        "line 7: column recommendations[1].evidence: name at least one page",
        "line 8: column recommendations[1].extra: unknown key"]
    found = [line for line in lines if line.startswith("recommendations.yml")]
    assert len(found) == len(expected) and all(
        line.startswith(f"recommendations.yml: {start}") for line, start in zip(found, expected)), found
    assert any("alfa.yml" in line for line in lines), lines   # the params' problems in the same refusal


@pytest.mark.parametrize("entry", [
    "{title: T, text: X, evidence: [national/summary], 131052-308T: 1}",   # a code as a key
    "{title: [Otsikko 131052-308T], text: X, evidence: [national/summary]}",   # in a value of the wrong type
    "{title: {fi: [131052-308T]}, text: X, evidence: [national/summary]}",
    "{title: T, text: X, evidence: {a: 131052-308T}}",
    "{title: T, text: X, evidence: [national/summary, x131052-308T]}",   # in a page that does not exist
])
def test_recommendations_holding_a_code_are_refused_for_it_alone_and_never_quote_it(tmp_path, entry):
    from evalkit.recommendations import load_recommendations

    folder = write(tmp_path, GOOD)
    (folder / "data").mkdir()
    (folder / "data" / "recommendations.yml").write_text(f"recommendations:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_recommendations(load_programme(folder))
    lines = [str(p) for p in caught.value.problems]
    assert lines and all("personal identity code" in line for line in lines), lines
    assert not any("131052" in line for line in lines), lines


def test_the_first_language_of_the_programme_is_its_main_edition(tmp_path):
    """CONTRACT: `languages` "the first is the main edition": its site is _build/html, its PDF report.pdf."""
    from evalkit.editions import edition

    folder = write(tmp_path / "english-first", GOOD.replace("languages: [fi, en]", "languages: [en, fi]"))
    english, finnish = edition(folder, "en"), edition(folder, "fi")
    assert (english.html_link, english.pdf_name, english.pages_dir) == ("html", "report.pdf", folder / "book")
    assert (finnish.html_link, finnish.pdf_name, finnish.pages_dir) == ("html-fi", "report-fi.pdf",
                                                                        folder / "book" / "fi")
    default = edition(ROOT, "fi")   # the project's own programme is Finnish first, as before
    assert (default.html_link, default.pdf_name) == ("html", "report.pdf")


def test_a_programme_rewritten_keeping_its_size_and_time_is_read_again(tmp_path):
    # A copy that kept the older file's time (cp -p, rsync -t), of the same length: only the
    # change time says the file is another. A process serving build after build must see it.
    from evalkit.programme import programme_at

    folder = write(tmp_path / "p", GOOD)
    assert programme_at(folder).title("en") == "Trials"
    path = folder / "programme.yml"
    before = path.stat()
    path.write_text(GOOD.replace("en: Trials", "en: Trail!"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert programme_at(folder).title("en") == "Trail!"


def test_texts_given_per_language_but_not_in_an_edition_are_named(tmp_path):
    from evalkit.programme import untranslated

    programme = load_programme(write(tmp_path, GOOD))
    # GOOD: the title and focus area 2 in fi and en, the first pilot's name in fi and sv; the rest plain.
    assert untranslated(programme.spec, "en") == ["pilots[0].name"]
    assert untranslated(programme.spec, "sv") == ["title", "focus_areas.2"]
    assert untranslated(programme.spec, "fi") == []


def test_build_warns_of_long_names_and_untranslated_texts_before_it_builds(tmp_path, monkeypatch, capsys):
    import argparse

    from evalkit.commands import build as command

    text = GOOD.replace("name: Beta", "name: " + "B" * 61).replace("languages: [fi, en]", "languages: [fi, en, sv]")
    monkeypatch.setenv("EVALKIT_ROOT", str(write(tmp_path, text)))
    built = []
    monkeypatch.setattr(command, "build", lambda root, **kwargs: built.append(kwargs["lang"]))
    monkeypatch.setattr(command, "edition", lambda root, lang: (_ for _ in ()).throw(SystemExit(0)))
    with pytest.raises(SystemExit):
        command.run(argparse.Namespace(lang="sv", jobs=1, no_pdf=True, force=False))
    assert built == ["sv"]
    warnings = capsys.readouterr().err.splitlines()
    assert warnings == [
        "evalkit build: warning: programme.yml: pilots[1].name is over 60 characters; it labels every table, axis "
        "and sheet: give the long title as project_name",
        "evalkit build: warning: programme.yml: title, focus_areas.2 have no sv text; the sv edition shows another "
        "language's there"]


def test_a_pilot_without_a_project_name_of_its_own_is_titled_by_its_name_alone(tmp_path):
    # `evalkit new` wrote project_name = name, and pages read "North: North" and "North ran its
    # pilot as North"; a pilot without project_name (the contract's optional key) read the same.
    from evalkit.i18n import set_language
    from evalkit.programme import pilot_context

    text = GOOD.replace("    name: Beta\n", "    name: Beta\n    project_name: ' Beta'\n")
    programme = load_programme(write(tmp_path, text))
    try:
        set_language("fi")
        alfa, beta = (pilot_context(programme.by_id(pid)) for pid in ("alfa", "beta-2"))
        # Names reach Markdown escaped (a hyphen too), so that nothing in them is read as markup.
        assert alfa["heading"] == "Alfa\\-kokeilu\\: Alfa"
        assert alfa["project_sentence"] == "Alfa\\-kokeilu toteutti pilotin nimellä *Alfa*. "
        assert (beta["heading"], beta["project_sentence"]) == ("Beta", "")
        assert programme.by_id("beta-2").heading == "Beta"
        set_language("en")
        assert pilot_context(programme.by_id("alfa"))["project_sentence"] == \
            "Alfa\\-kokeilu ran its pilot under the name *Alfa*. "
    finally:
        set_language("fi")
    # A project name equal to the pilot's name in another language is no name of its own either:
    # every edition says the same.
    text = GOOD.replace("    project_name: Alfa\n", "    project_name: Alfaförsöket\n")
    programme = load_programme(write(tmp_path / "sv", text))
    for lang in ("fi", "sv"):
        set_language(lang)
        assert pilot_context(programme.by_id("alfa"))["project_sentence"] == "", lang
    set_language("fi")
    # Without the key at all, the same.
    programme = load_programme(write(tmp_path / "other", GOOD))
    assert pilot_context(programme.by_id("beta-2"))["heading"] == "Beta"


def test_two_names_written_in_two_unicode_forms_are_one_name(tmp_path):
    # "ö" as one character and as "o" with a combining diaeresis look the same in every table.
    text = GOOD.replace("name: Beta", "name: \"Alfa-ko\\u0308keilu\"").replace("Alfa-kokeilu", "Alfa-kökeilu", 1)
    assert refused(write(tmp_path, text)) == [
        "programme.yml: line 15: column pilots[1].name: the name is already pilots[0]'s in fi; every pilot needs "
        "a name of its own (it labels its columns, axes and sheets)"]


def test_a_build_says_when_the_pilots_extract_dates_differ(tmp_path):
    import dataclasses

    from evalkit.params import DataSource
    from evalkit.pipeline.orchestrate import extract_dates_note

    data = tmp_path / "participants.csv"
    data.write_text("x\n")
    same = {pid: DataSource(pid, data, dt.date(2023, 12, 31), None) for pid in ("a", "b", "c")}
    assert extract_dates_note(same) is None
    later = {**same, "b": dataclasses.replace(same["b"], as_of=dt.date(2024, 6, 30)),
             "c": dataclasses.replace(same["c"], data=tmp_path / "missing.csv", as_of=dt.date(2022, 1, 1))}
    assert extract_dates_note(later) == (   # c has no register: it is not counted, so its date is not the earliest
        "the pilots' extract dates (as_of) differ; every page counts every pilot as it stood on the earliest, "
        "2023-12-31, so that they are compared at one date (later: b 2024-06-30)")
