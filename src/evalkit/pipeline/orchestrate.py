"""``evalkit build``: every page notebook, then the site and the PDF, published atomically."""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import Executor
from pathlib import Path

from evalkit.book_settings import front_matter
from evalkit.editions import (
    DATA_FOLDER,
    FAILED_FOLDER,
    PDF_FOLDER,
    Edition,
    edition,
    published_links,
)
from evalkit.errors import BuildError, InputError
from evalkit.i18n import LANGUAGES, set_language, t
from evalkit.page_output import literal
from evalkit.params import DataSource, PilotParams, load_all_params
from evalkit.paths import book_sources, file_digest, reported_dir
from evalkit.pipeline import book, pages, provenance
from evalkit.pipeline.exports import cached_exports, exports_key
from evalkit.pipeline.print_pdf import build_pdf
from evalkit.pipeline.read_log import installed_digest, tree_digest
from evalkit.pipeline.runner import JobResult, NotebookJob, run_jobs
from evalkit.programme import pilot_context, programme_at
from evalkit.register import artefact
from evalkit.shown import shown

PILOT_TEMPLATE = "pilot.ipynb"


def toc_pages(root: Path) -> list[str]:
    """Every page of the programme's table of contents (:func:`book.programme_toc`), as 'folder/name' paths."""
    toc = book.programme_toc(root)
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return pages


def timings_file(build_root: Path, lang: str) -> Path:
    """Each page's seconds in earlier builds, for starting the longest pages first."""
    return build_root / f".page-seconds-{lang}.json"


def package_folder() -> Path:
    """The evalkit package that is running (a copy's own ``src/evalkit`` when it is imported)."""
    return Path(__file__).resolve().parents[1]


def code_digest(root: Path) -> str:
    """The code part of every page's cache key: evalkit's package files, ``uv.lock`` and what is installed.

    Every file counts, whatever its kind (modules, catalogues, templates, data), so a change to any
    of them, or to a locked dependency, re-runs every page; only style sheets are left to the site's
    key (:func:`_site_key`), since a page's kernel never reads them. The installed distributions'
    versions count too: a ``.venv`` out of step with ``uv.lock`` computes with what it has.
    """
    lock = book_sources(root) / "uv.lock"
    return (tree_digest(package_folder(), skip_suffixes=(".css",))
            + (file_digest(lock) if lock.exists() else "missing") + installed_digest())


def generated_folders(root: Path) -> tuple[Path, ...]:
    """What builds write: ``_build`` and every edition's executed pages. Never a page's dependency."""
    return (root / "_build", *(folder for lang in LANGUAGES
                               for folder in (edition(root, lang).pages_dir / "pilots",
                                              edition(root, lang).pages_dir / "national")))


def deps_file(build_root: Path, ed: Edition, folder: str, name: str) -> Path:
    """Where a page's dependency record is kept (:mod:`evalkit.pipeline.runner`)."""
    return build_root / ".page-deps" / ed.lang / folder / f"{name}.json"


