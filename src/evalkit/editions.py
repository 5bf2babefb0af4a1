"""Where each language edition of the national report lives: its executed pages, site and PDF.

The Finnish edition is the report itself and keeps the short names (``book/``, ``_build/html``,
``report.pdf``); every other edition adds its language code. Nothing else in evalkit spells these
names out.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evalkit.i18n import DEFAULT_LANGUAGE, LANGUAGES

PDF_FOLDER = "pdf"        # _build/pdf holds every edition's PDF
DATA_FOLDER = "data"      # _build/data: the exported indicator tables (one set for all editions)
FAILED_FOLDER = "html-failed"   # a failed build's preview site


@dataclass(frozen=True)
class Edition:
    """One edition of the national report in project ``root``.

    Attributes
    ----------
    lang : str
        Language code, one of :data:`evalkit.i18n.LANGUAGES`.
    root : Path
        The project folder (the one holding ``_config.yml``).
    """

    lang: str
    root: Path

    @property
    def suffix(self) -> str:
        """What the edition's names add to the Finnish ones: empty for ``fi``, else ``-<lang>``."""
        return "" if self.lang == DEFAULT_LANGUAGE else f"-{self.lang}"

    @property
    def pages_dir(self) -> Path:
        """The executed page notebooks: the Sphinx source folder."""
        return self.root / "book" if self.lang == DEFAULT_LANGUAGE else self.root / "book" / self.lang

    @property
    def html_link(self) -> str:
        """Name of the published site's folder (a symbolic link) inside ``_build``."""
        return f"html{self.suffix}"

    @property
    def pdf_name(self) -> str:
        """File name of the edition's PDF inside ``_build/pdf``."""
        return f"report{self.suffix}.pdf"

    @property
    def html_dir(self) -> Path:
        """The published site: ``_build/<html_link>``."""
        return self.root / "_build" / self.html_link

    @property
    def pdf(self) -> Path:
        """The published PDF: ``_build/pdf/<pdf_name>``."""
        return self.root / "_build" / PDF_FOLDER / self.pdf_name

    def others(self) -> list[Edition]:
        """The other languages' editions, which this one links to."""
        return [Edition(lang, self.root) for lang in LANGUAGES if lang != self.lang]


def edition(root: Path, lang: str) -> Edition:
    """The edition of ``lang`` in project ``root``."""
    return Edition(lang, root)


def published_links() -> tuple[str, ...]:
    """Every symbolic link a build publishes inside ``_build`` (sites, PDFs, exports, failure preview)."""
    return (*(Edition(lang, Path(".")).html_link for lang in LANGUAGES), PDF_FOLDER, DATA_FOLDER, FAILED_FOLDER)
