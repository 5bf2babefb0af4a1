"""Jupyter Book's Sphinx build of a book, as ``jupyter-book build`` runs it, writing every page.

Run as ``python -m evalkit.pipeline.sphinx_main SOURCE CONFIG TOC OUTPUT BUILDER``. It is the
book branch of Jupyter Book 1.x's command (``jupyter_book.cli.main.build``) with ``-W -n
--keep-going``, plus Sphinx's ``-a``, which the command does not offer: every page is written
anew even when Sphinx reads only the changed ones from its kept environment
(:func:`evalkit.pipeline.book.cached_site`), so that a page whose sources did not change still
shows the current titles, numbers and links of the others. The site goes to
``OUTPUT/_build/BUILDER``, Sphinx's environment to ``OUTPUT/_build/.doctrees``. Exit status 0
when the build succeeded without a warning.

Run as ``python -m evalkit.pipeline.sphinx_main --wait [MODULES]`` it is started before its
sources exist (:func:`evalkit.pipeline.book.prestart`): it imports Sphinx, Jupyter Book and the
modules named in the JSON file MODULES (what an earlier build of the same site imported) while
the build runs its pages, then reads the five arguments as one JSON line from its standard input
and builds. Importing first changes nothing but when: Sphinx would import the same modules
during the build. End of input before a line: it exits, having built nothing.
"""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

# Imported first in any case: what every build of a Jupyter Book 1.x book loads.
WARM_MODULES = ("jupyter_book.sphinx", "sphinx.application", "sphinx.builders.html", "sphinx.search",
                "myst_nb", "sphinx_book_theme", "pydata_sphinx_theme", "sphinx_external_toc",
                "sphinx_togglebutton", "sphinx_copybutton", "sphinx_design", "sphinx_comments",
                "sphinx_multitoc_numbering", "sphinx_jupyterbook_latex", "sphinx_thebe")
MODULES_FILE = "modules.json"   # in OUTPUT: what the last successful build imported


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
    if result:
        return 1
    # Names only, for the next build's early start; a file it cannot write costs that start only.
    try:
        (Path(output) / MODULES_FILE).write_text(json.dumps(sorted(sys.modules)), encoding="utf-8")
    except OSError:
        pass
    return 0


def warm_then_build(modules_file: str | None, stdin) -> int:
    """Import what the build will import, then build with the arguments read from ``stdin``."""
    names: list = list(WARM_MODULES)
    try:
        listed = json.loads(Path(modules_file).read_text(encoding="utf-8")) if modules_file else []
        names += [name for name in listed if isinstance(name, str) and not name.startswith(("evalkit", "__"))]
    except (OSError, ValueError):
        pass   # no record yet (a cold cache), or an unreadable one: the fixed list alone
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - warming only: a module that fails here fails, or not, when Sphinx imports it
            pass
    line = stdin.readline()
    if not line:
        return 0
    return main(json.loads(line))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--wait"]:
        sys.exit(warm_then_build(sys.argv[2] if len(sys.argv) > 2 else None, sys.stdin))
    sys.exit(main(sys.argv[1:]))
