"""Write a new programme folder (programme.yml, params/, a synthetic register in data/demo/, README.md).

It builds as it is, every page marked as demonstration data: evalkit build --programme DIR.
The README in the folder says what to replace with real data, and in what order.
"""
from __future__ import annotations

import argparse

NAME = "new"
HELP = "write a new programme folder that builds on synthetic data"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options on its argparse ``parser``."""
    parser.add_argument("folder", metavar="DIR")
    parser.add_argument("--pilots", required=True, metavar="ID,ID,...",
                        help="the pilots' ids: lowercase ASCII letters, digits and hyphens")


def run(args: argparse.Namespace) -> int:
    """Write the folder and say how to build it; return 0.

    Raises
    ------
    EvalkitError
        When an id is not a pilot_id, or DIR holds anything already.
    """
    from evalkit.scaffold import new_programme, parse_pilot_ids
    from evalkit.shown import shown_path

    folder = new_programme(args.folder, parse_pilot_ids(args.pilots))
    print(f"{shown_path(folder)}: wrote a programme of {len(parse_pilot_ids(args.pilots))} pilot(s) on "
          f"synthetic data; build it with: evalkit build --programme {shown_path(folder)} --no-pdf")
    return 0
