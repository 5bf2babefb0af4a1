"""Checks of the published report as a reader gets it: the built site, the site in a real browser, the PDF.

Each check returns a list of ``Problem``; an empty list means the check passed.

Used by ``evalkit check`` and by the tests (tests/test_accessibility.py, test_browser.py,
test_pdf.py), so the standard is written down once.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing a reader would trip over: where (a page, or a PDF page) and what."""

    where: str
    message: str
    check: str = ""
    note: bool = False   # worth saying, but not a failure (e.g. the other edition is not built yet)

    def __str__(self) -> str:
        prefix = "note: " if self.note else ""
        return f"{prefix}{self.where}: {self.message}" + (f" [{self.check}]" if self.check else "")


def failures(problems: list[Problem]) -> list[Problem]:
    """The problems that fail a check: all but the notes."""
    return [p for p in problems if not p.note]
