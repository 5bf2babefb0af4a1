"""The printed report's HTML: Jupyter Book's single-page HTML, cut down to the article and laid out as a report.

The input is what Jupyter Book's ``singlehtml`` builder writes.

WeasyPrint stalls on the theme's nested flex layout, so only the article's content is kept. The
single page nests every chapter inside the root page's section; here each chapter becomes a section
of its own with an ``h1`` (the levels a reader sees on the site), numbered, and the root page's own
sections stay sections of its chapter. Front matter is added before the chapters: a cover, a
summary page (sections of the root page, moved) and a table of contents whose page numbers
WeasyPrint fills in (``target-counter``). All text comes from the pages or the catalogue.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree, html

from evalkit.description_sheet import PAGE_COUNT_CLASS
from evalkit.pipeline.print_tables import lay_out_table, text_of

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Pages printed right after the cover, before the summary, as the ministry's publications place
# their description sheets; unnumbered and left out of the contents.
FRONT_PAGES = ("national/description",)


@dataclass(frozen=True)
class FrontMatter:
    """What the cover, the summary page and the contents say (all from the catalogue)."""

    lang: str                   # BCP 47 tag for <html lang>, e.g. fi-FI
    title: str
    subtitle: str               # the PDF's subject, under the title on the cover
    publisher: str
    date: str                   # the build date as the language writes it
    edition: str                # e.g. "Suomenkielinen laitos"
    author: str
    summary_heading: str        # "Tiivistelmä"
    contents_heading: str       # "Sisällys"
    summary_sections: tuple[str, ...] = ()   # headings of the root page's sections on the summary page
    appendix_part: str = ""     # caption of the table of contents part whose chapters are A, B, …
    keywords: str = ""          # provenance, into the PDF's Keywords
    created: str = ""           # the build's time (ISO 8601), the PDF's CreationDate
    synthetic_label: str = ""   # shown on the cover when any page carries the synthetic-data notice
    contents_depth: int = 1     # 1: chapters; 2: chapters and their sections


@dataclass(frozen=True)
class Chapter:
    """One chapter of the printed report as the table of contents lists it."""

    label: str        # "1", "2", … or "A", "B" in the appendix
    title: str
    anchor: str       # id of the chapter's section
    part: str         # caption of the contents part ("" when the book has no parts)
    sections: tuple[tuple[str, str], ...]   # (title, anchor) of its h2 sections


@dataclass(frozen=True)
class PrintDocument:
    """The print HTML for WeasyPrint, its chapters, and what each internal link leads to."""

    html: str
    chapters: tuple[Chapter, ...]
    link_descriptions: dict[str, str]   # {target id: what a link to it leads to}


def _has_class(element, name: str) -> bool:
    return name in (element.get("class") or "").split()


def _part_captions(page) -> list[str]:
    """The table of contents' part captions, in order, from the theme's sidebar."""
    return [text_of(node) for node in page.xpath(
        '//nav//p[contains(concat(" ", @class, " "), " caption ")]//span[@class="caption-text"]')]


def _shift_headings(section, by: int) -> None:
    if by == 0:
        return
    for heading in section.iter(*HEADINGS):
        level = int(heading.tag[1]) - by
        heading.tag = f"h{max(1, min(6, level))}"


def _clean(article) -> None:
    """Remove what belongs to the screen: '#' links, scripts, links to the site's own files."""
    for node in article.xpath('.//a[contains(concat(" ", @class, " "), " headerlink ")] | .//script'
                              ' | .//button | .//*[contains(concat(" ", @class, " "), " evalkit-editions ")]'):
        node.drop_tree()
    for link in article.iter("a"):
        href = link.get("href") or ""
        if href.startswith("#") or href.startswith(("http://", "https://", "mailto:")):
            continue
        # The picture's own file, a download or another page of the site: not in the PDF.
        if _has_class(link, "image-reference"):
            link.drop_tag()
        else:
            link.tag = "span"
            for name in ("href", "title"):
                link.attrib.pop(name, None)
    for table in list(article.iter("table")):
        lay_out_table(table)
    # The theme's wrapper makes tables scroll on a screen; on paper it only gets in the way.
    for wrapper in article.xpath('.//div[contains(concat(" ", @class, " "), " pst-scrollable-table-container ")]'):
        wrapper.drop_tag()


