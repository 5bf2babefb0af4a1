"""Where things live in a project checkout."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def project_root() -> Path:
    """The programme folder: $EVALKIT_ROOT, else the nearest parent with programme.yml (or _toc.yml) and params/."""
    env = os.environ.get("EVALKIT_ROOT")
    if env:
        return Path(env).resolve()
    for candidate in [Path.cwd(), *Path.cwd().parents]:
        if ((candidate / "programme.yml").is_file() or (candidate / "_toc.yml").is_file()) \
                and (candidate / "params").is_dir():
            return candidate
    # Installed in development mode: src/evalkit/paths.py -> project root is three levels up.
    here = Path(__file__).resolve().parents[2]
    if (here / "_toc.yml").is_file():
        return here
    return Path.cwd()


def reported_dir(root: Path | None = None) -> Path:
    """The facts transcribed from the ministry's report (``data/reported/``)."""
    return (root or project_root()) / "data" / "reported"


def pilots_file(root: Path | None = None) -> Path:
    """The report's facts about each pilot, read by ``evalkit.reported.load_pilots``."""
    return reported_dir(root) / "pilots.yml"


def facts_file(root: Path | None = None) -> Path:
    """The report's other quantitative facts, read by ``evalkit.reported_facts.load_facts``."""
    return reported_dir(root) / "facts.yml"


def params_dir(root: Path | None = None) -> Path:
    """The folder of the per-pilot params files, ``params/`` of ``root`` (default :func:`project_root`)."""
    return (root or project_root()) / "params"


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks (registers can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def book_sources(root: Path | None = None) -> Path:
    """Where the book is made from (``_config.yml``, ``_toc.yml``, ``book/templates``, ``book/_static``).

    A programme folder that has its own ``book/templates`` uses its own; any other programme
    folder uses evalkit's checkout, so that a programme is only its data.
    """
    root = root or project_root()
    if (root / "book" / "templates").is_dir() and (root / "_config.yml").is_file():
        return root
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "book" / "templates").is_dir():
        return checkout
    raise FileNotFoundError(f"no book templates in {root} nor in evalkit's checkout {checkout}")
