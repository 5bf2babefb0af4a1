"""The synthetic-data manifest that ``evalkit synth`` writes next to its files.

``is_synthetic(path)`` decides whether pages built from ``path`` must carry the synthetic-data
notice. It errs towards the notice: a file is synthetic when the manifest in its folder names it,
even if the file was edited afterwards (an edited synthetic register is still invented data).
A real register is never next to such a manifest unless someone copied it over the demo file;
then the notice is wrong but visible, whereas the opposite mistake would present invented
numbers as real ones.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

MANIFEST_NAME = "SYNTHETIC.json"


def read_manifest(folder: Path) -> dict | None:
    """The manifest in ``folder`` as a dict, or None when there is none or it is not a JSON object."""
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        return None
    try:
        content = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return content if isinstance(content, dict) else None


def is_synthetic(path: str | Path) -> bool:
    """True when ``path`` was made by ``evalkit synth`` (its folder's manifest names it)."""
    path = Path(path)
    # Beside the name the params give (a linked folder is read through the project's name, so the
    # build records the manifest as a dependency), and beside the file a link leads to.
    for folder in dict.fromkeys((Path(os.path.abspath(path)).parent, path.resolve().parent)):
        manifest = read_manifest(folder)
        if manifest and manifest.get("synthetic") is True and path.name in (manifest.get("files") or {}):
            return True
    return False
