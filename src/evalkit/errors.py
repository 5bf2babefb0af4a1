"""Errors that reach the user as one clear line each, never as a traceback."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Characters a terminal acts on or shows as nothing: controls (C0, DEL, C1: a line break, an
# escape sequence), format characters (zero-width, bidirectional overrides) and the line and
# paragraph separators.
_HIDDEN_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")
_TWO_CHARACTER = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    r"""``text`` with every control, format and line-separating character escaped as Python writes it.

    So that a file name or key from outside stays one visible line: a line break becomes ``\n``,
    an escape sequence ``\x1b[...``, a zero-width space ``\u200b``; other text is unchanged.
    """
    if text.isprintable() and text.isascii():
        return text
    return "".join(_escaped(c) if unicodedata.category(c) in _HIDDEN_CATEGORIES else c for c in text)


def _escaped(character: str) -> str:
    if character in _TWO_CHARACTER:
        return _TWO_CHARACTER[character]
    point = ord(character)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}" if point < 0x10000 else f"\\U{point:08x}"


class EvalkitError(Exception):
    """A failure the user can act on; the CLI prints its message and exits non-zero."""

    exit_code = 2


@dataclass(frozen=True, order=True)
class InputProblem:
    """One thing wrong with one input: where it is and what is allowed instead.

    ``line`` is the line number in the file as a text editor shows it (header = 1);
    ``None`` when the problem is about the file as a whole.
    """

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        """One line, whatever the file's name, the key or a quoted value hold (:func:`one_line`)."""
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        return one_line(f"{': '.join(where)}: {self.message}")


class InputError(EvalkitError):
    """Bad input: carries every problem found, so the user can fix them in one pass."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or ""))
        super().__init__("\n".join(str(p) for p in self.problems))


class BuildError(EvalkitError):
    """The book could not be built; previous outputs are left as they were."""

    exit_code = 1
