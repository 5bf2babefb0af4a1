"""Errors that reach the user as one clear line each, never as a traceback."""
from __future__ import annotations

from dataclasses import dataclass


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
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{': '.join(where)}: {self.message}"


class InputError(EvalkitError):
    """Bad input: carries every problem found, so the user can fix them in one pass."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or ""))
        super().__init__("\n".join(str(p) for p in self.problems))


class BuildError(EvalkitError):
    """The book could not be built; previous outputs are left as they were."""

    exit_code = 1
