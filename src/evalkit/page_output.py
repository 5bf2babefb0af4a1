"""Putting computed results on a page: glued values, Markdown tables and figures.

Notebook cells call the chapter modules, which call these. A page is written in one of two modes,
chosen by :func:`start_page`:

- ``book``: MyST Markdown (``text/markdown`` outputs, rendered by myst-nb with
  ``nb_render_markdown_format: myst``), so that the same output becomes a real table or figure in
  both the HTML and the PDF; glued values reach the prose through ``{glue:text}`` roles.
- ``notebook``: what Jupyter itself renders, for a pilot's own self-assessment notebook: a table is
  a plain Markdown table under its caption, a figure an inline image with its caption, a notice a
  block quote; prose is written out with the glued values in it (:func:`prose`).

The same frames and the same small-cell rule feed both; only the markup differs.

Text that people wrote (service names, goal texts, anything from params or a register) is shown
as written, never read as markup: :func:`literal` escapes it, and every table cell is escaped
except in the columns a caller names as ``markup`` (a role or link evalkit writes itself).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # imported where used: a build with nothing to do needs no pandas
    import pandas as pd


MODES = ("book", "notebook")
_GLUE_ROLE = re.compile(r"\{glue:text\}`([^`]+)`")


def _fresh_page(mode: str = "book") -> dict:
    return {"synthetic": False, "mode": mode, "glued": {}, "tables": 0, "figures": 0}


_state = _fresh_page()


def start_page(lang: str, mode: str = "book") -> None:
    """Begin a page: set its language and output mode, and forget what the page before it set.

    That is the data origin, the glued values and the table and figure numbers. Page kernels are
    reused from page to page (``evalkit.pipeline.page_engine``), so every chapter's setup calls this
    first and no page inherits another's state.

    Parameters
    ----------
    lang : str
        Language of the page (:func:`evalkit.i18n.set_language`).
    mode : {"book", "notebook"}
        Output mode (see the module text).

    Raises
    ------
    ValueError
        When ``mode`` is not one of ``MODES``.
    EvalkitError
        When ``lang`` is not a known language.
    """
    from evalkit.i18n import set_language

    if mode not in MODES:
        raise ValueError(f"unknown output mode {mode!r}; one of {', '.join(MODES)}")
    set_language(lang)
    _state.clear()
    _state.update(_fresh_page(mode))


def output_mode() -> str:
    """The current page's output mode, ``book`` or ``notebook`` (:func:`start_page`)."""
    return _state["mode"]


def set_data_origin(synthetic: bool) -> None:
    """Say once per page whether its register data are synthetic; captions and figures then say so."""
    _state["synthetic"] = bool(synthetic)


def page_data_synthetic() -> bool:
    """Whether the current page's data were last said to be synthetic (``set_data_origin``)."""
    return _state["synthetic"]


def synthetic_notice_markdown() -> str:
    """The box every page built from synthetic data shows near its top, as Markdown.

    A MyST admonition in a book, a block quote in a notebook (Jupyter shows no admonitions).
    """
    from evalkit.i18n import t
    from evalkit.programme import current

    # The default notice says the source report's own figures are real: only with a source report.
    notice = t("publish.synthetic_notice" if current().has_source_report else "publish.programme_synthetic_notice")
    if _state["mode"] == "notebook":
        return f"> **{t('publish.synthetic_title')}**\n>\n> {notice}\n"
    return (f":::{{admonition}} {t('publish.synthetic_title')}\n:class: warning evalkit-synthetic\n\n"
            f"{notice}\n:::\n")


def synthetic_notice() -> None:
    """Show the synthetic-data box (:func:`synthetic_notice_markdown`) in the page."""
    markdown(synthetic_notice_markdown())


def _caption(caption: str) -> str:
    from evalkit.i18n import t

    return f"{caption} {t('publish.synthetic_caption')}" if _state["synthetic"] else caption


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
    """Make ``text`` available to the page's Markdown as ``{glue:text}`name` `` and to :func:`prose`.

    The myst-nb glue output is written in a book only; :func:`prose` sees the text in either mode.

    Parameters
    ----------
    name : str
        Glue key, unique on the page.
    text : str
        The already formatted text (converted with ``str``).
    """
    _state["glued"][name] = str(text)
    if _state["mode"] == "book":   # a notebook has no reader of myst-nb's glue outputs
        from myst_nb import glue as myst_glue

        myst_glue(name, _PlainText(text), display=False)