def make_jobs(root: Path, ed: Edition, build_root: Path) -> list[NotebookJob]:
    """The notebook jobs of one edition: a chapter per pilot page, and every national page.

    Each job lists the files whose bytes its output depends on, so a page re-runs only when one
    of them, the code, its template or its parameters changed.

    Parameters
    ----------
    root : Path
        The project folder (``_toc.yml``, ``book/templates/``, ``params/``).
    ed : Edition
        The edition whose pages are made.
    build_root : Path
        The ``_build`` folder; a failed notebook is kept under ``failed/<lang>`` in it.

    Returns
    -------
    list of NotebookJob
        In ``_toc.yml`` order, without the pages the build writes itself (``pages.GENERATED_PAGES``).

    Raises
    ------
    InputError
        With every problem of every params file, before anything runs.
    BuildError
        When ``_toc.yml`` lists a national page that has no template.
    """
    params = load_all_params(root)  # refuse bad params before anything runs
    facts = programme_at(root)
    reported = (*sorted(reported_dir(root).glob("*")), root / "programme.yml")
    # What each page really read is recorded when it runs (read_log); these are the inputs known
    # beforehand. The params files are not among them: a page depends on what it was given from
    # them (the read log's params views), so a comment re-runs nothing and a goal runs only the
    # pages that show goals. The data files are, since Arrow reads Parquet unseen by the read log.
    # data/ as a whole: a page may look for an optional input there (a folder of regional series)
    # whose appearing no read log can see.
    data_files = {p.data for p in params.values()} | {p.employers for p in params.values() if p.employers}
    all_inputs = data_files | {root / "data"}
    untracked = generated_folders(root)
    national_context = {"data": {pid: [str(p.data), str(p.as_of), str(p.employers)]
                                 for pid, p in sorted(params.items())},
                        "programme_title": literal(facts.title(ed.lang))}
    jobs = []
    for page in toc_pages(root):
        folder, _, name = page.rpartition("/")
        output = ed.pages_dir / folder / f"{name}.ipynb"
        # Relative to the project, where the kernel runs: the published notebooks name no local folder.
        common = {"lang": ed.lang, "root": ".", "page_dir": _in_project(output.parent, root), "page_name": name}
        if name in pages.GENERATED_PAGES:
            continue
        if folder == "pilots":
            pilot_params = params[name]
            pilot = facts.by_id(name)
            # Every pilot's register and employer file: a chapter is computed on the pooled register
            # (chapters.pilot.setup), and Arrow reads a Parquet register unseen by the read log.
            inputs = [*sorted(data_files), *reported]
            jobs.append(NotebookJob(
                name=name, template=book_sources(root) / "book" / "templates" / PILOT_TEMPLATE, output=output,
                parameters={**common, "pilot_id": name, "params_file": _in_project(pilot_params.source, root)},
                context=pilot_context(pilot),
                lang=ed.lang, inputs=tuple(inputs), failed_dir=build_root / "failed" / ed.lang, cwd=root,
                deps_file=deps_file(build_root, ed, folder, name), ignore_reads=untracked,
            ))
        else:
            template = book_sources(root) / "book" / "templates" / f"{name}.ipynb"
            if not template.exists():
                raise BuildError(f"_toc.yml lists {page}, but there is no template {template}")
            jobs.append(NotebookJob(
                name=name, template=template, output=output, parameters=common, context=national_context,
                lang=ed.lang, inputs=tuple(sorted(all_inputs)) + reported,
                failed_dir=build_root / "failed" / ed.lang, cwd=root,
                deps_file=deps_file(build_root, ed, folder, name), ignore_reads=untracked,
            ))
    return jobs


def _in_project(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it lies inside (the kernel runs in ``root``), else as it is."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


BRIEF_ERROR_CHARACTERS = 300


def brief_error(error: str | None) -> str:
    """A page's error as one short line: its first line, and how many more the notebook kept holds.

    A register with many bad rows fails every page that reads it with the same list of problems;
    the build names each page's first problem and leaves the rest to the kept notebook.
    """
    lines = [line for line in (error or "").splitlines() if line.strip()]
    first = shown(lines[0]) if lines else ""   # before the cut: a code cut in two would show
    if len(first) > BRIEF_ERROR_CHARACTERS:
        first = first[:BRIEF_ERROR_CHARACTERS].rstrip() + "…"
    more = f" (and {len(lines) - 1} more line{'s' if len(lines) > 2 else ''})" if len(lines) > 1 else ""
    return first + more


def describe(result: JobResult) -> str:
    """One progress line for a page: name, status and why (its seconds when built; error and cell when failed)."""
    detail = shown(result.reason) + (f", {result.seconds:.1f} s" if result.status == "built" else "")
    if result.status == "failed":
        cell = f" at cell {result.failed_cell}" if result.failed_cell is not None else ""
        detail = f"{brief_error(result.error)}{cell}" + (f"; notebook kept at {result.kept_notebook}"
                                            if result.kept_notebook else "")
    return f"  {result.name:<20} {result.status:<7} {detail}"


class Progress:
    """One line per page (ran, reused or failed, and why); a progress bar when on a terminal."""

    def __init__(self, total: int):
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="pages", unit="page", file=sys.stderr, leave=False)

    def __call__(self, result: JobResult) -> None:
        """Report one finished page: its line on stderr, and a step of the bar on a terminal."""
        if self.bar is not None:
            self.bar.write(describe(result), file=sys.stderr)
            self.bar.update()
        else:
            print(describe(result), file=sys.stderr, flush=True)

    def close(self) -> None:
        """Remove the progress bar, if there is one."""
        if self.bar is not None:
            self.bar.close()


