"""Render the printed report with WeasyPrint as a tagged PDF/UA-1, then fix it up with pikepdf.

pikepdf mends what WeasyPrint leaves short of PDF/UA.

WeasyPrint tags the running header and the page numbers (CSS page-margin boxes) as marked content
whose structure elements hang nowhere in the tree; here they become pagination artifacts. Header
cells get a /Scope besides the /Headers links WeasyPrint writes, and each link annotation gets the
text of its target as its /Contents (WeasyPrint puts the bare fragment id there).
"""
from __future__ import annotations

import logging
import time
from importlib import resources
from pathlib import Path

from evalkit.errors import BuildError
from evalkit.pipeline.print_html import FrontMatter, PrintDocument, build_print_html

PDF_VARIANT = "pdf/ua-1"


class _Collect(logging.Handler):
    """WeasyPrint reports problems (an image without alt text, a link to no anchor) by logging."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def stylesheet() -> str:
    """The print stylesheet (``evalkit/pipeline/print.css``) as text."""
    return resources.files("evalkit.pipeline").joinpath("print.css").read_text(encoding="utf-8")


def render(document: PrintDocument, base_url: Path, target: Path) -> int:
    """Write ``target``; return its number of pages. Any WeasyPrint warning fails the build.

    Parameters
    ----------
    document : PrintDocument
        The print HTML and the descriptions of its link targets.
    base_url : Path
        Folder that relative links and images in the HTML resolve against.
    target : Path
        The PDF to write (after :func:`fix_up`).

    Returns
    -------
    int
        Number of pages.

    Raises
    ------
    BuildError
        When WeasyPrint logs any warning (an image without alt text, a link to no anchor).
    """
    import weasyprint

    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    raw = target.with_name(target.name + ".raw")
    try:
        rendered = weasyprint.HTML(string=document.html, base_url=f"{base_url.resolve()}/").render(
            stylesheets=[weasyprint.CSS(string=stylesheet())], pdf_variant=PDF_VARIANT)
        rendered.write_pdf(raw, pdf_variant=PDF_VARIANT)
        if handler.messages:
            raise BuildError("WeasyPrint: " + "; ".join(dict.fromkeys(handler.messages))[:800])
        fix_up(raw, target, document.link_descriptions)
    finally:
        logger.removeHandler(handler)
        raw.unlink(missing_ok=True)
    return len(rendered.pages)


def fix_up(source: Path, target: Path, descriptions: dict[str, str]) -> None:
    """Write ``source`` mended for PDF/UA to ``target`` (see the module text).

    Page-margin boxes become pagination artifacts, header cells get a /Scope, loose list item
    contents an LBody, link annotations move under their Link elements and get the text of their
    target as /Contents, and the PDF opens with its bookmarks shown.

    Parameters
    ----------
    source, target : Path
        WeasyPrint's PDF and the file to write.
    descriptions : dict of str to str
        {link destination (fragment id): the text of its target}.
    """
    import pikepdf

    with pikepdf.open(source) as pdf:
        reachable = _reachable_mcids(pdf)
        for page in pdf.pages:
            _margins_to_artifacts(pdf, page, reachable.get(page.objgen, set()))
        _scope_header_cells(pdf)
        _list_bodies(pdf)
        _links_under_link_elements(pdf)
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", []):
                destination = str(annotation.get("/Dest", ""))
                if annotation.get("/Subtype") == "/Link" and destination in descriptions:
                    annotation.Contents = pikepdf.String(descriptions[destination])
        pdf.Root.PageMode = pikepdf.Name.UseOutlines   # open with the bookmarks shown
        pdf.save(target)


def _kids(element):
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _reachable_mcids(pdf) -> dict[tuple[int, int], set[int]]:
    """{page objgen: MCIDs that a structure element reachable from the root owns}."""
    import pikepdf

    found: dict[tuple[int, int], set[int]] = {}
    stack = [(pdf.Root.StructTreeRoot, None)]
    while stack:
        element, page = stack.pop()
        if "/Pg" in element:
            page = element.Pg.objgen
        for kid in _kids(element):
            if isinstance(kid, pikepdf.Dictionary):
                if kid.get("/Type") == "/MCR":
                    found.setdefault(kid.Pg.objgen if "/Pg" in kid else page, set()).add(int(kid.MCID))
                elif kid.get("/Type") != "/OBJR":
                    stack.append((kid, page))
            elif page is not None:
                found.setdefault(page, set()).add(int(kid))
    return found


def _margins_to_artifacts(pdf, page, reachable: set[int]) -> None:
    """Marked content whose MCID no reachable element owns (the page-margin boxes) becomes a pagination artifact.

    It is a header or a footer by where its text sits, and it leaves the parent tree.
    """
    import pikepdf

    instructions = list(pikepdf.parse_content_stream(page))
    # WeasyPrint draws in CSS pixels (0.75 pt) from the top of the page: text above the middle of
    # the page is the running header, below it the page number.
    middle = float(page.MediaBox[3]) / 0.75 / 2
    changed = []
    orphans = set()
    for index, (operands, operator) in enumerate(instructions):
        if (str(operator) == "BDC" and len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary)
                and "/MCID" in operands[1] and int(operands[1].MCID) not in reachable):
            orphans.add(int(operands[1].MCID))
            place = (pikepdf.Name.Header if _text_y(instructions, index + 1, middle) < middle
                     else pikepdf.Name.Footer)
            operands = [pikepdf.Name.Artifact,
                        pikepdf.Dictionary(Type=pikepdf.Name.Pagination, Subtype=place)]
        changed.append(pikepdf.ContentStreamInstruction(operands, operator))
    if not orphans:
        return
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(changed))
    parents = pdf.Root.StructTreeRoot.ParentTree.Nums
    key = int(page.obj.StructParents)
    for index in range(0, len(parents), 2):
        if int(parents[index]) == key:
            mapping = parents[index + 1]
            for mcid in orphans:
                if mcid < len(mapping):
                    mapping[mcid] = None
            break


def _text_y(instructions, start: int, default: float) -> float:
    """Where the first text of a marked-content sequence starting at ``start`` is placed (Tm's y)."""
    for operands, operator in instructions[start:]:
        if str(operator) == "Tm":
            return float(operands[5])
        if str(operator) == "EMC":
            break
    return default


def _links_under_link_elements(pdf) -> None:
    """Move each link annotation from the Span WeasyPrint gives it to the enclosing Link element.

    WeasyPrint gives every inline box inside a link its own annotation, owned by that box's Span;
    PDF/UA wants each link annotation in a Link element.
    """
    import pikepdf

    numbers = pdf.Root.StructTreeRoot.ParentTree.Nums
    for index in range(0, len(numbers) - 1, 2):
        owner = numbers[index + 1]
        if not isinstance(owner, pikepdf.Dictionary) or owner.get("/S") == "/Link":
            continue
        references = [kid for kid in _kids(owner)
                      if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"]
        if not references:
            continue
        link = owner.get("/P")
        while isinstance(link, pikepdf.Dictionary) and link.get("/S") not in ("/Link", None):
            link = link.get("/P")
        if not isinstance(link, pikepdf.Dictionary) or link.get("/S") != "/Link":
            continue
        moved = {reference.objgen for reference in references}
        owner.K = pikepdf.Array([kid for kid in _kids(owner) if getattr(kid, "objgen", None) not in moved])
        link.K = pikepdf.Array([*_kids(link), *references])
        numbers[index + 1] = link


def _list_bodies(pdf) -> None:
    """Wrap the paragraphs WeasyPrint puts straight into a list item (LI) in an LBody.

    A list item holds a label (Lbl) and a body (LBody) only.
    """
    import pikepdf

    stack = [pdf.Root.StructTreeRoot]
    while stack:
        element = stack.pop()
        kids = [kid for kid in _kids(element) if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]
        stack += kids
        if element.get("/S") != "/LI":
            continue
        loose = [kid for kid in kids if kid.S not in ("/Lbl", "/LBody")]
        if not loose or len(loose) != len(_kids(element)) - sum(1 for kid in kids if kid.S == "/Lbl"):
            continue   # nothing to wrap, or marked content straight in the LI: left as it is
        body = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.LBody,
                                                    P=element, K=pikepdf.Array(loose)))
        if "/Pg" in element:
            body.Pg = element.Pg
        for kid in loose:
            kid.P = body
        element.K = pikepdf.Array([*(kid for kid in kids if kid.S == "/Lbl"), body])


