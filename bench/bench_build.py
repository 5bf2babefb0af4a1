"""Build benchmark: the figures of issue 22's table, each as a ratio measured in the same run.

Runs in scratch copies of the project so the developer's _build is untouched: the demonstration
project, and a copy whose data/demo holds a synthetic register of 1,000,000 rows
(`evalkit synth --size 1000000`). Prints figures and asserts nothing. Every build is
`evalkit build --no-pdf --jobs 2` (`--force` for a cold one); the edit loop is measured too in
`evalkit watch --jobs 2`, from saving a file to the watch's line saying the site is built. Peak
memory is the largest resident set of any one process of the build (the build with its page
threads, a page kernel, Sphinx). The 10M-row figure is
load_register on a generated CSV in a fresh interpreter (bench_indicators.timed_load).

Run: .venv/bin/python bench/bench_build.py [--rows N] [--large-rows M]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from bench_indicators import timed_load  # noqa: E402
from conftest import copy_project  # noqa: E402
from evalkit.pipeline.orchestrate import code_digest, edition, make_jobs, timings_file  # noqa: E402
from evalkit.pipeline.runner import run_jobs  # noqa: E402
from evalkit.pipeline.templates import render  # noqa: E402
from evalkit.register import artefact  # noqa: E402
from evalkit.synth import write_synthetic  # noqa: E402

CORES = 2


_MEASURED = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - started
sys.stderr.write(done.stderr[-2000:])
print(done.returncode, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


def measured_build(project: Path, *args: str) -> tuple[float, float]:
    """(seconds, peak bytes of the largest process) of one `evalkit build --no-pdf` in ``project``.

    The build runs under a fresh interpreter whose children's peak (RUSAGE_CHILDREN: the largest
    resident set of any waited-for process below it) is then this build's alone.
    """
    env = {**os.environ, "EVALKIT_ROOT": str(project)}
    done = subprocess.run([sys.executable, "-c", _MEASURED, sys.executable, "-m", "evalkit.cli", "build",
                           "--no-pdf", *args], cwd=project, env=env, capture_output=True, text=True)
    status, seconds, peak = done.stdout.split()
    if status != "0":
        sys.exit(f"build failed: {done.stderr[-2000:]}")
    return float(seconds), float(peak)


def timed_build(project: Path, *args: str) -> float:
    return measured_build(project, *args)[0]


def one_page(project: Path, name: str) -> float:
    """Seconds of one page run alone, forced, as a build runs it (its inputs' artefacts kept)."""
    os.environ["EVALKIT_ROOT"] = str(project)
    jobs = [job for job in make_jobs(project, edition(project, "fi"), project / "_build") if job.name == name]
    with artefact.kept_in(project / "_build" / "artefacts"):
        started = time.perf_counter()
        results = run_jobs(jobs, code_digest(project), parallel=1, force=True)
        elapsed = time.perf_counter() - started
    assert [r.status for r in results] == ["built"], [r.error for r in results]
    return elapsed


def notebook_phase(project: Path, parallel: int) -> float:
    """Wall time of running every page notebook with papermill, forced (no reuse), as a cold build does.

    A cold build keeps each validated input and the published frame as artefacts in an emptied
    folder for the pages to share (``evalkit.register.artefact``); so does this, in a new folder.
    """
    os.environ["EVALKIT_ROOT"] = str(project)
    jobs = make_jobs(project, edition(project, "fi"), project / "_build")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="artefacts-", dir=project / "_build") as kept, \
            artefact.kept_in(Path(kept)):
        results = run_jobs(jobs, code_digest(project), parallel=parallel, force=True,
                           timings=timings_file(project / "_build", "fi"))
    assert all(r.status == "built" for r in results), [r.error for r in results if r.error]
    return time.perf_counter() - started


def in_process_work(project: Path) -> float:
    """Seconds the same pages' code cells take when run one after another in one process.

    The cells run in an IPython shell (so glue and display work as in a kernel) with the
    parameters papermill would inject. The chapter modules are imported first and not counted:
    imports are what a notebook pays on top of the work. Artefacts are kept in a new folder, as
    in :func:`notebook_phase`: the inputs are validated and the published frame computed once.
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
    with tempfile.TemporaryDirectory(prefix="artefacts-", dir=project / "_build") as kept, \
            artefact.kept_in(Path(kept)):
        for job in jobs:
            total += _cells_seconds(shell, job)
    return total


def _cells_seconds(shell, job) -> float:
    """Seconds ``job``'s code cells take in ``shell``, after a reset and its parameters."""
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
    return time.perf_counter() - started


