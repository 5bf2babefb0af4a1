"""A tagged PDF's logical structure read with pikepdf: structure tree, marked content, fonts, bookmarks.

The structure tree comes with each element's text, and every page with its marked content.

Text is decoded from the content streams with each font's /ToUnicode map, which is what a screen
reader does too: a glyph without a Unicode mapping reads as nothing.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

TEXT_OPERATORS = ("Tj", "TJ", "'", '"')
# Operators that put something on the page (PDF 32000-1, tables 51, 59, 87, 92).
PAINT_OPERATORS = frozenset({*TEXT_OPERATORS, "Do", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "BI"})


@dataclass
class Element:
    """One structure element: its type (/S without the slash), attributes and children."""

    tag: str
    obj: pikepdf.Dictionary
    kids: list["Element"] = field(default_factory=list)
    mcids: list[tuple[tuple[int, int], int]] = field(default_factory=list)   # (page objgen, MCID)

    def walk(self):
        """Every element of the subtree, this one first, depth first in document order."""
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def text(self, texts: dict[tuple[tuple[int, int], int], str]) -> str:
        """The element's text in reading order (its own marked content, then its children's)."""
        own = "".join(texts.get(key, "") for key in self.mcids)
        return own + "".join(kid.text(texts) for kid in self.kids)


def _kids(obj) -> list:
    kids = obj.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def structure_tree(pdf: pikepdf.Pdf) -> Element | None:
    """The tree under /StructTreeRoot (None when there is none), kids in document order."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return None

    def build(obj, page) -> Element:
        element = Element(str(obj.get("/S", "/StructTreeRoot"))[1:], obj)
        if "/Pg" in obj:
            page = obj.Pg.objgen
        for kid in _kids(obj):
            if isinstance(kid, pikepdf.Dictionary):
                kind = kid.get("/Type")
                if kind == "/MCR":
                    element.mcids.append((kid.Pg.objgen if "/Pg" in kid else page, int(kid.MCID)))
                elif kind != "/OBJR":
                    element.kids.append(build(kid, page))
            elif isinstance(kid, int) and page is not None:
                element.mcids.append((page, int(kid)))
        return element

    return build(root, None)


def _to_unicode(font) -> tuple[int, dict[int, str]]:
    """(bytes per code, {code: text}) from a font's /ToUnicode CMap."""
    if "/ToUnicode" not in font:
        return (2 if font.get("/Subtype") == "/Type0" else 1), {}
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    space = re.search(r"begincodespacerange\s*<([0-9a-fA-F]+)>", cmap)
    width = len(space.group(1)) // 2 if space else 2
    mapping: dict[int, str] = {}

    def unicode(hex_text: str) -> str:
        return bytes.fromhex(hex_text).decode("utf-16-be", errors="replace")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            mapping[int(code, 16)] = unicode(target)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, rest in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]*>)", block):
            low_code, high_code = int(low, 16), int(high, 16)
            if rest.startswith("["):
                for offset, target in enumerate(re.findall(r"<([0-9a-fA-F]*)>", rest)):
                    mapping[low_code + offset] = unicode(target)
            else:
                start = int(rest[1:-1], 16)
                digits = len(rest) - 2
                for offset in range(high_code - low_code + 1):
                    mapping[low_code + offset] = unicode(f"{start + offset:0{digits}x}")
    return width, mapping


def _decode(data: bytes, width: int, mapping: dict[int, str]) -> tuple[str, int]:
    """(text, number of codes without a Unicode mapping)."""
    codes = [int.from_bytes(data[i:i + width], "big") for i in range(0, len(data) - width + 1, width)]
    return "".join(mapping.get(code, "") for code in codes), sum(1 for code in codes if code not in mapping)


@dataclass
class PageContent:
    """What one page's content stream marks (see :func:`page_content`)."""

    texts: dict[int, str]              # MCID: its text
    mcids: set[int]                    # every MCID the page's content uses
    unmarked: dict[str, int]           # painting operator: how often it is outside marked content
    unmapped: int                      # character codes shown that have no Unicode mapping


def page_content(page: pikepdf.Page) -> PageContent:
    """What the page's content stream marks: text per MCID, and painting outside any marked content."""
    fonts = {}
    resources = page.obj.get("/Resources", {})
    for name, font in resources.get("/Font", {}).items():
        fonts[name] = _to_unicode(font)
    stack: list[int | None] = []    # the MCID (or None) of every open marked-content sequence
    font = (2, {})
    texts: dict[int, list[str]] = defaultdict(list)
    unmarked: dict[str, int] = defaultdict(int)
    mcids: set[int] = set()
    unmapped = 0
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        op = "BI" if op == "INLINE IMAGE" else op
        if op in ("BDC", "BMC"):
            mcid = None
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
                mcids.add(mcid)
            stack.append(mcid)
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op == "Tf":
            font = fonts.get(str(operands[0]), (2, {}))
        if op in PAINT_OPERATORS and not stack:
            unmarked[op] += 1
        if op in TEXT_OPERATORS:
            current = next((m for m in reversed(stack) if m is not None), None)
            shown = operands[-1]
            parts = shown if isinstance(shown, pikepdf.Array) else [shown]
            for part in parts:
                if isinstance(part, pikepdf.String):
                    decoded, missing = _decode(bytes(part), *font)
                    unmapped += missing
                    if current is not None:
                        texts[current].append(decoded)
    return PageContent({k: "".join(v) for k, v in texts.items()}, mcids, dict(unmarked), unmapped)


@dataclass(frozen=True)
class FontInfo:
    """One font: base name and subtype (without the slash), whether embedded, whether it has /ToUnicode."""

    name: str
    subtype: str
    embedded: bool
    to_unicode: bool


def fonts(pdf: pikepdf.Pdf) -> list[FontInfo]:
    """Every font the pages (and their form XObjects) use, once each."""
    seen: dict[tuple[int, int], FontInfo] = {}

    def visit(resources, depth=0):
        if not isinstance(resources, pikepdf.Dictionary) or depth > 8:
            return
        for font in resources.get("/Font", {}).values():
            if font.objgen in seen:
                continue
            subtype = str(font.get("/Subtype", ""))
            descriptor = (font.DescendantFonts[0].get("/FontDescriptor") if subtype == "/Type0"
                          else font.get("/FontDescriptor"))
            embedded = subtype == "/Type3" or (
                descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")))
            seen[font.objgen] = FontInfo(str(font.get("/BaseFont", "?"))[1:], subtype[1:], embedded,
                                         "/ToUnicode" in font)
        for xobject in resources.get("/XObject", {}).values():
            if xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources"), depth + 1)

    for page in pdf.pages:
        visit(page.obj.get("/Resources"))
    return list(seen.values())


@dataclass(frozen=True)
class Bookmark:
    """One bookmark (outline item): its title, whitespace collapsed, and its depth (1 = top level)."""

    title: str
    level: int


def bookmarks(pdf: pikepdf.Pdf) -> list[Bookmark]:
    """Every bookmark of the document's outline, depth first in order."""
    found = []

    def walk(items, level):
        for item in items:
            found.append(Bookmark(" ".join(str(item.title).split()), level))
            walk(item.children, level + 1)

    with pdf.open_outline() as outline:
        walk(outline.root, 1)
    return found


def open_pdf(path: Path) -> pikepdf.Pdf:
    """Open ``path`` with pikepdf (the caller closes it)."""
    return pikepdf.open(path)