EXPORTS_CACHE = "exports"   # _build/exports: the last exported numbers and what they were made from


def _forget_kept(build_root: Path, lang: str) -> None:
    """Remove what builds keep to go faster: Sphinx's environments of the edition, the last exports, the artefacts."""
    for kept in (*(build_root / book.SITE_CACHE).glob(f"{lang}-*"), build_root / EXPORTS_CACHE,
                 build_root / "artefacts"):
        shutil.rmtree(kept, ignore_errors=True)


def _clean_litter(build_root: Path) -> None:
    """Staging folders, half-written artefacts and unpublished versions left by a killed build (we hold the lock)."""
    for stage in build_root.glob("stage-*"):
        shutil.rmtree(stage, ignore_errors=True)
    for partial in (build_root / "artefacts").glob(".tmp-*.parquet"):   # register.artefact writes these first
        partial.unlink(missing_ok=True)
    published = {(build_root / link).resolve() for link in published_links()
                 if (build_root / link).is_symlink()}
    versions = build_root / ".versions"
    if versions.is_dir():
        for version in versions.iterdir():
            if version.resolve() not in published and time.time() - version.stat().st_mtime > 5:
                shutil.rmtree(version, ignore_errors=True)


def _site(root: Path, ed: Edition, lang: str, stage: Path, config: Path, toc: Path, builder: str,
          code: str | None = None) -> Path:
    """The built book, from Sphinx's kept environment when given the ``code`` digest (:func:`book.cached_site`).

    Without it, from nothing, in ``stage``, warnings allowed (the failure preview: the kept
    environment is the published site's alone).
    """
    if code is not None:
        return book.cached_site(root / "_build", lang, ed.pages_dir, config, toc, builder, code)
    out = stage / f"{builder}-out"
    book.jupyter_book(ed.pages_dir, config, toc, out, builder, strict=False)
    return out / "_build" / builder


# The front page's sections that make the PDF's summary page (Tiivistelmä).
SUMMARY_SECTIONS = ("front.key_heading", "front.results_heading")


def _pdf(root: Path, ed: Edition, lang: str, stage: Path, config: Path, toc: Path,
         prov: provenance.Provenance, code: str) -> Path:
    """The printed report: the book as one HTML page (Sphinx's singlehtml), laid out by WeasyPrint."""
    started = time.monotonic()
    single = book.publishable_copy(_site(root, ed, lang, stage, config, toc, "singlehtml", code=code),
                                   stage / "singlehtml", pages.footer_html(prov))
    front = front_matter(lang, prov.built_at_utc, summary_sections=tuple(t(key, lang) for key in SUMMARY_SECTIONS),
                         appendix_part=t("toc.appendix", lang), keywords=pages.pdf_keywords(prov))
    target = stage / ed.pdf_name
    laid_out = time.monotonic()
    count = build_pdf(single / f"{toc_pages(root)[0]}.html", target, front)
    done = time.monotonic()
    print(f"evalkit build: PDF: {count} pages in {done - started:.1f} s (single page {laid_out - started:.1f} s, "
          f"WeasyPrint and tagging {done - laid_out:.1f} s)", file=sys.stderr, flush=True)
    return target


