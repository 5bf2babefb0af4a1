"""Text cells to typed columns, reporting every cell that cannot be read (never guessing).

Dates: ISO ``2022-12-31`` or Finnish ``31.12.2022`` (day first, four-digit year). Anything else,
e.g. ``12/31/2022`` or ``31.12.22``, is refused rather than read in some other order.
Numbers: whole numbers for counts; euros may use a decimal comma in a semicolon CSV (Finnish
Excel), and spaces between thousands. Codes are matched without regard to case.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.errors import InputProblem

_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
_FINNISH_DATE = r"^\d{1,2}\.\d{1,2}\.\d{4}$"
# Longer whole numbers than this cannot be any count or score here, and would not fit 64 bits.
_MAX_DIGITS = 15
# How a spreadsheet shows a very long number (1,23E+15), and Python or Parquet an endless one.
_EXPONENT = r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)[eE][+-]?\d+$"
_NON_FINITE = r"(?i)^[+-]?(?:inf|infinity|nan)$"


def shown(value: str) -> str:
    """A cell value quoted for a message, shortened so one problem stays one line."""
    value = value.replace("\n", " ")
    return repr(value if len(value) <= 40 else value[:37] + "...")


class CellParser:
    """Parses columns of one :class:`RawTable`, collecting problems and the cells they hit."""

    def __init__(self, file_label: str, decimal_comma: bool):
        self.file_label = file_label
        self.decimal_comma = decimal_comma
        self.problems: list[InputProblem] = []
        self.bad_cells: set[tuple[int, str]] = set()

    def _report(self, text: pd.Series, bad: np.ndarray, column: str, message: str, allowed: str) -> None:
        for line, value in text[bad].items():
            self.problems.append(InputProblem(self.file_label, int(line), column,
                                              f"{shown(value)} {message}; allowed: {allowed}"))
            self.bad_cells.add((int(line), column))

    def text(self, text: pd.Series) -> pd.Series:
        """Free text as it stands; an empty cell becomes missing."""
        return text.where(text != "", None).astype("str")

    def code(self, text: pd.Series, upper: bool = False) -> pd.Series:
        """A code column in lower case (upper case with ``upper``), so case never matters; empty is missing.

        Whether the code is allowed is the schema's check, not this one's.
        """
        cased = text.str.upper() if upper else text.str.lower()
        return cased.where(text != "", None).astype("str")

    def date(self, text: pd.Series, column: str, allowed: str) -> pd.Series:
        """Dates written ``2022-12-31`` or ``31.12.2022``; any other form, or no such day, is a problem.

        Parameters
        ----------
        text : pandas.Series
            Stripped cell texts, index = line numbers.
        column : str
            Column name, for the messages.
        allowed : str
            What the contract allows in the column, quoted in each message.

        Returns
        -------
        pandas.Series
            ``datetime64[ns]``; NaT where empty or unreadable.
        """
        # Each distinct text is read once: a register of a million people has a few thousand
        # distinct dates, so this is several times faster than reading every row.
        rows, distinct = pd.factorize(text.fillna(""))
        values = pd.Series(distinct, dtype=text.dtype)
        iso_distinct = values.str.match(_ISO_DATE).to_numpy(dtype=bool)
        finnish_distinct = ~iso_distinct & values.str.match(_FINNISH_DATE).to_numpy(dtype=bool)
        # The whole column at once (most files write every date one way); the other form after.
        parsed_distinct = pd.to_datetime(values.where(iso_distinct, None), format="%Y-%m-%d",
                                         errors="coerce").astype("datetime64[ns]")
        if finnish_distinct.any():
            parsed_distinct[finnish_distinct] = pd.to_datetime(values[finnish_distinct], format="%d.%m.%Y",
                                                               errors="coerce")
        iso, finnish = iso_distinct[rows], finnish_distinct[rows]
        parsed = pd.Series(parsed_distinct.to_numpy()[rows], index=text.index, name=text.name)
        empty = (text == "").to_numpy(dtype=bool)
        bad_form = ~(iso | finnish | empty)
        impossible = (iso | finnish) & parsed.isna().to_numpy(dtype=bool)
        self._report(text, bad_form, column, "is not a date in a form read without guessing "
                     "(write 2022-12-31 or 31.12.2022)", allowed)
        self._report(text, impossible, column, "is not a date of the calendar", allowed)
        return parsed.astype("datetime64[ns]")

    def whole(self, text: pd.Series, column: str, allowed: str) -> pd.Series:
        """Whole numbers (spaces between thousands allowed); more than 15 digits is a problem.

        Parameters and messages as for :meth:`date`; returns nullable ``Int64``, NA where empty or
        unreadable.
        """
        ok, values = self._numbers(text, r"[+-]?\d+")
        long = ok & (values.str.lstrip("-").str.len() > _MAX_DIGITS).fillna(False).to_numpy(dtype=bool)
        self._report_unreadable(text, ~(ok | (text == "").to_numpy(dtype=bool)), column,
                                "is not a whole number", allowed)
        self._report(text, long, column, "is far too large", allowed)
        return values.where(~long, None).astype("Int64")

    def number(self, text: pd.Series, column: str, allowed: str) -> pd.Series:
        """Decimal numbers: a decimal point, or a decimal comma in a semicolon CSV (Finnish Excel).

        Parameters and messages as for :meth:`date`; returns ``float64``, NaN where empty or
        unreadable. A decimal comma in a comma-separated file gets its own hint.
        """
        pattern = r"[+-]?\d+([.,]\d+)?" if self.decimal_comma else r"[+-]?\d+(\.\d+)?"
        ok, values = self._numbers(text, pattern)
        bad = ~(ok | (text == "").to_numpy(dtype=bool))
        comma = np.zeros(len(text), dtype=bool)
        if bad.any():
            comma[bad] = _compact(text[bad]).str.match(r"^[+-]?\d+,\d+$").to_numpy(dtype=bool)
        hint = "is not a number (use a decimal comma only in a semicolon-separated file)"
        self._report(text, comma, column, hint, allowed)
        self._report_unreadable(text, bad & ~comma, column, "is not a number", allowed)
        if self.decimal_comma:
            values = values.str.replace(",", ".", regex=False)
        return values.astype("float64")

    @staticmethod
    def _numbers(text: pd.Series, pattern: str) -> tuple[np.ndarray, pd.Series]:
        """Which cells are numbers of ``pattern``, and their text without thousands spaces or a leading +.

        The text is NA elsewhere. Vectorised for the usual plain cells; only the rest (spaces
        between thousands, stray text) take the slower path.
        """
        ok = text.str.fullmatch(pattern).to_numpy(dtype=bool, copy=True)
        values = text.where(ok, None)
        rest = ~ok & (text != "").to_numpy(dtype=bool)
        if rest.any():
            compact = _compact(text[rest])
            fixed = compact.str.fullmatch(pattern).to_numpy(dtype=bool)
            positions = np.flatnonzero(rest)[fixed]
            values.iloc[positions] = compact[fixed].to_numpy()
            ok[positions] = True
        return ok, values.str.removeprefix("+")

    def _report_unreadable(self, text: pd.Series, bad: np.ndarray, column: str, message: str,
                           allowed: str) -> None:
        """Bad numbers, saying why when a program wrote them so: in exponent form, or endless."""
        exponent = np.zeros(len(text), dtype=bool)
        endless = np.zeros(len(text), dtype=bool)
        if bad.any():
            compact = _compact(text[bad])
            exponent[bad] = compact.str.match(_EXPONENT).to_numpy(dtype=bool)
            endless[bad] = compact.str.match(_NON_FINITE).to_numpy(dtype=bool)
        self._report(text, exponent, column, "is a number in exponent form (a spreadsheet shows a "
                     "very long number so); write the number out in digits", allowed)
        self._report(text, endless, column, "is not a finite number", allowed)
        self._report(text, bad & ~exponent & ~endless, column, message, allowed)


def _compact(text: pd.Series) -> pd.Series:
    """Spaces (also no-break spaces) between thousands removed: "1 000" is 1000."""
    return text.str.replace(r"[\s\u00a0]", "", regex=True)
