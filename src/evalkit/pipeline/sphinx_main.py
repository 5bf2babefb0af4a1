"""Jupyter Book's Sphinx build of a book, as ``jupyter-book build`` runs it, writing every page.

Run as ``python -m evalkit.pipeline.sphinx_main SOURCE CONFIG TOC OUTPUT BUILDER``. It is the
book branch of Jupyter Book 1.x's command (``jupyter_book.cli.main.build``) with ``-W -n
--keep-going``, plus Sphinx's ``-a``, which the command does not offer: every page is written
anew even when Sphinx reads only the changed ones from its kept environment
(:func:`evalkit.pipeline.book.cached_site`), so that a page whose sources did not change still
shows the current titles, numbers and links of the others. The site goes to
``OUTPUT/_build/BUILDER``, Sphinx's environment to ``OUTPUT/_build/.doctrees``. Exit status 0
when the build succeeded without a warning.
"""
from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Build; return the exit status (1 on a warning, an error or an exception)."""
    source, config, toc, output, builder = argv
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(
        Path(source).absolute(), Path(output).absolute() / "_build" / builder,
        use_external_toc=True, noconfig=True, path_config=config,
        confoverrides={"external_toc_path": Path(toc).absolute().as_posix(), "latex_individualpages": False,
                       "nitpicky": True},
        builder=builder, warningiserror=True, keep_going=True, force_all=True)
    if isinstance(result, BaseException):
        print(f"ERROR: {type(result).__name__}: {result}", file=sys.stderr)
        return 1
    return 1 if result else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
