"""The catalogues agree with each other, and numbers read as each language writes them."""
from __future__ import annotations

import re

import pytest

from evalkit.formatting import fmt_eur, fmt_interval, fmt_number, fmt_percent
from evalkit.i18n import LANGUAGES, catalogue, t

NBSP = "\u00a0"


def test_the_editions_are_finnish_swedish_and_english():
    assert LANGUAGES == ("fi", "sv", "en")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_language_has_the_same_keys(lang):
    reference, found = set(catalogue("fi")), set(catalogue(lang))
    assert found == reference, f"{lang}: missing {sorted(reference - found)}, extra {sorted(found - reference)}"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_language_uses_the_same_placeholders(lang):
    # str.format fields, Jinja2 {{ }} and glue roles: a text that drops or renames one fails to fill.
    pattern = re.compile(r"\{[a-z_0-9]+\}|\{\{\s*[^}]+\}\}|\{glue:text\}`[^`]+`|\{numref\}`[^`]+`|\{doc\}`[^`]+`")
    for key, text in catalogue("fi").items():
        other = catalogue(lang)[key]
        assert sorted(pattern.findall(str(text))) == sorted(pattern.findall(str(other))), key


@pytest.mark.parametrize("value, decimals, fi, en", [
    (9638000, 0, f"9{NBSP}638{NBSP}000", "9,638,000"),
    (1234.5, 1, f"1{NBSP}234,5", "1,234.5"),
    (999, 0, "999", "999"),
    (-5000, 0, f"−5{NBSP}000", "−5,000"),
    (0.05, 2, "0,05", "0.05"),
])
def test_numbers(value, decimals, fi, en):
    assert fmt_number(value, decimals, lang="fi") == fi
    assert fmt_number(value, decimals, lang="en") == en
    # Finland-Swedish writes numbers as Finnish does (CLDR sv_FI: decimal comma, no-break space
    # between thousands, U+2212 minus).
    assert fmt_number(value, decimals, lang="sv") == fi


def test_swedish_percent_euro_interval_and_date():
    import datetime as dt

    from evalkit.formatting import fmt_date

    assert t("format.locale", "sv") == "sv_FI"
    assert fmt_percent(0.125, lang="sv") == f"12,5{NBSP}%"
    assert fmt_eur(9638000, lang="sv") == f"9{NBSP}638{NBSP}000{NBSP}€"
    assert fmt_interval(0.102, 0.153, lang="sv") == f"10,2–15,3{NBSP}%"
    assert fmt_date(dt.date(2026, 12, 6), "sv") == "6.12.2026"


def test_percent_euro_interval_and_missing():
    assert fmt_percent(0.125, lang="fi") == f"12,5{NBSP}%"
    assert fmt_percent(0.125, lang="en") == "12.5%"
    assert fmt_eur(9638000, lang="fi") == f"9{NBSP}638{NBSP}000{NBSP}€"
    assert fmt_eur(9638000, lang="en") == "€9,638,000"
    assert fmt_interval(0.102, 0.153, lang="fi") == f"10,2–15,3{NBSP}%"
    assert fmt_percent(float("nan"), lang="fi") == t("format.missing", "fi")
