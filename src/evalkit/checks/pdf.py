"""Checks of the printed report: its tagged structure, the text a reader must find, image resolution, page edges.

The tagged PDF/UA-1 structure is checked by evalkit.checks.pdf_ua, with pikepdf; the rest with
poppler's tools (pdftotext, pdfimages): the text a reader must find, the print resolution of
images and nothing beyond the page edge.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pikepdf

from evalkit.checks import Problem
from evalkit.checks.pdf_ua import Expected, check_structure, normalise
from evalkit.errors import EvalkitError

__all__ = ["Expected", "check_pdf", "check_structure", "contains", "normalise"]

PRINT_PPI = 150          # below this a figure looks blurred on paper
EDGE_MARGIN_PT = 28.0    # text closer than 1 cm to the paper's edge has run out of the text block


def _run(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        raise EvalkitError(f"{tool} is missing: install poppler-utils (make system-deps)")
    done = subprocess.run([tool, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise EvalkitError(f"{tool} failed on {args[-1]}: {done.stderr.strip()[:300]}")
    return done.stdout


def text(pdf: Path) -> str:
    return _run("pdftotext", "-enc", "UTF-8", str(pdf), "-")


def contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` appears in the PDF text, allowing for line breaks, hyphenation and case.

    Case matters not, because chapter headings are set in capitals; a word broken with a hyphen at
    a line end matches the whole word.
    """
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


def check_pdf(pdf: Path, expected: Expected) -> list[Problem]:
    """Every PDF problem at once.

    Parameters
    ----------
    pdf : Path
        The PDF file.
    expected : Expected
        What it must hold (:mod:`evalkit.checks.expected`).

    Returns
    -------
    list of Problem
        Structure (:func:`check_structure`), missing chapter titles and required texts, images
        under ``PRINT_PPI``, and text within ``EDGE_MARGIN_PT`` of a page's side edges; a single
        problem when the file is absent or unreadable.

    Raises
    ------
    EvalkitError
        When poppler's pdftotext or pdfimages is missing or fails.
    """
    where = pdf.name
    if not pdf.is_file():
        return [Problem(str(pdf), "no PDF here (run `evalkit build` without --no-pdf)", "pdf")]
    try:
        with pikepdf.open(pdf) as document:
            problems = check_structure(document, expected, where)
    except pikepdf.PdfError as exc:
        return [Problem(where, f"not a readable PDF: {exc}", "pdf")]

    content = text(pdf)
    for title in expected.chapters:
        if not contains(content, title):
            problems.append(Problem(where, f"chapter title {title!r} is not in the text", "pdf-text"))
    for what, wanted in expected.required_texts.items():
        if not contains(content, wanted):
            problems.append(Problem(where, f"{what} {wanted!r} is not in the text", "pdf-text"))

    for image in images(pdf):
        if min(image.x_ppi, image.y_ppi) < PRINT_PPI:
            problems.append(Problem(f"{where} page {image.page}", f"an image is printed at {image.x_ppi}×"
                                    f"{image.y_ppi} ppi, below {PRINT_PPI}", "pdf-images"))

    off_page: dict[int, list[str]] = {}
    for word in words(pdf):
        if word.x_max > word.page_width - EDGE_MARGIN_PT or word.x_min < EDGE_MARGIN_PT:
            off_page.setdefault(word.page, []).append(word.text)
    for page, texts in sorted(off_page.items()):
        problems.append(Problem(f"{where} page {page}", "text runs off the page (a table or line too wide): "
                                f"{' '.join(texts[:8])}", "pdf-overflow"))
    return problems
