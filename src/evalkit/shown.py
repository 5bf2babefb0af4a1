"""Paths and names from outside, made fit to show: in a message, on the terminal, in the report.

- :func:`shown` and :func:`shown_path`: for messages. A part holding a personal identity code
  (a folder ``asiakkaat/131052-308T/``) reads ``<identity code>``, and control characters are
  escaped (:func:`evalkit.errors.one_line`), so a file name with a line break or an escape sequence
  stays one line and reads as it is.
- :func:`published_path`: for what a build publishes (the provenance table, notebooks). Relative to
  the project folder when the file is in it; else only the file's name, never a home folder or
  user name. The provenance table gives each file's digest beside it, which tells files apart.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from evalkit.errors import one_line
from evalkit.register.hetu import contains_hetu

IDENTITY_CODE = "<identity code>"
# What separates the parts of a message: a path's folders, words, quotes, punctuation around a name.
_PARTS = re.compile(r"([\s/\\:;,'\"`()\[\]{}<>=|]+)")


def hide_identity_codes(text: str) -> str:
    """``text`` with each part (a path component, a word) holding an identity code read ``<identity code>``."""
    if not contains_hetu(text):
        return text
    hidden = "".join(IDENTITY_CODE if contains_hetu(part) else part for part in _PARTS.split(text))
    return IDENTITY_CODE if contains_hetu(hidden) else hidden   # a code no single part holds: all of it


def shown(text: object) -> str:
    """``text`` as one line fit to print: identity codes hidden, control characters escaped."""
    return one_line(hide_identity_codes(str(text)))


def shown_path(path: str | os.PathLike) -> str:
    """A path as a message names it (as given, not resolved): see :func:`shown`."""
    return shown(os.fspath(path))


def published_path(path: str | os.PathLike, root: str | os.PathLike) -> str:
    """A path as a published page names it.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    root : str or os.PathLike
        The project (or programme) folder.

    Returns
    -------
    str
        The path relative to ``root`` with ``/`` between parts when the file lies inside ``root``;
        else the file's name alone. A part that holds an identity code reads ``<identity code>``
        and control characters are escaped, as in :func:`shown`.
    """
    resolved, base = Path(path).resolve(), Path(root).resolve()
    try:
        text = resolved.relative_to(base).as_posix()
    except ValueError:
        text = resolved.name
    return shown(text)
