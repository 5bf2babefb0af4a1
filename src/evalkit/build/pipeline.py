"""``evalkit build``: every page notebook, then the site and the PDF, published atomically."""
from __future__ import annotations

import shutil
import sys
import tempfile
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import yaml

from evalkit.build import book
from evalkit.build.runner import JobResult, NotebookJob, file_digest, run_jobs, tree_digest
from evalkit.errors import BuildError
from evalkit.i18n import set_language
from evalkit.params import load_all_params
from evalkit.reported import load_pilots

PILOT_TEMPLATE = "pilot.ipynb"


@dataclass(frozen=True)
class Edition:
    lang: str
    pages_dir: Path      # executed notebooks (the Sphinx source folder)
    html_link: str       # _build/<html_link>
    pdf_name: str        # file name inside _build/pdf


def edition(root: Path, lang: str) -> Edition:
    if lang == "fi":
        return Edition("fi", root / "book", "html", "report.pdf")
    return Edition(lang, root / "book" / lang, f"html-{lang}", f"report-{lang}.pdf")


def toc_pages(root: Path) -> list[str]:
    """Every page of the table of contents, as 'folder/name' paths."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
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


def code_digest(root: Path) -> str:
    package = Path(__file__).resolve().parents[1]
    lock = root / "uv.lock"
    return tree_digest(package) + (file_digest(lock) if lock.exists() else "")


def make_jobs(root: Path, ed: Edition, build_root: Path) -> list[NotebookJob]:
    params = load_all_params(root)  # refuse bad params before anything runs
    facts = load_pilots()
    reported = tuple(sorted((root / "data" / "reported").glob("*")))
    all_inputs = {p.source for p in params.values()} | {p.data for p in params.values()} | {
        p.employers for p in params.values() if p.employers}
    jobs = []
    for page in toc_pages(root):
        folder, _, name = page.rpartition("/")
        output = ed.pages_dir / folder / f"{name}.ipynb"
        common = {"lang": ed.lang, "root": str(root), "page_dir": str(output.parent), "page_name": name}
        if folder == "pilots":
            pilot_params = params[name]
            pilot = facts.by_id(name)
            inputs = [pilot_params.source, pilot_params.data, *reported]
            if pilot_params.employers:
                inputs.append(pilot_params.employers)
            jobs.append(NotebookJob(
                name=name, template=root / "book" / "templates" / PILOT_TEMPLATE, output=output,
                parameters={**common, "pilot_id": name, "params_file": str(pilot_params.source)},
                context={"project_name": pilot.project_name, "region": pilot.region, "pilot_id": name},
                lang=ed.lang, inputs=tuple(inputs), failed_dir=build_root / "failed" / ed.lang,
            ))
        else:
            template = root / "book" / "templates" / f"{name}.ipynb"
            if not template.exists():
                raise BuildError(f"_toc.yml lists {page}, but there is no template {template}")
            jobs.append(NotebookJob(
                name=name, template=template, output=output, parameters=common, context={},
                lang=ed.lang, inputs=tuple(sorted(all_inputs)) + reported,
                failed_dir=build_root / "failed" / ed.lang,
            ))
    return jobs


def report_progress(result: JobResult) -> None:
    detail = f"{result.reason}" + (f", {result.seconds:.1f} s" if result.status == "built" else "")
    if result.status == "failed":
        cell = f" at cell {result.failed_cell}" if result.failed_cell is not None else ""
        detail = f"{result.error}{cell}" + (f"; notebook kept at {result.kept_notebook}" if result.kept_notebook else "")
    print(f"  {result.name:<20} {result.status:<7} {detail}", file=sys.stderr, flush=True)


def build(root: Path, lang: str = "fi", parallel: int = 1, pdf: bool = True, force: bool = False,
          executor: Executor | None = None) -> list[JobResult]:
    set_language(lang)
    build_root = root / "_build"
    ed = edition(root, lang)
    jobs = make_jobs(root, ed, build_root)
    if pdf and shutil.which("xelatex") is None:
        raise BuildError("xelatex is missing: run `make report` (installs TeX Live), or install "
                         "texlive-xetex latexmk texlive-latex-extra texlive-fonts-recommended "
                         "texlive-lang-european, or build with --no-pdf")
    with book.build_lock(build_root):
        print(f"evalkit build: {len(jobs)} pages ({lang})", file=sys.stderr, flush=True)
        results = run_jobs(jobs, code_digest(root), executor=executor, parallel=parallel, force=force,
                           on_done=report_progress)
        failed = [r for r in results if r.status == "failed"]
        if failed:
            names = ", ".join(
                f"{r.name} (cell {r.failed_cell}: {r.error})" if r.failed_cell is not None else f"{r.name} ({r.error})"
                for r in failed)
            raise BuildError(f"{len(failed)} page(s) failed: {names}; the published site and PDF are unchanged")
        stage = Path(tempfile.mkdtemp(prefix=f"stage-{lang}-", dir=build_root))
        try:
            config = book.write_config(root, lang, stage / "_config.yml")
            toc = book.write_toc(root, lang, stage / "_toc.yml")
            print("evalkit build: building the site", file=sys.stderr, flush=True)
            book.jupyter_book(ed.pages_dir, config, toc, stage / "html-out", "html")
            html_version = book.new_version_dir(build_root, ed.html_link)
            shutil.move(stage / "html-out" / "_build" / "html", html_version)
            pdf_version = None
            if pdf:
                print("evalkit build: building the PDF", file=sys.stderr, flush=True)
                book.jupyter_book(ed.pages_dir, config, toc, stage / "pdf-out", "pdflatex")
                built = stage / "pdf-out" / "_build" / "latex" / ed.pdf_name
                if not built.exists():
                    raise BuildError(f"the PDF builder ran but wrote no {ed.pdf_name}; see {stage}")
                pdf_version = book.new_version_dir(build_root, "pdf")
                pdf_version.mkdir()
                current = build_root / "pdf"
                if current.exists():  # keep the other editions' PDFs in the new version
                    for other in current.glob("*.pdf"):
                        if other.name != ed.pdf_name:
                            shutil.copy2(other, pdf_version / other.name)
                shutil.copy2(built, pdf_version / ed.pdf_name)
            book.publish(build_root, ed.html_link, html_version)
            if pdf_version is not None:
                book.publish(build_root, "pdf", pdf_version)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    return results
