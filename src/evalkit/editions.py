"""Where each language edition of the national report lives: its executed pages, site and PDF.

The programme's main edition (the first of its ``languages``; Finnish by default) is the report
itself and keeps the short names (``book/``, ``_build/html``, ``report.pdf``); every other edition
adds its language code. Nothing else in evalkit spells these names out.
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
    main: str = DEFAULT_LANGUAGE   # the programme's main edition, which keeps the short names

    @property
    def suffix(self) -> str:
        """What the edition's names add to the main edition's: empty for it, else ``-<lang>``."""
        return "" if self.lang == self.main else f"-{self.lang}"

    @property
    def pages_dir(self) -> Path:
        """The executed page notebooks: the Sphinx source folder."""
        return self.root / "book" if self.lang == self.main else self.root / "book" / self.lang

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
        """The other editions of the programme, which this one links to (:func:`published_languages`)."""
        return [Edition(lang, self.root, self.main) for lang in published_languages(self.root) if lang != self.lang]


def published_languages(root: Path) -> tuple[str, ...]:
    """The languages the programme at ``root`` is published in, in :data:`LANGUAGES`' order.

    Every language where there is no readable programme (a test's folder): each links to all.
    """
    from evalkit.errors import EvalkitError
    from evalkit.programme import programme_at

    try:
        listed = programme_at(root).languages
    except (EvalkitError, OSError):
        return LANGUAGES
    return tuple(lang for lang in LANGUAGES if lang in listed)


def main_language(root: Path) -> str:
    """The first of the programme's ``languages`` at ``root`` (Finnish where there is no programme)."""
    from evalkit.errors import EvalkitError
    from evalkit.programme import programme_at

    try:
        return programme_at(root).languages[0]
    except (EvalkitError, OSError):
        return DEFAULT_LANGUAGE


def edition(root: Path, lang: str) -> Edition:
    """The edition of ``lang`` in project ``root``."""
    return Edition(lang, root, main_language(root))


def published_links() -> tuple[str, ...]:
    """Every symbolic link a build publishes inside ``_build`` (sites, PDFs, exports, failure preview)."""
    sites = {"html", *(f"html-{lang}" for lang in LANGUAGES)}   # whichever language is the main one
    return (*sorted(sites), PDF_FOLDER, DATA_FOLDER, FAILED_FOLDER)
