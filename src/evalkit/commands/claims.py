"""Check the source report's own arithmetic: every total, percentage, change and count it states.

Each is recomputed from its other facts (data/reported/), with the difference and a verdict.
Verdicts are data, not errors: the command exits 0 whatever they are, and non-zero only if the
facts are bad.
"""
from __future__ import annotations

import json
import sys

from evalkit.claims import claims_table
from evalkit.claims_view import claims_display
from evalkit.i18n import LANGUAGES, set_language
from evalkit.reported import load_pilots
from evalkit.reported_facts import load_facts

NAME = "claims"
HELP = "check the source report's stated figures against its own facts"
PROGRAMME = True   # takes --programme DIR (evalkit.cli)


def add_arguments(parser) -> None:
    """Declare the command's options on its argparse ``parser``."""
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="table (default, for reading), or csv/json with exact values")
    parser.add_argument("--lang", choices=LANGUAGES, default="fi",
                        help="language of the table's headings and verdicts (default: fi)")


def run(args) -> int:
    """Print every claim with its verdict as a table, CSV or JSON (open bounds as null); return 0.

    Raises
    ------
    InputError
        When the reported facts (data/reported/) are invalid.
    """
    from evalkit.errors import EvalkitError
    from evalkit.programme import current

    set_language(args.lang)
    programme = current()
    if not programme.has_source_report:
        raise EvalkitError(f"{programme.folder}: the programme has no source report (data/reported/facts.yml), "
                           "so there are no stated figures to check")
    frame = claims_table(load_pilots(programme.reported_dir / "pilots.yml"),
                         load_facts(programme.reported_dir / "facts.yml"))
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif args.format == "json":
        records = frame.to_dict(orient="records")
        # JSON has no infinity: an open bound is null.
        for record in records:
            for key, value in record.items():
                if isinstance(value, float) and value in (float("inf"), float("-inf")):
                    record[key] = None
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(_plain_table(claims_display(frame, args.lang)))
    return 0


def _plain_table(frame) -> str:
    """Columns padded to their widest cell; the last column left ragged."""
    header = list(frame.columns)
    rows = [header, *frame.astype(str).values.tolist()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