def _chapters(article, parts: list[str]) -> list[tuple[str, str, object]]:
    """(document name, part caption, section) of every page, the root page first, un-nested."""
    root_section = next(child for child in article if child.tag == "section")
    found = [("", "", root_section)]
    wrappers = root_section.xpath('.//div[contains(concat(" ", @class, " "), " toctree-wrapper ")]')
    for index, wrapper in enumerate(wrappers):
        part = parts[index] if index < len(parts) and len(parts) == len(wrappers) else ""
        for marker in wrapper.xpath('./span[starts-with(@id, "document-")]'):
            section = marker.getnext()
            if section is not None and section.tag == "section":
                found.append((marker.get("id"), part, section))
    for _, _, section in found[1:]:
        section.getparent().remove(section)
    for wrapper in wrappers:
        wrapper.getparent().remove(wrapper)
    return found


def _labels(parts: list[str], appendix_part: str) -> list[str]:
    """Chapter numbers 1, 2, …, the appendix's chapters A, B, …; none when there is one chapter."""
    if len(parts) == 1:
        return [""]
    labels, number, letter = [], 0, 0
    for part in parts:
        if appendix_part and part == appendix_part:
            labels.append(chr(ord("A") + letter))
            letter += 1
        else:
            number += 1
            labels.append(str(number))
    return labels


def _make_chapter(section, part: str, label: str, appendix: bool) -> Chapter:
    """Make ``section`` a chapter: its heading an h1 with the chapter's label, levels below it."""
    heading = next(section.iter(*HEADINGS))
    _shift_headings(section, int(heading.tag[1]) - 1)
    title = text_of(heading)
    if label:
        number = etree.Element("span", {"class": "chapter-number"})
        number.text = label
        number.tail = " " + (heading.text or "")
        heading.text = None
        heading.insert(0, number)
    heading.set("class", ((heading.get("class") or "") + " chapter-title").strip())
    classes = [c for c in (section.get("class") or "").split() if "jax" not in c]
    section.set("class", " ".join(classes + ["chapter"] + (["appendix"] if appendix else [])))
    subsections = tuple((text_of(h), h.getparent().get("id") or "") for h in section.xpath("./section/h2"))
    return Chapter(label, title, section.get("id"), part, subsections)


def build_print_html(singlehtml: Path, front: FrontMatter) -> PrintDocument:
    """The print document for WeasyPrint from the single-page HTML file ``singlehtml``.

    Parameters
    ----------
    singlehtml : Path
        Jupyter Book's ``singlehtml`` page of the whole book.
    front : FrontMatter
        Texts of the cover, summary page and contents, and the document metadata.

    Returns
    -------
    PrintDocument

    Raises
    ------
    ValueError
        When the page has no ``<article class="bd-article">`` (not a page of the book's theme).
    """
    page = html.parse(str(singlehtml), parser=html.HTMLParser(encoding="utf-8")).getroot()
    parts = _part_captions(page)
    article = page.xpath('//article[contains(concat(" ", @class, " "), " bd-article ")]')
    if not article:
        raise ValueError(f"{singlehtml} has no <article class='bd-article'>")
    article = article[0]
    _clean(article)
    synthetic = bool(article.xpath('.//*[contains(concat(" ", @class, " "), " evalkit-synthetic ")]'))
    pages = _chapters(article, parts)

    # Links to a page (#document-pilots/lappi) point at its chapter's section.
    targets = {document: section.get("id") for document, _, section in pages if document}
    for link in (a for _, _, section in pages for a in section.iter("a")):
        href = link.get("href") or ""
        if href[1:] in targets:
            link.set("href", "#" + targets[href[1:]])

    _unique_ids([section for _, _, section in pages])
    body = etree.Element("body")
    summary = _summary_sections(pages[0][2], front.summary_sections)
    front_pages = [_front_page(section) for document, _, section in pages
                   if document.removeprefix("document-") in FRONT_PAGES]
    pages = [page for page in pages if page[0].removeprefix("document-") not in FRONT_PAGES]
    pages = [(part, section) for _, part, section in pages
             if next(section.iter(*HEADINGS), None) is not None]
    chapters = [_make_chapter(section, part, label, front.appendix_part and part == front.appendix_part)
                for (part, section), label in zip(pages, _labels([part for part, _ in pages],
                                                                 front.appendix_part))]

    body.append(_cover(front, synthetic))
    for section in front_pages:
        body.append(section)
    if summary:
        body.append(_summary_page(front, summary))
    body.append(_contents(front, chapters))
    for _, section in pages:
        body.append(section)
    _page_counts(body)
    return PrintDocument(_document(front, body), tuple(chapters), _descriptions(body))


