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
    pilot_id: str
    as_of: dt.date
    indicators: pd.DataFrame   # exact tidy rows of this pilot and of ``all``
    published: pd.DataFrame    # the same rows as published: hidden cells missing (suppress_complementary)
    has_employers: bool        # employer data exist for this pilot
    has_pooled: bool           # the register holds other pilots too (``all`` is not the pilot)

    def _pick(self, frame: pd.DataFrame, who: str, indicator: str, horizon: int | None):
        chosen = frame[(frame["pilot_id"] == who) & (frame["indicator"] == indicator)]
        chosen = chosen[chosen["horizon_months"].isna()] if horizon is None \
            else chosen[chosen["horizon_months"] == horizon]
        return chosen.iloc[0] if len(chosen) else None

    def rows(self, who: str, indicator: str, horizon: int | None = None) -> pd.Series | None:
        return self._pick(self.indicators, who, indicator, horizon)

    def value(self, who: str, indicator: str, horizon: int | None = None, column: str = "value"):
        row = self.rows(who, indicator, horizon)
        return None if row is None else row[column]

    def shown(self, who: str, indicator: str, horizon: int | None = None, column: str = "value") -> bool:
        """The cell exists, has a value and the small-cell rule lets it be published."""
        row = self._pick(self.published, who, indicator, horizon)
        return row is not None and not pd.isna(row[column])


def pilot_results(register: pd.DataFrame, pilot_id: str, as_of: dt.date,
                  budgets: Mapping[str, int], employers: pd.DataFrame | None = None) -> PilotResults:
    """Every number of the chapter, computed once from the validated register; the small-cell
    rule is applied on the rows of all pilots, as on the national pages and exports.
    """
    everything = published_indicators(register, as_of, budgets, employers)
    published = suppress_complementary(everything)
    keep = everything["pilot_id"].isin([pilot_id, POOLED]).to_numpy()
    mine = everything[keep].reset_index(drop=True)
    shown = published[keep].reset_index(drop=True)
    has_employers = employers is not None and bool((employers["pilot_id"] == pilot_id).any())
    has_pooled = bool(set(register["pilot_id"].dropna().astype(str)) - {pilot_id})
    return PilotResults(pilot_id, as_of, mine, shown, has_employers, has_pooled)
