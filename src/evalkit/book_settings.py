"""Publication settings both editions share: the link between editions and the printed front matter.

The link between editions is ``apply_publication_settings``, called by
``evalkit.pipeline.book.write_config`` once per edition; the printed report's front matter and
metadata is ``front_matter``. All reader-facing text comes from the catalogue
(locales/<lang>/publication.yml).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from evalkit.editions import edition, published_languages
from evalkit.formatting import fmt_date
from evalkit.i18n import t
from evalkit.pipeline.print_html import FrontMatter


def first_heading(page: Path) -> str | None:
    """The text of the first Markdown heading of a notebook (or a Markdown page), without inline markup."""
    if page.suffix == ".md":
        sources = [page.read_text(encoding="utf-8")]
    else:
        cells = json.loads(page.read_text(encoding="utf-8")).get("cells", [])
        sources = ["".join(cell.get("source", [])) for cell in cells if cell.get("cell_type") == "markdown"]
    for source in sources:
        for line in source.splitlines():
            match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
            if match:
                # Markup characters go; a backslash-escaped character is kept as the reader sees it.
                return re.sub(r"\\(.)|[*_`]", lambda m: m.group(1) or "", match.group(1)).strip()
    return None


def front_matter(lang: str, built_at: str, *, title: str | None = None, subtitle: str | None = None,
                 publisher: str | None = None,
                 summary_sections: tuple[str, ...] = (), appendix_part: str = "", keywords: str = "",
                 contents_depth: int = 1) -> FrontMatter:
    """The printed report's cover, summary and contents texts, from the catalogue.

    Parameters
    ----------
    lang : str
        Language of the edition.
    built_at : str
        The build's UTC time (ISO 8601); its date is shown on the cover as the language writes
        dates, and the whole is the PDF's creation time.
    title, subtitle, publisher : str, optional
        Override the programme's title and publisher (``programme.yml``) and the catalogue's
        subject (:meth:`Programme.publication_text`; a pilot's own report sets them); the subtitle's whitespace is
        collapsed.
    summary_sections, appendix_part, keywords, contents_depth
        Passed to :class:`~evalkit.pipeline.print_html.FrontMatter` unchanged.

    Returns
    -------
    FrontMatter
    """
    from evalkit.programme import current

    programme = current()
    moment = dt.datetime.strptime(built_at[:10], "%Y-%m-%d")
    return FrontMatter(
        lang=t("publication.language_tag", lang),
        title=title or programme.title(lang),
        subtitle=" ".join((subtitle or t(programme.publication_text("pdf_subject"), lang)).split()),
        publisher=publisher or programme.publisher(lang),
        date=t("publication.cover_date", lang, date=fmt_date(moment, lang)),
        edition=t("publication.edition", lang),
        author=programme.author(lang),
        summary_heading=t("publication.summary", lang),
        contents_heading=t("publication.contents", lang),
        summary_sections=summary_sections,
        appendix_part=appendix_part,
        keywords=keywords,
        created=built_at,
        synthetic_label=t("publish.synthetic_title", lang),
        contents_depth=contents_depth,
    )


def apply_publication_settings(config: dict[str, Any], root: Path, lang: str) -> dict[str, Any]:
    """Add the edition link to a Jupyter Book config (in place).

    Also registers :mod:`evalkit.sphinxext`, points Sphinx at ``book/_templates`` and sets the
    theme's default colour mode to light.

    Parameters
    ----------
    config : dict
        A parsed Jupyter Book ``_config.yml``; changed in place.
    root : Path
        The project root (holding ``book/_templates``).
    lang : str
        Language of the edition being configured; every other language gets a link.

    Returns
    -------
    dict
        ``config`` itself.
    """
    extensions = config.setdefault("sphinx", {}).setdefault("extra_extensions", []) or []
    if "evalkit.sphinxext" not in extensions:
        config["sphinx"]["extra_extensions"] = [*extensions, "evalkit.sphinxext"]
    sphinx = config["sphinx"].setdefault("config", {})
    # book/_templates/layout.html puts the edition link (evalkit-edition.html) atop every page.
    from evalkit.paths import book_sources
    sphinx["templates_path"] = [str(book_sources(root) / "book" / "_templates")]
    sphinx["html_context"] = {
        **sphinx.get("html_context", {}),
        # The theme's colour mode when the reader has chosen none (an empty mode is a console
        # error). Light: evalkit.css and the figures are made for a light page.
        "default_mode": "light",
        "evalkit_editions_label": t("publication.editions_label", lang),
        # The theme's search and colour-mode buttons (book/_templates) in the page's language.
        "evalkit_theme": {key: t(f"publication.theme.{key}", lang)
                          for key in ("search", "colour_mode", "main_nav", "toggle_primary", "toggle_secondary",
                                       "previous", "next", "previous_page", "next_page")},
        # Each link is written in its own language: "In English" on the Finnish pages.
        "evalkit_editions": [{"lang": other, "folder": edition(root, other).html_link,
                              "text": t("publication.edition_link", other)}
                             for other in published_languages(root) if other != lang],
    }
    return config
