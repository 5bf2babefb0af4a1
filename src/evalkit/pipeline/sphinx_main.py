"""Jupyter Book's Sphinx build of a book, as ``jupyter-book build`` runs it.

Run as ``python -m evalkit.pipeline.sphinx_main SOURCE CONFIG TOC OUTPUT BUILDER [--lenient]``:
the book branch of Jupyter Book 1.x's command (``jupyter_book.cli.main.build``) with ``-W -n
--keep-going`` (without ``-W`` when ``--lenient``). From a kept environment and site
(:func:`evalkit.pipeline.book.cached_site`) Sphinx reads and writes only the pages that changed,
and every page when what pages show of each other changed (:mod:`evalkit.sphinx_shared`, which
``cached_site`` adds to the config), so that a page whose sources did not change still shows the
current titles, numbers and links of the others. The site goes to ``OUTPUT/_build/BUILDER``,
Sphinx's environment to ``OUTPUT/_build/.doctrees``. Exit status 0 when the build succeeded
without a warning (with ``--lenient``, when it succeeded).

Run as ``python -m evalkit.pipeline.sphinx_main --wait`` it is started before its sources exist
(:func:`evalkit.pipeline.book.prestart`): it imports the modules of :data:`WARM_MODULES` while
the build runs its pages, prints :data:`READY` on a line of its own, then reads the
arguments as one JSON line from its standard input and builds. Those are modules every build of
our books imports anyway (Sphinx's builders and domains, Jupyter Book's extensions and themes, the
lexer of the notebooks' code), so importing them first changes when, not what. End of input
before a line: it exits, having built nothing.
"""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

# What a build of our books imports in any case, by Sphinx's registry, Jupyter Book's extensions
# and themes, and the notebooks' rendering: about two thirds of the process's start. A module
# missing here is imported when Sphinx asks for it; one that fails here fails, or not, then.
WARM_MODULES = (
    "jupyter_book.sphinx", "sphinx.application", "sphinx.search", "sphinx.builders.html",
    "sphinx.builders.singlehtml", "sphinx.builders.latex", "sphinx.builders.epub3", "sphinx.builders.texinfo",
    "sphinx.builders.manpage", "sphinx.builders.text", "sphinx.builders.xml", "sphinx.builders.linkcheck",
    "sphinx.builders.gettext", "sphinx.builders.changes", "sphinx.builders.dummy",
    "sphinx.domains.python", "sphinx.domains.cpp", "sphinx.domains.c", "sphinx.domains.javascript",
    "sphinx.domains.rst", "sphinx.domains.math", "sphinx.directives.code", "sphinx.directives.other",
    "sphinx.directives.patches", "sphinx.ext.mathjax", "sphinx.ext.intersphinx", "sphinx.ext.doctest",
    "myst_nb", "myst_nb.sphinx_ext", "myst_parser.sphinx_ext.main", "sphinx_book_theme", "pydata_sphinx_theme",
    "sphinx_external_toc", "sphinx_togglebutton", "sphinx_copybutton", "sphinx_design", "sphinx_comments",
    "sphinx_multitoc_numbering", "sphinx_jupyterbook_latex", "sphinx_thebe", "IPython.lib.lexers",
    "jupyter_cache", "nbclient", "linkify_it", "mdit_py_plugins",
)
READY = "evalkit-sphinx-ready"
LENIENT = "--lenient"   # a sixth argument: warnings stay warnings (the failure preview)


def main(argv: list[str]) -> int:
    """Build; return the exit status (1 on a warning, an error or an exception)."""
    source, config, toc, output, builder, *options = argv
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(
        Path(source).absolute(), Path(output).absolute() / "_build" / builder,
        use_external_toc=True, noconfig=True, path_config=config,
        confoverrides={"external_toc_path": Path(toc).absolute().as_posix(), "latex_individualpages": False,
                       "nitpicky": True},
        builder=builder, warningiserror=LENIENT not in options, keep_going=True, force_all=False)
    if isinstance(result, BaseException):
        print(f"ERROR: {type(result).__name__}: {result}", file=sys.stderr)
        return 1
    return 1 if result else 0


def warm_then_build(stdin, stdout) -> int:
    """Import :data:`WARM_MODULES`, say :data:`READY`, then build with the arguments read from ``stdin``."""
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - warming only: Sphinx imports it again when it needs it
            continue
    print(READY, file=stdout, flush=True)
    line = stdin.readline()
    if not line:
        return 0
    return main(json.loads(line))


if __name__ == "__main__":
    sys.exit(warm_then_build(sys.stdin, sys.stdout) if sys.argv[1:] == ["--wait"] else main(sys.argv[1:]))
