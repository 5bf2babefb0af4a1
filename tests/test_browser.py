"""Every page of both editions opened in headless Chromium (evalkit.checks.browser), and the site
checks of both editions (evalkit.checks.site) on the real build. Screenshots of every page go to
_build/screenshots/<lang>/ of this checkout (CI keeps them), or to $EVALKIT_SCREENSHOTS."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from evalkit.checks.browser import check_in_browser
from evalkit.editions import edition
from evalkit.checks.site import EDITION_LINK_CLASS, check_site, parse_page, resolve_local, site_pages

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("chromium") is None,
                                 reason="chromium missing (`make test` installs it)")]
PNG = b"\x89PNG\r\n\x1a\n"


def screenshot_dir(lang: str) -> Path:
    folder = Path(os.environ.get("EVALKIT_SCREENSHOTS", ROOT / "_build" / "screenshots")) / lang
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def test_browser_finds_what_a_reader_would_hit(tmp_path):
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.html").write_text("<meta http-equiv='Refresh' content='0; url=page.html'>")
    (site / "page.html").write_text(
        "<!DOCTYPE html><html lang='fi'><head><title>t</title></head><body><h1>Otsikko</h1>"
        "<img src='missing.png' alt='Kuvio, jota ei ole'>"
        "<img src='data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=='>"
        "<a href='nowhere.html'>Sivu, jota ei ole</a>"
        "<script>console.error('deliberate console error'); undefinedFunction();</script>"
        "</body></html>", encoding="utf-8")
    shots = tmp_path / "shots"
    problems = check_in_browser(site, "fi", shots)
    messages = sorted(f"[{p.check}] {p.message}" for p in problems)
    assert any(m.startswith("[console] console error: console.error: deliberate console error") for m in messages)
    assert any(m.startswith("[console] console error: uncaught exception: ReferenceError: undefinedFunction")
               for m in messages), messages
    assert any("[images] image did not load: " in m and m.endswith("missing.png") for m in messages)
    assert any(m.startswith("[images] image has no alt text: data:image/gif") for m in messages)
    assert any("[links] broken link: " in m and m.endswith("nowhere.html") for m in messages)
    # The one-pixel GIF did load: it is reported for its alt text only.
    assert not any("did not load: data:" in m for m in messages)
    assert (shots / "page.png").read_bytes().startswith(PNG)


def test_a_wrong_page_language_is_found_in_the_browser(tmp_path):
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><html lang='en'><body><h1>Title</h1></body></html>")
    problems = check_in_browser(site, "fi")
    assert [(p.check, p.message) for p in problems] == [
        ("language", 'document language is "en", expected "fi"')]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fi", "en"])
def test_every_page_passes_in_the_browser_with_a_screenshot(built_editions, lang):
    ed = edition(built_editions, lang)
    others = tuple(other.html_dir for other in ed.others())
    shots = screenshot_dir(lang)
    problems = check_in_browser(ed.html_dir, lang, shots, others)
    assert [str(p) for p in problems] == []
    pages = [p for p in site_pages(ed.html_dir) if p != ed.html_dir / "index.html"]
    assert len(pages) >= 10   # the national page, eight pilots, search at least
    for page in pages:
        name = str(page.relative_to(ed.html_dir)).replace(os.sep, "__").removesuffix(".html") + ".png"
        assert (shots / name).read_bytes().startswith(PNG), name


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fi", "en"])
def test_every_page_passes_the_site_checks(built_editions, lang):
    ed = edition(built_editions, lang)
    others = {other.lang: other.html_dir for other in ed.others()}
    assert [str(p) for p in check_site(ed.html_dir, lang, others)] == []


@pytest.mark.slow
def test_edition_links_open_the_same_page_in_the_other_language(built_editions):
    fi, en = edition(built_editions, "fi"), edition(built_editions, "en")
    for ed, other in ((fi, en), (en, fi)):
        for page in site_pages(ed.html_dir):
            parsed = parse_page(page)
            if parsed.redirect is not None:
                continue
            links = [link for link in parsed.links if EDITION_LINK_CLASS in link.classes]
            assert len(links) == 1, page
            target, _ = resolve_local(page, links[0].href)
            # The same page, relative to the other edition's folder, in the other language.
            assert Path(target) == other.html_dir / page.relative_to(ed.html_dir), (page, links[0].href)
            assert parse_page(target).lang == other.lang
            assert links[0].hreflang == links[0].lang == other.lang
