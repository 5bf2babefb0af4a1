"""Compute the contract's indicators from a participant register and write them to stdout.

One row per (pilot_id, horizon_months, indicator) with the columns pilot_id, horizon_months,
indicator, numerator, denominator, value, ci_low, ci_high; ``all`` is the pooled row. Numbers
are exact and unsuppressed unless ``--suppress`` is given: then the full small-cell rule of the
published pages applies (evalkit.suppression, complementary suppression included, computed on the
rows written): counts 1–4 show ``<5``, counts hidden as partners and hidden rates, costs and
intervals are empty. ``--all`` adds the families beyond the contract
(flow, work ability bands, employers with ``--employers``).
"""
from __future__ import annotations

import argparse
import sys

from evalkit.commands._common import as_of_date, load_inputs, pilot_choice
from evalkit.definitions import HORIZONS

NAME = "indicators"
HELP = "compute the outcome indicators from a participant register"
PROGRAMME = True   # takes --programme DIR (evalkit.cli)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options on its argparse ``parser`` (CONTRACT.md, "Commands")."""
    parser.add_argument("--data", required=True, metavar="FILE",
                        help="participants .csv, .xlsx or .parquet")
    parser.add_argument("--as-of", required=True, type=as_of_date, metavar="DATE",
                        help="extract date of the data, YYYY-MM-DD")
    parser.add_argument("--horizon", type=int, action="append", choices=HORIZONS, metavar="H",
                        help="months after the end of service (3, 6, 12); repeat for several; "
                             "default all")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--suppress", action="store_true",
                        help="apply the small-cell rule of published tables (with its "
                             "complementary suppression)")
    parser.add_argument("--all", action="store_true", dest="all_families",
                        help="also participants/ended/eligible, work ability bands, employers")
    parser.add_argument("--employers", metavar="FILE", help="employers.csv (with --all)")
    parser.add_argument("--pilot", type=pilot_choice, metavar="PILOT_ID",
                        help="only this pilot's data is allowed in the file")


def run(args: argparse.Namespace) -> int:
    """Compute the indicators and write them to stdout as CSV or JSON; return 0.

    Raises
    ------
    InputError
        With every problem of the register and the employer file at once (exit status 2).
    """
    import pandas as pd

    from evalkit.indicators import compute_indicators, extra_indicators, order_rows
    from evalkit.programme import current

    horizons = tuple(sorted(set(args.horizon))) if args.horizon else HORIZONS
    register, employers = load_inputs(args.data, args.as_of, args.pilot, args.employers)
    result = compute_indicators(register, args.as_of, current().budgets, horizons)
    if args.all_families:
        extra = extra_indicators(register, args.as_of, horizons, employers)
        result = order_rows(pd.concat([result, extra], ignore_index=True))
    if args.suppress:
        from evalkit.suppression import suppress_marked

        result = suppress_marked(result)
    text = result.to_json(orient="records", indent=1, force_ascii=False, double_precision=15) + "\n" \
        if args.format == "json" else result.to_csv(index=False, lineterminator="\n")
    sys.stdout.write(text)
    return 0
