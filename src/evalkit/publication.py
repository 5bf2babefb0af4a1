"""Publication settings both editions share: the link between editions, the PDF's metadata and
bookmarks. ``evalkit.build.book.write_config`` calls ``apply_publication_settings`` once per
edition; all reader-facing text comes from the catalogue (locales/<lang>/publication.yml).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from evalkit.i18n import LANGUAGES, t

def edition_folder(lang: str) -> str:
    """The site's folder inside _build (must agree with evalkit.build.pipeline.edition)."""
    from evalkit.build.pipeline import edition

    return edition(Path("."), lang).html_link


def first_heading(notebook: Path) -> str | None:
    """The text of the first Markdown heading of a notebook, without inline markup."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        for line in "".join(cell.get("source", [])).splitlines():
            match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
            if match:
                return re.sub(r"[*_`]", "", match.group(1)).strip()
    return None


def root_page_title(root: Path, lang: str) -> str | None:
    """The first heading of the book's root page as executed for ``lang`` (None before a build)."""
    from evalkit.build.pipeline import edition, toc_pages

    if not (root / "_toc.yml").is_file():
        return None
    notebook = edition(root, lang).pages_dir / f"{toc_pages(root)[0]}.ipynb"
    return first_heading(notebook) if notebook.is_file() else None


def latex_escape(text: str) -> str:
    """Text safe inside a LaTeX argument (PDF metadata strings)."""
    replacements = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
                    "$": r"\$", "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}
    return "".join(replacements.get(ch, ch) for ch in text)


def hyperref_setup(lang: str) -> str:
    """hyperref with the PDF's metadata (title, author, subject, language) and numbered
    bookmarks; replaces Sphinx's default ``hyperref`` LaTeX element. Keywords are left to the
    build, which puts the provenance there."""
    fields = {
        "pdftitle": t("book.title", lang),
        "pdfauthor": t("book.author", lang),
        "pdfsubject": t("publication.pdf_subject", lang),
        "pdfcreator": "evalkit",
    }
    metadata = ",\n  ".join(f"{key}={{{latex_escape(value)}}}" for key, value in fields.items())
    return (
        "\\usepackage{hyperref}\n"
        "\\usepackage{hypcap}\n"
        "\\urlstyle{same}\n"
        "\\hypersetup{\n  " + metadata + f",\n  pdflang={{{t('publication.language_tag', lang)}}},\n"
        "  pdfdisplaydoctitle=true,\n  bookmarksnumbered=true,\n  bookmarksopen=true,\n"
        "  bookmarksopenlevel=1\n}\n"
    )


def apply_publication_settings(config: dict[str, Any], root: Path, lang: str) -> dict[str, Any]:
    """Add the edition link, PDF metadata and bookmarks to a Jupyter Book config (in place)."""
    extensions = config.setdefault("sphinx", {}).setdefault("extra_extensions", []) or []
    if "evalkit.sphinxext" not in extensions:
        config["sphinx"]["extra_extensions"] = [*extensions, "evalkit.sphinxext"]
    sphinx = config["sphinx"].setdefault("config", {})
    # book/_templates/layout.html puts the edition link (evalkit-edition.html) atop every page.
    sphinx["templates_path"] = [str(root / "book" / "_templates")]
    sphinx["html_context"] = {
        **sphinx.get("html_context", {}),
        # The theme's colour mode when the reader has chosen none (an empty mode is a console
        # error). Light: evalkit.css and the figures are made for a light page.
        "default_mode": "light",
        "evalkit_editions_label": t("publication.editions_label", lang),
        # Each link is written in its own language: "In English" on the Finnish pages.
        "evalkit_editions": [{"lang": other, "folder": edition_folder(other),
                              "text": t("publication.edition_link", other)}
                             for other in LANGUAGES if other != lang],
    }
    latex = sphinx.setdefault("latex_elements", {})
    latex["hyperref"] = hyperref_setup(lang)
    # Chapter numbers of two digits need more room in the contents than report.cls gives
    # (1.5em); otherwise "13Häme" runs into its title.
    latex["preamble"] = latex.get("preamble", "") + (
        "\n\\usepackage{etoolbox}\\makeatletter\\patchcmd{\\l@chapter}{1.5em}{2.3em}{}{}\\makeatother\n")
    # Bookmarks for the table of contents and for the root page. Sphinx prints the root page
    # (right after the contents) without its heading, so the heading is printed here, unnumbered,
    # as the reader sees it on the site; otherwise the PDF's first chapter would have no title.
    contents = [f"\\pdfbookmark[0]{{{latex_escape(t('publication.contents', lang))}}}{{evalkit-contents}}",
                "\\sphinxtableofcontents"]
    front = root_page_title(root, lang)
    if front and "{" not in front:
        contents.append(f"\\chapter*{{{latex_escape(front)}}}\\phantomsection"
                        f"\\pdfbookmark[0]{{{latex_escape(front)}}}{{evalkit-front}}")
    latex["tableofcontents"] = "\n".join(contents) + "\n"
    return config
