"""Published results looked up cell by cell: one (pilot, indicator, horizon) selector for every page.

A *cell* is one row of a tidy indicator frame, named by ``who`` (a pilot's id or the pooled
``all``), the indicator and the follow-up time (None for an indicator without one).
:func:`cell` is the one way any page, the summary, the goals and the exports pick a cell out of a
frame; :class:`Publication` holds a register's frame exact and as published (the full small-cell
rule of :mod:`evalkit.suppression`, computed on all pilots at once) and answers for a cell its
exact value, whether it is shown, and its count as published.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd


def cell(frame: pd.DataFrame, who: str, indicator: str, horizon: int | None = None) -> pd.Series | None:
    """The row of one cell of a tidy indicator frame, or None when the frame has none.

    Parameters
    ----------
    frame : DataFrame
        Tidy rows with at least ``pilot_id``, ``indicator`` and ``horizon_months``.
    who : str
        A pilot's id, or ``all`` for the pooled row.
    indicator : str
        An indicator name.
    horizon : int, optional
        Follow-up months; None for an indicator without a follow-up time.

    Returns
    -------
    Series or None
        The first matching row.
    """
    chosen = frame[(frame["pilot_id"] == who) & (frame["indicator"] == indicator)]
    chosen = chosen[chosen["horizon_months"].isna()] if horizon is None else \
        chosen[chosen["horizon_months"] == horizon]
    return chosen.iloc[0] if len(chosen) else None


def _positions(frame: pd.DataFrame) -> dict[tuple, int]:
    """Each cell's first row position in ``frame``: what :func:`cell` would pick, found in one pass.

    A page asks a publication for hundreds of cells; a scan of the frame for each cost a pilot
    page about a second. The horizon is None where the frame has none, so a cell asked for
    without a horizon finds exactly the rows :func:`cell` finds (3 and 3.0 are one key).
    """
    positions: dict[tuple, int] = {}
    keys = zip(frame["pilot_id"].tolist(), frame["indicator"].tolist(), frame["horizon_months"].tolist())
    for position, (who, indicator, horizon) in enumerate(keys):
        positions.setdefault((who, indicator, None if pd.isna(horizon) else horizon), position)
    return positions


@dataclass(frozen=True)
class Publication:
    """A register's indicators, exact and as published, looked up by cell.

    Attributes
    ----------
    exact : DataFrame
        Tidy rows (:func:`evalkit.indicators.published_indicators`), exact.
    published : DataFrame
        The same rows with every cell the full small-cell rule hides set to missing
        (:func:`evalkit.suppression.suppress_complementary`, computed on all pilots' rows).
    """

    exact: pd.DataFrame
    published: pd.DataFrame

    # Both frames are read, never changed, once published: each is indexed on first use.
    @cached_property
    def _exact_at(self) -> dict[tuple, int]:
        return _positions(self.exact)

    @cached_property
    def _published_at(self) -> dict[tuple, int]:
        return _positions(self.published)

    def _cell(self, published: bool, who: str, indicator: str, horizon: int | None) -> pd.Series | None:
        frame, at = (self.published, self._published_at) if published else (self.exact, self._exact_at)
        position = at.get((who, indicator, horizon))
        return None if position is None else frame.iloc[position]

    def row(self, who: str, indicator: str, horizon: int | None = None) -> pd.Series | None:
        """The exact row of one cell (the row :func:`cell` picks); None when there is none."""
        return self._cell(False, who, indicator, horizon)

    def value(self, who: str, indicator: str, horizon: int | None = None, column: str = "value"):
        """One column of a cell's exact row (``value`` by default); None when there is no such row."""
        row = self.row(who, indicator, horizon)
        return None if row is None else row[column]

    def shown(self, who: str, indicator: str, horizon: int | None = None, column: str = "value") -> bool:
        """The cell exists, has a value and the small-cell rule lets it be published."""
        row = self._cell(True, who, indicator, horizon)
        return row is not None and not pd.isna(row[column])

    def published_value(self, who: str, indicator: str, horizon: int | None = None) -> float | None:
        """A cell's value as published: None when it is hidden, missing or absent."""
        row = self._cell(True, who, indicator, horizon)
        return None if row is None or pd.isna(row["value"]) else float(row["value"])

    def count_text(self, who: str, indicator: str, horizon: int | None = None, column: str = "value") -> str:
        """A count of people as published (:func:`evalkit.suppression.count_text`).

        ``<5`` when it is 1–4, a dash when missing or hidden as the partner of a small count (it
        is not small itself), else the number.
        """
        from evalkit.suppression import count_text

        exact = self.value(who, indicator, horizon, column)
        return count_text(exact, hidden=not self.shown(who, indicator, horizon, column))


def publish(exact: pd.DataFrame) -> Publication:
    """The :class:`Publication` of a complete frame: the full small-cell rule on all its rows at once.

    Parameters
    ----------
    exact : DataFrame
        Everything published from one register (:func:`evalkit.indicators.published_indicators`).

    Returns
    -------
    Publication
    """
    from evalkit.suppression import suppress_complementary

    return Publication(exact, suppress_complementary(exact))
