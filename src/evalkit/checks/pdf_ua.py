"""The PDF/UA-1 checks that need the document's objects (pikepdf).

They cover metadata and XMP, language, tags, headings against the site's, tables, figures' alt
text, links, bookmarks, fonts, and nothing outside marked content or artifacts.
docs/PUBLICATION.md lists the Matterhorn checkpoints covered.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pikepdf

from evalkit.checks import Problem
from evalkit.checks import pdf_structure as structure


def normalise(value: str) -> str:
    """Whitespace (including no-break spaces) collapsed."""
    return " ".join(value.replace("\u00a0", " ").replace("\u202f", " ").split())


@dataclass(frozen=True)
class Expected:
    """What a built PDF must hold, read from the project and the built site (checks.expected)."""

    lang: str                                   # "fi", "sv" or "en": /Lang must start with it
    title: str                                  # the Info and XMP title
    chapters: tuple[str, ...] = ()              # chapter titles, in order: the top-level bookmarks
    front: tuple[str, ...] = ()                 # headings the PDF adds before the chapters
    headings: tuple[tuple[int, str], ...] | None = None   # the site's headings (level, text)
    images: int | None = None                   # how many images the site shows
    required_texts: dict[str, str] = field(default_factory=dict)   # {what: text} to find


def _squeeze(text: str) -> str:
    """Text compared without whitespace: a PDF line break drops the space a reader hears."""
    return "".join(text.split()).casefold()


CHAPTER_LABEL = re.compile(r"^(\d+|[A-Z])\s*")


def _without_label(text: str, known: set[str]) -> str:
    """A chapter heading without its number ("3 Lappi" or "A Koonnin tila") when the rest is a known title.

    Otherwise the heading is returned unchanged.
    """
    stripped = CHAPTER_LABEL.sub("", text, count=1)
    return stripped if _squeeze(stripped) in known and _squeeze(text) not in known else text


def check_structure(pdf: pikepdf.Pdf, expected: Expected, where: str) -> list[Problem]:
    """The PDF/UA-1 checks that need the document's objects (pikepdf).

    Parameters
    ----------
    pdf : pikepdf.Pdf
        The open document.
    expected : Expected
        What it must hold.
    where : str
        How messages name the file (its name); page problems add ``page <n>``.

    Returns
    -------
    list of Problem
        Every problem found; an untagged PDF gets only the metadata, tagging and font problems.
    """
    problems = _metadata(pdf, expected, where) + _marking(pdf.Root, where)
    tree = structure.structure_tree(pdf)
    if tree is None:
        problems.append(Problem(where, "no structure tree (/StructTreeRoot): the PDF is not tagged", "pdf-tags"))
        return problems + _fonts(pdf, where)
    texts, content_problems = _content(pdf, tree, where)
    problems += content_problems
    elements = list(tree.walk())
    problems += _figures(elements, expected, where)
    problems += _headings(elements, texts, expected, where)
    problems += _tables(elements, where)
    problems += _lists(elements, where)
    problems += _links(pdf, where)
    problems += _bookmarks(pdf, expected, where)
    return problems + _fonts(pdf, where)


def _metadata(pdf: pikepdf.Pdf, expected: Expected, where: str) -> list[Problem]:
    """The Info dictionary, /Lang, DisplayDocTitle and the XMP (title and the PDF/UA-1 claim)."""
    problems: list[Problem] = []

    def add(message: str) -> None:
        problems.append(Problem(where, message, "pdf-metadata"))

    root = pdf.Root
    info = pdf.docinfo
    for key in ("Title", "Author", "Subject"):
        if not str(info.get(f"/{key}", "")).strip():
            add(f"no {key} in the PDF metadata")
    title = str(info.get("/Title", ""))
    if title and normalise(title) != normalise(expected.title):
        add(f"PDF title is {title!r}, expected {expected.title!r}")
    language = str(root.get("/Lang", "")) or None
    if not language or language.split("-")[0].lower() != expected.lang:
        add(f"PDF language (/Lang) is {language!r}, expected {expected.lang!r}")
    viewer = root.get("/ViewerPreferences", {})
    if viewer.get("/DisplayDocTitle") is not True:
        add("the viewer is not told to show the title (DisplayDocTitle)")
    if "/Metadata" not in root:
        add("no XMP metadata")
    else:
        xmp = pdf.open_metadata()
        if str(xmp.get("pdfuaid:part", "")) != "1":
            add(f"XMP does not declare PDF/UA-1 (pdfuaid:part is {xmp.get('pdfuaid:part')!r})")
        if normalise(str(xmp.get("dc:title", ""))) != normalise(title):
            add(f"XMP dc:title {xmp.get('dc:title')!r} differs from the title {title!r}")
    return problems


def _marking(root, where: str) -> list[Problem]:
    """/MarkInfo says the PDF is tagged and the tags are not suspect."""
    problems = []
    marked = root.get("/MarkInfo", {})
    if marked.get("/Marked") is not True:
        problems.append(Problem(where, "the PDF is not marked as tagged (/MarkInfo /Marked)", "pdf-tags"))
    if marked.get("/Suspects") is True:
        problems.append(Problem(where, "the tags are marked as suspect (/MarkInfo /Suspects)", "pdf-tags"))
    return problems


def _content(pdf: pikepdf.Pdf, tree, where: str) -> tuple[dict, list[Problem]]:
    """Each page's marked texts, and its untagged content, unmappable characters and missing tab order."""
    problems = []
    texts: dict = {}
    unmarked: Counter = Counter()
    untagged: dict[int, int] = {}
    unmapped = 0
    owned = {(page, mcid) for element in tree.walk() for page, mcid in element.mcids}
    for number, page in enumerate(pdf.pages, start=1):
        content = structure.page_content(page)
        texts.update({(page.objgen, mcid): text for mcid, text in content.texts.items()})
        unmarked.update(content.unmarked)
        orphans = [m for m in content.mcids if (page.objgen, m) not in owned]
        if orphans or content.unmarked:
            untagged[number] = len(orphans) + sum(content.unmarked.values())
        unmapped += content.unmapped
        if page.obj.get("/Annots") and page.obj.get("/Tabs") != "/S":
            problems.append(Problem(f"{where} page {number}", "a page with links has no /Tabs /S (tab order by "
                                    "structure)", "pdf-tags"))
    for number, count in sorted(untagged.items()):
        problems.append(Problem(f"{where} page {number}", f"{count} piece(s) of content are neither tagged nor "
                                "marked as artifacts", "pdf-content"))
    if unmapped:
        problems.append(Problem(where, f"{unmapped} character(s) cannot be mapped to Unicode", "pdf-fonts"))
    return texts, problems


