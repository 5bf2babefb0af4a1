"""What a built edition must contain, read from the project rather than typed into the checks.

That is where the edition's site and PDF are, the chapter titles (first heading of each executed
page notebook) and every pilot's project name (data/reported/pilots.yml).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.book_settings import first_heading
from evalkit.editions import edition
from evalkit.pipeline.orchestrate import toc_pages
from evalkit.programme import programme_at

if TYPE_CHECKING:
    from evalkit.checks.pdf_ua import Expected


def chapter_titles(root: Path, lang: str) -> dict[str, str]:
    """{toc page ('pilots/lappi'): its title} for every page of the table of contents.

    A title that still holds a role (e.g. a glued number) cannot be compared as text and is left out.
    """
    pages_dir = edition(root, lang).pages_dir
    titles = {}
    for page in toc_pages(root):
        source = next((pages_dir / f"{page}{suffix}" for suffix in (".ipynb", ".md")
                       if (pages_dir / f"{page}{suffix}").is_file()), None)
        if source is None:
            continue
        title = first_heading(source)
        if title and "{" not in title:
            titles[page] = title
    return titles


def project_names(root: Path, lang: str | None = None) -> dict[str, str]:
    """{pilot_id: project name} as the programme gives them in ``lang`` (its name when it has none)."""
    programme = programme_at(root)
    lang = lang or programme.languages[0]
    return {p.pilot_id: p.project_in(lang) or p.name_in(lang) for p in programme.pilots}


def site_headings(html_dir: Path, pages: list[str]) -> tuple[tuple[tuple[int, str], ...], int]:
    """Every heading of the built site's pages and how many images they show.

    Read from the article of each page, in the order of ``pages``; a page not built is skipped.

    Parameters
    ----------
    html_dir : Path
        The built site.
    pages : list of str
        Page names relative to the site, without ``.html`` (e.g. ``pilots/lappi``).

    Returns
    -------
    headings : tuple of (int, str)
        (level, text) of every heading, in order.
    images : int
        Number of ``img`` elements in the articles.
    """
    from lxml import html

    from evalkit.pipeline.print_html import HEADINGS, text_of

    headings: list[tuple[int, str]] = []
    images = 0
    for page in pages:
        path = html_dir / f"{page}.html"
        if not path.is_file():
            continue
        article = html.parse(str(path), parser=html.HTMLParser(encoding="utf-8")).getroot().xpath(
            '//article[contains(@class, "bd-article")]')
        if not article:
            continue
        headings += [(int(h.tag[1]), text_of(h)) for h in article[0].iter(*HEADINGS)]
        images += len(article[0].xpath(".//img"))
    return tuple(headings), images


def expected_pdf(root: Path, lang: str) -> Expected:
    """What the national report's PDF of ``lang`` must hold.

    Its title, the chapter titles, the front matter headings, every pilot's project name, and,
    when the edition's site is built, the site's headings and image count.

    Parameters
    ----------
    root : Path
        The project root.
    lang : str
        The edition's language.

    Returns
    -------
    Expected
    """
    from evalkit.checks.pdf import Expected
    from evalkit.i18n import t
    from evalkit.pipeline.print_html import FRONT_PAGES

    ed = edition(root, lang)
    headings, images = site_headings(ed.html_dir, toc_pages(root))
    titles = chapter_titles(root, lang)
    # Pages printed before the summary (the description sheets): their title is front matter, not
    # a chapter, in the bookmarks and among the headings.
    front_titles = tuple(titles[page] for page in FRONT_PAGES if page in titles)
    for title in front_titles:
        if (1, title) in headings:
            at = headings.index((1, title))
            headings = headings[:at] + headings[at + 1:]
    return Expected(
        lang=lang, title=programme_at(root).title(lang),
        chapters=tuple(title for page, title in titles.items() if page not in FRONT_PAGES),
        front=(*front_titles, t("publication.summary", lang), t("publication.contents", lang)),
        headings=headings if headings else None, images=images if headings else None,
        required_texts={f"the project name of pilot {pilot_id}": name
                        for pilot_id, name in project_names(root).items()})


def expected_pilot_pdf(report_dir: Path, lang: str, title: str) -> Expected:
    """What a pilot's own report (``evalkit pilot``) must hold: its PDF beside its index.html."""
    from evalkit.checks.pdf import Expected
    from evalkit.i18n import t

    headings, images = site_headings(report_dir, ["index"])
    chapter = tuple(text for level, text in headings[:1] if level == 1)
    return Expected(lang=lang, title=title, chapters=chapter,
                    front=(t("publication.summary", lang), t("publication.contents", lang)),
                    headings=headings, images=images)
