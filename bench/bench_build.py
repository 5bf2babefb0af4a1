"""Build benchmark: notebook overhead against in-process work; cold, no-op and one-changed builds.

Runs in a scratch copy of the project so the developer's _build is untouched. Prints figures and
asserts nothing. Targets: notebook phase of `evalkit build --force --no-pdf --jobs 2` at most 1.5 x
the pages' own work in one process divided by 2 cores (issue 11); no-op <= 10 % of cold, one
changed <= 35 % of cold (issue 7).
"""
from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import copy_project  # noqa: E402
from evalkit.pipeline.orchestrate import code_digest, edition, make_jobs, timings_file  # noqa: E402
from evalkit.pipeline.runner import run_jobs  # noqa: E402
from evalkit.pipeline.templates import render  # noqa: E402

CORES = 2


def timed_build(project: Path, *args: str) -> float:
    env = {**os.environ, "EVALKIT_ROOT": str(project)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "evalkit.cli", "build", "--no-pdf", *args], cwd=project,
                          env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"build failed: {done.stderr[-2000:]}")
    return elapsed


def notebook_phase(project: Path, parallel: int) -> float:
    """Wall time of running every page notebook with papermill, forced (no reuse)."""
    os.environ["EVALKIT_ROOT"] = str(project)
    jobs = make_jobs(project, edition(project, "fi"), project / "_build")
    started = time.perf_counter()
    results = run_jobs(jobs, code_digest(project), parallel=parallel, force=True,
                       timings=timings_file(project / "_build", "fi"))
    assert all(r.status == "built" for r in results), [r.error for r in results if r.error]
    return time.perf_counter() - started


def in_process_work(project: Path) -> float:
    """Seconds the same pages' code cells take when run one after another in one process.

    The cells run in an IPython shell (so glue and display work as in a kernel) with the
    parameters papermill would inject. The chapter modules are imported first and not counted:
    imports are what a notebook pays on top of the work.
    """
    from IPython.core.interactiveshell import InteractiveShell

    import evalkit.chapters.comparison  # noqa: F401
    import evalkit.chapters.national  # noqa: F401
    import evalkit.chapters.pilot  # noqa: F401

    os.environ["EVALKIT_ROOT"] = str(project)
    os.environ["MPLBACKEND"] = "Agg"
    jobs = make_jobs(project, edition(project, "fi"), project / "_build")
    shell = InteractiveShell.instance()
    total = 0.0
    for job in jobs:
        cells = [c.source for c in render(job.template, job.context, job.lang).cells
                 if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
        started = time.perf_counter()
        shell.reset(new_session=True)
        shell.user_ns.update(job.parameters)
        for source in cells:
            with contextlib.redirect_stdout(io.StringIO()):
                result = shell.run_cell(source, silent=True)
            if not result.success:
                sys.exit(f"{job.name}: {result.error_in_exec or result.error_before_exec}")
        total += time.perf_counter() - started
    return total


def _in_process_seconds(project: Path) -> float:
    """in_process_work in a child interpreter: IPython's shell takes over this one's __main__."""
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench_build; "
            f"from pathlib import Path; print(bench_build.in_process_work(Path({str(project)!r})))")
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True,
                          env={**os.environ, "EVALKIT_ROOT": str(project)})
    if done.returncode != 0:
        sys.exit(f"in-process run failed: {done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    project = copy_project(Path(tempfile.mkdtemp(prefix="evalkit-bench-")) / "project")
    timed_build(project, "--jobs", str(CORES))  # pages exist; file caches warm
    # Medians of three: one run on this shared VM varies by a second either way.
    phases = sorted(notebook_phase(project, CORES) for _ in range(3))
    works = sorted(_in_process_seconds(project) / CORES for _ in range(3))
    notebooks, work = phases[1], works[1]
    print(f"build overhead: notebooks {notebooks:.1f} s (--jobs {CORES}), in process {work:.1f} s, "
          f"ratio {notebooks / work:.2f} (target <= 1.5; medians of 3, notebooks {phases[0]:.1f}-"
          f"{phases[-1]:.1f} s, in process {works[0]:.1f}-{works[-1]:.1f} s)", flush=True)
    cold = timed_build(project, "--force", "--jobs", str(CORES))
    noop = timed_build(project, "--jobs", str(CORES))
    params = project / "params" / "lappi.yml"
    params.write_text(params.read_text(encoding="utf-8") + "\n# changed for the benchmark\n", encoding="utf-8")
    one = timed_build(project, "--jobs", str(CORES))
    serial = notebook_phase(project, 1)
    print(f"cold build (--force --no-pdf, --jobs {CORES}):  {cold:6.1f} s")
    print(f"no-op rebuild:                      {noop:6.1f} s  = {noop / cold:5.1%} of cold (target <= 10 %)")
    print(f"one params file changed:            {one:6.1f} s  = {one / cold:5.1%} of cold (target <= 35 %)")
    print(f"notebook phase --jobs 1:            {serial:6.1f} s")
    print(f"notebook phase --jobs {CORES}:            {notebooks:6.1f} s  = {notebooks / serial:4.2f} x --jobs 1 "
          "(target <= 0.70)")


if __name__ == "__main__":
    main()
