"""Run every page notebook with papermill and build the book: the site and the PDF.

The site is at _build/html/index.html and the PDF at _build/pdf/report.pdf (an edition other than
the programme's main one, the first of its languages, adds its language code: _build/html-en,
report-en.pdf). Only pages whose inputs changed are
re-run. A failed or interrupted build leaves the previously published site and PDF as they were.
Afterwards, every other published edition (site or PDF) built from other inputs is named on stderr:
`make report-all` rebuilds them all, and `evalkit check --lang all` refuses them until then.
"""
from __future__ import annotations

import os
import sys

from evalkit.commands._common import jobs_count
from evalkit.editions import edition
from evalkit.i18n import LANGUAGES
from evalkit.paths import project_root
from evalkit.pipeline.orchestrate import build

NAME = "build"
HELP = "build the national report (HTML and PDF)"
PROGRAMME = True   # takes --programme DIR (evalkit.cli)


def add_arguments(parser) -> None:
    """Declare the command's options on its argparse ``parser``."""
    parser.add_argument("--no-pdf", action="store_true", help="build the site only")
    parser.add_argument("--jobs", type=jobs_count, default=os.cpu_count() or 1, metavar="N",
                        help="pages to execute at once (default: number of cores)")
    parser.add_argument("--force", action="store_true", help="re-execute every page even if unchanged")
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="edition language (default: the first of the programme's languages, fi for this project)")


def run(args) -> int:
    """Build the edition ``args.lang`` and print where its site (and PDF) are; return 0.

    Raises
    ------
    BuildError
        When a page or the book fails; the published outputs are left as they were.
    """
    from evalkit.errors import EvalkitError
    from evalkit.programme import current

    root = project_root()   # SIGTERM unwinds like Ctrl-C (evalkit.cli): page kernels stop, staging is removed
    languages = current().languages
    args.lang = args.lang or languages[0]
    if args.lang not in languages:
        raise EvalkitError(f"--lang {args.lang}: the programme's editions are {', '.join(languages)} "
                           "(languages in programme.yml)")
    from evalkit.programme import NAME_MAX_CHARACTERS, long_names, untranslated

    for key in long_names(current().spec):
        print(f"evalkit build: warning: programme.yml: {key} is over {NAME_MAX_CHARACTERS} characters; it labels "
              "every table, axis and sheet: give the long title as project_name", file=sys.stderr)
    missing = untranslated(current().spec, args.lang)
    if missing:
        print(f"evalkit build: warning: programme.yml: {', '.join(missing)} {'has' if len(missing) == 1 else 'have'} "
              f"no {args.lang} text; the {args.lang} edition shows another language's there", file=sys.stderr)
    build(root, lang=args.lang, parallel=args.jobs, pdf=not args.no_pdf, force=args.force)
    built = edition(root, args.lang)
    from evalkit.shown import shown_path
    print(f"site: {shown_path(built.html_dir / 'index.html')}")
    if not args.no_pdf:
        print(f"pdf:  {shown_path(built.pdf)}")
    from evalkit.checks.agreement import check_agreement

    # This edition first, so that the others are named as the ones that are out of date; every
    # language's, as evalkit check does: a language dropped from programme.yml still has its site.
    others = [edition(built.root, lang) for lang in LANGUAGES if lang != built.lang]
    for problem in check_agreement([built, *others]):
        print(f"evalkit build: warning: {problem.where}: {problem.message}", file=sys.stderr)
    return 0