def build(root: Path, lang: str = "fi", parallel: int = 1, pdf: bool = True, force: bool = False,
          executor: Executor | None = None, kernels_code: str | None = None) -> list[JobResult]:
    """Execute what changed, then build and publish the site, the PDF and the exported numbers.

    Pages keep going past a failure; when any failed, the published outputs stay as they were
    and a preview with the build status page goes to ``_build/html-failed``. When nothing the
    published site depends on has changed since it was built (``_site_key``), it is kept as it is.

    Parameters
    ----------
    root : Path
        The project folder (``_config.yml``, ``_toc.yml``, ``book/``, ``params/``, ``data/``).
    lang : str
        The edition's language, ``fi``, ``sv`` or ``en``.
    parallel : int
        Page notebooks run at once.
    pdf : bool
        Build the PDF too.
    force : bool
        Run every page and rebuild the site even when nothing changed.
    executor : Executor, optional
        Runs the pages (any ``concurrent.futures.Executor``); default a pool of
        ``parallel`` page threads, each with its own kernel (:class:`~evalkit.pipeline.runner.PagePool`).
    kernels_code : str, optional
        The code digest (:func:`code_digest`) the ``executor``'s kernels imported their code at,
        when they outlive builds (``evalkit watch``): a build whose code is another runs nothing.

    Returns
    -------
    list of JobResult
        One per page notebook, in ``_toc.yml`` order: built, reused or failed, and why.

    Raises
    ------
    BuildError
        When a page failed (naming each with its cell and error), or Jupyter Book or the PDF failed;
        when the code is not ``kernels_code``.
    """
    set_language(lang)
    build_root = root / "_build"
    ed = edition(root, lang)
    before = build_inputs(root, {})   # before the params are read: a change at any moment is seen
    params = _checked_inputs(root)  # refuse bad params and recommendations before anything runs
    note = extract_dates_note(params)
    if note:
        print(f"evalkit build: note: {note}", file=sys.stderr, flush=True)
    for name, digest in build_inputs(root, params).items():   # and the data files they name outside data/
        before.setdefault(name, digest)   # the first snapshot's values stand: a change between is a change
    jobs = make_jobs(root, ed, build_root)
    code = code_digest(root)
    if kernels_code is not None and code != kernels_code:   # a change from here on is refused at the end
        raise BuildError("evalkit or an installed library changed since the page kernels started; "
                         "nothing was built")
    # Each input is validated once per build and kept for every page (evalkit.register.artefact).
    # Sphinx starts importing now, on the core the build's own bookkeeping leaves free.
    with book.build_lock(build_root), artefact.kept_in(build_root / "artefacts"), \
            book.prestarted(("html",)):
        _clean_litter(build_root)
        if force:   # from nothing: no page, site or export of an earlier build is kept
            _forget_kept(build_root, lang)
        results = _run_pages(root, ed, jobs, parallel, force, executor, code)
        failed = [r for r in results if r.status == "failed"]
        prov = provenance.collect(root, params)
        key_file = build_root / f".site-key-{lang}.json"
        site_key = _site_key(root, lang, results, prov, params)
        if not failed and not force and _up_to_date(build_root, ed, key_file, site_key, pdf):
            print("evalkit build: nothing changed; the published site"
                  + (" and PDF are" if pdf else " is") + " up to date", file=sys.stderr, flush=True)
            return results
        pages.write_status_page(ed.pages_dir / "national", results)
        stage = Path(tempfile.mkdtemp(prefix=f"stage-{lang}-", dir=build_root))
        try:
            config, toc = _stage_book_sources(root, ed, stage, params, prov, exports=not failed, code=code)
            if failed:
                preview = _publish_failure_preview(root, ed, lang, stage, config, toc, failed,
                                                   pages.footer_html(prov))
                raise BuildError(_failure_message(build_root, failed, preview))
            _build_and_publish(root, ed, stage, config, toc, prov, pdf,
                               unchanged=lambda: _refuse_changed_inputs(root, before), code=code)
            key_file.write_text(json.dumps({
                "html": site_key, "pdf": site_key if pdf else None,
                **{f"published_{name}": digest for name, digest in _published(build_root, ed, pdf).items()}}),
                encoding="utf-8")
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    return results


