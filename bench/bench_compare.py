"""The comparison's case-mix model at scale, and its numbers against the general tools' route.

Run: .venv/bin/python bench/bench_compare.py [--rows N] [--data FILE]
Times ``compare.adjusted_rates`` at each horizon on a synthetic register (1,000,000 rows by
default) and checks that its estimates, standard errors, intervals and coefficients equal, to
1e-8, those of the route evalkit took before ``evalkit.casemix`` (patsy's design, statsmodels'
``get_prediction(average=True)`` with its complex-step derivative), whose time is printed too.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from evalkit import compare  # noqa: E402
from evalkit.definitions import HORIZONS  # noqa: E402
from evalkit.register import load_register  # noqa: E402
from evalkit.synth import write_synthetic  # noqa: E402
from test_casemix import _statsmodels_route  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_indicators import synthetic_as_of  # noqa: E402

TOLERANCE = 1e-8


def check(register, as_of, horizon: int) -> tuple[float, float, float]:
    """(seconds now, seconds by the old route, largest absolute difference)."""
    started = time.perf_counter()
    ours = compare.adjusted_rates(register, as_of, horizon)
    now = time.perf_counter() - started
    started = time.perf_counter()
    result, reference = _statsmodels_route(register, as_of, horizon)
    before = time.perf_counter() - started
    rates = ours.rates.set_index("pilot_id")
    worst = 0.0
    for pilot_id, (rate, se) in reference.items():
        low, high = compare.logit_interval(rate, se)
        row = rates.loc[pilot_id]
        worst = max(worst, *(abs(a - b) for a, b in ((row["adjusted_rate"], rate), (row["adjusted_se"], se),
                                                     (row["ci_low"], low), (row["ci_high"], high))))
    expected = compare.model_table(result)
    numeric = expected.columns.drop("term")
    assert list(ours.model["term"]) == list(expected["term"])
    worst = max(worst, float(np.nanmax(np.abs(ours.model[numeric].to_numpy() - expected[numeric].to_numpy()))))
    return now, before, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, help="a register to use instead of a generated one")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, help="its extract date (YYYY-MM-DD)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.data
        if path is None:
            write_synthetic(Path(folder), seed=1, size=args.rows, employers=False)
            path = Path(folder) / "participants.csv"
        # A register of one's own gives its date with --as-of; a generated one has it in its manifest.
        as_of = args.as_of or synthetic_as_of(path)
        register = load_register(path, as_of)
    failed = False
    for horizon in HORIZONS:
        now, before, worst = check(register, as_of, horizon)
        failed |= not worst <= TOLERANCE
        print(f"adjusted_rates, {len(register):,} rows, {horizon} months: {now:.1f} s (before: {before:.1f} s); "
              f"largest difference from the statsmodels route {worst:.1e} "
              f"({'OK' if worst <= TOLERANCE else 'FAILED'}, tolerance {TOLERANCE:.0e})", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
