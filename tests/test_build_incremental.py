"""Incremental, parallel and robust builds (issue 7), in a throwaway copy of the project."""
from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from conftest import copy_project, failing_pilot_template, run_evalkit
from evalkit.pipeline.orchestrate import code_digest, edition, make_jobs
from evalkit.pipeline.runner import run_jobs

pytestmark = pytest.mark.slow


def statuses(stderr: str) -> dict[str, str]:
    """{page: built|reused|failed} from the build's per-page lines."""
    return dict(re.findall(r"^\s+(\S+)\s+(built|reused|failed)\s", stderr, flags=re.MULTILINE))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("incremental") / "project")
    result = run_evalkit(project, "build", "--no-pdf", "--jobs", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return project


def test_a_data_file_rewritten_with_the_same_bytes_reruns_nothing(project):
    """What a page depends on is keyed by content, not time; changes are tests/test_incremental_property.py."""
    data = project / "data" / "demo" / "employers.csv"
    data.write_bytes(data.read_bytes())  # new modification time, same content: keys hash bytes
    result = run_evalkit(project, "build", "--no-pdf", "--jobs", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(statuses(result.stderr).values()) == {"reused"}


def test_status_and_provenance_pages_say_what_happened(project):
    html = project / "_build" / "html" / "national"
    status = (html / "build_status.html").read_text(encoding="utf-8")
    for pilot in ("lappi", "uusimaa", "hame"):
        assert pilot in status
    provenance = (html / "provenance.html").read_text(encoding="utf-8").replace(" ", "")
    from evalkit.paths import file_digest
    assert file_digest(project / "data" / "demo" / "participants.csv") in provenance  # shown in groups of 16
    assert file_digest(project / "uv.lock") in provenance
    # and every page's footer carries the short hashes
    lappi = (project / "_build" / "html" / "pilots" / "lappi.html").read_text(encoding="utf-8")
    assert file_digest(project / "uv.lock")[:12] in lappi


def test_a_failing_pilot_does_not_stop_the_others(project):
    """One page fails late (hame: a broken cell), one in its first cells (lappi: its register is
    missing, so none of the numbers its text refers to exist): the others are built, each failure
    is one short line, and the preview shows both."""
    params = project / "params" / "lappi.yml"
    original = params.read_text(encoding="utf-8")
    params.write_text(original.replace("data: data/demo/participants.csv", "data: data/puuttuu.csv"), encoding="utf-8")
    try:
        with failing_pilot_template(project, "hame", "broken on purpose"):
            result = run_evalkit(project, "build", "--no-pdf", "--jobs", "2")
    finally:
        params.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    seen = statuses(result.stderr)
    assert seen["hame"] == "failed" and seen["lappi"] == "failed"
    assert all(seen[p] == "built" for p in seen if p in (
        "uusimaa", "pirkanmaa", "pohjanmaa", "pohjois-karjala", "etela-pohjanmaa", "pohjois-pohjanmaa"))
    lappi = next(line for line in result.stderr.splitlines() if line.strip().startswith("lappi "))
    assert "puuttuu.csv: file not found" in lappi and "Traceback" not in result.stderr
    assert "\x1b" not in result.stderr and "\\n" not in result.stderr and "no failure preview" not in result.stderr
    assert result.stderr.rstrip().endswith("html-failed/index.html")
    preview = project / "_build" / "html-failed" / "national" / "build_status.html"
    assert preview.is_file()
    text = preview.read_text(encoding="utf-8")
    assert "hame" in text and "broken on purpose" in text and "puuttuu.csv" in text


class CountingExecutor(ProcessPoolExecutor):
    """Any concurrent.futures.Executor will do; this one proves the runner used the one it got."""

    submitted = 0

    def submit(self, *args, **kwargs):
        CountingExecutor.submitted += 1
        return super().submit(*args, **kwargs)


def test_runner_uses_the_executor_it_is_given_and_never_fails_spuriously_in_parallel(project):
    """Two forced runs of five pilots, four at a time: no kernel start-up races (papermill #511).

    Each run starts four kernels at once, the race; one worker then runs a fifth page in the kernel
    it kept. More pages would only repeat that reuse, which test_kernel_reuse checks.
    """
    ed = edition(project, "fi")
    jobs = [j for j in make_jobs(project, ed, project / "_build") if j.output.parent.name == "pilots"][:5]
    assert len(jobs) == 5
    digest = code_digest(project)
    os.environ["EVALKIT_ROOT"] = str(project)
    try:
        for attempt in range(2):
            with CountingExecutor(max_workers=4, mp_context=get_context("spawn")) as executor:
                results = run_jobs(jobs, digest, executor=executor, force=True)
            failures = [(r.name, r.error) for r in results if r.status != "built"]
            assert not failures, f"attempt {attempt}: {failures}"
    finally:
        os.environ.pop("EVALKIT_ROOT", None)
    assert CountingExecutor.submitted == 10