END_ID = "evalkit-end"


def _page_counts(body) -> None:
    """Let the description sheets' page count be the PDF's own (:data:`~evalkit.description_sheet.PAGE_COUNT_CLASS`).

    The site's "not given" is emptied, and an empty marker ends the last section: the print
    stylesheet writes the page that marker falls on, the last, into each emptied element
    (``target-counter``), as WeasyPrint lays the document out once.
    """
    counts = body.xpath(f'.//*[contains(concat(" ", @class, " "), " {PAGE_COUNT_CLASS} ")]')
    if not counts:
        return
    for element in counts:
        for child in list(element):
            element.remove(child)
        element.text = None
    sections = body.xpath("./section")
    (sections[-1] if sections else body).append(_el("span", id=END_ID))


def _descriptions(body) -> dict[str, str]:
    """{id: text} for every internal link's target: a section's heading, a figure's or table's caption, else its text.

    A PDF link annotation needs such a description.
    """
    wanted = {link.get("href")[1:] for link in body.iter("a") if (link.get("href") or "").startswith("#")}
    found = {}
    for element in body.iter():
        ident = element.get("id")
        if ident not in wanted:
            continue
        label = next(element.iter(*HEADINGS, "figcaption", "caption"), None)
        found[ident] = text_of(label if label is not None else element)[:300]
    return found


def _unique_ids(sections) -> None:
    """Make ids unique across the chapters: a repeated id gets its chapter's id in front.

    Every page has its own "Asiakasvirta" section id, but on one page an id must be unique; links
    within that chapter follow the renamed id.
    """
    seen: set[str] = set()
    for section in sections:
        renamed = {}
        for element in section.iter():
            ident = element.get("id")
            if not ident:
                continue
            if ident in seen:
                new = f"{section.get('id')}--{ident}"
                renamed[ident] = new
                element.set("id", new)
                ident = new
            seen.add(ident)
        for link in section.iter("a"):
            href = link.get("href") or ""
            if href[1:] in renamed:
                link.set("href", "#" + renamed[href[1:]])


def _summary_sections(root_section, wanted: tuple[str, ...]) -> list:
    """The root page's sections headed by one of ``wanted`` (or else its first section), in page order.

    They are taken out of the page, for the summary page.
    """
    sections = [child for child in root_section if child.tag == "section"]
    chosen = [s for s in sections if any(text_of(h) in wanted for h in s.iterchildren(*HEADINGS))]
    chosen = chosen or sections[:1]
    for section in chosen:
        root_section.remove(section)
    return chosen


