"""Notebook templates: Markdown cells hold ``{{ key }}`` placeholders filled per language.

``{{ ctx.name }}`` takes a value from the page's context (pilot facts and the like);
any other ``{{ key }}`` is a catalogue key. Code cells are left as they are.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat

from evalkit.errors import BuildError
from evalkit.i18n import has, t

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")


def fill(text: str, context: dict[str, Any], lang: str, source: str = "template") -> str:
    def replace(match: re.Match) -> str:
        key = match.group(1)
        if key.startswith("ctx."):
            name = key[4:]
            if name not in context:
                raise BuildError(f"{source}: no value for placeholder {{{{ {key} }}}}")
            return str(context[name])
        if not has(key, lang):
            raise BuildError(f"{source}: catalogue {lang!r} has no message {key!r}")
        # A catalogue text may itself hold ctx placeholders (a heading naming the pilot, say).
        return fill(t(key, lang), context, lang, source)

    return PLACEHOLDER.sub(replace, text)


def render(template: Path, context: dict[str, Any], lang: str) -> nbformat.NotebookNode:
    notebook = nbformat.read(template, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = fill(cell.source, context, lang, source=template.name)
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    return notebook
