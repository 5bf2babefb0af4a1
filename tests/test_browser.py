"""Pages opened in headless Chromium (evalkit.checks.browser): small hand-written sites, each page
showing one thing a reader would hit; then every page of both editions of the real build, and the
site checks of both editions (evalkit.checks.site). Screenshots of every built page go to
_build/screenshots/<lang>/ of this checkout (CI keeps them), or to $EVALKIT_SCREENSHOTS."""
from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import pytest

from conftest import ROOT
from evalkit.checks import browser, failures
from evalkit.checks.browser import PageReport, check_in_browser, file_url, page_problems
from evalkit.checks.site import (
    EDITION_LINK_CLASS,
    check_site,
    parse_page,
    resolve_local,
    site_pages,
)
from evalkit.editions import edition
from evalkit.errors import EvalkitError


def needs_chromium(test):
    """Marks a test that opens pages in Chromium (``make test-fast`` leaves those out)."""
    skip = pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium missing (`make test` installs it)")
    return pytest.mark.browser(skip(test))


PNG = b"\x89PNG\r\n\x1a\n"
# A 1x1 GIF that renders (naturalWidth 1).
DOT_GIF = bytes.fromhex("47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b")
DOT_DATA_URL = "data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="


def screenshot_dir(lang: str) -> Path:
    folder = Path(os.environ.get("EVALKIT_SCREENSHOTS", ROOT / "_build" / "screenshots")) / lang
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR), read without an imaging library."""
    data = path.read_bytes()
    assert data.startswith(PNG), path
    return struct.unpack(">II", data[16:24])


def page(body: str, lang: str | None = "fi") -> str:
    lang_attr = f" lang='{lang}'" if lang is not None else ""
    return (f"<!DOCTYPE html><html{lang_attr}><head><meta charset='utf-8'><title>t</title></head>"
            f"<body><h1>Otsikko</h1>{body}</body></html>")


def make_site(folder: Path, pages: dict[str, str]) -> Path:
    """A site as the build leaves it: a forwarding root index.html and the given pages."""
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("<meta http-equiv='Refresh' content='0; url=clean.html'>")
    (folder / "kuvat").mkdir()
    (folder / "kuvat" / "piste.gif").write_bytes(DOT_GIF)
    for name, html in pages.items():
        (folder / name).write_text(html, encoding="utf-8")
    return folder


@needs_chromium
def test_each_thing_a_reader_would_hit_is_found_on_its_page_and_a_clean_page_passes(tmp_path):
    site = make_site(tmp_path / "html", {
        "clean.html": page("<img src='kuvat/piste.gif' alt='Piste'><a href='kuvat/piste.gif'>kuva</a>"
                           "<a href='console.html#alku'>sivu</a><a href='https://example.org/'>ulos</a>"
                           "<a href='../html-en/clean.html'>English</a>"
                           "<script>console.log('not an error'); console.warn('not an error');</script>"),
        # The frame's first navigation is cancelled by the script (net::ERR_ABORTED): nothing is
        # missing for a reader, so no problem either.
        "cancelled.html": page("<iframe id='kehys' src='clean.html' title='Kehys'></iframe>"
                               "<script>document.getElementById('kehys').src = 'about:blank';</script>"),
        "console.html": page("<script>console.error('deliberate console error');</script>"),
        "exception.html": page("<script>undefinedFunction();</script>"),
        "missing-image.html": page("<img src='puuttuu.png' alt='Kuvio, jota ei ole'>"),
        "no-alt.html": page(f"<img src='{DOT_DATA_URL}'><img src='kuvat/piste.gif' alt=' '>"),
        "broken-link.html": page("<a href='nowhere.html'>Sivu, jota ei ole</a>"),
        "no-lang.html": page("<p>Teksti</p>", lang=None),
        "remote.html": page("<img src='http://127.0.0.1:9/kuva.png' alt='Etäkuva'>"),
    })
    # The English edition is not built here: a link into it is not broken.
    problems = check_in_browser(site, "fi", tmp_path / "shots", (tmp_path / "html-en",))
    found: dict[str, set[tuple[str, str]]] = {}
    for problem in problems:
        if problem.check != "axe":   # axe-core's findings on these pages: tests/test_axe.py
            found.setdefault(problem.where, set()).add((problem.check, problem.message))
    url = file_url(site)
    assert found == {
        "console.html": {("console", "console error: console.error: deliberate console error")},
        "exception.html": {
            ("console", "console error: uncaught exception: ReferenceError: undefinedFunction is not defined")},
        "missing-image.html": {
            ("console", f"console error: Failed to load resource: net::ERR_FILE_NOT_FOUND {url}/puuttuu.png"),
            ("resources", f"failed to load {url}/puuttuu.png: net::ERR_FILE_NOT_FOUND"),
            ("images", f"image did not load: {url}/puuttuu.png")},
        # The data-URL GIF did load: it is reported for its alt text only; blank alt is no alt.
        "no-alt.html": {("images", f"image has no alt text: {DOT_DATA_URL}"),
                        ("images", f"image has no alt text: {url}/kuvat/piste.gif")},
        "broken-link.html": {("links", f"broken link: {url}/nowhere.html")},
        "no-lang.html": {("language", 'document language is "", expected "fi"')},
        # Port 9 is one Chromium refuses, so nothing leaves the machine.
        "remote.html": {
            ("resources", "loads a remote resource http://127.0.0.1:9/kuva.png (the report must work offline)"),
            ("resources", "failed to load http://127.0.0.1:9/kuva.png: net::ERR_UNSAFE_PORT"),
            ("console", "console error: Failed to load resource: net::ERR_UNSAFE_PORT http://127.0.0.1:9/kuva.png"),
            ("images", "image did not load: http://127.0.0.1:9/kuva.png")},
    }
    # One screenshot per page, the forwarding root index.html excepted, at the viewport's size.
    shots = sorted(p.name for p in (tmp_path / "shots").iterdir())
    assert shots == sorted(name.replace(".html", ".png") for name in
                           ["clean.html", "cancelled.html", "console.html", "exception.html", "missing-image.html",
                            "no-alt.html", "broken-link.html", "no-lang.html", "remote.html"])
    assert png_size(tmp_path / "shots" / "clean.png") == browser.VIEWPORT


@needs_chromium
def test_lazy_images_below_the_fold_and_late_errors_are_seen_and_a_long_page_is_cut(tmp_path):
    site = make_site(tmp_path / "html", {"clean.html": page(
        "<div style='height:20000px'>pitkä</div>"
        "<img loading='lazy' src='kuvat/piste.gif' alt='Laiska piste'>"
        "<img loading='lazy' src='laiska-puuttuu.png' alt='Laiska puuttuva'>"
        "<script>setTimeout(() => { throw new TypeError('late type error'); }, 20);</script>")})
    shots = tmp_path / "shots"
    messages = {(p.check, p.message) for p in check_in_browser(site, "fi", shots) if p.check != "axe"}
    url = file_url(site)
    assert ("images", f"image did not load: {url}/laiska-puuttuu.png") in messages
    assert not any("piste.gif" in message for _, message in messages)
    assert ("console", "console error: uncaught exception: TypeError: late type error") in messages
    width, height = png_size(shots / "clean.png")
    assert (width, height) == (browser.VIEWPORT[0], browser.MAX_SCREENSHOT_HEIGHT)


@needs_chromium
def test_a_wrong_page_language_is_found_in_the_browser(tmp_path):
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><html lang='en'><body><h1>Title</h1></body></html>")
    problems = check_in_browser(site, "fi")
    assert [(p.check, p.message) for p in problems if p.check != "axe"] == [
        ("language", 'document language is "en", expected "fi"')]


def test_a_folder_without_a_built_site_is_one_problem(tmp_path):
    assert [(p.check, p.message) for p in check_in_browser(tmp_path, "fi")] == [
        ("site", "no built site here (run `evalkit build`)")]


def test_missing_chromium_is_one_clear_error(tmp_path, monkeypatch):
    make_site(tmp_path / "html", {"clean.html": page("")})
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(EvalkitError, match=r"^Chromium is missing: run `make system-deps`"):
        check_in_browser(tmp_path / "html", "fi")


def test_a_chromium_that_does_not_start_is_one_clear_error(tmp_path, monkeypatch):
    make_site(tmp_path / "html", {"clean.html": page("")})
    monkeypatch.setattr(browser, "find_chromium", lambda: "/bin/false")
    with pytest.raises(EvalkitError) as raised:
        check_in_browser(tmp_path / "html", "fi")
    message = str(raised.value)
    assert message.startswith("Chromium (/bin/false) did not start: ") and "\n" not in message


def test_links_into_an_edition_that_is_not_built_are_not_broken_but_others_are(tmp_path):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "olemassa.html").write_text("")
    report = PageReport("file:///x", lang="fi", links=[
        file_url(tmp_path / "html" / "olemassa.html"), file_url(tmp_path / "html" / "puuttuu.html"),
        file_url(tmp_path / "html-en" / "page.html"), "https://example.org/", "mailto:a@example.org"])
    messages = [p.message for p in page_problems(report, "p.html", "fi", (tmp_path / "html-en",))]
    assert messages == [f"broken link: {file_url(tmp_path / 'html' / 'puuttuu.html')}"]
    # Once that edition is built, a missing page in it is a broken link.
    (tmp_path / "html-en").mkdir()
    messages = [p.message for p in page_problems(report, "p.html", "fi", (tmp_path / "html-en",))]
    assert sorted(messages) == sorted(f"broken link: {file_url(path)}" for path in
                                      (tmp_path / "html" / "puuttuu.html", tmp_path / "html-en" / "page.html"))


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_page_passes_in_the_browser_with_a_screenshot(built_editions, lang):
    ed = edition(built_editions, lang)
    others = tuple(other.html_dir for other in ed.others())
    shots = screenshot_dir(lang)
    # Colour contrast is checked on the Finnish pages: the editions share every style sheet and
    # element, only their words differ, and the rule is half of axe-core's time (about 12 s an edition).
    problems = check_in_browser(ed.html_dir, lang, shots, others, axe_skip=("color-contrast",) if lang != "fi" else ())
    # axe-core's best-practice findings (the theme's `region`) are notes, not failures.
    assert [str(p) for p in failures(problems)] == []
    assert {p.check for p in problems if p.note} <= {"axe"}
    pages = [p for p in site_pages(ed.html_dir) if p != ed.html_dir / "index.html"]
    assert len(pages) >= 10   # the national page, eight pilots, search at least
    for page in pages:
        name = str(page.relative_to(ed.html_dir)).replace(os.sep, "__").removesuffix(".html") + ".png"
        assert (shots / name).read_bytes().startswith(PNG), name


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_page_passes_the_site_checks(built_editions, lang):
    ed = edition(built_editions, lang)
    others = {other.lang: other.html_dir for other in ed.others()}
    assert [str(p) for p in check_site(ed.html_dir, lang, others)] == []


@pytest.mark.slow
def test_edition_links_open_the_same_page_in_the_other_languages(built_editions):
    editions = [edition(built_editions, lang) for lang in ("fi", "sv", "en")]
    for ed in editions:
        others = [other for other in editions if other != ed]
        for page in site_pages(ed.html_dir):
            parsed = parse_page(page)
            if parsed.redirect is not None:
                continue
            links = [link for link in parsed.links if EDITION_LINK_CLASS in link.classes]
            assert len(links) == len(others), page
            for link, other in zip(links, others, strict=True):
                target, _ = resolve_local(page, link.href)
                # The same page, relative to the other edition's folder, in the other language.
                assert Path(target) == other.html_dir / page.relative_to(ed.html_dir), (page, link.href)
                assert parse_page(target).lang == other.lang
                assert link.hreflang == link.lang == other.lang