def _front_page(section):
    """A page printed before the summary: its heading an h1, each h2 section on a page of its own.

    A section holding a table ``tbl-description-<lang>`` (a description sheet) is marked as
    written in that language, so that a screen reader reads it so. Its tables lose their numbers:
    the site's (in the site's order, the appendix's last tables) would come before table 1 here,
    and would name a sheet in another language "Taulukko".
    """
    for number in section.xpath('.//caption//span[contains(concat(" ", @class, " "), " caption-number ")]'):
        number.drop_tree()
    heading = next(section.iter(*HEADINGS))
    _shift_headings(section, int(heading.tag[1]) - 1)
    heading.set("class", ((heading.get("class") or "") + " front-title").strip())
    section.set("class", ((section.get("class") or "") + " front-page").strip())
    for sub in section.xpath("./section"):
        sub.set("class", ((sub.get("class") or "") + " front-sheet").strip())
        marked = sub.xpath('.//*[starts-with(@id, "tbl-description-")]')
        if marked:
            sub.set("lang", marked[0].get("id").removeprefix("tbl-description-"))
    return section


def _el(tag: str, text: str = "", **attrs: str):
    element = etree.Element(tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
    if text:
        element.text = text
    return element


def _cover(front: FrontMatter, synthetic: bool):
    cover = _el("section", class_="cover")
    cover.append(_el("p", front.publisher, class_="cover-publisher"))
    cover.append(_el("p", front.title, class_="cover-title"))
    if front.subtitle:
        cover.append(_el("p", front.subtitle, class_="cover-subtitle"))
    if synthetic and front.synthetic_label:
        cover.append(_el("p", front.synthetic_label, class_="cover-synthetic"))
    meta = _el("p", class_="cover-meta")
    meta.append(_el("span", front.date, class_="cover-date"))
    meta.append(_el("br"))
    meta.append(_el("span", front.edition, class_="cover-edition"))
    cover.append(meta)
    return cover


def _summary_page(front: FrontMatter, sections: list):
    page = _el("section", class_="summary", id="evalkit-summary")
    page.append(_el("h1", front.summary_heading, class_="front-title"))
    for section in sections:
        page.append(section)   # h2 sections of the root page: one level below the summary's h1
    return page


def _contents(front: FrontMatter, chapters: list[Chapter]):
    nav = _el("nav", class_="contents", id="evalkit-contents")
    nav.append(_el("h1", front.contents_heading, class_="front-title"))
    current_part = None
    listing = None
    for chapter in chapters:
        if chapter.part != current_part or listing is None:
            current_part = chapter.part
            if chapter.part:
                nav.append(_el("p", chapter.part, class_="contents-part"))
            listing = _el("ul", class_="contents-list")
            nav.append(listing)
        item = _el("li", class_="contents-chapter")
        link = _el("a", href=f"#{chapter.anchor}")
        if chapter.label:
            link.append(_el("span", chapter.label, class_="contents-number"))
        link.append(_el("span", chapter.title, class_="contents-title"))
        item.append(link)
        if front.contents_depth > 1 and chapter.sections:
            sub = _el("ul", class_="contents-sections")
            for title, anchor in chapter.sections:
                entry = _el("li")
                entry.append(_el("a", title, href=f"#{anchor}"))
                sub.append(entry)
            item.append(sub)
        listing.append(item)
    return nav


def _document(front: FrontMatter, body) -> str:
    page = _el("html", lang=front.lang)
    head = _el("head")
    head.append(_el("meta", charset="utf-8"))
    head.append(_el("title", front.title))
    head.append(_el("meta", name="author", content=front.author))
    head.append(_el("meta", name="description", content=front.subtitle))
    if front.keywords:
        head.append(_el("meta", name="keywords", content=front.keywords))
    head.append(_el("meta", name="generator", content="evalkit"))
    if front.created:
        head.append(_el("meta", name="dcterms.created", content=front.created))
    page.append(head)
    page.append(body)
    text = html.tostring(page, encoding="unicode", method="html", doctype="<!DOCTYPE html>")
    return re.sub(r"\n{3,}", "\n\n", text)
