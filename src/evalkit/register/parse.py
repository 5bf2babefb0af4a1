"""Text cells to typed columns, reporting every cell that cannot be read (never guessing).

Dates: ISO ``2022-12-31`` or Finnish ``31.12.2022`` (day first, four-digit year). Anything else,
e.g. ``12/31/2022`` or ``31.12.22``, is refused rather than read in some other order.
Numbers: whole numbers for counts; euros may use a decimal comma in a semicolon CSV (Finnish
Excel), and spaces between thousands. Codes are matched without regard to case.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.definitions import FIRST_YEAR, LAST_YEAR
from evalkit.errors import InputProblem

# Digits are ASCII digits only: a regular expression's \d also takes full-width (４０) and
# Arabic-Indic (٤٠) digits, which some readers then take and others refuse.
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_FINNISH_DATE = r"^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}$"
# Longer whole numbers than this cannot be any count or score here, and would not fit 64 bits.
_MAX_DIGITS = 15
# How a spreadsheet shows a very long number (1,23E+15), and Python or Parquet an endless one.
_EXPONENT = r"^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)[eE][+-]?[0-9]+$"
_NON_FINITE = r"(?i)^[+-]?(?:inf|infinity|nan)$"


def shown(value: str) -> str:
    """A cell value quoted for a message, shortened so one problem stays one line.

    A value shaped like an identity code, its check character right or not, is not quoted
    (:func:`evalkit.register.hetu.contains_hetu`).
    """
    from evalkit.register.hetu import contains_hetu

    if contains_hetu(value):
        return "'<identity code>'"
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
        if not bad.any():   # the usual case: no row is picked out of millions
            return
        for line, value in text[bad].items():
            self.problems.append(InputProblem(self.file_label, int(line), column,
                                              f"{shown(value)} {message}; allowed: {allowed}"))
            self.bad_cells.add((int(line), column))

    def text(self, text: pd.Series) -> pd.Series:
        """Free text as it stands; an empty cell becomes missing."""
        if isinstance(text.dtype, pd.CategoricalDtype):
            values, rows = distinct(text)
            return _spread(values.where(values != "", None), rows, text)
        return text.where(text != "", None).astype("str")

    def identifier(self, text: pd.Series, column: str, allowed: str) -> pd.Series:
        """:meth:`text` for an identifier, refusing a cell holding a character that shows nothing.

        ``p1`` and ``p1`` followed by a zero-width space look the same and are two identifiers:
        one person would count twice, unseen by the uniqueness check. For the same reason an
        identifier is given in Unicode's composed form (NFC), so that the check sees two ways of
        writing "å" as one.
        """
        from evalkit.register.hetu import invisible_identifier_problems

        values = self.text(text)
        problems = invisible_identifier_problems(values, self.file_label, column, allowed)
        self.problems += problems
        self.bad_cells.update((problem.line, column) for problem in problems)
        # "å" typed as one character or as "a" and a combining ring looks the same and would
        # count as two people: identifiers are compared in one Unicode form (NFC).
        other = (values.notna() & ~values.str.isascii()).to_numpy(dtype=bool)
        if other.any():
            values = values.copy()
            values[other] = values[other].str.normalize("NFC")
        return values

    def code(self, text: pd.Series, upper: bool = False) -> pd.Series:
        """A code column in lower case (upper case with ``upper``), so case never matters; empty is missing.

        Returns a Categorical whose categories are the codes found, each once. Whether a code is
        allowed is the schema's check, not this one's.
        """
        values, rows = distinct(text)
        cased = values.str.upper() if upper else values.str.lower()
        # Texts differing only in case are one code: the categories are distinct after casing.
        positions, codes = pd.factorize(cased.where(values != "", None))
        return pd.Series(pd.Categorical.from_codes(positions[rows], categories=codes),
                         index=text.index, name=text.name)

    def date(self, text: pd.Series, column: str, allowed: str) -> pd.Series:
        """Dates written ``2022-12-31`` or ``31.12.2022``; any other form, or no such day, is a problem.

        Parameters
        ----------
        text : pandas.Series
            Stripped cell texts (or a Categorical of them), index = line numbers.
        column : str
            Column name, for the messages.
        allowed : str
            What the contract allows in the column, quoted in each message.

        Returns
        -------
        pandas.Series
            ``datetime64[ns]``; NaT where empty or unreadable.
        """
        values, rows = distinct(text)
        iso = values.str.match(_ISO_DATE).to_numpy(dtype=bool)
        finnish = ~iso & values.str.match(_FINNISH_DATE).to_numpy(dtype=bool)
        # The whole column at once (most files write every date one way); the other form after.
        parsed = pd.to_datetime(values.where(iso, None), format="%Y-%m-%d", errors="coerce")
        if finnish.any():
            parsed[finnish] = pd.to_datetime(values[finnish], format="%d.%m.%Y", errors="coerce")
        empty = (values == "").to_numpy(dtype=bool)
        bad_form = ~(iso | finnish | empty)
        impossible = (iso | finnish) & parsed.isna().to_numpy(dtype=bool)
        years = parsed.dt.year
        out_of_range = ((years < FIRST_YEAR) | (years > LAST_YEAR)).fillna(False).to_numpy(dtype=bool)
        parsed = parsed.where(~out_of_range).astype("datetime64[ns]")
        self._report(text, bad_form[rows], column, "is not a date in a form read without guessing "
                     "(write 2022-12-31 or 31.12.2022)", allowed)
        self._report(text, impossible[rows], column, "is not a date of the calendar", allowed)
        self._report(text, out_of_range[rows], column, f"is not a date between the years {FIRST_YEAR} "
                     f"and {LAST_YEAR}", allowed)
        return pd.Series(parsed.to_numpy()[rows], index=text.index, name=text.name).astype("datetime64[ns]")

    def whole(self, text: pd.Series, column: str, allowed: str) -> pd.Series:
        """Whole numbers (spaces between thousands allowed); more than 15 digits is a problem.

        Parameters and messages as for :meth:`date`; returns nullable ``Int64``, NA where empty or
        unreadable.
        """
        values, rows = distinct(text)
        ok, numbers = self._numbers(values, r"[+-]?[0-9]+")
        long = ok & (numbers.str.lstrip("-").str.len() > _MAX_DIGITS).fillna(False).to_numpy(dtype=bool)
        self._report_unreadable(text, rows, values, ~(ok | (values == "").to_numpy(dtype=bool)), column,
                                "is not a whole number", allowed)
        self._report(text, long[rows], column, "is far too large", allowed)
        return _spread(numbers.where(~long, None).astype("Int64"), rows, text)

    def number(self, text: pd.Series, column: str, allowed: str) -> pd.Series:
        """Decimal numbers: a decimal point, or a decimal comma in a semicolon CSV (Finnish Excel).

        Parameters and messages as for :meth:`date`; returns ``float64``, NaN where empty or
        unreadable. A decimal comma in a comma-separated file gets its own hint.
        """
        values, rows = distinct(text)
        pattern = r"[+-]?[0-9]+([.,][0-9]+)?" if self.decimal_comma else r"[+-]?[0-9]+(\.[0-9]+)?"
        ok, numbers = self._numbers(values, pattern)
        bad = ~(ok | (values == "").to_numpy(dtype=bool))
        comma = np.zeros(len(values), dtype=bool)
        if bad.any():
            comma[bad] = _compact(values[bad]).str.match(r"^[+-]?[0-9]+,[0-9]+$").to_numpy(dtype=bool)
        hint = "is not a number (use a decimal comma only in a semicolon-separated file)"
        self._report(text, comma[rows], column, hint, allowed)
        self._report_unreadable(text, rows, values, bad & ~comma, column, "is not a number", allowed)
        if self.decimal_comma:
            numbers = numbers.str.replace(",", ".", regex=False)
        return _spread(numbers.astype("float64"), rows, text)

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

    def _report_unreadable(self, text: pd.Series, rows: np.ndarray, values: pd.Series, bad: np.ndarray,
                           column: str, message: str, allowed: str) -> None:
        """Bad numbers, saying why when a program wrote them so: in exponent form, or endless.

        ``values`` are the column's distinct texts, ``bad`` which of them are bad, ``rows`` each
        row's position among them.
        """
        exponent = np.zeros(len(values), dtype=bool)
        endless = np.zeros(len(values), dtype=bool)
        if bad.any():
            compact = _compact(values[bad])
            exponent[bad] = compact.str.match(_EXPONENT).to_numpy(dtype=bool)
            endless[bad] = compact.str.match(_NON_FINITE).to_numpy(dtype=bool)
        self._report(text, exponent[rows], column, "is a number in exponent form (a spreadsheet shows a "
                     "very long number so); write the number out in digits", allowed)
        self._report(text, endless[rows], column, "is not a finite number", allowed)
        self._report(text, (bad & ~exponent & ~endless)[rows], column, message, allowed)


def distinct(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A column's distinct texts, each once, and each row's position among them.

    Every rule of a cell depends on its text alone, so it is worked out once per distinct text and
    spread to the rows: ten million rows of dates hold a few thousand distinct ones. A Categorical
    column (as :func:`evalkit.register.readers.read_table` gives a large CSV) has them already; any
    other column is factorised. A missing cell reads as empty.

    Parameters
    ----------
    text : pandas.Series
        Cell texts, ``str`` or Categorical of ``str``.

    Returns
    -------
    values : pandas.Series
        ``str``, index 0, 1, ...
    rows : numpy.ndarray
        For each row, the position of its text in ``values``.
    """
    if not isinstance(text.dtype, pd.CategoricalDtype):
        rows, uniques = pd.factorize(text.fillna(""))
        return pd.Series(uniques, dtype="str"), rows
    rows = text.cat.codes.to_numpy()
    values = pd.Series(text.cat.categories, dtype="str")
    if (rows < 0).any():
        rows = np.where(rows < 0, len(values), rows)
        values = pd.concat([values, pd.Series([""], dtype="str")], ignore_index=True)
    return values, rows


def _spread(values: pd.Series, rows: np.ndarray, text: pd.Series) -> pd.Series:
    """Per-distinct ``values`` taken for each row, aligned with ``text``."""
    array = values.array
    if isinstance(array, pd.arrays.IntegerArray):   # numpy's take, several times pandas' masked one
        array = pd.arrays.IntegerArray(array.to_numpy(dtype="int64", na_value=0)[rows],
                                       np.asarray(array.isna())[rows])
    else:
        array = array.take(rows)
    return pd.Series(array, index=text.index, name=text.name)


def _compact(text: pd.Series) -> pd.Series:
    """Spaces (also no-break spaces) between thousands removed: "1 000" is 1000."""
    return text.str.replace(r"[\s\u00a0]", "", regex=True)
