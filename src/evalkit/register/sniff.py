"""Naming a file that is not a table evalkit reads, by its first bytes, and saying how to save it instead.

People hand in what their programs wrote: an Excel 97–2003 ``.xls``, a password-protected
workbook (which Office stores in the same old container, whatever its name), a web page that a
system exported "to Excel", Excel's 2003 XML format, an OpenDocument spreadsheet. Each is named
for what it is, in one line, before any reader tries to parse it.
"""
from __future__ import annotations

import codecs

SAVE_AS = "open it in Excel (or LibreOffice) and save it as CSV UTF-8 or .xlsx"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Office keeps an encrypted workbook (.xlsx with a password) in an OLE2 container whose streams
# include "EncryptionInfo"; directory entry names are UTF-16LE.
_ENCRYPTED_STREAM = "EncryptionInfo".encode("utf-16-le")


def wrong_format(head: bytes, whole: bytes | None = None) -> str | None:
    """What the file is, with how to save it as a table, when its first bytes say it is no table.

    Parameters
    ----------
    head : bytes
        The file's first bytes (a few kilobytes).
    whole : bytes, optional
        More of an OLE2 file, to tell an encrypted workbook from an old ``.xls`` (its directory
        may lie beyond ``head``).

    Returns
    -------
    str or None
        The message (without the file's name), or None when the file may be a table.
    """
    if head.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_STREAM in (whole or head):
            return ("is a password-protected (encrypted) workbook, which evalkit cannot open: open it in "
                    "Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password) "
                    "and save it as CSV UTF-8 or .xlsx")
        return ("is an old-format Excel 97-2003 workbook (.xls) or another Office 97-2003 file, not a "
                f"table evalkit reads: {SAVE_AS}")
    text = _start_as_text(head)
    if not text.startswith("<"):
        return None
    lowered = text.lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return f'is an Excel "XML Spreadsheet 2003" file, not a table evalkit reads: {SAVE_AS}'
    if any(tag in lowered for tag in ("<html", "<table", "<!doctype html", "<body", "<head")):
        return ('is an HTML page (a web page, or an "Excel export" that is really HTML), not a table '
                f"file: {SAVE_AS}")
    return f"is an XML or HTML document, not a table file: {SAVE_AS}"


def _start_as_text(head: bytes) -> str:
    """The head as text with byte-order marks and leading white space dropped ("" when not text)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="ignore").lstrip()
    return head.decode("latin-1").lstrip()
