"""An ``.xlsx`` package checked before anything parses it: bounded, without DTDs, no identity code in any part.

An ``.xlsx`` file is a zip archive of XML parts. Before openpyxl reads a byte of it:

- the archive's own directory bounds what it may inflate to: at most :data:`MAX_PARTS` parts,
  :data:`MAX_INFLATED` bytes in all, and no large part compressed more than :data:`MAX_RATIO`-fold
  (a "zip bomb" is compressed about a thousandfold; a spreadsheet's XML some ten- to fiftyfold).
  Python's zip reader never inflates a part beyond its declared size, so the bounds hold even
  when the directory lies (the part then fails its checksum, and the file is called damaged);
- no part may declare a DTD (``<!DOCTYPE``): no spreadsheet program writes one, and it is how
  entity expansion ("billion laughs") and outside files (XXE) get in;
- every part is searched for personal identity codes, not only the cells: cell comments,
  document properties, print headers and footers, defined names, hyperlinks and their targets,
  drop-down lists (data validation), formulas, charts, text boxes, any other text. Cell values
  are left to the cell reader (:mod:`evalkit.register.workbook`), which names their line and
  column; everything else is named by the part it is in, never by its value.

Each part is streamed in chunks, so memory stays bounded however large the part.
"""
from __future__ import annotations

import codecs
import html
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from evalkit.errors import InputError, InputProblem

MAX_PARTS = 10_000
MAX_INFLATED = 1 << 30
MAX_RATIO = 100
MAX_CELLS = 20_000_000    # cells in all sheets: a register of Excel's full size has 16.8 million
_RATIO_FROM = 1 << 20   # small parts compress erratically; only large ones are held to the ratio
_CHUNK = 4 << 20
_OVERLAP = 32           # text carried over a chunk's end, so that a code split by it is still seen
SAVE_AGAIN = "save the register again from Excel as .xlsx, or as CSV UTF-8"
SHARED_STRINGS = "xl/sharedStrings.xml"

_DTD_MARKS = tuple(mark.encode(encoding) for mark in ("<!DOCTYPE", "<!ENTITY")
                   for encoding in ("utf-8", "utf-16-le", "utf-16-be"))