def extract_dates_note(params: Mapping[str, PilotParams | DataSource]) -> str | None:
    """What the build says when the pilots' extract dates differ (None when they do not).

    Every page counts every pilot at the earliest date (evalkit.pooled, chapters.pilot.setup),
    which leaves out follow-up a later extract holds: the evaluator should know before reading.
    """
    dates = {pid: p.as_of for pid, p in params.items() if p.data.is_file()}
    if len(set(dates.values())) < 2:
        return None
    earliest = min(dates.values())
    later = ", ".join(f"{pid} {day.isoformat()}" for pid, day in sorted(dates.items()) if day > earliest)
    return (f"the pilots' extract dates (as_of) differ; every page counts every pilot as it stood on the "
            f"earliest, {earliest.isoformat()}, so that they are compared at one date (later: {later})")


def _checked_inputs(root: Path) -> dict[str, PilotParams]:
    """Every pilot's params; the problems of them and of the programme's recommendations all at once.

    Both are read by pages, which would each stop at their file's first problem, after the others ran.
    """
    from evalkit.recommendations import load_recommendations

    problems, params = [], {}
    try:
        params = load_all_params(root)
    except InputError as exc:
        problems += exc.problems
    try:
        load_recommendations(programme_at(root))
    except InputError as exc:
        problems += exc.problems
    if problems:
        raise InputError(problems)
    return params


def _run_pages(root: Path, ed: Edition, jobs: list[NotebookJob], parallel: int, force: bool,
               executor: Executor | None, code: str) -> list[JobResult]:
    """Run the pages whose inputs changed (all with ``force``), one progress line per page."""
    build_root = root / "_build"
    print(f"evalkit build: {len(jobs)} pages ({ed.lang})", file=sys.stderr, flush=True)
    progress = Progress(len(jobs))
    try:
        return run_jobs(jobs, code, executor=executor, parallel=parallel, force=force,
                        on_done=progress, timings=timings_file(build_root, ed.lang))
    finally:
        progress.close()


def _stage_book_sources(root: Path, ed: Edition, stage: Path, params: dict[str, PilotParams],
                        prov: provenance.Provenance, exports: bool, code: str) -> tuple[Path, Path]:
    """Write the edition's Jupyter Book config and table of contents into ``stage``, and what they list.

    That is the exported numbers (in ``stage/data``, when ``exports``; the last build's when made
    from the same inputs, :func:`exports.cached_exports`) and the provenance page that lists them.
    Returns the paths of the config and of the table of contents.
    """
    written = []
    if exports:
        budgets = programme_at(root).budgets
        written = cached_exports(params, budgets, stage / "data", root / "_build" / EXPORTS_CACHE,
                                 lambda: exports_key(params, root / "programme.yml", code))
    pages.write_provenance_page(ed.pages_dir / "national", prov, written)
    config = book.write_config(root, ed.lang, stage / "_config.yml")
    toc = book.write_toc(root, ed.lang, stage / "_toc.yml")
    return config, toc


def _failure_message(build_root: Path, failed: list[JobResult], preview: bool = True) -> str:
    names = ", ".join(
        f"{r.name} (cell {r.failed_cell}: {brief_error(r.error)})" if r.failed_cell is not None
        else f"{r.name} ({brief_error(r.error)})" for r in failed)
    where = f"; status preview: {build_root / FAILED_FOLDER / 'index.html'}" if preview else ""
    return f"{len(failed)} page(s) failed: {names}; the published site and PDF are unchanged{where}"


