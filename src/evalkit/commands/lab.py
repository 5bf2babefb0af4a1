"""Open a pilot's self-assessment notebook (written by `evalkit pilot`) in JupyterLab.

DIR is the folder `evalkit pilot --out DIR` wrote, or the notebook itself. JupyterLab starts in
that folder with the notebook open; edit its parameters cell (a goal's target, say) and run all
cells again. JupyterLab is an optional part of the environment: install it with
`uv sync --group lab` (or run `make lab DIR=...`, which does).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from evalkit.errors import EvalkitError

NAME = "lab"
HELP = "open a pilot's self-assessment notebook in JupyterLab"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options on its argparse ``parser``."""
    parser.add_argument("dir", metavar="DIR", help="the folder evalkit pilot wrote (or the notebook in it)")
    parser.add_argument("--no-browser", action="store_true", help="start the server without opening a browser")
    parser.add_argument("--port", type=int, help="port for the server (default: JupyterLab's own, 8888)")


def find_notebook(target: Path) -> Path:
    """The self-assessment notebook named by ``target``: the file itself, or the one in the folder.

    Parameters
    ----------
    target : Path
        A ``.ipynb`` file, or the folder ``evalkit pilot --out`` wrote.

    Returns
    -------
    Path
        The notebook, resolved.

    Raises
    ------
    EvalkitError
        When ``target`` is a file that is not a notebook, does not exist, or is a folder holding no
        self-assessment notebook or more than one.
    """
    from evalkit.pipeline.self_assessment import SUFFIX
    from evalkit.shown import shown_path

    named = shown_path(target)
    if target.is_file():
        if target.suffix != ".ipynb":
            raise EvalkitError(f"{named}: not a notebook (.ipynb)")
        return target.resolve()
    if not target.is_dir():
        raise EvalkitError(f"{named}: no such folder; give the folder evalkit pilot --out wrote")
    found = sorted(target.glob(f"*{SUFFIX}"))
    if not found:
        raise EvalkitError(f"{named}: holds no *{SUFFIX}; build it first with "
                           f"evalkit pilot PILOT_ID --data FILE --as-of DATE --out {named}")
    if len(found) > 1:
        raise EvalkitError(f"{named}: holds {len(found)} self-assessment notebooks; name one: "
                           + ", ".join(p.name for p in found))
    return found[0].resolve()


def lab_command(notebook: Path, no_browser: bool = False, port: int | None = None) -> list[str]:
    """The command that serves ``notebook``'s folder and opens ``notebook`` in it.

    Parameters
    ----------
    notebook : Path
        The notebook, resolved.
    no_browser : bool
        Start the server without opening a browser.
    port : int, optional
        The server's port; default JupyterLab's own.

    Returns
    -------
    list of str
        The argv, starting with this Python; ``--allow-root`` is added when run as root.

    Raises
    ------
    EvalkitError
        When JupyterLab is not installed.
    """
    if importlib.util.find_spec("jupyterlab") is None:
        raise EvalkitError("JupyterLab is not installed in this environment: run `uv sync --group lab` "
                           "(or `make lab DIR=...`, which installs it)")
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={notebook.parent}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # `make report` is run as root on a fresh machine (README); JupyterLab refuses root unless told.
        command.append("--allow-root")
    if no_browser:
        command.append("--no-browser")
    if port is not None:
        command.append(f"--port={port}")
    return [*command, notebook.name]


def run(args: argparse.Namespace) -> int:
    """Replace this process with JupyterLab serving the notebook's folder (returns only on failure).

    Raises
    ------
    EvalkitError
        As :func:`find_notebook` and :func:`lab_command` do.
    """
    notebook = find_notebook(Path(args.dir))
    command = lab_command(notebook, args.no_browser, args.port)
    from evalkit.shown import shown_path
    print(f"opening {shown_path(notebook)} in JupyterLab (Ctrl+C stops it)", file=sys.stderr, flush=True)
    os.chdir(notebook.parent)
    os.execv(command[0], command)   # JupyterLab takes over this process, its signals and exit code
    return 0