def _scope_header_cells(pdf) -> None:
    """/Scope on every TH: /Column in a table's head, /Row in its body (the first cell of a row)."""
    import pikepdf

    stack = [(pdf.Root.StructTreeRoot, "")]
    while stack:
        element, section = stack.pop()
        tag = str(element.get("/S", ""))
        if tag == "/TH":
            attributes = element.get("/A")
            if not isinstance(attributes, pikepdf.Dictionary):
                attributes = pikepdf.Dictionary(O=pikepdf.Name.Table)
                element.A = attributes
            attributes.Scope = pikepdf.Name.Row if section == "/TBody" else pikepdf.Name.Column
        if tag in ("/THead", "/TBody", "/TFoot"):
            section = tag
        for kid in _kids(element):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                stack.append((kid, section))


def build_pdf(singlehtml: Path, target: Path, front: FrontMatter, say=None) -> int:
    """The PDF at ``target`` from the single-page HTML file; the number of pages.

    Parameters
    ----------
    singlehtml : Path
        Jupyter Book's ``singlehtml`` page of the whole book.
    target : Path
        The PDF to write.
    front : FrontMatter
        Cover, summary and contents texts and the PDF metadata.
    say : callable, optional
        Called with one progress line (pages and seconds).

    Returns
    -------
    int
        Number of pages.

    Raises
    ------
    BuildError
        As :func:`render` does.
    """
    started = time.monotonic()
    document = build_print_html(singlehtml, front)
    base = singlehtml.parent
    # The single page sits in the root page's folder, but its links are relative to the site's root.
    while base != base.parent and not (base / "_static").is_dir():
        base = base.parent
    pages = render(document, base, target)
    if say is not None:
        say(f"PDF: {pages} pages in {time.monotonic() - started:.1f} s")
    return pages
