"""Check a participant register (and optionally an employer file) against the contract.

Prints a one-line summary when the file is fine; otherwise one line per problem on stderr
(file, line, column, what is wrong, what is allowed) and exits with 2.
"""
from __future__ import annotations

import argparse

from evalkit.commands._common import as_of_date, load_inputs, pilot_choice

NAME = "validate"
HELP = "check a participant register against the contract"
PROGRAMME = True   # takes --programme DIR (evalkit.cli)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options on its argparse ``parser``."""
    parser.add_argument("file", metavar="FILE", help="participants .csv, .xlsx or .parquet")
    parser.add_argument("--as-of", required=True, type=as_of_date, metavar="DATE",
                        help="extract date of the data, YYYY-MM-DD")
    parser.add_argument("--pilot", type=pilot_choice, metavar="PILOT_ID",
                        help="refuse rows of any other pilot")
    parser.add_argument("--employers", metavar="FILE", help="also check an employers.csv")


def run(args: argparse.Namespace) -> int:
    """Validate the files and print a one-line summary; return 0.

    Raises
    ------
    InputError
        With every problem of the register and the employer file at once (exit status 2).
    """
    from evalkit.register import is_synthetic
    from evalkit.shown import shown_path

    register, _ = load_inputs(args.file, args.as_of, args.pilot, args.employers)
    pilots = register["pilot_id"].nunique()
    note = " (synthetic demonstration data)" if is_synthetic(args.file) else ""
    print(f"{shown_path(args.file)}: OK, {len(register)} rows, {pilots} pilot(s), as of "
          f"{args.as_of:%Y-%m-%d}{note}")
    return 0
