"""Build one pilot's own report from its own register extract: a site, a PDF and a notebook.

They are DIR/index.html, DIR/report.pdf and the pilot's own notebook
DIR/PILOT_ID-self-assessment.ipynb (executed; its inputs copied into DIR/private-data/ so that it
runs again anywhere: open it with `evalkit lab DIR`).

The report has the same content as the pilot's chapter in the national report. Rows of other pilots
in the file are refused. Goals and services come from --params, or else from params/PILOT_ID.yml
when it exists; the data and the extract date always come from the command line. A failed run
leaves DIR as it was. Run again into the same DIR, it replaces only the files it wrote there and
nobody changed: your own files are kept, and a file you changed (the notebook, the params copy in
private-data/) is kept under a dated name, one line each on stderr.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from evalkit.commands._common import as_of_date, check_out_path, pilot_choice, write_failed

NAME = "pilot"
HELP = "build one pilot's own self-assessment report from its own data"
PROGRAMME = True   # takes --programme DIR (evalkit.cli)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options on its argparse ``parser``."""
    from evalkit.i18n import LANGUAGES

    parser.add_argument("pilot_id", type=pilot_choice, metavar="PILOT_ID")
    parser.add_argument("--data", required=True, metavar="FILE",
                        help="the pilot's participants .csv, .xlsx or .parquet")
    parser.add_argument("--as-of", required=True, type=as_of_date, metavar="DATE",
                        help="extract date of the data, YYYY-MM-DD")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder for index.html, report.pdf and the self-assessment notebook")
    parser.add_argument("--no-pdf", action="store_true", help="build the HTML report only")
    parser.add_argument("--params", metavar="FILE",
                        help="params file with the pilot's goals and services (default: params/PILOT_ID.yml)")
    parser.add_argument("--employers", metavar="FILE", help="the pilot's employers.csv (optional)")
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="report language, one of the programme's (default: its first, fi for this project)")


def run(args: argparse.Namespace) -> int:
    """Build the pilot's report into ``--out`` and print where its parts are; return 0.

    Raises
    ------
    EvalkitError
        When the inputs are invalid (an :class:`~evalkit.errors.InputError`) or the build fails;
        ``--out`` is then left as it was.
    """
    from evalkit.errors import EvalkitError
    from evalkit.pipeline.pilot_report import build_pilot_report
    from evalkit.pipeline.self_assessment import notebook_name
    from evalkit.programme import current

    languages = current().languages
    args.lang = args.lang or languages[0]
    if args.lang not in languages:   # as evalkit build: the programme's texts are written in its languages
        raise EvalkitError(f"--lang {args.lang}: the programme's editions are {', '.join(languages)} "
                           "(languages in programme.yml)")
    check_out_path(Path(args.out))   # before the inputs are validated, which takes a while
    try:
        out = build_pilot_report(args.pilot_id, Path(args.data), args.as_of, Path(args.out),
                                 pdf=not args.no_pdf, params_file=Path(args.params) if args.params else None,
                                 employers=Path(args.employers) if args.employers else None, lang=args.lang)
    except OSError as exc:   # a full disk or a lost permission under --out, while writing
        raise EvalkitError(write_failed(exc, Path(args.out))) from None
    from evalkit.shown import shown_path

    print(f"site: {shown_path(out / 'index.html')}")
    if not args.no_pdf:
        print(f"pdf:  {shown_path(out / 'report.pdf')}")
    print(f"notebook: {shown_path(out / notebook_name(args.pilot_id))}")
    return 0