def glued() -> dict[str, str]:
    """The texts glued on this page so far, by name."""
    return dict(_state["glued"])


def prose(text: str) -> str:
    """Markdown with every ``{glue:text}`name` `` role replaced by the text glued as ``name`` on this page.

    The glued text is inserted literally (:func:`literal`), so the prose of a notebook reads as
    the book's does.

    Parameters
    ----------
    text : str
        MyST Markdown with glue roles.

    Returns
    -------
    str

    Raises
    ------
    EvalkitError
        When a role names a text not glued on this page (yet).
    """
    from evalkit.errors import EvalkitError

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in _state["glued"]:
            raise EvalkitError(f"the text refers to {name!r}, which this page has not glued (yet)")
        return literal(_state["glued"][name])

    return _GLUE_ROLE.sub(replace, text)


def markdown(text: str) -> None:
    """Show Markdown ``text`` as the cell's output (in a notebook, its plain-text form is the text too)."""
    from IPython.display import Markdown, display

    if _state["mode"] == "notebook":
        # Its plain-text form is the Markdown itself, not "<Markdown object>", for any reader
        # that shows no Markdown (a text export, a terminal).
        display({"text/markdown": text, "text/plain": text}, raw=True)
        return
    display(Markdown(text))


# CommonMark lets a backslash escape any ASCII punctuation character, and MyST's extensions
# (dollar math, roles, substitutions, colon fences, HTML) all start with one of them.
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")


def literal(text: object) -> str:
    """``text`` as MyST Markdown that shows exactly these characters.

    No emphasis, math, role, link or HTML tag is read in it (each ASCII punctuation character is
    backslash-escaped) and a line break becomes a space, so it stays one paragraph, list item or
    table cell. A word over 30 characters gets invisible break opportunities every 15 characters.

    Parameters
    ----------
    text : object
        Any value; None and NaN give the empty string, anything else its ``str``.

    Returns
    -------
    str
    """
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    text = _LONG_WORD.sub(_breakable, _LINE_BREAK.sub(" ", text).strip())
    return _ASCII_PUNCTUATION.sub(r"\\\1", text)


# A word longer than this (a pasted URL, a 95-letter compound) gets invisible break
# opportunities, so that it wraps inside its table cell instead of running over the next
# column or off the page; ordinary Finnish words stay whole.
_LONG_WORD = re.compile(r"\S{31,}")
_ZERO_WIDTH_SPACE = "\u200b"


def _breakable(match: re.Match) -> str:
    word = match.group(0)
    return _ZERO_WIDTH_SPACE.join(word[i:i + 15] for i in range(0, len(word), 15))


def _markup_cell(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame, caption: str, name: str | None = None,
                   align: list[str] | None = None, widths: list[int] | None = None,
                   markup: tuple[str, ...] = ()) -> str:
    """A MyST table (with a caption, and a label for cross-references when ``name`` is given).

    Cells must already be formatted strings, and are shown literally (escaped), as are the column
    names, except the cells of the columns named in ``markup``, which are MyST as they stand. On a
    page of synthetic data (``set_data_origin``) the caption says so. In notebook mode the table is
    a plain Markdown table under its numbered caption.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as shown: one row per table row, cells formatted text.
    caption : str
        Caption text (shown literally by MyST's table directive).
    name : str, optional
        Label for cross-references (book mode).
    align : list of {"l", "r", "c"}, optional
        One per column; by default the first column left, the others right.
    widths : list of int, optional
        Relative column widths (MyST ``:widths:``, one per column), so that a column of long
        text gets the room it needs in the PDF; by default LaTeX sizes columns itself.
    markup : tuple of str
        Columns whose cells are MyST written by evalkit (a role or link), not escaped.

    Returns
    -------
    str
        MyST Markdown.

    Raises
    ------
    ValueError
        When ``widths`` does not have one entry per column.
    """
    return rows_table(list(frame.columns), list(frame.itertuples(index=False)), caption, name, align, widths, markup)


