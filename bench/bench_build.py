"""Build benchmark (issue 7): cold, no-op and one-params-changed builds, and --jobs 1 vs 2.

Runs in a scratch copy of the project so the developer's _build is untouched. Prints figures;
asserts nothing (targets: no-op <= 10 % of cold, one changed <= 35 % of cold, notebook phase with
--jobs 2 <= 0.7 x --jobs 1).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import copy_project  # noqa: E402

from evalkit.build.pipeline import code_digest, edition, make_jobs  # noqa: E402
from evalkit.build.runner import run_jobs  # noqa: E402


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
    os.environ["EVALKIT_ROOT"] = str(project)
    jobs = make_jobs(project, edition(project, "fi"), project / "_build")
    started = time.perf_counter()
    results = run_jobs(jobs, code_digest(project), parallel=parallel, force=True)
    assert all(r.status == "built" for r in results), [r.error for r in results if r.error]
    return time.perf_counter() - started


def main() -> None:
    project = copy_project(Path(tempfile.mkdtemp(prefix="evalkit-bench-")) / "project")
    jobs = str(os.cpu_count() or 2)
    timed_build(project, "--jobs", jobs)  # warm caches (imports, fonts) so "cold" means no reuse
    cold = timed_build(project, "--force", "--jobs", jobs)
    noop = timed_build(project, "--jobs", jobs)
    params = project / "params" / "lappi.yml"
    params.write_text(params.read_text(encoding="utf-8") + "\n# changed for the benchmark\n", encoding="utf-8")
    one = timed_build(project, "--jobs", jobs)
    serial = notebook_phase(project, 1)
    parallel = notebook_phase(project, 2)
    print(f"cold build (--force --no-pdf, --jobs {jobs}):  {cold:6.1f} s")
    print(f"no-op rebuild:                      {noop:6.1f} s  = {noop / cold:5.1%} of cold (target <= 10 %)")
    print(f"one params file changed:            {one:6.1f} s  = {one / cold:5.1%} of cold (target <= 35 %)")
    print(f"notebook phase --jobs 1:            {serial:6.1f} s")
    print(f"notebook phase --jobs 2:            {parallel:6.1f} s  = {parallel / serial:4.2f} x --jobs 1 (target <= 0.70)")


if __name__ == "__main__":
    main()
