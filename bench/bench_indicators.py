"""Loading and computing on large registers: load_register and compute_indicators.

Run: .venv/bin/python bench/bench_indicators.py [--rows N] [--large-rows M] [--repeat K]
Targets: a 1,000,000-row register validated and loaded in <= 5 s and <= 2 GiB peak (issue 11);
compute_indicators under 2 s and under 1 GiB beyond the loaded data (issue 4). A large register
(``--large-rows``, e.g. 10,000,000: a national extract over several years) is measured and
printed on request; ``bench_build.py`` measures 10M rows against issue 22's goal.

Registers are generated with evalkit.synth and written as CSV. Each load runs in a fresh
interpreter, so its peak is that process's maximum resident memory (imports included), not a
figure flattered by memory an earlier step already held.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from evalkit.indicators import compute_indicators
from evalkit.register import load_register
from evalkit.reported import load_pilots
from evalkit.synth import write_synthetic

_LOAD = """
import datetime, resource, sys, time
from pathlib import Path
from evalkit.register import load_register
as_of = datetime.date.fromisoformat(sys.argv[2])
started = time.perf_counter()
frame = load_register(Path(sys.argv[1]), as_of)
seconds = time.perf_counter() - started
# This process's own peak (VmHWM): ru_maxrss keeps the parent's resident size at the fork, and the
# parent has just generated the register.
try:
    status = Path("/proc/self/status").read_text().splitlines()
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) * 1024
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(seconds, peak, len(frame))
"""


def synthetic_as_of(csv: Path) -> dt.date:
    """The extract date ``evalkit synth`` wrote beside ``csv`` (its manifest)."""
    return dt.date.fromisoformat(json.loads((csv.parent / "SYNTHETIC.json").read_text())["as_of"])


def timed_load(csv: Path) -> tuple[float, float, int]:
    """(seconds, peak bytes, rows) of load_register in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", _LOAD, str(csv), synthetic_as_of(csv).isoformat()],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"load_register failed on {csv}: {done.stderr[-2000:]}")
    seconds, peak, rows = done.stdout.split()
    return float(seconds), float(peak), int(rows)


def load_line(folder: Path, rows: int, target: str, runs: int = 1) -> None:
    started = time.perf_counter()
    write_synthetic(folder, seed=1, size=rows, employers=False)
    generated = time.perf_counter() - started
    csv = folder / "participants.csv"
    # The median of several fresh-interpreter loads: one load on this VM varies by a second or two.
    loads = sorted(timed_load(csv) for _ in range(runs))
    seconds, peak, loaded = loads[len(loads) // 2]
    spread = f" (median of {runs}: {loads[0][0]:.1f}-{loads[-1][0]:.1f} s)" if runs > 1 else ""
    print(f"load_register {loaded:,} rows ({csv.stat().st_size / 2**20:,.0f} MiB CSV, generated in "
          f"{generated:.0f} s): validated and loaded in {seconds:.1f} s{spread}, peak {peak / 2**30:.2f} GiB"
          f"{target}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    # 0 by default: bench_build.py measures the 10M-row load beside the builds, in the same run.
    parser.add_argument("--large-rows", type=int, default=0, help="0 skips the large register")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    budgets = load_pilots().budgets
    with tempfile.TemporaryDirectory() as folder:
        load_line(Path(folder), args.rows, " (target <= 5 s, <= 2 GiB)", runs=3)
        as_of = synthetic_as_of(Path(folder) / "participants.csv")
        register = load_register(Path(folder) / "participants.csv", as_of)
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = compute_indicators(register, as_of, budgets)
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    compute_indicators(register, as_of, budgets)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"compute_indicators (horizons 3, 6, 12; {result.pilot_id.nunique() - 1} pilots + all; "
          f"{len(result)} rows): best {min(timings):.3f} s, median "
          f"{sorted(timings)[len(timings) // 2]:.3f} s of {args.repeat}; peak beyond the loaded data "
          f"{peak / 2**20:,.1f} MiB (target < 2 s, < 1 GiB)", flush=True)
    del register
    if args.large_rows:
        with tempfile.TemporaryDirectory() as folder:
            load_line(Path(folder), args.large_rows, "")


if __name__ == "__main__":
    main()
