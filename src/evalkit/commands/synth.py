"""Write a synthetic participant register (and employer file) for every pilot of the programme.

Deterministic for a seed. The files are written to a temporary folder first and moved into
``--out`` only when complete; a manifest (SYNTHETIC.json) marks them as invented data so that
every page built from them carries the synthetic-data notice.
"""
from __future__ import annotations

import argparse

from evalkit.commands._common import whole_from_one

NAME = "synth"
HELP = "write a synthetic demonstration register"
PROGRAMME = True   # takes --programme DIR (evalkit.cli)


_positive = whole_from_one("size must be at least one person per pilot")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options on its argparse ``parser``."""
    parser.add_argument("--seed", required=True, type=int, metavar="N")
    parser.add_argument("--out", required=True, metavar="DIR")
    parser.add_argument("--size", type=_positive, metavar="ROWS",
                        help="participants in total (default: about 7,800, pilots in proportion)")
    parser.add_argument("--no-employers", action="store_true", help="skip employers.csv")


def run(args: argparse.Namespace) -> int:
    """Write the synthetic files into ``--out`` and say what was written; return 0.

    Raises
    ------
    EvalkitError
        When ``--out`` cannot be written.
    """
    from evalkit.errors import EvalkitError
    from evalkit.programme import current
    from evalkit.shown import shown_path
    from evalkit.synth import write_synthetic

    programme = current()
    if args.size is not None and args.size < len(programme.pilot_ids):
        raise EvalkitError(f"--size {args.size} is smaller than the programme's {len(programme.pilot_ids)} "
                           "pilots; give at least one person per pilot")
    try:
        manifest = write_synthetic(args.out, args.seed, args.size, employers=not args.no_employers,
                                   programme=programme)
    except OSError as exc:
        raise EvalkitError(f"cannot write to {shown_path(args.out)}: {exc.strerror or exc}") from None
    files = ", ".join(f"{name} ({info['rows']} rows)" for name, info in manifest["files"].items())
    print(f"{shown_path(args.out)}: wrote synthetic {files} with seed {args.seed}")
    return 0
