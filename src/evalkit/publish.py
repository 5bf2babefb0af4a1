"""Putting computed results on a book page: glued values, Markdown tables and figures.

Notebook cells call the chapter modules, which call these. Everything is emitted as MyST Markdown
(``text/markdown`` outputs, rendered by myst-nb with ``nb_render_markdown_format: myst``) so that
the same output becomes a real table or figure in both the HTML and the PDF.

Text that people wrote (service names, goal texts, anything from params or a register) is shown
as written, never read as markup: :func:`literal` escapes it, and every table cell is escaped
except in the columns a caller names as ``markup`` (a role or link evalkit writes itself).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


_origin = {"synthetic": False}


def start_page(lang: str) -> None:
    """Begin a page: set its language and forget the data origin of any page before it.

    Page kernels are reused from page to page (``evalkit.build.kernel``), so every chapter's
    setup calls this first and no page inherits another's state.
    """
    from evalkit.i18n import set_language

    set_language(lang)
    _origin["synthetic"] = False


def set_data_origin(synthetic: bool) -> None:
    """Say once per page whether its register data are synthetic; captions and figures then say so."""
    _origin["synthetic"] = bool(synthetic)


def synthetic_notice_markdown() -> str:
    """The box every page built from synthetic data shows near its top, as MyST Markdown."""
    from evalkit.i18n import t

    return (f":::{{admonition}} {t('publish.synthetic_title')}\n:class: warning evalkit-synthetic\n\n"
            f"{t('publish.synthetic_notice')}\n:::\n")


def synthetic_notice() -> None:
    markdown(synthetic_notice_markdown())


def _caption(caption: str) -> str:
    from evalkit.i18n import t

    return f"{caption} {t('publish.synthetic_caption')}" if _origin["synthetic"] else caption


class _PlainText(str):
    """A string whose text/plain form gives back exactly this text under ``{glue:text}``.

    myst-nb reads the glued text/plain with ``ast.literal_eval`` (to strip quotes), so a bare
    ``7,800`` came out as the tuple ``(7, 800)`` in the English edition; a quoted Python literal
    always evaluates back to the string itself. Set here, not left to IPython's pretty printer,
    which splits long strings over several lines.
    """

    def __repr__(self) -> str:
        return str.__repr__(self)


def glue(name: str, text: str) -> None:
    """Make ``text`` available to the page's Markdown as ``{glue:text}`name` ``."""
    from myst_nb import glue as myst_glue

    myst_glue(name, _PlainText(text), display=False)


def markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


# CommonMark lets a backslash escape any ASCII punctuation character, and MyST's extensions
# (dollar math, roles, substitutions, colon fences, HTML) all start with one of them.
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")


def literal(text: object) -> str:
    """``text`` as MyST Markdown that shows exactly these characters: no emphasis, math, role,
    link or HTML tag is read in it (each ASCII punctuation character is backslash-escaped) and
    a line break becomes a space, so it stays one paragraph, list item or table cell."""
    text = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    return _ASCII_PUNCTUATION.sub(r"\\\1", _LINE_BREAK.sub(" ", text).strip())


def _markup_cell(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame, caption: str, name: str | None = None,
                   align: list[str] | None = None, widths: list[int] | None = None,
                   markup: tuple[str, ...] = ()) -> str:
    """A MyST table (with a caption, and a label for cross-references when ``name`` is given).

    Cells must already be formatted strings, and are shown literally (escaped), as are the column
    names, except the cells of the columns named in ``markup``, which are MyST as they stand. Numeric columns are right-aligned by default. On a
    page of synthetic data (``set_data_origin``) the caption says so.
    ``widths`` gives relative column widths (MyST ``:widths:``, one per column), so that a column
    of long text gets the room it needs in the PDF; by default LaTeX sizes columns itself.
    """
    if widths is not None and len(widths) != frame.shape[1]:
        raise ValueError(f"widths has {len(widths)} entries for {frame.shape[1]} columns")
    align = align or ["l" if i == 0 else "r" for i in range(frame.shape[1])]
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    cell = [_markup_cell if column in markup else literal for column in frame.columns]
    lines = [
        "| " + " | ".join(literal(c) for c in frame.columns) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines += ["| " + " | ".join(show(v) for show, v in zip(cell, row)) + " |"
              for row in frame.itertuples(index=False)]
    label = f":name: {name}\n" if name else ""
    sizes = f":widths: {' '.join(str(int(w)) for w in widths)}\n" if widths is not None else ""
    return f":::{{table}} {_caption(caption)}\n{label}:align: center\n{sizes}\n" + "\n".join(lines) + "\n:::\n"


def show_table(frame: pd.DataFrame, caption: str, name: str | None = None,
               align: list[str] | None = None, widths: list[int] | None = None) -> None:
    markdown(markdown_table(frame, caption, name, align, widths))


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

    if _origin["synthetic"]:  # the picture itself says so, even when copied out of the report
        from evalkit.i18n import t

        figure.text(0.995, 0.005, t("publish.synthetic_watermark"), ha="right", va="bottom",
                    fontsize=7, color="#8c4a00", alpha=0.9)
        alt = f"{alt} {t('publish.synthetic_caption')}"
    caption = _caption(caption)
    target, relative = page.figure_path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    # A fixed metadata dict keeps PNG bytes identical between builds of the same inputs.
    figure.savefig(target, dpi=200, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    alt_text = alt.replace("\n", " ").replace('"', "'")
    markdown(f":::{{figure}} {relative}\n:name: fig-{name}\n:alt: {alt_text}\n:width: 100%\n\n{caption}\n:::\n")
