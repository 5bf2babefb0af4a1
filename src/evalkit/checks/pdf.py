"""Checks of the PDF with poppler's tools (pdfinfo, pdffonts, pdftotext, pdfimages, pdftohtml):
metadata, embedded fonts, bookmarks, the text a reader must find, print resolution of images,
and nothing printed beyond the page edge."""
from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from evalkit.checks import Problem
from evalkit.errors import EvalkitError

PRINT_PPI = 150          # below this a figure looks blurred on paper
EDGE_MARGIN_PT = 28.0    # text closer than 1 cm to the paper's edge has run out of the text block
REQUIRED_METADATA = ("Title", "Author", "Subject")


def _run(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        raise EvalkitError(f"{tool} is missing: install poppler-utils (make system-deps)")
    done = subprocess.run([tool, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise EvalkitError(f"{tool} failed on {args[-1]}: {done.stderr.strip()[:300]}")
    return done.stdout


def metadata(pdf: Path) -> dict[str, str]:
    """The document information dictionary, as pdfinfo reports it."""
    info = {}
    for line in _run("pdfinfo", str(pdf)).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            info[key.strip()] = value.strip()
    return info


def catalogue_language(pdf: Path) -> str | None:
    """The document language (/Lang in the catalogue). pdfinfo does not show it, so the file's
    objects are searched, including compressed object streams."""
    data = pdf.read_bytes()
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            continue
        try:
            chunks.append(zlib.decompress(data[start:end]))
        except zlib.error:
            continue
    for chunk in chunks:
        found = re.search(rb"/Lang\s*\(([^)]*)\)", chunk)
        if found:
            return found.group(1).decode("latin-1")
    return None


@dataclass(frozen=True)
class Font:
    name: str
    type: str
    embedded: bool


def fonts(pdf: Path) -> list[Font]:
    lines = _run("pdffonts", str(pdf)).splitlines()
    if len(lines) < 2:
        return []
    # Columns are fixed-width; the dashes under the header give each column's span.
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[1])]
    header = [lines[0][a:b].strip() for a, b in spans]
    result = []
    for line in lines[2:]:
        cells = dict(zip(header, (line[a:b + 1].strip() for a, b in spans)))
        result.append(Font(cells.get("name", ""), cells.get("type", ""), cells.get("emb") == "yes"))
    return result


def bookmarks(pdf: Path) -> list[str]:
    """Every entry of the PDF's outline (bookmarks), all levels, in order."""
    xml = _run("pdftohtml", "-xml", "-i", "-stdout", "-q", str(pdf))
    outline = xml[xml.find("<outline"):] if "<outline" in xml else ""
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", item)).split())
            for item in re.findall(r"<item[^>]*>(.*?)</item>", outline, re.S)]


def text(pdf: Path) -> str:
    return _run("pdftotext", "-enc", "UTF-8", str(pdf), "-")


def normalise(value: str) -> str:
    """Whitespace (including no-break spaces) collapsed, so line breaks do not matter."""
    return " ".join(value.replace("\u00a0", " ").replace("\u202f", " ").split())


def contains(haystack: str, needle: str) -> bool:
    """``needle`` appears in the PDF text, allowing for line breaks, LaTeX hyphenation and case
    (chapter headings are set in capitals)."""
    flat, wanted = normalise(haystack).casefold(), normalise(needle).casefold()
    if wanted in flat:
        return True
    dehyphenated = re.sub(r"(\w)- (\w)", r"\1\2", flat)
    return wanted in dehyphenated or re.sub(r"(\w)- (\w)", r"\1\2", wanted) in dehyphenated


@dataclass(frozen=True)
class PlacedImage:
    page: int
    x_ppi: int
    y_ppi: int


def images(pdf: Path) -> list[PlacedImage]:
    lines = _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    placed = []
    for line in lines:
        cells = line.split()
        if len(cells) >= 14 and cells[2] == "image":  # skip soft masks (smask), they follow an image
            placed.append(PlacedImage(int(cells[0]), int(cells[12]), int(cells[13])))
    return placed


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x_min: float
    x_max: float
    page_width: float


def words(pdf: Path) -> list[Word]:
    """Every word with its horizontal position (pdftotext -bbox)."""
    xml = _run("pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-")
    found = []
    for number, page in enumerate(re.findall(r"<page\b(.*?)</page>", xml, re.S), start=1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        for x_min, x_max, word in re.findall(
                r'<word xMin="([\d.-]+)" yMin="[\d.-]+" xMax="([\d.-]+)" yMax="[\d.-]+">(.*?)</word>', page):
            found.append(Word(number, unescape(word), float(x_min), float(x_max), width))
    return found


def check_pdf(pdf: Path, lang: str, title: str, chapter_titles: dict[str, str] | None = None,
              required_texts: dict[str, str] | None = None) -> list[Problem]:
    """Every PDF problem at once. ``chapter_titles``: {page: title} that must appear in the text
    and as a bookmark; ``required_texts``: {what: text} that must appear in the text."""
    where = pdf.name
    if not pdf.is_file():
        return [Problem(str(pdf), "no PDF here (run `evalkit build` without --no-pdf)", "pdf")]
    problems: list[Problem] = []

    def add(message: str, check: str, at: str = where) -> None:
        problems.append(Problem(at, message, check))

    info = metadata(pdf)
    for key in REQUIRED_METADATA:
        if not info.get(key):
            add(f"no {key} in the PDF metadata", "pdf-metadata")
    if info.get("Title") and normalise(info["Title"]) != normalise(title):
        add(f"PDF title is {info['Title']!r}, expected {title!r}", "pdf-metadata")
    language = catalogue_language(pdf)
    if not language or language.split("-")[0].lower() != lang:
        add(f"PDF language (/Lang) is {language!r}, expected {lang!r}", "pdf-metadata")

    for font in fonts(pdf):
        if not font.embedded:
            add(f"font {font.name} ({font.type}) is not embedded", "pdf-fonts")

    content = text(pdf)
    marks = [normalise(b) for b in bookmarks(pdf)]
    for page, chapter in (chapter_titles or {}).items():
        if not contains(content, chapter):
            add(f"chapter title {chapter!r} ({page}) is not in the text", "pdf-text")
        if not any(normalise(chapter) == m or m.endswith(" " + normalise(chapter)) for m in marks):
            add(f"no bookmark for chapter {chapter!r} ({page})", "pdf-bookmarks")
    for what, wanted in (required_texts or {}).items():
        if not contains(content, wanted):
            add(f"{what} {wanted!r} is not in the text", "pdf-text")

    for image in images(pdf):
        if min(image.x_ppi, image.y_ppi) < PRINT_PPI:
            add(f"an image is printed at {image.x_ppi}×{image.y_ppi} ppi, below {PRINT_PPI}",
                "pdf-images", f"{where} page {image.page}")

    off_page: dict[int, list[str]] = {}
    for word in words(pdf):
        if word.x_max > word.page_width - EDGE_MARGIN_PT or word.x_min < EDGE_MARGIN_PT:
            off_page.setdefault(word.page, []).append(word.text)
    for page, texts in sorted(off_page.items()):
        add(f"text runs off the page (a table or line too wide): {' '.join(texts[:8])}",
            "pdf-overflow", f"{where} page {page}")
    return problems
