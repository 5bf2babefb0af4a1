"""The theme's own words in Finnish and Swedish (evalkit.sphinxext.theme_catalogue): the catalogues
compile, translate, say the same things, and name only words the themes or Sphinx really use."""
from __future__ import annotations

import gettext
import re
from importlib import resources
from pathlib import Path

import pytest

from evalkit.sphinxext import theme_catalogue


def _msgids(text: str) -> set[str]:
    return set(re.findall(r'^msgid "(.+)"$', text, flags=re.MULTILINE))


@pytest.mark.parametrize(("lang", "expected"), [("fi", "Siirry pääsisältöön"), ("sv", "Hoppa till huvudinnehållet")])
def test_each_catalogue_compiles_to_a_translation_sphinx_can_use(tmp_path, lang, expected):
    folder = theme_catalogue(lang, tmp_path)
    translation = gettext.translation("sphinx", str(folder), languages=[lang])
    assert translation.gettext("Skip to main content") == expected
    assert translation.gettext("a word nobody translated") == "a word nobody translated"
    # The same bytes each time: a kept Sphinx site is not made cold by a compile date.
    written = (folder / lang / "LC_MESSAGES" / "sphinx.mo").read_bytes()
    theme_catalogue(lang, tmp_path)
    assert (folder / lang / "LC_MESSAGES" / "sphinx.mo").read_bytes() == written


def test_english_has_no_catalogue_and_the_two_catalogues_say_the_same_things(tmp_path):
    assert theme_catalogue("en", tmp_path) is None
    fi, sv = (_msgids((resources.files("evalkit") / "locales" / lang / "theme.po").read_text(encoding="utf-8"))
              for lang in ("fi", "sv"))
    assert fi == sv and len(fi) > 20


def test_every_word_is_one_the_themes_or_sphinx_use():
    import pydata_sphinx_theme
    import sphinx

    used = set()
    for pot in (Path(pydata_sphinx_theme.__file__).parent / "locale" / "sphinx.pot",
                Path(sphinx.__file__).parent / "locale" / "sphinx.pot"):
        used |= _msgids(pot.read_text(encoding="utf-8"))
    ours = _msgids((resources.files("evalkit") / "locales" / "fi" / "theme.po").read_text(encoding="utf-8"))
    assert ours <= used, ours - used