def _figures(elements, expected: Expected, where: str) -> list[Problem]:
    """Every Figure has alternative text, and there are as many as the site shows images."""
    problems = []
    figures = [e for e in elements if e.tag == "Figure"]
    without_alt = [e for e in figures if not str(e.obj.get("/Alt", "")).strip()]
    if without_alt:
        problems.append(Problem(where, f"{len(without_alt)} of {len(figures)} figures have no alternative text "
                                "(/Alt)", "pdf-figures"))
    if expected.images is not None and len(figures) != expected.images:
        problems.append(Problem(where, f"{len(figures)} tagged figures, but the site shows {expected.images} images",
                                "pdf-figures"))
    return problems


def _headings(elements, texts, expected: Expected, where: str) -> list[Problem]:
    problems = []
    headings = [(int(e.tag[1]), e.text(texts)) for e in elements if re.fullmatch(r"H[1-6]", e.tag)]
    if any(e.tag == "H" for e in elements):
        problems.append(Problem(where, "both H and H1–H6 headings are used", "pdf-headings"))
    if not headings:
        return problems + [Problem(where, "no headings are tagged (H1–H6)", "pdf-headings")]
    if headings[0][0] != 1:
        problems.append(Problem(where, f"the first heading is H{headings[0][0]}, not H1", "pdf-headings"))
    for (before, _), (level, text) in zip(headings, headings[1:]):
        if level > before + 1:
            problems.append(Problem(where, f"heading H{level} ({normalise(text)!r}) follows H{before}: a level "
                                    "is skipped", "pdf-headings"))
    if expected.headings is not None:
        known = {_squeeze(text) for level, text in expected.headings if level == 1}
        front = Counter(_squeeze(text) for text in expected.front)
        found: Counter = Counter()
        shown: dict[tuple[int, str], str] = {}
        for level, text in headings:
            key = (level, _squeeze(_without_label(text, known) if level == 1 else text))
            if level == 1 and front[key[1]] > 0:
                front[key[1]] -= 1
                continue
            found[key] += 1
            shown.setdefault(key, normalise(text))
        wanted: Counter = Counter()
        for level, text in expected.headings:
            wanted[(level, _squeeze(text))] += 1
            shown.setdefault((level, _squeeze(text)), normalise(text))
        for key, count in sorted((wanted - found).items()):
            problems.append(Problem(where, f"the site's heading h{key[0]} {shown[key]!r} is not a tagged H{key[0]} "
                                    f"in the PDF ({count}×)", "pdf-headings"))
        for key, count in sorted((found - wanted).items()):
            problems.append(Problem(where, f"tagged H{key[0]} {shown[key]!r} is not a heading of the site "
                                    f"({count}×)", "pdf-headings"))
    return problems


