"""The description sheets (evalkit.description_sheet): every field in the sheet's own language, an
absent field said so in words, and an abstract whose numbers are formatted, never typed."""
from __future__ import annotations

import datetime as dt

import pytest

from evalkit.description_sheet import FIELDS, SHEET_LANGUAGES, abstract, sheet_rows
from evalkit.i18n import t

NBSP = "\u00a0"
FULL = {"authors": {"fi": "Meikäläinen, M.", "sv": "Svensson, S.", "en": "Smith, S."},
        "keywords": "osatyökykyiset, TE-palvelut", "series": "TEM:n julkaisuja", "number": "2026:12",
        "isbn_pdf": "978-952-000-000-0", "issn_pdf": "1797-3562", "urn": "URN:ISBN:978-952-000-000-0",
        "case_number": "VN/1234/2026", "date": "2026-12-06"}


def test_the_sheets_are_finnish_swedish_english_in_that_order():
    assert SHEET_LANGUAGES == ("fi", "sv", "en")


@pytest.mark.parametrize("lang", SHEET_LANGUAGES)
def test_without_publication_data_every_absent_field_says_so_in_the_sheets_language(lang):
    rows = dict(sheet_rows(lang, "fi"))
    labels = [t(f"description.field.{name}", lang) for name in FIELDS]
    assert list(rows) == labels
    absent = t("description.absent", lang)
    assert absent.strip()
    for name in ("date", "authors", "series", "isbn_pdf", "issn_pdf", "urn", "case_number", "pages", "keywords"):
        assert rows[t(f"description.field.{name}", lang)] == absent, name
    # What evalkit knows itself is filled in: publisher, title and the edition's language.
    assert rows[t("description.field.publisher", lang)] == t("publication.publisher", lang)
    assert rows[t("description.field.title", lang)] == t("book.title", lang)
    assert all(value.strip() for value in rows.values())


def test_given_fields_are_shown_per_language_and_the_series_carries_its_number():
    fi = dict(sheet_rows("fi", "sv", FULL, pages=70))
    sv = dict(sheet_rows("sv", "sv", FULL, pages=1234))
    en = dict(sheet_rows("en", "sv", {**FULL, "series": " ", "date": dt.date(2026, 1, 2)}))
    assert fi["Tekijät"] == "Meikäläinen, M." and sv["Författare"] == "Svensson, S."
    series = "TEM:n julkaisuja 2026:12"
    assert fi["Julkaisusarjan nimi ja numero"] == sv["Publikationsseriens namn och nummer"] == series
    assert fi["Asiasanat"] == "osatyökykyiset, TE-palvelut"          # one text serves every language
    assert (fi["ISBN PDF"], fi["ISSN PDF"], fi["URN-osoite"], fi["Asianumero"]) == (
        "978-952-000-000-0", "1797-3562", "URN:ISBN:978-952-000-000-0", "VN/1234/2026")
    assert (fi["Julkaisuaika"], en["Date"]) == ("6.12.2026", "2 January 2026")
    assert (fi["Sivumäärä"], sv["Sidantal"]) == ("70", f"1{NBSP}234")
    # The language of the edition described, named in each sheet's own language.
    assert (fi["Kieli"], sv["Språk"], en["Language"]) == ("ruotsi", "svenska", "Swedish")
    # A blank series is no series, and a language missing from a mapping is absent.
    assert en["Series and publication number"] == "not given"
    assert dict(sheet_rows("en", "fi", {"authors": {"fi": "Meikäläinen"}}))["Authors"] == "not given"


def test_the_abstract_states_the_computed_numbers_as_each_language_writes_them():
    numbers = dict(pilots=8, budget_eur=9638000, participants=7800, horizon=6, employment_rate=0.29308,
                   positive_rate=0.51627, synthetic=False)
    fi, sv, en = (abstract(lang, **numbers) for lang in SHEET_LANGUAGES)
    # Expected texts from the numbers by hand: 9 638 000 €, 29,3 %, 51,6 % (fi and sv alike).
    for text in (fi, sv):
        assert f"9{NBSP}638{NBSP}000{NBSP}€" in text and f"7{NBSP}800" in text
        assert f"29,3{NBSP}%" in text and f"51,6{NBSP}%" in text
    assert "€9,638,000" in en and "7,800" in en and "29.3%" in en and "51.6%" in en
    assert "partiellt arbetsföra" in sv
    # A number the small-cell rule hides is a dash, and demonstration data is said to be so.
    hidden = abstract("fi", **{**numbers, "participants": None, "employment_rate": None, "synthetic": True})
    assert "osallistui – henkilöä" in hidden and "– oli työssä" in hidden
    assert hidden.endswith(t("description.abstract_synthetic", "fi"))
