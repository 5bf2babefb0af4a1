"""Sphinx's kept environment (evalkit.pipeline.book.cached_site) never publishes an old page.

One tiny two-page book, built again and again with the cache: each build takes seconds, so the
behaviours are shown in one test, in order.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from evalkit.errors import BuildError
from evalkit.pipeline.book import (
    FOOTER_SLOT,
    SITE_CACHE,
    _prestarted,
    cached_site,
    prestart,
    publishable_copy,
    stop_prestarted,
)

pytestmark = pytest.mark.slow

CONFIG = """\
title: Testikirja
only_build_toc_files: true
exclude_patterns: ["_build"]
execute:
  execute_notebooks: "off"
html:
  extra_footer: '{footer}'
sphinx:
  config:
    language: fi
"""
TOC = "format: jb-book\nroot: front\nchapters:\n- file: chapter\n- file: appendix\n"
# A 1×1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8cfc0f01f0005000201a5f5e0a50000000049454e44ae426082")


def _write(path: Path, text: str, keep_time: bool = False) -> None:
    """Write ``text``; with ``keep_time``, as a copy that kept the file's older time (cp -p, rsync -t)."""
    before = path.stat() if keep_time else None
    path.write_text(text, encoding="utf-8")
    if before is not None:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def _text(site: Path, page: str) -> str:
    return re.sub(r"<[^>]+>", " ", (site / f"{page}.html").read_text(encoding="utf-8"))


def _build(tmp_path: Path, footer: str = FOOTER_SLOT) -> Path:
    (tmp_path / "_config.yml").write_text(CONFIG.format(footer=footer), encoding="utf-8")
    (tmp_path / "_toc.yml").write_text(TOC, encoding="utf-8")
    return cached_site(tmp_path / "_build", "fi", tmp_path / "book", tmp_path / "_config.yml",
                       tmp_path / "_toc.yml", "html", code="code-1")


def _log(tmp_path: Path) -> str:
    return (tmp_path / "_build" / SITE_CACHE / "fi-html" / "jupyter-book-html.log").read_text(encoding="utf-8")


