"""axe-core in the browser check (evalkit.checks.axe): small hand-written pages, each breaking one
WCAG rule, must each be named by their rule; a clean page passes; best-practice findings are notes."""
from __future__ import annotations

import shutil

import pytest

from evalkit.checks import failures
from evalkit.checks.axe import axe_problems
from evalkit.checks.browser import check_in_browser

needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None,
                                    reason="chromium missing (`make test` installs it)")
DOT = "data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="


def page(body: str, lang: str | None = "fi") -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    return (f'<!DOCTYPE html><html{lang_attr}><head><meta charset="utf-8"><title>Sivu</title></head>'
            f"<body><main><h1>Otsikko</h1>{body}</main></body></html>")


BAD_PAGES = {
    # WCAG 1.1.1: an image a screen reader cannot name.
    "image-alt": page(f'<img src="{DOT}">'),
    # WCAG 2.5.3: the visible text "Haku" is not part of the name "Etsi sivustolta" (the theme's
    # search button had this fault, as had its colour-mode button).
    "label-content-name-mismatch": page('<button aria-label="Etsi sivustolta">Haku</button>'),
    # WCAG 1.4.3: #bbbbbb on white is 1.9:1, under 4.5:1.
    "color-contrast": page('<p style="color:#bbbbbb;background:#ffffff">Vaalea teksti</p>'),
    # WCAG 3.1.1: no language declared.
    "html-has-lang": page("<p>Teksti</p>", lang=None),
}


@pytest.mark.browser
@needs_chromium
def test_each_known_bad_page_is_named_by_its_rule_and_a_clean_page_passes(tmp_path):
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.html").write_text("<meta http-equiv='Refresh' content='0; url=clean.html'>")
    (site / "clean.html").write_text(page(f'<img src="{DOT}" alt="Piste"><button>Haku</button>'
                                          '<p style="color:#595959;background:#ffffff">Tumma teksti</p>'),
                                     encoding="utf-8")
    for rule, html in BAD_PAGES.items():
        (site / f"{rule}.html").write_text(html, encoding="utf-8")
    problems = [p for p in check_in_browser(site, "fi") if p.check == "axe"]
    found: dict[str, set[str]] = {}
    for problem in failures(problems):
        found.setdefault(problem.where, set()).add(problem.message.split()[1])
    assert found == {f"{rule}.html": {rule} for rule in BAD_PAGES}
    assert [p for p in problems if p.where == "clean.html"] == []
    # A rule skipped (the editions other than the first skip colour contrast) is not run; the rest are.
    skipped = {p.where for p in failures(check_in_browser(site, "fi", axe_skip=("color-contrast",)))
               if p.check == "axe"}
    assert skipped == {f"{rule}.html" for rule in BAD_PAGES if rule != "color-contrast"}


def test_best_practice_rules_are_notes_and_wcag_rules_failures():
    violations = [
        {"id": "region", "impact": "moderate", "tags": ["cat.keyboard", "best-practice"],
         "help": "All page content should be contained by landmarks",
         "nodes": [{"target": ["p"]}, {"target": ["div", "span"]}]},
        {"id": "image-alt", "impact": "critical", "tags": ["cat.text-alternatives", "wcag2a", "wcag111"],
         "help": "Images must have alternative text",
         "nodes": [{"target": [f"img:nth-child({i})"]} for i in range(1, 6)]},
    ]
    region, image = axe_problems(violations, "index.html")
    assert region.note and region.check == "axe"
    assert region.message == ("axe region (best practice, moderate): All page content should be contained "
                              "by landmarks: 2 elements: p, div span")
    assert not image.note
    assert image.message == ("axe image-alt (critical): Images must have alternative text: 5 elements: "
                             "img:nth-child(1), img:nth-child(2), img:nth-child(3), ...")