def rows_table(columns: list[str], rows: list[tuple], caption: str, name: str | None = None,
               align: list[str] | None = None, widths: list[int] | None = None,
               markup: tuple[str, ...] = ()) -> str:
    """:func:`markdown_table` of ``rows`` (tuples of formatted cells, in the order of ``columns``).

    For the build's own pages, which the main process writes without importing pandas.
    """
    if widths is not None and len(widths) != len(columns):
        raise ValueError(f"widths has {len(widths)} entries for {len(columns)} columns")
    align = align or ["l" if i == 0 else "r" for i in range(len(columns))]
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    cell = [_markup_cell if column in markup else literal for column in columns]
    lines = [
        "| " + " | ".join(literal(c) for c in columns) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines += ["| " + " | ".join(show(v) for show, v in zip(cell, row)) + " |" for row in rows]
    if _state["mode"] == "notebook":
        return f"{_numbered('tables', 'book.numfig_table', caption)}\n\n" + "\n".join(lines) + "\n"
    label = f":name: {name}\n" if name else ""
    sizes = f":widths: {' '.join(str(int(w)) for w in widths)}\n" if widths is not None else ""
    return f":::{{table}} {_caption(caption)}\n{label}:align: center\n{sizes}\n" + "\n".join(lines) + "\n:::\n"


def _numbered(kind: str, label_key: str, caption: str) -> str:
    """A notebook's caption, numbered as the book numbers it (tables and figures through the page, in order).

    So the notebook's "Table 3" is the report's Table 3.
    """
    from evalkit.i18n import t

    _state[kind] += 1
    return f"**{t(label_key) % _state[kind]}.** {_caption(caption)}"


def show_table(frame: pd.DataFrame, caption: str, name: str | None = None,
               align: list[str] | None = None, widths: list[int] | None = None) -> None:
    """Show a table in the page; the arguments are those of :func:`markdown_table` (no markup columns)."""
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
    """Save ``figure`` at print resolution next to the page and show it with caption and alt text.

    On a page of synthetic data the picture gets a watermark and the caption and alt text say so.
    In notebook mode the figure is embedded in the notebook instead of written to a file.

    Parameters
    ----------
    page : Page
        Where the executing notebook lives.
    figure : matplotlib.figure.Figure
        The figure; closed once saved.
    name : str
        Short name, unique on the page: the file name part and the label ``fig-<name>``.
    caption : str
        Caption shown under the figure.
    alt : str
        Alternative text for screen readers (line breaks become spaces).
    """
    import matplotlib.pyplot as plt

    if _state["synthetic"]:  # the picture itself says so, even when copied out of the report
        from evalkit.i18n import t

        figure.text(0.995, 0.005, t("publish.synthetic_watermark"), ha="right", va="bottom",
                    fontsize=7, color="#8c4a00", alpha=0.9)
        alt = f"{alt} {t('publish.synthetic_caption')}"
    if _state["mode"] == "notebook":
        _inline_figure(figure, caption, alt)
        return
    caption = _caption(caption)
    target, relative = page.figure_path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    # A fixed metadata dict keeps PNG bytes identical between builds of the same inputs.
    figure.savefig(target, dpi=200, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    alt_text = alt.replace("\n", " ").replace('"', "'")
    markdown(f":::{{figure}} {relative}\n:name: fig-{name}\n:alt: {alt_text}\n:width: 100%\n\n{caption}\n:::\n")


def _inline_figure(figure, caption: str, alt: str) -> None:
    """A figure inside the notebook itself, at print resolution shown at half size, then its numbered caption.

    No file is written beside it, so the notebook travels alone.
    """
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=200, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    alt = alt.replace("\n", " ")
    data, metadata = Image(data=buffer.getvalue(), format="png", retina=True, alt=alt)._repr_mimebundle_()
    display({**data, "text/plain": alt}, metadata=metadata, raw=True)   # as text: the alt text
    markdown(_numbered("figures", "book.numfig_figure", caption))


def show_input_errors_briefly() -> None:
    """In a notebook, show an evalkit error as the command line does: one line per problem, no traceback.

    Installs an IPython handler for :class:`~evalkit.errors.EvalkitError`; outside IPython it
    does nothing, and on a book page (a reused kernel) the handler shows the usual traceback. The
    cell still fails (and so does a run of the whole notebook); the message never holds an
    identity code, only where one is.
    """
    from evalkit.errors import EvalkitError

    try:
        from IPython import get_ipython
    except ImportError:   # not in IPython: exceptions surface as they are
        return
    shell = get_ipython()
    if shell is None:
        return

    def brief(self, etype, value, tb, tb_offset=None):
        if _state["mode"] != "notebook":   # a reused kernel's next page is a book page again
            lines = self.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
        else:
            lines = [f"{etype.__name__}: {line}" for line in str(value).splitlines()] or [etype.__name__]
        # IPython discards what a custom handler returns when the error comes from running a
        # cell, so the error output (and the cell's failure) is sent from here.
        self._showtraceback(etype, value, lines)
        return lines

    shell.set_custom_exc((EvalkitError,), brief)
