"""Pages run one after another in a reused kernel come out as they do in a fresh kernel.

The build keeps one kernel per page thread (evalkit.pipeline.kernel) and resets it between pages
(evalkit.pipeline.page_engine); a page must not inherit anything of the pages before it. Expected
values come from the second route: the same page executed alone, in a new pool with a new kernel.
"""
from __future__ import annotations

import dataclasses
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import evalkit_processes, in_page_kernel
from evalkit.pipeline.kernel import shutdown_warm_kernels
from evalkit.pipeline.orchestrate import code_digest, edition, make_jobs
from evalkit.pipeline.runner import run_jobs

pytestmark = pytest.mark.slow


def _comparable(path: Path) -> dict:
    """The executed notebook without the ids papermill draws at random and the cache metadata."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["metadata"].pop("evalkit", None)
    for cell in notebook["cells"]:
        cell.pop("id", None)
    return notebook


def test_a_page_after_other_pages_in_one_kernel_equals_the_page_in_a_fresh_kernel(project, monkeypatch):
    monkeypatch.setenv("EVALKIT_ROOT", str(project))
    by_name = {job.name: job for job in make_jobs(project, edition(project, "fi"), project / "_build")}
    digest = code_digest(project)

    def run(names: list[str], folder: str) -> dict[str, Path]:
        jobs = [dataclasses.replace(by_name[n], output=project / folder / f"{n}.ipynb") for n in names]
        results = run_jobs(jobs, digest, parallel=1, force=True)   # one thread: one kernel, in this order
        assert [r.status for r in results] == ["built"] * len(names), [r.error for r in results]
        return {job.name: job.output for job in jobs}

    # A pilot page marks its data synthetic and glues many names; the claims page reads no
    # register and the comparison page reads all: what either inherits would show.
    def reads(name: str) -> dict:
        return json.loads(by_name[name].deps_file.read_text(encoding="utf-8"))["reads"]

    shared = run(["lappi", "claims", "uusimaa", "comparison"], "shared")
    for name in ("claims", "uusimaa", "comparison"):
        alone = run([name], f"alone-{name}")
        assert _comparable(shared[name]) == _comparable(alone[name]), name
    warm_reads = reads("uusimaa")
    # A pool's thread starts its kernel with the chapters imported (kernel.prestart_kernel); a
    # kernel nbclient starts for the page, in a plain thread of this process, imports nothing first.
    # The page and what it depends on (what its imports read too: matplotlib looks for a
    # matplotlibrc in the page's folder) are the same.
    job = dataclasses.replace(by_name["uusimaa"], output=project / "cold" / "uusimaa.ipynb")
    with ThreadPoolExecutor(1) as threads:
        [cold] = run_jobs([job], digest, executor=threads, force=True)
        threads.submit(shutdown_warm_kernels).result()
    assert cold.status == "built", cold.error
    assert _comparable(job.output) == _comparable(shared["uusimaa"])
    assert reads("uusimaa") == warm_reads and "probe:matplotlibrc" in warm_reads
    # The pool is shut down: no kernel of this project is left running.
    assert evalkit_processes(project, wait=10) == []


_LIMITS = "{n: __import__('os').environ.get(n) for n in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')}"


def test_two_page_kernels_share_the_cores_and_keep_a_limit_the_user_set(monkeypatch):
    # Two kernels each running every core's worth of OpenBLAS threads made the notebook phase
    # 35 % slower on two cores. The limits are the kernels' own: this process's are untouched.
    import os

    from evalkit.pipeline.runner import default_executor

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    expected = str(max(1, (os.cpu_count() or 1) // 2))
    with default_executor(2) as pool:
        limits = pool.submit(in_page_kernel, _LIMITS).result()
    assert limits == {"OMP_NUM_THREADS": expected, "OPENBLAS_NUM_THREADS": "3", "MKL_NUM_THREADS": expected}
    with default_executor(1) as pool:
        alone = pool.submit(in_page_kernel, _LIMITS).result()
    assert alone["OMP_NUM_THREADS"] == str(os.cpu_count() or 1)
    assert "OMP_NUM_THREADS" not in os.environ


def test_a_page_thread_starts_its_kernel_with_the_chapters_imported_before_its_first_page():
    from evalkit.pipeline.kernel import WARM_IMPORTS
    from evalkit.pipeline.runner import default_executor

    with default_executor(1) as pool:
        loaded = pool.submit(in_page_kernel, "sorted(m for m in __import__('sys').modules "
                                         "if m.startswith('evalkit.chapters.'))").result()
    assert loaded is not None, "no kernel was started before the first page"
    assert set(WARM_IMPORTS) <= set(loaded)


def test_a_kernel_that_cannot_be_started_early_is_left_to_the_first_page():
    from evalkit.pipeline.kernel import prestart_kernel, warm_kernel

    def attempt():
        prestart_kernel("no-such-kernel")
        return warm_kernel().km

    with ThreadPoolExecutor(1) as threads:   # a thread of its own: its own warm kernel
        assert threads.submit(attempt).result() is None


def test_a_page_thread_can_start_its_kernel_before_papermill_is_imported():
    """What starts the kernel (the pool thread's initializer) imports no papermill: its third of a second
    overlaps the kernel's own start instead of coming before it."""
    import subprocess
    import sys

    code = ("import sys; import evalkit.pipeline.runner, evalkit.pipeline.kernel; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('papermill', 'nbclient')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