# A cell's own value (<v>, or an inline string <is>): the cell reader checks those.
_CELL_VALUE = re.compile(r"<(?:\w+:)?(v|is)\b[^>]*>.*?</(?:\w+:)?\1>", re.DOTALL)
# Formatting runs split one text into pieces (<r><rPr/><t>1310</t></r><r><t>52-308T</t></r>):
# their tags are dropped so the pieces join; every other tag separates texts.
_RUN_PROPERTIES = re.compile(r"<(?:\w+:)?rPr\b[^>]*/>|<(?:\w+:)?rPr\b[^>]*>.*?</(?:\w+:)?rPr>", re.DOTALL)
_RUN_TAG = re.compile(r"</?(?:\w+:)?[rt]\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")
_CELL_TAG = re.compile(r"<(?:\w+:)?c[\s/>]")
_SHEET_NAME = re.compile(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"')
# Print header and footer codes (&L, &C, &R, &P, &"Arial,Bold") stand right before the text.
_HEADER_CODE = re.compile(r'&(?:"[^"]*"|[A-Za-z])')

_PLACES = (   # part name pattern -> where a person finds it in Excel
    (re.compile(r"^xl/(comments|threadedComments/).*"), "a cell comment or note"),
    (re.compile(r"^docProps/.*"), "the document properties (File > Info > Properties)"),
    (re.compile(r"^xl/workbook\.xml$"), "the workbook's defined names or settings (Formulas > Name Manager)"),
    (re.compile(r"^xl/worksheets/_rels/.*"), "a hyperlink target (Insert > Link)"),
    (re.compile(r"^xl/worksheets/.*"), "a formula, print header or footer, hyperlink, drop-down list (data "
                                       "validation), filter or other setting of a sheet"),
    (re.compile(r"^xl/(drawings|charts)/.*"), "a chart, text box, shape or picture description"),
    (re.compile(r"^xl/sharedStrings\.xml$"), "a text no cell shows any more (left from a deleted cell)"),
    (re.compile(r"^xl/persons/.*"), "the names of the people who commented"),
    (re.compile(r"^xl/(pivotCache|pivotTables)/.*"), "a pivot table or its cached data"),
    (re.compile(r"^xl/externalLinks/.*"), "a link to another workbook"),
)


@dataclass
class PackageScan:
    """What :func:`check_package` found: the parts holding identity codes outside cells."""

    parts_with_codes: list[str]
    worksheet_parts: set[str]


def _refuse(label: str, message: str) -> InputError:
    return InputError([InputProblem(label, None, None, message)])


def check_package(path: Path, label: str) -> PackageScan:
    """Check the archive's bounds and every part (see the module text) before any XML is parsed.

    Parameters
    ----------
    path : Path
        The workbook file.
    label : str
        The file's name, for messages.

    Returns
    -------
    PackageScan
        The parts (other than the shared strings) holding an identity code outside a cell's value.

    Raises
    ------
    InputError
        One line: the archive is damaged, not a workbook, expands beyond the bounds, or a part
        declares a DTD.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse(label, "is not a readable .xlsx workbook: the zip archive is damaged or cut short; "
                      + SAVE_AGAIN) from None
    with archive:
        members = archive.infolist()
        _check_kind(archive, members, label)
        _check_bounds(members, label)
        worksheets = {m.filename for m in members if m.filename.startswith("xl/worksheets/")
                      and m.filename.endswith(".xml")}
        titles = _sheet_titles_with_codes(archive, label)
        found, cells = [], [0]
        for member in members:
            if member.is_dir():
                continue
            try:
                # The shared strings are the cells' texts: the cell reader checks them, by value.
                has_code = _scan_part(archive, member, label, strip_cells=member.filename in worksheets,
                                      search=member.filename != SHARED_STRINGS, hide=titles,
                                      cells=cells if member.filename in worksheets else None)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
                raise _refuse(label, f"is not a readable .xlsx workbook: its part {member.filename} is "
                              f"damaged or cut short; {SAVE_AGAIN}") from None
            if has_code:
                found.append(member.filename)
    return PackageScan(found, worksheets)


def scan_part_text(path: Path, label: str, part: str) -> bool:
    """Whether ``part`` holds an identity code anywhere in its text, cell values included."""
    with zipfile.ZipFile(path) as archive:
        return _scan_part(archive, archive.getinfo(part), label, strip_cells=False)


def code_problem(label: str, part: str, sheet_titles: dict[str, str]) -> InputProblem:
    """The line for an identity code in ``part``: where in Excel it is, the part's name, never the value."""
    from evalkit.register.hetu import HETU_MESSAGE

    place = next((text for pattern, text in _PLACES if pattern.match(part)), "a part of the workbook")
    sheet = sheet_titles.get(part) or sheet_titles.get(part.replace("_rels/", "").removesuffix(".rels"))
    if sheet:
        place += f" on {sheet}"
    return InputProblem(label, None, None, f"{place} (part {part}) {HETU_MESSAGE}")


def _sheet_titles_with_codes(archive: zipfile.ZipFile, label: str) -> tuple[str, ...]:
    """The sheet names in ``xl/workbook.xml`` that hold an identity code (each refused as a sheet name)."""
    from evalkit.register.hetu import contains_hetu

    member = archive.getinfo("xl/workbook.xml")
    if member.file_size > _CHUNK:   # a workbook part is a few kilobytes; the full scan still sees it
        return ()
    data = archive.read(member)
    if any(mark in data for mark in _DTD_MARKS):
        return ()   # refused when the part is scanned
    text = data.decode("utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8",
                       errors="replace")
    names = (html.unescape(name) for name in _SHEET_NAME.findall(text))
    return tuple(name for name in names if contains_hetu(name))


def _check_kind(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], label: str) -> None:
    names = {m.filename for m in members}
    if "mimetype" in names and "xl/workbook.xml" not in names:
        kind = archive.read("mimetype")[:100] if archive.getinfo("mimetype").file_size < 200 else b""
        if b"opendocument.spreadsheet" in kind:
            raise _refuse(label, "is an OpenDocument spreadsheet (.ods), not .xlsx: open it and save it as "
                          "CSV UTF-8 or .xlsx")
    if "xl/workbook.xml" not in names:
        raise _refuse(label, "is a zip archive but not an .xlsx workbook (it has no xl/workbook.xml); "
                      "give the register as CSV UTF-8 or .xlsx")
    if any(m.flag_bits & 0x1 for m in members):
        raise _refuse(label, "has encrypted parts, which evalkit cannot open: remove the password and "
                      + SAVE_AGAIN)


