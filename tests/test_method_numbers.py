"""The method's constants as the prose shows them, the table widths option, and focus-area names
in every edition.

Expected texts are written out by hand for each language.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evalkit.chapters.method_numbers import decimals_needed, level_text, method_numbers
from evalkit.formatting import fmt_list, fmt_range
from evalkit.i18n import LANGUAGES, has, set_language, t
from evalkit.page_output import markdown_table
from evalkit.paths import pilots_file
from evalkit.reported import load_pilots

NBSP = "\u00a0"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def language():
    yield set_language
    set_language("fi")


@pytest.mark.parametrize("lang, expected", [
    ("fi", {"ci_level": f"95{NBSP}%", "significance_level": "0,05", "horizons_and": "3, 6 ja 12",
            "horizons_or": "3, 6 tai 12", "was_scale": "0–10", "small_counts": "1–4", "min_denominator": "5"}),
    ("en", {"ci_level": "95%", "significance_level": "0.05", "horizons_and": "3, 6 and 12",
            "horizons_or": "3, 6 or 12", "was_scale": "0–10", "small_counts": "1–4", "min_denominator": "5"}),
])
def test_method_numbers_in_each_language(language, lang, expected):
    language(lang)
    assert method_numbers() == expected


def test_levels_and_decimals():
    assert decimals_needed(95.0) == 0 and decimals_needed(99.8) == 1 and decimals_needed(0.05) == 2
    assert level_text(0.998) == f"99,8{NBSP}%"      # active language is Finnish by default
    assert fmt_range(10, 10) == "10" and fmt_range(0, 5) == "0–5"
    assert fmt_list(["1"]) == "1" and fmt_list(["1", "2"], "or", lang="en") == "1 or 2"


def test_table_widths_are_written_and_must_match_the_columns():
    from evalkit.page_output import start_page

    start_page("fi")   # a book page: a notebook page (left by a test before) writes no widths
    frame = pd.DataFrame({"a": ["x"], "b": ["y"]})
    assert ":widths: 3 1\n" in markdown_table(frame, "c", widths=[3, 1])
    assert ":widths:" not in markdown_table(frame, "c")
    with pytest.raises(ValueError):
        markdown_table(frame, "c", widths=[1, 2, 3])


def test_every_reported_focus_area_has_a_name_in_each_edition():
    facts = load_pilots(pilots_file(ROOT))
    for number, reported in facts.focus_area_names.items():
        for lang in LANGUAGES:
            assert has(f"national.focus_area_name.{number}", lang), (lang, number)
        # The Finnish catalogue says what the report says; the English one is a translation.
        assert t(f"national.focus_area_name.{number}", "fi") == reported
        assert t(f"national.focus_area_name.{number}", "en") != reported


@pytest.mark.parametrize("text", ["7,800", "3,000", "0.05", "3, 6 and 12", f"95{NBSP}%", "it's \"x\""])
def test_glued_text_comes_back_unchanged(text):
    # myst-nb's own reader of glued text/plain is the second route; a bare "7,800" once came back
    # as the tuple "(7, 800)".
    from IPython.core.formatters import PlainTextFormatter
    from myst_nb.core.variables import format_plain_text

    from evalkit.page_output import _PlainText

    plain = PlainTextFormatter()(_PlainText(text))
    assert format_plain_text(plain, "s") == text