def _seconds_in_child(call: str, project: Path) -> float:
    """``bench_build.<call>``'s seconds, computed in a child interpreter started with ``-c``.

    Each figure starts from a fresh interpreter, as a build does: no kernel, digest or import left
    warm by the figure before it. IPython's shell (in_process_work) takes over its interpreter's
    ``__main__`` too.
    """
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench_build; "
            f"from pathlib import Path; print(bench_build.{call})")
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True,
                          env={**os.environ, "EVALKIT_ROOT": str(project)})
    if done.returncode != 0:
        sys.exit(f"bench_build.{call} failed: {done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def _in_process_seconds(project: Path) -> float:
    return _seconds_in_child(f"in_process_work(Path({str(project)!r}))", project)


def _notebook_phase_seconds(project: Path, parallel: int) -> float:
    return _seconds_in_child(f"notebook_phase(Path({str(project)!r}), {parallel})", project)


def _one_page_seconds(project: Path, name: str) -> float:
    return _seconds_in_child(f"one_page(Path({str(project)!r}), {name!r})", project)


def _edit_goal(params: Path) -> None:
    """Change the first goal's target of ``params`` (0.07, or 0.25 when it is 0.07 already)."""
    text = params.read_text(encoding="utf-8")
    target = re.search(r"^(\s*target:\s*)(\S+)$", text, flags=re.MULTILINE)
    value = "0.25" if target.group(2) == "0.07" else "0.07"
    params.write_text(text[:target.start(2)] + value + text[target.end(2):], encoding="utf-8")


def watched_edits(project: Path, rounds: int = 3) -> tuple[list[float], list[float]]:
    """Seconds from saving an edit to `evalkit watch` saying the site is built: goal targets, then comments.

    The watch runs with two jobs; its first build and the start of its kernels are not counted
    (it waits three seconds before the first edit). Every edit must build; a failed build stops the bench.
    """
    env = {**os.environ, "EVALKIT_ROOT": str(project)}
    watching = subprocess.Popen([sys.executable, "-m", "evalkit.cli", "watch", "--jobs", str(CORES)], cwd=project,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    ends: list[float] = []
    tail: list[str] = []

    def read() -> None:
        for line in watching.stderr:
            tail[:] = [*tail[-30:], line]
            if "evalkit watch: built" in line or "the build failed" in line:
                ends.append(time.monotonic())

    def timed(edit) -> float:
        count = len(ends)
        started = time.monotonic()
        edit()
        while len(ends) == count:
            if watching.poll() is not None or time.monotonic() - started > 300:
                sys.exit(f"watch stopped or hung: {''.join(tail)}")
            time.sleep(0.01)
        if "failed" in "".join(tail[-3:]):
            sys.exit(f"a watched build failed: {''.join(tail)}")
        return ends[-1] - started

    threading.Thread(target=read, daemon=True).start()
    params = project / "params" / "lappi.yml"
    try:
        while not ends:
            if watching.poll() is not None:
                sys.exit(f"watch ended: {''.join(tail)}")
            time.sleep(0.05)
        time.sleep(3)
        goals, comments = [], []
        for round_ in range(rounds):
            goals.append(timed(lambda: _edit_goal(params)))
            time.sleep(1)
            comments.append(timed(lambda: params.write_text(
                params.read_text(encoding="utf-8") + f"\n# watched edit {round_}\n", encoding="utf-8")))
            time.sleep(1)
    finally:
        watching.terminate()
        watching.wait(timeout=60)
    return sorted(goals), sorted(comments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large build's register")
    parser.add_argument("--large-rows", type=int, default=10_000_000, help="rows of the load test; 0 skips it")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    project = copy_project(scratch / "project")
    timed_build(project, "--jobs", str(CORES))  # pages exist; file caches warm
    # Medians of three: one run on this shared VM varies by a second either way.
    phases = sorted(_notebook_phase_seconds(project, CORES) for _ in range(3))
    works = sorted(_in_process_seconds(project) / CORES for _ in range(3))
    notebooks, work = phases[1], works[1]
    cold, cold_peak = measured_build(project, "--force", "--jobs", str(CORES))
    noops = sorted(timed_build(project, "--jobs", str(CORES)) for _ in range(3))
    params = project / "params" / "lappi.yml"
    # Two edits of one params file, three times each: a comment (the same params: no page runs,
    # the site is rebuilt for the provenance page), and a goal's target (the pilot's chapter and
    # the summary run).
    comments, ones = [], []
    for round_ in range(3):
        params.write_text(params.read_text(encoding="utf-8") + f"\n# changed for the benchmark {round_}\n",
                          encoding="utf-8")
        comments.append(timed_build(project, "--jobs", str(CORES)))
        _edit_goal(params)
        ones.append(timed_build(project, "--jobs", str(CORES)))
    noop, comment, one = noops[1], sorted(comments)[1], sorted(ones)[1]
    watched_goals, watched_comments = watched_edits(project)
    watched_goal, watched_comment = watched_goals[1], watched_comments[1]
    print(f"demo: cold {cold:.1f} s (peak {cold_peak / 2**30:.2f} GiB); medians of 3: no-op {noop:.1f} s, one "
          f"params file: a comment {comment:.1f} s ({min(comments):.1f}-{max(comments):.1f}), a goal's target "
          f"{one:.1f} s ({min(ones):.1f}-{max(ones):.1f}); notebook phase {notebooks:.1f} s "
          f"(--jobs {CORES}, medians of 3: {phases[0]:.1f}-{phases[-1]:.1f} s), in process {work:.1f} s "
          f"({works[0]:.1f}-{works[-1]:.1f} s); in evalkit watch (medians of 3): a goal's target "
          f"{watched_goal:.1f} s ({watched_goals[0]:.1f}-{watched_goals[-1]:.1f}), a comment {watched_comment:.1f} s "
          f"({watched_comments[0]:.1f}-{watched_comments[-1]:.1f})", flush=True)

    large = copy_project(scratch / "large")
    started = time.perf_counter()
    write_synthetic(large / "data" / "demo", seed=1, size=args.rows)
    print(f"large register: {args.rows:,} rows written in {time.perf_counter() - started:.0f} s", flush=True)
    large_cold, large_peak = measured_build(large, "--force", "--jobs", str(CORES))
    seconds_in_build = json.loads(timings_file(large / "_build", "fi").read_text(encoding="utf-8"))
    alone = sorted(_one_page_seconds(large, "comparison") for _ in range(3))
    comparison = alone[1]
    print(f"large: cold {large_cold:.1f} s (peak {large_peak / 2**30:.2f} GiB); comparison page alone "
          f"{comparison:.1f} s (median of 3: {alone[0]:.1f}-{alone[-1]:.1f} s; "
          f"{seconds_in_build.get('comparison', float('nan')):.1f} s in the cold build)", flush=True)

    huge = None
    if args.large_rows:
        folder = scratch / "huge"
        write_synthetic(folder, seed=1, size=args.large_rows, employers=False)
        huge = timed_load(folder / "participants.csv")
        (folder / "participants.csv").unlink()

    gib = 2**30
    rows = [
        (f"{args.rows:,}-row cold build", large_cold / cold, "x demo cold", "<= 2.0",
         f"{large_cold:.1f} s / {cold:.1f} s"),
        (f"comparison page at {args.rows:,} rows", comparison / cold, "x demo cold", "<= 10 s",
         f"{comparison:.1f} s"),
        ("peak memory (one process)", large_peak / gib, "GiB", "<= 2 GiB",
         f"{args.rows:,} rows; demo {cold_peak / gib:.2f} GiB"),
        ("one params file: a goal's target", one / cold, "x demo cold", "<= 0.20",
         f"{one:.1f} s: the chapter and the summary run"),
        ("one params file: a comment", comment / cold, "x demo cold", "<= 0.20", f"{comment:.1f} s: no page runs"),
        ("  the same in evalkit watch: goal", watched_goal / cold, "x demo cold", "<= 0.20",
         f"{watched_goal:.1f} s from the save to the site, kernels warm"),
        ("  the same in evalkit watch: comment", watched_comment / cold, "x demo cold", "<= 0.20",
         f"{watched_comment:.1f} s"),
        ("no-op rebuild", noop / cold, "x demo cold", "<= 0.05", f"{noop:.1f} s"),
        (f"notebook phase (--jobs {CORES})", notebooks / work, "x in-process work", "<= 1.5",
         f"{notebooks:.1f} s / {work:.1f} s"),
    ]
    if huge:
        rows.append((f"load and validate {huge[2]:,} rows", huge[0] / cold, "x demo cold", "<= 30 s, <= 4 GiB",
                     f"{huge[0]:.1f} s, peak {huge[1] / gib:.2f} GiB"))
    print(f"\nissue 22, one run (demo cold build {cold:.1f} s):")
    for name, ratio, unit, goal, figures in rows:
        print(f"  {name:<34} {ratio:6.2f} {unit:<18} goal {goal:<18} ({figures})")
    print(flush=True)


if __name__ == "__main__":
    main()