def _check_bounds(members: list[zipfile.ZipInfo], label: str) -> None:
    if len(members) > MAX_PARTS:
        raise _refuse(label, f"has {len(members):,} parts, more than the {MAX_PARTS:,} evalkit reads from a "
                      f"workbook; {SAVE_AGAIN}")
    total = sum(m.file_size for m in members)
    if total > MAX_INFLATED:
        raise _refuse(label, f"would expand to {total >> 20:,} MB, more than the {MAX_INFLATED >> 20:,} MB "
                      f"evalkit reads from a workbook; {SAVE_AGAIN}")
    for member in members:
        if member.file_size > _RATIO_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            ratio = member.file_size // max(member.compress_size, 1)
            raise _refuse(label, f"is not a workbook evalkit opens: its part {member.filename} would expand "
                          f"{ratio:,}-fold to {member.file_size >> 20:,} MB (a \"zip bomb\"); {SAVE_AGAIN}")


def _scan_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, label: str, strip_cells: bool,
               search: bool = True, hide: tuple[str, ...] = (), cells: list[int] | None = None) -> bool:
    """Refuse a DTD in the part; whether its text (cell values aside when ``strip_cells``) holds a code.

    The texts in ``hide`` (sheet names holding a code, refused by their own message) are passed over.
    A sheet's cells are added to ``cells[0]``, and more than :data:`MAX_CELLS` are refused here, in
    seconds, rather than after minutes of parsing them.
    """
    from evalkit.register.hetu import contains_hetu

    found = False
    decoder = None
    carry, tail, previous = "", "", b""
    with archive.open(member) as handle:
        while True:
            data = handle.read(_CHUNK)
            window = previous[-16:] + data
            if any(mark in window for mark in _DTD_MARKS):
                raise _refuse(label, f"its part {member.filename} declares a DTD (<!DOCTYPE> or <!ENTITY>), "
                              "which no spreadsheet program writes and evalkit does not read (it can expand "
                              f"entities without bound or read other files); {SAVE_AGAIN}")
            previous = data
            if decoder is None:
                utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
                decoder = codecs.getincrementaldecoder("utf-16" if utf16 else "utf-8")("replace")
            text = carry + decoder.decode(data, final=not data)
            if data:
                cut = _cut(text, strip_cells)
                text, carry = text[:cut], text[cut:]
            else:
                carry = ""
            if cells is not None:
                cells[0] += len(_CELL_TAG.findall(text))
                if cells[0] > MAX_CELLS:
                    raise _refuse(label, f"holds more than {MAX_CELLS:,} cells in its sheets, more than a register "
                                  "of Excel's full size; save the register as CSV UTF-8")
            if search and not found and text:
                found, tail = _holds_code(text, tail, strip_cells, hide, contains_hetu)
            if not data:
                return found


def _cut(text: str, rows: bool) -> int:
    """Where to end a chunk: after a sheet row or a tag, so that no cell value or tag is cut in two."""
    cut = text.rfind("</row>") + len("</row>") if rows and "</row>" in text else text.rfind(">") + 1
    if cut <= 0 or len(text) - cut > _CHUNK:   # no tag at all: a text larger than a chunk
        cut = len(text)
    return cut


def _holds_code(text: str, tail: str, strip_cells: bool, hide: tuple[str, ...], contains_hetu) -> tuple[bool, str]:
    """Whether ``text`` holds a code, as written (attributes, single texts) or with its runs joined."""
    if strip_cells:
        text = _CELL_VALUE.sub("", text)
    raw = _HEADER_CODE.sub(" ", html.unescape(text))
    joined = _TAG.sub(" ", _RUN_TAG.sub("", _RUN_PROPERTIES.sub("", text)))
    joined = tail + _HEADER_CODE.sub(" ", html.unescape(joined))
    for title in hide:
        raw, joined = raw.replace(title, " "), joined.replace(title, " ")
    return contains_hetu(raw) or contains_hetu(joined), joined[-_OVERLAP:]
