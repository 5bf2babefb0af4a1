"""Build the site, then build it again whenever an input changes: the edit loop.

Save a params file, a data file or a page of the book, and the site is rebuilt as `evalkit build
--no-pdf` would rebuild it, only sooner: the page kernels (with pandas, statsmodels and
matplotlib imported) and Sphinx are kept warm between builds. Open _build/html/index.html (or the
edition's folder) and reload it after the "built" line. A build that fails is reported and the
published site stays as it was; fix the input and save again. When evalkit itself or an installed
library changes, the command starts again by itself. Ctrl-C stops it. The PDF is not built:
run `evalkit build` for the edition you publish.
"""
from __future__ import annotations

import os

from evalkit.commands._common import jobs_count
from evalkit.i18n import LANGUAGES
from evalkit.paths import project_root

NAME = "watch"
HELP = "rebuild the site whenever an input changes (the edit loop)"
PROGRAMME = True   # takes --programme DIR (evalkit.cli)


def add_arguments(parser) -> None:
    """Declare the command's options on its argparse ``parser``."""
    parser.add_argument("--jobs", type=jobs_count, default=os.cpu_count() or 1, metavar="N",
                        help="pages to execute at once, each in a kernel kept warm (default: number of cores)")
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="edition language (default: the first of the programme's languages)")
    parser.add_argument("--max-builds", type=int, default=None, metavar="N",
                        help="stop after N builds (for scripts); default: until Ctrl-C")


def run(args) -> int:
    """Watch and build until Ctrl-C (exit 0) or ``--max-builds`` (exit 1 when a build failed).

    Raises
    ------
    EvalkitError
        An edition the programme does not have.
    """
    from evalkit.errors import EvalkitError
    from evalkit.pipeline.watch import Restart, restart_command, watch
    from evalkit.programme import current

    languages = current().languages
    lang = args.lang or languages[0]
    if lang not in languages:
        raise EvalkitError(f"--lang {lang}: the programme's editions are {', '.join(languages)} "
                           "(languages in programme.yml)")
    if args.max_builds is not None and args.max_builds < 1:
        raise EvalkitError(f"--max-builds {args.max_builds}: give at least 1")
    try:
        failed = watch(project_root(), lang, max(1, args.jobs), max_builds=args.max_builds)
    except Restart:
        restart_command()
    except KeyboardInterrupt as exc:
        if type(exc) is not KeyboardInterrupt:   # SIGTERM (evalkit.cli's Terminated): its own exit status
            raise
        print("evalkit watch: stopped", flush=True)   # Ctrl-C is how one stops watching
        return 0
    return 1 if failed else 0
