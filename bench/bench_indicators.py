"""Time and memory of compute_indicators on a generated 1,000,000-row register.

Run: .venv/bin/python bench/bench_indicators.py [--rows N] [--repeat K]
Target (issue 4): under 2 s and under 1 GiB beyond the loaded data, all horizons, all pilots.
The register is generated with evalkit.synth, written to CSV and read back through
load_register (so the frame has exactly the dtypes the command uses); only compute_indicators is
timed. Peak memory beyond the loaded data is measured with tracemalloc (numpy and pandas report
their buffers to it) around the call.
"""
from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

from evalkit.indicators import compute_indicators
from evalkit.register import load_register
from evalkit.reported import load_pilots
from evalkit.synth import AS_OF, write_synthetic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    budgets = load_pilots().budgets
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        write_synthetic(Path(folder), seed=1, size=args.rows, employers=False)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        register = load_register(Path(folder) / "participants.csv", AS_OF)
        loaded = time.perf_counter() - started
    data_mib = register.memory_usage(deep=True).sum() / 2**20
    print(f"register: {len(register):,} rows, {data_mib:,.0f} MiB in memory "
          f"(generated in {generated:.1f} s, validated and loaded in {loaded:.1f} s)")
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = compute_indicators(register, AS_OF, budgets)
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    compute_indicators(register, AS_OF, budgets)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"compute_indicators (horizons 3, 6, 12; {result.pilot_id.nunique() - 1} pilots + all; "
          f"{len(result)} rows): best {min(timings):.3f} s, median "
          f"{sorted(timings)[len(timings) // 2]:.3f} s of {args.repeat}")
    print(f"peak memory beyond the loaded data: {peak / 2**20:,.1f} MiB (tracemalloc)")
    ok = min(timings) < 2.0 and peak < 2**30
    print("target (< 2 s, < 1 GiB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
