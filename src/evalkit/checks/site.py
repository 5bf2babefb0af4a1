"""Checks of the built HTML as files: what assistive technology and a link checker would see.

Every page of the site (not the theme's static files) is parsed with the standard library's HTML
parser; per page we check the language attribute, heading order in the article, header cells in
every table, descriptive link text, non-empty alt text on every image, local link and image
targets (and their #fragments), and the link to the other edition(s).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from evalkit.checks import Problem

# Link texts that say nothing about where the link goes (WCAG 2.4.4), in every edition's language.
VAGUE_LINK_TEXTS = frozenset({
    "here", "click here", "this", "link", "more", "read more", "this page", "page",
    "tästä", "tässä", "linkki", "lisää", "lue lisää", "klikkaa tästä", "sivu", "tämä",
    "här", "klicka här", "länk", "mer", "läs mer", "den här sidan", "sida", "detta",
})
_SKIPPED_FOLDERS = {"_static", "_sources", "_images", "_downloads"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
EDITION_LINK_CLASS = "evalkit-edition-link"


@dataclass
class Link:
    """One ``<a href>`` of a page, with its text and the attributes the checks read."""

    href: str
    text: str = ""
    label: str = ""      # aria-label, else title
    classes: tuple[str, ...] = ()
    hreflang: str = ""
    lang: str = ""

    @property
    def accessible_name(self) -> str:
        """What a screen reader announces: the aria-label (else title), else the text; whitespace collapsed."""
        return " ".join((self.label or self.text).split())


@dataclass
class ParsedPage:
    """What the checks need of one built HTML page (see :func:`parse_page`)."""

    path: Path
    lang: str | None = None
    headings: list[tuple[int, str]] = field(default_factory=list)   # inside the article only
    tables: list[bool] = field(default_factory=list)                 # has at least one <th>
    links: list[Link] = field(default_factory=list)
    images: list[tuple[str, str | None]] = field(default_factory=list)  # (src, alt)
    resources: list[str] = field(default_factory=list)               # <link href>, <script src>
    ids: set[str] = field(default_factory=set)
    redirect: str | None = None   # the target of a <meta http-equiv="refresh"> page
    title: str | None = None      # the <title> text (None when there is no <title>)


class _Parser(HTMLParser):
    def __init__(self, page: ParsedPage):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.article_depth = 0
        self.heading: list | None = None
        self.open_links: list[Link] = []
        self.table_stack: list[bool] = []
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            self.page.ids.add(a["id"])
        if "name" in a and tag == "a":
            self.page.ids.add(a["name"])
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            match = re.search(r"url=(.*)$", a.get("content", ""), re.IGNORECASE)
            self.page.redirect = match.group(1).strip(" '\"") if match else ""
        elif tag == "html":
            self.page.lang = a.get("lang")
        elif tag == "title":
            self.in_title = True
            self.page.title = self.page.title or ""
        elif tag == "article":
            if self.article_depth or "bd-article" in a.get("class", "").split():
                self.article_depth += 1
        elif re.fullmatch(r"h[1-6]", tag) and self.article_depth:
            self.heading = [int(tag[1]), ""]
        elif tag == "table":
            self.table_stack.append(False)
        elif tag == "th" and self.table_stack:
            self.table_stack[-1] = True
        elif tag == "a" and "href" in a:
            link = Link(a["href"], label=a.get("aria-label") or a.get("title", ""),
                        classes=tuple(a.get("class", "").split()), hreflang=a.get("hreflang", ""),
                        lang=a.get("lang", ""))
            self.page.links.append(link)
            self.open_links.append(link)
        elif tag == "img":
            self.page.images.append((a.get("src", ""), attrs_alt(attrs)))
            for link in self.open_links:
                link.text += " " + (a.get("alt") or "")
        elif tag == "link" and a.get("href"):
            self.page.resources.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.page.resources.append(a["src"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag == "article" and self.article_depth:
            self.article_depth -= 1
        elif re.fullmatch(r"h[1-6]", tag) and self.heading is not None:
            self.page.headings.append((self.heading[0], " ".join(self.heading[1].split())))
            self.heading = None
        elif tag == "table" and self.table_stack:
            self.page.tables.append(self.table_stack.pop())
        elif tag == "a" and self.open_links:
            self.open_links.pop()

    def handle_data(self, data):
        if self.in_title:
            self.page.title += data
        if self.heading is not None:
            self.heading[1] += data
        for link in self.open_links:
            link.text += data


def attrs_alt(attrs) -> str | None:
    """The alt attribute as written (None when absent, '' when empty)."""
    for key, value in attrs:
        if key == "alt":
            return value or ""
    return None


def parse_page(path: Path) -> ParsedPage:
    """Parse the UTF-8 HTML page at ``path`` with the standard library's parser."""
    page = ParsedPage(path)
    parser = _Parser(page)
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return page


def site_pages(html_dir: Path) -> list[Path]:
    """Every reader-facing page of a built site."""
    return sorted(p for p in html_dir.rglob("*.html")
                  if not _SKIPPED_FOLDERS & set(p.relative_to(html_dir).parts[:-1]))


def _is_remote(href: str) -> bool:
    return bool(urlsplit(href).scheme) and urlsplit(href).scheme not in ("file",)


def resolve_local(page: Path, href: str) -> tuple[Path, str] | None:
    """(target file, fragment) of a local href on ``page``; None for remote or page-internal-only."""
    if _is_remote(href):
        return None
    parts = urlsplit(href)
    if parts.scheme == "file":
        target = Path(unquote(parts.path))
    elif not parts.path:
        target = page
    else:
        # Resolve lexically, as a browser does with the URL, not through symbolic links.
        target = Path(_normpath(str(page.parent / unquote(parts.path))))
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def _normpath(path: str) -> str:
    import os.path

    return os.path.normpath(path)


