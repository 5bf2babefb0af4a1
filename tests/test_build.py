"""A real build of the book in a throwaway copy of the project: site, PDF, and failure behaviour."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import evalkit_processes, failing_pilot_template, run_evalkit
from evalkit.paths import pilots_file
from evalkit.reported import load_pilots

pytestmark = pytest.mark.slow
FACTS = load_pilots(pilots_file(Path(__file__).resolve().parents[1]))


@pytest.fixture
def built(built_editions) -> Path:
    """The session's built project (conftest.built_editions): one real build serves every test."""
    return built_editions


def page_text(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\u00a0", " ")


def test_site_has_front_page_and_eight_pilot_pages_with_name_and_budget(built):
    html = built / "_build" / "html"
    assert (html / "index.html").is_file()
    assert (html / "national" / "index.html").is_file()
    for pilot in FACTS.pilots:
        page = html / "pilots" / f"{pilot.pilot_id}.html"
        assert page.is_file(), pilot.pilot_id
        text = page_text(page)
        assert pilot.project_name in text
        budget = f"{pilot.budget_eur:,}".replace(",", " ") + " €"   # Finnish: 2 960 000 €
        assert budget in text, (pilot.pilot_id, budget)


def test_pdf_names_every_pilot_project(built):
    pdf = built / "_build" / "pdf" / "report.pdf"
    assert pdf.is_file()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    for pilot in FACTS.pilots:
        assert " ".join(pilot.project_name.split()) in flat, pilot.project_name


def test_rebuild_with_nothing_changed_runs_no_notebook(built):
    result = run_evalkit(built, "build", "--no-pdf", "--jobs", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    from evalkit.pipeline.orchestrate import toc_pages
    from evalkit.pipeline.pages import GENERATED_PAGES

    pages = [p for p in toc_pages(built) if p.rpartition("/")[2] not in GENERATED_PAGES]
    assert " built " not in result.stderr
    assert result.stderr.count(" reused ") == len(pages)
    assert "nothing changed" in result.stderr


def test_failing_notebook_fails_the_build_and_keeps_the_previous_site(built):
    html_link = built / "_build" / "html"
    before_target = html_link.resolve()
    before_index = (html_link / "pilots" / "lappi.html").read_bytes()
    with failing_pilot_template(built, "lappi", "deliberate failure for the test"):
        result = run_evalkit(built, "build", "--no-pdf", "--jobs", "2")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "lappi" in result.stderr and "cell" in result.stderr and "deliberate failure" in result.stderr
    kept = built / "_build" / "failed" / "fi" / "lappi.ipynb"
    assert kept.is_file()
    kept_nb = json.loads(kept.read_text(encoding="utf-8"))
    assert any(o.get("output_type") == "error" for c in kept_nb["cells"] for o in c.get("outputs", []))
    assert html_link.resolve() == before_target
    assert (html_link / "pilots" / "lappi.html").read_bytes() == before_index


def _site_is_whole(project: Path) -> None:
    for link in ("html", "html-en"):  # a Finnish build must never touch the English site
        html = project / "_build" / link
        assert (html / "index.html").is_file(), link
        for pilot in FACTS.pilots:
            assert (html / "pilots" / f"{pilot.pilot_id}.html").is_file(), (link, pilot.pilot_id)
    for pdf in ("report.pdf", "report-en.pdf"):
        subprocess.run(["pdfinfo", str(project / "_build" / "pdf" / pdf)], check=True, capture_output=True)


_PHASES = ("pages (fi)", "building the site", "building the PDF", "site:")   # as the build says them


def _kill_during(project: Path, marker: str, delay: float, signal_name: str, *args: str) -> None:
    """Start a build, wait until it prints ``marker`` (its phase has begun), then kill it."""
    import os
    import signal
    import sys
    import threading
    import time

    env = {**os.environ, "EVALKIT_ROOT": str(project)}
    process = subprocess.Popen([sys.executable, "-m", "evalkit.cli", "build", "--jobs", "2", *args],
                               cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    reached = threading.Event()
    lines: list[str] = []

    def watch():
        for line in process.stderr:
            lines.append(line)
            if marker in line:
                reached.set()
        reached.set()  # the build ended without reaching the phase; the assertion below says so

    threading.Thread(target=watch, daemon=True).start()
    assert reached.wait(timeout=600)
    assert process.poll() is None, f"the build ended before '{marker}'"
    time.sleep(delay)
    process.send_signal(getattr(signal, signal_name))
    # Still in the phase when the signal went: no later phase had begun.
    later = [phase for phase in _PHASES[_PHASES.index(marker) + 1:] if any(phase in line for line in list(lines))]
    assert later == [], f"killed after '{marker}' was over: {later}"
    process.wait(timeout=120)


def _touch_template(project: Path, name: str, tag: str) -> None:
    """Change a page template's metadata only: that page runs again, and shows what it showed before."""
    template = project / "book" / "templates" / f"{name}.ipynb"
    notebook = json.loads(template.read_text(encoding="utf-8"))
    notebook["metadata"]["evalkit_test_tag"] = tag
    template.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _force_site_rebuild(project: Path, tag: str) -> None:
    """Change the book configuration (a comment) so the site and PDF are rebuilt, not the pages."""
    config = project / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"# {tag}\n", encoding="utf-8")


def test_killing_the_build_in_any_phase_leaves_the_previous_outputs_usable_and_no_process_behind(built):
    """SIGTERM (unwinds) and SIGKILL (no time to clean up) in each phase: executing pages,
    building the site with Sphinx, building the PDF. The published site and PDF stay whole, no
    kernel or Jupyter Book process of the build outlives it, and the next build works."""
    _site_is_whole(built)
    for phase, marker, delay in (("pages", "pages (fi)", 3.0), ("site", "building the site", 2.0),
                                 ("pdf", "building the PDF", 4.0)):
        for signal_name in ("SIGTERM", "SIGKILL"):
            if phase == "pages":   # the comparison page (the longest) runs again, and is killed running
                _touch_template(built, "comparison", f"{signal_name} {phase}")
                _kill_during(built, marker, delay, signal_name)
            elif phase == "site":
                _force_site_rebuild(built, f"{signal_name} {phase}")
                _kill_during(built, marker, delay, signal_name)
            else:   # a style sheet of the site: Sphinx only copies it, and the PDF is made again
                with (built / "book" / "_static" / "evalkit.css").open("a", encoding="utf-8") as sheet:
                    sheet.write(f"/* {signal_name} {phase} */\n")
                _kill_during(built, marker, delay, signal_name)
            _site_is_whole(built)
            assert evalkit_processes(built, wait=10) == [], (phase, signal_name)
    # The lock is released and the litter cleaned: the next build succeeds.
    result = run_evalkit(built, "build", "--jobs", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    _site_is_whole(built)
    assert not list((built / "_build").glob("stage-*"))
