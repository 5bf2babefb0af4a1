"""What a built edition must contain, read from the project rather than typed into the checks:
where the edition's site and PDF are, the chapter titles (first heading of each executed page
notebook) and every pilot's project name (data/reported/pilots.yml)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evalkit.build.pipeline import edition, toc_pages
from evalkit.i18n import LANGUAGES
from evalkit.publication import first_heading
from evalkit.reported import load_pilots


@dataclass(frozen=True)
class BuiltEdition:
    lang: str
    html_dir: Path          # _build/html or _build/html-<lang>
    pdf: Path               # _build/pdf/report.pdf or report-<lang>.pdf
    pages_dir: Path         # the executed notebooks
    html_link: str          # folder name of the site inside _build

    def other_editions(self, root: Path) -> list["BuiltEdition"]:
        return [built_edition(root, lang) for lang in LANGUAGES if lang != self.lang]


def built_edition(root: Path, lang: str) -> BuiltEdition:
    ed = edition(root, lang)
    build = root / "_build"
    return BuiltEdition(lang, build / ed.html_link, build / "pdf" / ed.pdf_name, ed.pages_dir, ed.html_link)


def chapter_titles(root: Path, lang: str) -> dict[str, str]:
    """{toc page ('pilots/lappi'): its title} for every page of the table of contents.

    A title that still holds a role (e.g. a glued number) cannot be compared as text and is left out.
    """
    pages_dir = built_edition(root, lang).pages_dir
    titles = {}
    for page in toc_pages(root):
        notebook = pages_dir / f"{page}.ipynb"
        if not notebook.is_file():
            continue
        title = first_heading(notebook)
        if title and "{" not in title:
            titles[page] = title
    return titles


def project_names(root: Path) -> dict[str, str]:
    """{pilot_id: project name} from the reported facts."""
    facts = load_pilots(root / "data" / "reported" / "pilots.yml")
    return {p.pilot_id: p.project_name for p in facts.pilots}
