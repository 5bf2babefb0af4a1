"""What one pilot's chapter shows, computed once: no text, no I/O.

:func:`pilot_results` runs :func:`evalkit.indicators.published_indicators` once on the register
(the whole national register, or a pilot's own extract) and keeps the rows of one pilot and the
pooled ``all`` rows, exact and as published. The small-cell rule, with its complementary
suppression, lives in :mod:`evalkit.suppression` and is applied to that whole frame (all pilots at
once), so a cell hidden on one page is hidden on every page.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from evalkit.definitions import POOLED
from evalkit.indicators import published_indicators
from evalkit.suppression import suppress_complementary


@dataclass(frozen=True)
class PilotResults:
    """Every number of one pilot's chapter, exact and as published, looked up cell by cell.

    A cell is one (who, indicator, horizon) row of the tidy indicator frame, ``who`` being the
    pilot's id or ``all`` (the pooled rows).

    Attributes
    ----------
    pilot_id : str
        The chapter's pilot.
    as_of : datetime.date
        The register's extract date.
    indicators : DataFrame
        Exact tidy rows of this pilot and of ``all``, as
        :func:`evalkit.indicators.published_indicators` computes them.
    published : DataFrame
        The same rows as published: every cell the small-cell rule hides is missing
        (:func:`evalkit.suppression.suppress_complementary`, computed on all pilots' rows).
    has_employers : bool
        Employer records exist for this pilot.
    has_pooled : bool
        The register holds other pilots too, so the ``all`` rows are not the pilot's own.
    """

    pilot_id: str
    as_of: dt.date
    indicators: pd.DataFrame
    published: pd.DataFrame
    has_employers: bool
    has_pooled: bool

    def _pick(self, frame: pd.DataFrame, who: str, indicator: str, horizon: int | None):
        chosen = frame[(frame["pilot_id"] == who) & (frame["indicator"] == indicator)]
        chosen = chosen[chosen["horizon_months"].isna()] if horizon is None \
            else chosen[chosen["horizon_months"] == horizon]
        return chosen.iloc[0] if len(chosen) else None

    def rows(self, who: str, indicator: str, horizon: int | None = None) -> pd.Series | None:
        """The exact, unsuppressed row of one cell; None when the frame has no such row.

        Parameters
        ----------
        who : str
            The pilot's id, or ``all`` for the pooled row.
        indicator : str
            An indicator name, e.g. ``employment_rate`` or ``share_training``.
        horizon : int, optional
            Follow-up months (3, 6 or 12); None for an indicator without a horizon.

        Returns
        -------
        Series or None
            The row, indexed by the frame's columns (``numerator``, ``denominator``, ``value``,
            ``ci_low``, ``ci_high`` ...).
        """
        return self._pick(self.indicators, who, indicator, horizon)

    def value(self, who: str, indicator: str, horizon: int | None = None, column: str = "value"):
        """One column of a cell's exact row (``value`` by default); None when there is no such row.

        ``who``, ``indicator`` and ``horizon`` are those of :meth:`rows`. The value itself may be
        NaN, e.g. a rate with no one followed up.
        """
        row = self.rows(who, indicator, horizon)
        return None if row is None else row[column]

    def shown(self, who: str, indicator: str, horizon: int | None = None, column: str = "value") -> bool:
        """The cell exists, has a value and the small-cell rule lets it be published."""
        row = self._pick(self.published, who, indicator, horizon)
        return row is not None and not pd.isna(row[column])


def pilot_results(register: pd.DataFrame, pilot_id: str, as_of: dt.date,
                  budgets: Mapping[str, int], employers: pd.DataFrame | None = None) -> PilotResults:
    """Every number of the chapter, computed once from the validated register.

    The small-cell rule is applied on the rows of all pilots, as on the national pages and
    exports, so a cell hidden on this page is hidden on every page.

    Parameters
    ----------
    register : DataFrame
        The validated register: the whole national one, or the pilot's own extract.
    pilot_id : str
        The chapter's pilot.
    as_of : datetime.date
        The extract date, which decides who is eligible at each horizon (CONTRACT.md, "Horizons
        and who counts").
    budgets : mapping of str to int
        Each pilot's budget in euros, for the cost indicators.
    employers : DataFrame, optional
        The validated employer records, for the employer indicators.

    Returns
    -------
    PilotResults
        The pilot's rows and the pooled ``all`` rows, exact and as published.
    """
    everything = published_indicators(register, as_of, budgets, employers)
    published = suppress_complementary(everything)
    keep = everything["pilot_id"].isin([pilot_id, POOLED]).to_numpy()
    mine = everything[keep].reset_index(drop=True)
    shown = published[keep].reset_index(drop=True)
    has_employers = employers is not None and bool((employers["pilot_id"] == pilot_id).any())
    has_pooled = bool(set(register["pilot_id"].dropna().astype(str)) - {pilot_id})
    return PilotResults(pilot_id, as_of, mine, shown, has_employers, has_pooled)