def test_a_kept_environment_never_publishes_an_old_page(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    _write(book / "front.md", "# Etusivu\n\nLuku on 11.\n\nKatso {doc}`chapter`.\n")
    _write(book / "chapter.md", "# Vanha otsikko\n\nTeksti.\n")
    _write(book / "appendix.md", "# Liite\n\nKatso {doc}`chapter`.\n")
    site = _build(tmp_path)
    assert "Luku on 11" in _text(site, "front") and "Vanha otsikko" in _text(site, "front")

    # A figure the page no longer shows is not left in the kept site (nor so in the published one).
    (book / "kuva.png").write_bytes(PNG)
    _write(book / "chapter.md", "# Vanha otsikko\n\n![Kuva](kuva.png)\n\nTeksti.\n")
    assert (_build(tmp_path) / "_images" / "kuva.png").is_file()
    _write(book / "chapter.md", "# Vanha otsikko\n\nTeksti.\n")
    site = _build(tmp_path)
    assert not (site / "_images" / "kuva.png").exists()

    # A page's text changed, nothing the others show of it: only that page is read, and written
    # with the page whose table of contents holds it (Sphinx's own rule), not the appendix.
    written = {page: (site / f"{page}.html").stat().st_mtime_ns for page in ("appendix",)}
    _write(book / "chapter.md", "# Vanha otsikko\n\nUusi teksti.\n")
    site = _build(tmp_path)
    assert "Uusi teksti" in _text(site, "chapter")
    assert {page: (site / f"{page}.html").stat().st_mtime_ns for page in written} == written
    # The published copy of the site has this build's footer on every page; the kept site keeps its place.
    published = publishable_copy(site, tmp_path / "published", '<p class="evalkit-provenance">rakennettu nyt</p>')
    assert all("rakennettu nyt" in _text(published, page) for page in ("front", "chapter", "appendix"))
    assert FOOTER_SLOT not in (published / "front.html").read_text(encoding="utf-8")

    # Only what changed is read again...
    _write(book / "chapter.md", "# Uusi otsikko\n\nTeksti.\n")
    site = _build(tmp_path)
    assert re.search(r"updating environment: 0 added, 1 changed", re.sub(r"\x1b\[[0-9;]*m", "", _log(tmp_path)))
    # ...yet an unchanged page that names it is written anew, with the new title (Sphinx alone
    # would rewrite only the pages whose table of contents holds it).
    assert "Uusi otsikko" in _text(site, "appendix") and "Vanha otsikko" not in _text(site, "appendix")
    assert "toinen" in _text(_build(tmp_path, footer="toinen"), "front")   # another config: built anew

    # A page changed under an older time is read again all the same.
    _write(book / "front.md", "# Etusivu\n\nLuku on 12.\n\nKatso {doc}`chapter`.\n", keep_time=True)
    site = _build(tmp_path)
    assert "Luku on 12" in _text(site, "front")

    # A page changed in the kept site itself (keeping its time) is not published again: the cache
    # starts cold, although no source changed.
    _write(site / "chapter.html", (site / "chapter.html").read_text(encoding="utf-8")
           .replace("Uusi otsikko", "Peukaloitu otsikko"), keep_time=True)
    site = _build(tmp_path)
    assert "Peukaloitu" not in _text(site, "chapter") and "Uusi otsikko" in _text(site, "chapter")

    # Sphinx's process started before the sources exist, having imported what every build imports,
    # writes the very same pages as a process started when they do.
    pages = {page.name: page.read_bytes() for page in site.iterdir() if page.is_file()}
    prestart("html")
    waiting, _ = _prestarted["html"]
    try:
        site = _build(tmp_path)
    finally:
        stop_prestarted()
    assert waiting.returncode == 0
    assert {page.name: page.read_bytes() for page in site.iterdir() if page.is_file()} == pages

    # A warning fails the build, and fails it again when nothing changed: Sphinx would not read
    # the page again, nor repeat its warning, from a kept environment.
    _write(book / "chapter.md", "# Uusi otsikko\n\nKatso {doc}`puuttuva`.\n")
    for _ in range(2):
        with pytest.raises(BuildError, match="puuttuva"):
            _build(tmp_path)
    _write(book / "chapter.md", "# Uusi otsikko\n\nTeksti.\n")
    site = _build(tmp_path)
    assert "Luku on 12" in _text(site, "front")

    # A template Sphinx reads from outside the pages' folder (another edition's pages, a programme
    # using evalkit's book files), changed under an older time: every page is written with it.
    templates = tmp_path / "templates"
    templates.mkdir()
    layout = templates / "layout.html"
    _write(layout, '{%- extends "!layout.html" %}{%- block extrahead %}{{ super() }}'
                   '<meta name="evalkit-test" content="malli-1">{%- endblock %}\n')
    (tmp_path / "_config.yml").write_text(CONFIG.format(footer=FOOTER_SLOT) + f"    templates_path: ['{templates}']\n",
                                          encoding="utf-8")
    build = lambda: cached_site(tmp_path / "_build", "fi", book, tmp_path / "_config.yml",  # noqa: E731
                                tmp_path / "_toc.yml", "html", code="code-1")
    assert "malli-1" in (build() / "appendix.html").read_text(encoding="utf-8")
    _write(layout, layout.read_text(encoding="utf-8").replace("malli-1", "malli-2"), keep_time=True)
    site = build()
    assert all("malli-2" in (site / f"{page}.html").read_text(encoding="utf-8") for page in ("front", "appendix"))

    # Another table of contents, config or code starts cold: every page is read again.
    (book / "third.md").write_text("# Kolmas\n", encoding="utf-8")
    toc = TOC + "- file: third\n"
    (tmp_path / "_toc.yml").write_text(toc, encoding="utf-8")
    site = cached_site(tmp_path / "_build", "fi", book, tmp_path / "_config.yml", tmp_path / "_toc.yml", "html",
                       code="code-1")
    assert "Kolmas" in _text(site, "third")
    site = cached_site(tmp_path / "_build", "fi", book, tmp_path / "_config.yml", tmp_path / "_toc.yml", "html",
                       code="code-2")
    assert re.search(r"updating environment: .*4 added", re.sub(r"\x1b\[[0-9;]*m", "", _log(tmp_path)))
