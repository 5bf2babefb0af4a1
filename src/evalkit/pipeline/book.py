"""Jupyter Book runs into a staging folder, then an atomic swap into ``_build``.

``_build/html`` and ``_build/pdf`` are symbolic links to complete builds under ``_build/.versions``.
A new build is made beside them and published by replacing the link with ``os.replace``, which is
atomic: killed at any moment, a build leaves the previous site and PDF as they were.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from evalkit.book_settings import apply_publication_settings
from evalkit.errors import BuildError
from evalkit.i18n import t
from evalkit.pipeline.runner import die_with_parent
from evalkit.pipeline.sphinx_main import LENIENT, READY
from evalkit.pipeline.templates import fill


@contextlib.contextmanager
def build_lock(build_root: Path):
    """One build at a time per project; a second one waits rather than corrupting the first."""
    build_root.mkdir(parents=True, exist_ok=True)
    with open(build_root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# Every page's footer states the build's provenance, which changes with every build. Sphinx is
# given this fixed, empty element instead, so that it need not write again a page nothing else
# changed for; each copy of a site made to publish gets the footer (publishable_copy). No page
# text can hold it: the pages' texts are escaped, so only a template writes a raw element.
FOOTER_SLOT = '<p class="evalkit-provenance" data-evalkit-slot="provenance"></p>'


def write_config(root: Path, lang: str, target: Path) -> Path:
    """Write the edition's Jupyter Book config: the project's ``_config.yml`` with the language's texts.

    Sets the title, author, Sphinx language, figure and table numbering texts, the project's
    static files and CSS, smartquotes off (texts are shown as written), the footer's place
    (:data:`FOOTER_SLOT`), and the publication settings
    (:func:`evalkit.book_settings.apply_publication_settings`).

    Parameters
    ----------
    root : Path
        The project root (holding ``_config.yml`` and ``book/_static``).
    lang : str
        The edition's language.
    target : Path
        Where to write the config; its folder is created.

    Returns
    -------
    Path
        ``target``.
    """
    from evalkit.paths import book_sources
    from evalkit.programme import programme_at

    sources = book_sources(root)
    config = yaml.safe_load((sources / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = programme_at(root).title(lang)
    config["author"] = programme_at(root).author(lang)
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx["language"] = lang
    sphinx["numfig_format"] = {kind: t(f"book.numfig_{kind}", lang)
                               for kind in ("figure", "table", "section", "code-block")}
    sphinx["html_static_path"] = [str(sources / "book" / "_static")]
    sphinx["html_css_files"] = ["evalkit.css"]
    # Goal texts and service names are shown exactly as written; smartquotes would turn "..."
    # into ”...” and -- into –. The catalogues carry their own typographic quotes and dashes.
    sphinx["smartquotes"] = False
    config.setdefault("html", {})["extra_footer"] = FOOTER_SLOT
    apply_publication_settings(config, root, lang)  # the link to the other edition
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


PILOTS_FOLDER = "pilots"
# A programme without a source report (``data/reported/facts.yml``) opens on the summary of its
# results; the pages that rest on the source report's facts (the claims check, the stated budgets
# and costs, the source report's recommendations) are left out, and its own recommendations
# (``data/recommendations.yml``), when it has them, take the place of the last.
SUMMARY_PAGE = "national/summary"
FACT_PAGES = ("national/claims", "national/costs")
RECOMMENDATION_PAGE = "national/recommendations"
PROGRAMME_RECOMMENDATIONS = "national/programme_recommendations"
METHODS_PAGE, PROGRAMME_METHODS = "national/methods", "national/programme_methods"   # its sources said otherwise


def programme_toc(root: Path) -> dict:
    """The table of contents of ``root``'s programme: ``_toc.yml`` with the pilots' part made from the programme.

    The part whose chapters are ``pilots/...`` pages lists one page per pilot of ``programme.yml``,
    in its order; pages that rest on facts the programme does not have are left out.
    """
    from evalkit.paths import book_sources
    from evalkit.programme import programme_at

    programme = programme_at(root)
    toc = yaml.safe_load((book_sources(root) / "_toc.yml").read_text(encoding="utf-8"))
    replaced: dict[str, str | None] = {}
    if not programme.has_source_report:
        toc["root"] = SUMMARY_PAGE
        replaced = {**dict.fromkeys(FACT_PAGES), METHODS_PAGE: PROGRAMME_METHODS}
        replaced[RECOMMENDATION_PAGE] = (PROGRAMME_RECOMMENDATIONS if programme.recommendations_file.is_file()
                                         else None)
    for part in toc.get("parts", []):
        chapters = part.get("chapters") or []
        if any(str(c.get("file", "")).startswith(f"{PILOTS_FOLDER}/") for c in chapters):
            part["chapters"] = [{"file": f"{PILOTS_FOLDER}/{pid}"} for pid in programme.pilot_ids]
        else:
            kept = [{**c, "file": replaced[c["file"]]} if c.get("file") in replaced else c for c in chapters]
            part["chapters"] = [c for c in kept if c.get("file")]
    toc["parts"] = [part for part in toc.get("parts", []) if part["chapters"]]
    return toc


def write_toc(root: Path, lang: str, target: Path) -> Path:
    """Write the programme's table of contents (:func:`programme_toc`) to ``target``, filled in ``lang``.

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    BuildError
        When the catalogue lacks a message the table of contents names.
    """
    text = fill(yaml.safe_dump(programme_toc(root), allow_unicode=True, sort_keys=False), {}, lang,
                source="_toc.yml")
    target.write_text(text, encoding="utf-8")
    return target


def jupyter_book(source: Path, config: Path, toc: Path, output: Path, builder: str, strict: bool = True) -> None:
    """Run Jupyter Book's Sphinx build (:mod:`evalkit.pipeline.sphinx_main`) into ``output/_build/<builder>``.

    Warnings are errors, so a broken reference fails the build (unless not ``strict``: the failure
    preview); every page is written. The error names the first warnings, without Sphinx's colours. A process
    :func:`prestart` started for ``builder`` builds once it says it is ready; one that ends
    before it is ready is replaced by a new process, as is the absence of one.

    Raises
    ------
    BuildError
        Naming the first warnings and the full log, kept in ``output``.
    """
    arguments = [str(source), str(config), str(toc), str(output), builder, *([] if strict else [LENIENT])]
    ran = _run_prestarted(builder, arguments)
    if ran is None:
        completed = subprocess.run([sys.executable, "-m", "evalkit.pipeline.sphinx_main", *arguments],
                                   capture_output=True, text=True,
                                   preexec_fn=functools.partial(die_with_parent, os.getpid()))
        ran = completed.returncode, completed.stdout, completed.stderr
    returncode, stdout, stderr = ran
    log = output / f"jupyter-book-{builder}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(stdout + "\n" + stderr, encoding="utf-8")
    if returncode != 0:
        problems = [_ANSI.sub("", line) for line in (stdout + stderr).splitlines()
                    if "WARNING" in line or "ERROR" in line or "Error" in line][:10]
        detail = "; ".join(problems) or "see the log"
        raise BuildError(f"Jupyter Book ({builder}) failed: {detail} (full log: {log})")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")   # Sphinx colours its warnings even into a pipe

# Sphinx processes started before their sources exist, by builder (prestart): the process and the
# file its standard error goes to (a file, so that it never waits on a pipe nobody reads).
_prestarted: dict[str, tuple[subprocess.Popen, Any]] = {}


def _run_prestarted(builder: str, arguments: list[str]) -> tuple[int, str, str] | None:
    """The exit status, output and errors of the prestarted process given ``arguments``, or None.

    None when there is none for ``builder`` or it ended before saying it was ready (it is reaped).
    Whatever interrupts the wait (Ctrl-C, a termination) kills the process before it goes on.
    """
    if builder not in _prestarted:
        return None
    waiting, errors = _prestarted.pop(builder)
    try:
        if waiting.stdout.readline().strip() != READY:
            _end(waiting, errors)
            return None
        stdout, _ = waiting.communicate(json.dumps(arguments) + "\n")
        errors.seek(0)
        ran = waiting.returncode, stdout, errors.read()
    except BaseException:
        _end(waiting, errors)
        raise
    errors.close()
    return ran


def _end(waiting: subprocess.Popen, errors) -> None:
    waiting.kill()
    waiting.communicate()
    errors.close()


def prestart(builder: str) -> None:
    """Start the Sphinx process of ``builder`` now, so that it imports while the build does other work.

    Sphinx, Jupyter Book and their extensions take about a second to import, in a process that
    otherwise starts only once the pages have run. Started early, it imports them on the other
    core (:data:`evalkit.pipeline.sphinx_main.WARM_MODULES`, modules every build imports), then
    waits for :func:`jupyter_book` to give it the sources. It runs the same code with the same
    arguments as a process started then. One not used is ended by :func:`stop_prestarted`,
    which a build calls however it ends; one that cannot be started is simply not there.
    """
    if builder in _prestarted:
        return
    errors = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    try:
        waiting = subprocess.Popen([sys.executable, "-m", "evalkit.pipeline.sphinx_main", "--wait"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True,
                                   preexec_fn=functools.partial(die_with_parent, os.getpid()))
    except OSError:   # no process to spare (a limit reached): the build starts Sphinx when it needs it
        errors.close()
        return
    _prestarted[builder] = (waiting, errors)


def stop_prestarted() -> None:
    """End every Sphinx process :func:`prestart` started that no build used."""
    while _prestarted:
        _end(*_prestarted.popitem()[1])


@contextlib.contextmanager
def prestarted(builders: tuple[str, ...]):
    """:func:`prestart` each of ``builders`` on entry; :func:`stop_prestarted` on exit, however it exits."""
    try:
        for builder in builders:
            prestart(builder)
        yield
    finally:
        stop_prestarted()


SITE_CACHE = "sphinx"   # _build/sphinx/<lang>-<builder>: what Sphinx read and wrote, kept between builds
# Bump when what the cache holds or how it is checked changes: every edition then starts cold.
SITE_CACHE_FORMAT = 2
SHARED_EXTENSION = "evalkit.sphinx_shared"


def cached_site(build_root: Path, lang: str, source: Path, config: Path, toc: Path, builder: str,
                code: str) -> Path:
    """Build the book reading and writing only the pages that changed since this edition's last good build.

    Sphinx keeps the documents it read (its environment, ``.doctrees``) and the site it wrote in
    ``build_root/sphinx/<lang>-<builder>``, and reads and writes again only the pages whose file
    is newer. That is an optimisation the build does not trust on its own (a cache is never a
    source of truth):

    - the cache belongs to one key: the config (the footer is a fixed place, filled in each
      published copy: :func:`publishable_copy`), the table of contents (so the list of pages),
      the source folder, the bytes of the static files and templates Sphinx is pointed at,
      ``code`` (evalkit and what is installed) and :data:`SITE_CACHE_FORMAT`; another key
      starts cold, from an empty folder;
    - every file of ``source`` whose bytes differ from those the last good build was given is
      touched first, so Sphinx reads it again, and writes it, even when its time says otherwise
      (a copy that kept an older time);
    - every page is written again when what pages show of each other (titles, sections, numbers,
      captions of cross-references) changed (:mod:`evalkit.sphinx_shared`, added to the config
      here), so no page shows another's old title or number;
    - the record also holds a digest of everything Sphinx wrote; a cache whose files differ from
      it (a page edited in the cache) starts cold;
    - the record of what was given is removed before Sphinx starts and written only after it
      succeeded: a failed build (whose warnings Sphinx would not repeat for pages it does not read
      again) or a killed one leaves none, and the next build starts cold.

    Parameters
    ----------
    build_root : Path
        The ``_build`` folder.
    lang, builder : str
        The edition and the Sphinx builder (``html``, ``singlehtml``): each has its own cache.
    source : Path
        The book's pages.
    config, toc : Path
        The edition's Jupyter Book config and table of contents, as written for this build.
    code : str
        A digest of the code and libraries the site is built with.

    Returns
    -------
    Path
        The built site, ``build_root/sphinx/<lang>-<builder>/_build/<builder>``, with the footer's
        place empty; the caller publishes a copy (:func:`publishable_copy`): the next build
        rewrites this one.

    Raises
    ------
    BuildError
        When Sphinx failed; the cache is removed.
    """
    from evalkit.pipeline.read_log import tree_digest

    work = build_root / SITE_CACHE / f"{lang}-{builder}"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    extensions = settings.setdefault("sphinx", {}).get("extra_extensions") or []
    if SHARED_EXTENSION not in extensions:
        settings["sphinx"]["extra_extensions"] = [*extensions, SHARED_EXTENSION]
    key = hashlib.sha256(json.dumps({
        "format": SITE_CACHE_FORMAT, "config": settings, "toc": toc.read_text(encoding="utf-8"),
        "source": str(source.resolve()),
        # Files Sphinx reads from outside ``source`` (another edition's pages, evalkit's own book
        # files for a programme folder): by their bytes, as nothing touches them for Sphinx.
        **{setting: [tree_digest(Path(folder)) for folder in
                     settings.get("sphinx", {}).get("config", {}).get(setting, [])]
           for setting in ("html_static_path", "templates_path")},
        "code": code}, sort_keys=True, default=str).encode()).hexdigest()
    record_file = work / "given.json"
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        given = record["sources"] if record["key"] == key else None
        # What Sphinx wrote, as it wrote it: a page changed here since (by hand, by a tool) would
        # be published again by a build that does not rewrite it.
        if given is not None and record["written"] != tree_digest(work / "_build"):
            given = None
    except (OSError, ValueError, KeyError, TypeError):
        given = None
    if not isinstance(given, dict):
        shutil.rmtree(work, ignore_errors=True)
        given = {}
    record_file.unlink(missing_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    # At fixed names: Sphinx counts a moved config or table of contents as a new configuration.
    (work / "_config.yml").write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False),
                                      encoding="utf-8")
    shutil.copyfile(toc, work / "_toc.yml")
    try:
        sources = _source_digests(source)
        for name, digest in sources.items():
            if given.get(name) != digest:
                os.utime(source / name)
    except OSError:   # a file it cannot read or touch (a dangling link, another's file): read all, keep nothing
        sources = None
        shutil.rmtree(work / "_build", ignore_errors=True)
    try:
        jupyter_book(source, work / "_config.yml", work / "_toc.yml", work, builder)
    except BuildError:
        shutil.rmtree(work / "_build", ignore_errors=True)
        raise
    if sources is not None:
        record_file.write_text(json.dumps({"key": key, "sources": sources, "written": tree_digest(work / "_build")}),
                               encoding="utf-8")
    return work / "_build" / builder


def publishable_copy(site: Path, target: Path, footer: str) -> Path:
    """Copy the built ``site`` to ``target`` (which must not exist) with ``footer`` in every page's footer.

    ``footer`` is HTML (:func:`evalkit.pipeline.pages.footer_html`): it takes the place of
    :data:`FOOTER_SLOT` in every ``.html`` file. Files are copied, never linked: Sphinx later
    rewrites the kept site's files in place. Returns ``target``.
    """
    shutil.copytree(site, target, symlinks=True)
    fill_footer(target, footer)
    return target


def fill_footer(site: Path, footer: str) -> None:
    """Put ``footer`` (HTML) in the place of :data:`FOOTER_SLOT` in every page of ``site``, in place."""
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if FOOTER_SLOT in text:
            page.write_text(text.replace(FOOTER_SLOT, footer), encoding="utf-8")


def _source_digests(source: Path) -> dict[str, str]:
    """Every file under ``source`` (links followed, caches aside) by relative name: its SHA-256."""
    from evalkit.pipeline.read_log import digest, files_under

    return {name: digest(path) for name, path in files_under(source, ())}


def activate_version(build_root: Path, link_name: str, new_version: Path) -> None:
    """Point ``build_root/link_name`` at ``new_version`` atomically and drop older versions."""
    link = build_root / link_name
    temp_link = build_root / f".{link_name}.new"
    temp_link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(new_version, build_root), temp_link)
    if link.exists() and not link.is_symlink():
        # A real folder from an older layout: move it aside first (the one non-atomic step, once).
        shutil.rmtree(link)
    os.replace(temp_link, link)
    # Version folders are "<link>-<timestamp>"; the digit keeps "html" from matching "html-en-…".
    for old in new_version.parent.glob(f"{link_name}-[0-9]*"):
        if old != new_version:
            shutil.rmtree(old, ignore_errors=True)


def remove_link(build_root: Path, link_name: str) -> None:
    """Withdraw ``build_root/link_name`` and its version folders (an output that no longer applies)."""
    link = build_root / link_name
    if link.is_symlink():
        target = link.resolve()
        link.unlink()
        if target.is_relative_to((build_root / ".versions").resolve()):
            shutil.rmtree(target, ignore_errors=True)


def new_version_dir(build_root: Path, link_name: str) -> Path:
    """A new folder path ``.versions/<link_name>-<time>-<pid>`` for one build's output.

    Its parent is created; the folder itself is left to the builder.
    """
    stamp = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
    path = build_root / ".versions" / f"{link_name}-{stamp}"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
