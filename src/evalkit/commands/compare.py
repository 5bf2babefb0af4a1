"""Compare the pilots in a register: crude and case-mix adjusted rates per pilot and horizon.

The rate is that of ``--indicator`` (default ``employment_rate``; any share of the people
followed up by their status). For each pilot and horizon, the number followed up, the crude
rate and the case-mix adjusted rate (logistic model, marginal standardisation) with its 95 %
interval (delta method, logit scale). Exact, unsuppressed numbers on stdout.

Columns: pilot_id, horizon_months, eligible, crude_rate, adjusted_rate, ci_low, ci_high, then
employed (the people with the indicator's outcome: the employed for the employment rate),
crude_ci_low, crude_ci_high (Wilson), adjusted_se and note. ci_low/ci_high are the adjusted
rate's interval. A pilot the model had to leave out has an empty adjusted rate and a note (also
printed to stderr); a horizon where no adjustment is possible (one pilot, say) gives empty
adjusted columns and a note for every pilot.
"""
from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd

from evalkit import compare
from evalkit.commands._common import as_of_date
from evalkit.definitions import HORIZONS
from evalkit.i18n import t

NAME = "compare"
HELP = "compare the pilots: crude and case-mix adjusted rates of an indicator"
PROGRAMME = True   # takes --programme DIR (evalkit.cli)
COLUMNS = ["pilot_id", "horizon_months", "eligible", "crude_rate", "adjusted_rate", "ci_low",
           "ci_high", "employed", "crude_ci_low", "crude_ci_high", "adjusted_se", "note"]


def add_arguments(parser) -> None:
    """Declare the command's options on its argparse ``parser``."""
    parser.add_argument("--data", required=True, metavar="FILE",
                        help="participant register (.csv, .parquet or .xlsx)")
    parser.add_argument("--as-of", required=True, type=as_of_date, metavar="DATE",
                        help="extract date of the data, YYYY-MM-DD")
    parser.add_argument("--horizon", type=int, choices=HORIZONS, metavar="H",
                        help="follow-up horizon in months: 3, 6 or 12 (default: all three)")
    parser.add_argument("--indicator", choices=compare.OUTCOME_INDICATORS, default=compare.DEFAULT_INDICATOR,
                        metavar="NAME", help="the rate to compare: " + ", ".join(compare.OUTCOME_INDICATORS)
                        + f" (default: {compare.DEFAULT_INDICATOR})")
    parser.add_argument("--format", choices=("csv", "json"), default="csv",
                        help="output format (default: csv)")


def comparison_table(register: pd.DataFrame, as_of, horizons,
                     indicator: str = compare.DEFAULT_INDICATOR) -> tuple[pd.DataFrame, list[str]]:
    """The command's rows and the notes (English sentences) about what could not be adjusted.

    Parameters
    ----------
    register : pandas.DataFrame
        A validated register (:func:`evalkit.register.load_register`).
    as_of : datetime.date
        Its extract date.
    horizons : iterable of int
        Follow-up horizons in months.
    indicator : str
        The rate compared, one of :data:`evalkit.compare.OUTCOME_INDICATORS`.

    Returns
    -------
    table : pandas.DataFrame
        ``COLUMNS``, one row per pilot and horizon (see the module text).
    notes : list of str
    """
    frames, notes = [], []
    for horizon in horizons:
        crude = compare.crude_rates(register, as_of, (horizon,), indicator)
        crude = crude[crude["pilot_id"] != compare.POOLED].set_index("pilot_id")
        try:
            result = compare.adjusted_rates(register, as_of, horizon, indicator)
            rates = result.rates.set_index("pilot_id")
            for key, values in result.notes:
                notes.append(t(f"comparison.note.{key}", lang="en", **values))
            rates["note"] = rates["note"].where(rates["note"] != "", np.nan)
        except compare.ComparisonUndefined as exc:
            notes.append(str(exc))
            rates = pd.DataFrame(index=crude.index, columns=["adjusted_rate", "ci_low", "ci_high",
                                                             "adjusted_se"], dtype=float)
            rates["note"] = "not_adjusted"
        frame = pd.DataFrame({
            "pilot_id": crude.index,
            "horizon_months": horizon,
            "eligible": crude["denominator"].to_numpy(),
            "crude_rate": crude["value"].to_numpy(),
            "adjusted_rate": rates["adjusted_rate"].reindex(crude.index).to_numpy(),
            "ci_low": rates["ci_low"].reindex(crude.index).to_numpy(),
            "ci_high": rates["ci_high"].reindex(crude.index).to_numpy(),
            "employed": crude["numerator"].to_numpy(),
            "crude_ci_low": crude["ci_low"].to_numpy(),
            "crude_ci_high": crude["ci_high"].to_numpy(),
            "adjusted_se": rates["adjusted_se"].reindex(crude.index).to_numpy(),
            "note": rates["note"].reindex(crude.index).to_numpy(),
        })
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)[COLUMNS]
    table["horizon_months"] = table["horizon_months"].astype("Int64")
    return table, notes


def run(args) -> int:
    """Load the register, print the comparison as CSV or JSON and the notes on stderr; return 0.

    Raises
    ------
    InputError
        When the register is invalid.
    """
    from evalkit.register import load_register

    as_of = args.as_of
    register = load_register(args.data, as_of)
    horizons = (args.horizon,) if args.horizon else HORIZONS
    table, notes = comparison_table(register, as_of, horizons, args.indicator)
    for note in notes:
        print(f"evalkit compare: note: {note}", file=sys.stderr)
    if args.format == "json":
        records = json.loads(table.to_json(orient="records"))
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        table.to_csv(sys.stdout, index=False, lineterminator="\n", float_format="%.6f")
    return 0