def input_locations(root: Path, params: dict[str, PilotParams]) -> dict[str, Path]:
    """Where each kind of input a build reads lies, by the name :func:`build_inputs` gives it.

    The package (``code``), the lock file, the book's config, table of contents and sources
    (``book``, but for :func:`input_skipped`), ``programme.yml``, ``params/``, ``data/`` and the
    data files the params name outside it (``data file <name>``).
    """
    data = (root / "data").resolve()
    outside = sorted({f.resolve() for p in params.values() for f in (p.data, p.employers)
                      if f is not None and not f.resolve().is_relative_to(data)})
    sources = book_sources(root)
    return {"code": package_folder(), "uv.lock": sources / "uv.lock", "programme.yml": root / "programme.yml",
            "_config.yml": sources / "_config.yml", "_toc.yml": sources / "_toc.yml", "book": sources / "book",
            "params": root / "params", "data": data, **{f"data file {path.name}": path for path in outside}}


def input_skipped(root: Path) -> tuple[Path, ...]:
    """What builds write inside the inputs' folders: no input.

    A programme using evalkit's checkout skips the pages the checkout's own builds write too.
    """
    return generated_folders(root) + generated_folders(book_sources(root))


def build_inputs(root: Path, params: dict[str, PilotParams]) -> dict[str, str]:
    """Digest of each kind of input a build reads (:func:`input_locations`), taken before and after it.

    The package counts with what is installed; the book's folder without what builds write in it.
    """
    from evalkit.pipeline.read_log import current

    where = input_locations(root, params)
    return {name: (tree_digest(path) + installed_digest() if name == "code"
                   else tree_digest(path, skip=input_skipped(root)) if name == "book"
                   else current(str(path)))
            for name, path in where.items()}


class InputsChanged(BuildError):
    """An input changed while the build ran: nothing was published; the same build may succeed now."""


def _refuse_changed_inputs(root: Path, before: dict[str, str]) -> None:
    """Raise :class:`InputsChanged` when an input changed while the build ran (pages may mix two versions)."""
    now = build_inputs(root, load_all_params(root))
    changed = sorted(name for name in set(now) | set(before) if now.get(name) != before.get(name))
    if changed:
        raise InputsChanged(f"inputs changed while the build ran ({', '.join(changed)}); the published site "
                            "and PDF are unchanged; run the build again")


def _build_and_publish(root: Path, ed: Edition, stage: Path, config: Path, toc: Path,
                       prov: provenance.Provenance, pdf: bool, unchanged=lambda: None, code: str = "") -> None:
    """Build the site (and the PDF) from the staged sources, then publish the new versions.

    Each is built into a new version folder; ``unchanged`` is then called (it raises when an
    input changed meanwhile: nothing is published), and the published links are pointed at the
    new versions, the site first and the exported numbers last.
    """
    build_root = root / "_build"
    print("evalkit build: building the site", file=sys.stderr, flush=True)
    html_version = book.new_version_dir(build_root, ed.html_link)
    if pdf:   # the PDF's Sphinx imports while the site's builds
        book.prestart("singlehtml")
    book.publishable_copy(_site(root, ed, ed.lang, stage, config, toc, "html", code=code), html_version,
                          pages.footer_html(prov))
    # What the numbers were made from, published with the site: `evalkit check` compares editions.
    provenance.write_inputs_record(html_version, prov)
    pdf_version = _new_pdf_version(root, ed, stage, config, toc, prov, code) if pdf else None
    data_version = book.new_version_dir(build_root, DATA_FOLDER)
    shutil.move(stage / "data", data_version)
    unchanged()
    book.activate_version(build_root, ed.html_link, html_version)
    if pdf_version is not None:
        book.activate_version(build_root, PDF_FOLDER, pdf_version)
    book.activate_version(build_root, DATA_FOLDER, data_version)