def _tables(elements, where: str) -> list[Problem]:
    """Table > (THead|TBody|TFoot >) TR > TH|TD (ISO 32000-1, table 337); every TH scoped or linked."""
    problems = []
    referenced = set()
    for element in elements:
        if element.tag == "TD":
            headers = element.obj.get("/A", {}).get("/Headers", [])
            referenced.update(str(h) for h in headers)
    for number, table in enumerate((e for e in elements if e.tag == "Table"), start=1):
        rows = []
        for kid in table.kids:
            if kid.tag in ("THead", "TBody", "TFoot"):
                rows += kid.kids
            elif kid.tag in ("TR", "Caption"):
                rows.append(kid)
            else:
                problems.append(Problem(where, f"table {number} holds a {kid.tag} element", "pdf-tables"))
        rows = [row for row in rows if row.tag != "Caption"]
        if any(row.tag != "TR" for row in rows):
            problems.append(Problem(where, f"table {number} has rows that are not TR", "pdf-tables"))
        cells = [cell for row in rows for cell in row.kids]
        if any(cell.tag not in ("TH", "TD") for cell in cells):
            problems.append(Problem(where, f"table {number} has cells that are not TH or TD", "pdf-tables"))
        header_cells = [cell for cell in cells if cell.tag == "TH"]
        if not header_cells:
            problems.append(Problem(where, f"table {number} has no header cells (TH)", "pdf-tables"))
        loose = [cell for cell in header_cells
                 if "/Scope" not in cell.obj.get("/A", {}) and str(cell.obj.get("/ID", "")) not in referenced]
        if loose:
            problems.append(Problem(where, f"table {number}: {len(loose)} header cell(s) have neither a /Scope "
                                    "nor a data cell pointing at them (/Headers)", "pdf-tables"))
    return problems


def _lists(elements, where: str) -> list[Problem]:
    """L > LI (or a nested L, a Caption) > Lbl, LBody (ISO 32000-1, table 336)."""
    problems = []
    for element in elements:
        if element.tag == "L":
            odd = sorted({kid.tag for kid in element.kids} - {"LI", "L", "Caption"})
        elif element.tag == "LI":
            odd = sorted({kid.tag for kid in element.kids} - {"Lbl", "LBody"})
        else:
            continue
        if odd:
            problems.append(Problem(where, f"a list element {element.tag} holds {', '.join(odd)}", "pdf-lists"))
    return sorted(set(problems))


def _links(pdf: pikepdf.Pdf, where: str) -> list[Problem]:
    """Every link annotation has a description (/Contents) and sits in a Link structure element."""
    problems = []
    parents = {}
    numbers = pdf.Root.StructTreeRoot.get("/ParentTree", {}).get("/Nums", [])
    for index in range(0, len(numbers) - 1, 2):
        parents[int(numbers[index])] = numbers[index + 1]
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link":
                continue
            if not str(annotation.get("/Contents", "")).strip():
                problems.append(Problem(f"{where} page {number}", "a link has no description (/Contents)",
                                        "pdf-links"))
            parent = parents.get(int(annotation.get("/StructParent", -1)))
            if not isinstance(parent, pikepdf.Dictionary) or parent.get("/S") != "/Link":
                problems.append(Problem(f"{where} page {number}", "a link is not inside a Link structure element",
                                        "pdf-links"))
    return problems


def _bookmarks(pdf: pikepdf.Pdf, expected: Expected, where: str) -> list[Problem]:
    """The top-level bookmarks are the front matter's and then the chapters', in order."""
    if not expected.chapters:
        return []
    known = {_squeeze(title) for title in expected.chapters}
    top = [_squeeze(_without_label(mark.title, known)) for mark in structure.bookmarks(pdf) if mark.level == 1]
    front = {_squeeze(text) for text in expected.front}
    chapters = [mark for mark in top if mark not in front]
    wanted = [_squeeze(title) for title in expected.chapters]
    if chapters != wanted:
        missing = [t for t, s in zip(expected.chapters, wanted) if s not in chapters]
        detail = f"missing: {', '.join(missing)}" if missing else "in another order or with others among them"
        return [Problem(where, f"the top-level bookmarks are not the chapters ({detail})", "pdf-bookmarks")]
    return []


def _fonts(pdf: pikepdf.Pdf, where: str) -> list[Problem]:
    problems = []
    for font in structure.fonts(pdf):
        if not font.embedded:
            problems.append(Problem(where, f"font {font.name} ({font.subtype}) is not embedded", "pdf-fonts"))
        if not font.to_unicode:
            problems.append(Problem(where, f"font {font.name} ({font.subtype}) has no /ToUnicode map",
                                    "pdf-fonts"))
    return problems
