"""Putting computed results on a book page: glued values, Markdown tables and figures.

Notebook cells call the chapter modules, which call these. Everything is emitted as MyST Markdown
(``text/markdown`` outputs, rendered by myst-nb with ``nb_render_markdown_format: myst``) so that
the same output becomes a real table or figure in both the HTML and the PDF.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


class _PlainText(str):
    """A string whose repr is itself, so that ``{glue:text}`` shows it without quotes."""

    def __repr__(self) -> str:
        return str(self)


def glue(name: str, text: str) -> None:
    """Make ``text`` available to the page's Markdown as ``{glue:text}`name` ``."""
    from myst_nb import glue as myst_glue

    myst_glue(name, _PlainText(text), display=False)


def markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


def _cell(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame, caption: str, name: str | None = None,
                   align: list[str] | None = None) -> str:
    """A MyST table (with a caption, and a label for cross-references when ``name`` is given).

    Cells must already be formatted strings; numeric columns are right-aligned by default.
    """
    align = align or ["l" if i == 0 else "r" for i in range(frame.shape[1])]
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = [
        "| " + " | ".join(_cell(c) for c in frame.columns) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    label = f":name: {name}\n" if name else ""
    return f":::{{table}} {caption}\n{label}:align: center\n\n" + "\n".join(lines) + "\n:::\n"


def show_table(frame: pd.DataFrame, caption: str, name: str | None = None,
               align: list[str] | None = None) -> None:
    markdown(markdown_table(frame, caption, name, align))


@dataclass(frozen=True)
class Page:
    """Where the executing notebook lives, so figures can be written next to it."""

    page_dir: Path   # folder of the executed notebook, relative to the project root
    page_name: str   # file stem of the executed notebook

    def figure_path(self, name: str) -> tuple[Path, str]:
        """(file to write, path to use in the page) for figure ``name``."""
        slug = re.sub(r"[^a-z0-9-]+", "-", f"{self.page_name}-{name}".lower()).strip("-")
        relative = f"figures/{slug}.png"
        return self.page_dir / relative, relative


def show_figure(page: Page, figure, name: str, caption: str, alt: str) -> None:
    """Save ``figure`` at print resolution next to the page and show it with caption and alt text."""
    import matplotlib.pyplot as plt

    target, relative = page.figure_path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    # A fixed metadata dict keeps PNG bytes identical between builds of the same inputs.
    figure.savefig(target, dpi=200, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    alt_text = alt.replace("\n", " ").replace('"', "'")
    markdown(f":::{{figure}} {relative}\n:name: fig-{name}\n:alt: {alt_text}\n:width: 100%\n\n{caption}\n:::\n")