_ids_cache: dict[Path, set[str]] = {}


def _ids_of(target: Path) -> set[str]:
    if target not in _ids_cache:
        _ids_cache[target] = parse_page(target).ids
    return _ids_cache[target]


def check_page(page: ParsedPage, lang: str, other_langs: dict[str, Path],
               where: str) -> list[Problem]:
    """Problems of one parsed page. ``other_langs``: {language: its site folder}, for the edition link."""
    if page.redirect is not None and not page.headings:
        findings = list(_forwarding_page(page, lang))
    else:
        findings = []
        if page.lang != lang:
            findings.append((f'<html lang="{page.lang}">, expected "{lang}"', "language"))
        findings += _heading_levels(page)
        findings += _tables_and_images(page)
        findings += _link_texts(page)
        findings += _broken_links(page, other_langs)
        findings += _edition_links(page, other_langs)
    return [Problem(where, message, check) for message, check in findings]


Finding = tuple[str, str]   # (message, check)


def _forwarding_page(page: ParsedPage, lang: str) -> Iterator[Finding]:
    """The root index.html that only forwards: its language, its title, and where it leads."""
    # It must still say in which language and what it is (a screen reader announces both),
    # and lead somewhere real.
    if page.lang != lang:
        yield f'<html lang="{page.lang}">, expected "{lang}" (a forwarding page too)', "language"
    if not (page.title or "").strip():
        yield "the forwarding page has no <title>", "title"
    for href in [page.redirect] + [link.href for link in page.links]:
        resolved = resolve_local(page.path, href)
        if resolved is not None and not resolved[0].exists():
            yield f"redirects to a missing page: {href}", "links"


def _heading_levels(page: ParsedPage) -> Iterator[Finding]:
    """The first heading is h1, no level is skipped, and a content page has a heading."""
    previous = 0
    for level, text in page.headings:
        if previous == 0 and level != 1:
            yield f"the first heading is h{level} ({text!r}), expected h1", "headings"
        elif previous and level > previous + 1:
            yield f"heading h{level} ({text!r}) follows h{previous}: a level is skipped", "headings"
        previous = level
    if not page.headings and page.path.name not in ("search.html", "genindex.html"):
        yield "the page has no heading", "headings"


def _tables_and_images(page: ParsedPage) -> Iterator[Finding]:
    """Every table has header cells and every image alt text."""
    for number, has_header in enumerate(page.tables, start=1):
        if not has_header:
            yield f"table {number} has no header cells (<th>)", "tables"
    for src, alt in page.images:
        if not alt or not alt.strip():
            yield f"image {src} has no alt text", "images"


def _link_texts(page: ParsedPage) -> Iterator[Finding]:
    """Every link has a name that says more than "here" or "more"."""
    for link in page.links:
        name = link.accessible_name
        if not name:
            yield f"link to {link.href} has no text", "link-text"
        elif name.lower().strip(" .:!›»→") in VAGUE_LINK_TEXTS or not re.search(r"\w", name):
            yield f"link to {link.href} says only {name!r}", "link-text"


def _broken_links(page: ParsedPage, other_langs: dict[str, Path]) -> Iterator[Finding]:
    """Every local link, image and resource exists, and so does a link's #fragment."""
    for href in [link.href for link in page.links] + [src for src, _ in page.images] + page.resources:
        resolved = resolve_local(page.path, href)
        if resolved is None:
            continue
        target, fragment = resolved
        if not target.exists():
            if any(_inside(target, folder) and not folder.exists() for folder in other_langs.values()):
                continue  # the other edition is not built here; reported once by check_site
            yield f"broken link or resource: {href}", "links"
        elif fragment and target.suffix == ".html" and fragment not in _ids_of(target):
            yield f"link {href}: no element with id {fragment!r} in {target.name}", "links"


def _edition_links(page: ParsedPage, other_langs: dict[str, Path]) -> Iterator[Finding]:
    """The page links to each other edition, and that link states its language."""
    edition_links = [link for link in page.links if EDITION_LINK_CLASS in link.classes]
    for other in other_langs:
        matching = [link for link in edition_links if link.hreflang == other]
        if not matching:
            yield f"no link to the {other} edition", "edition-link"
        elif not matching[0].lang:
            yield f"the link to the {other} edition does not state its language (lang)", "edition-link"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def check_site(html_dir: Path, lang: str, other_editions: dict[str, Path] | None = None) -> list[Problem]:
    """Every problem of every reader-facing page of the site at ``html_dir`` (:func:`check_page`).

    Parameters
    ----------
    html_dir : Path
        The site: the unresolved ``_build/html`` path (a symbolic link), so that relative links to
        a sibling edition resolve as a browser resolves them.
    lang : str
        The language every page must declare.
    other_editions : dict of str to Path, optional
        {language: its site folder}; every page must link to each, and an edition not built is
        a note, not a failure.

    Returns
    -------
    list of Problem
        A single problem when there is no ``index.html``.
    """
    if not (html_dir / "index.html").exists():
        return [Problem(str(html_dir), "no built site here (run `evalkit build`)", "site")]
    other_editions = other_editions or {}
    problems = []
    for folder in other_editions.values():
        if not folder.exists():
            problems.append(Problem(str(folder), "the other edition is not built, so links to it "
                                    "were not followed", "edition-link", note=True))
    _ids_cache.clear()
    for path in site_pages(html_dir):
        where = str(path.relative_to(html_dir))
        problems += check_page(parse_page(path), lang, other_editions, where)
    return problems