def _new_pdf_version(root: Path, ed: Edition, stage: Path, config: Path, toc: Path,
                     prov: provenance.Provenance, code: str) -> Path:
    """A new version of ``_build/pdf``: this edition's new PDF beside the other editions' current ones."""
    build_root = root / "_build"
    print("evalkit build: building the PDF", file=sys.stderr, flush=True)
    built = _pdf(root, ed, ed.lang, stage, config, toc, prov, code)
    version = book.new_version_dir(build_root, PDF_FOLDER)
    version.mkdir()
    current = build_root / PDF_FOLDER
    if current.exists():  # keep the other editions' PDFs in the new version
        for other in current.glob("*.pdf"):
            if other.name != ed.pdf_name:
                shutil.copy2(other, version / other.name)
    shutil.copy2(built, version / ed.pdf_name)
    return version


def _site_key(root: Path, lang: str, results: list[JobResult], prov: provenance.Provenance,
              params: dict[str, PilotParams]) -> str:
    """Everything the published site, PDF and exports may depend on beyond the pages themselves.

    Deliberately more than the site is known to read: the whole package and lock file, every
    project file the book is made from (config, table of contents, ``book/`` but for the pages
    builds write), every params, data and fact file by path. A change to any of them rebuilds.
    """
    parts = [lang, prov.commit, str(prov.modified), prov.params_sha256, tree_digest(package_folder()),
             prov.lockfile_sha256, installed_digest(),
             *(f"{r.name}={r.fingerprint}" for r in results),
             file_digest(book_sources(root) / "_config.yml"), file_digest(book_sources(root) / "_toc.yml"),
             file_digest(root / "programme.yml"),
             tree_digest(book_sources(root) / "book",
                         skip=generated_folders(root) + generated_folders(book_sources(root))),
             *(f"{pid}={file_digest(p.source)}" for pid, p in sorted(params.items())),
             *(f"{name}={digest}" for name, digest in prov.data_files)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _published(build_root: Path, ed: Edition, pdf: bool) -> dict[str, str]:
    """Digests of what this edition published: its site, the exports and (with ``pdf``) its PDF.

    A deleted, changed or replaced published file makes the next build rebuild, not trust a key.
    """
    def tree(folder: Path) -> str:
        return tree_digest(folder.resolve()) if folder.is_dir() else "missing"

    published = {"html": tree(build_root / ed.html_link), "data": tree(build_root / DATA_FOLDER)}
    if pdf:
        published["pdf"] = file_digest(ed.pdf) if ed.pdf.is_file() else "missing"
    return published


def _up_to_date(build_root: Path, ed: Edition, key_file: Path, site_key: str, pdf: bool) -> bool:
    try:
        stored = json.loads(key_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(stored, dict) or stored.get("html") != site_key or (pdf and stored.get("pdf") != site_key):
        return False
    published = _published(build_root, ed, pdf)
    return all(stored.get(f"published_{name}") == digest for name, digest in published.items())


def _publish_failure_preview(root: Path, ed: Edition, lang: str, stage: Path, config: Path, toc: Path,
                             failed: list[JobResult], footer: str) -> bool:
    """Best effort: a site showing the status page and the failed pages with their errors, ``footer`` on each.

    Returns whether it was made. Built with Sphinx's warnings as warnings: a page that failed in
    its first cells lacks the numbers its text refers to, and the preview shows it all the same.
    """
    build_root = root / "_build"
    for result in failed:
        if result.kept_notebook:
            job_output = next(ed.pages_dir.glob(f"*/{result.name}.ipynb"), None)
            if job_output is not None:
                shutil.copy2(result.kept_notebook, job_output)
    try:
        preview = book.new_version_dir(build_root, FAILED_FOLDER)
        book.publishable_copy(_site(root, ed, lang, stage, config, toc, "html"), preview, footer)
        book.activate_version(build_root, FAILED_FOLDER, preview)
        return True
    except (BuildError, OSError) as exc:
        print(f"evalkit build: no failure preview ({exc})", file=sys.stderr)
        book.remove_link(build_root, FAILED_FOLDER)   # an older preview would tell of another build
        return False
