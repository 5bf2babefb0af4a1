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
from evalkit.publication import Publication
from evalkit.register import pilot_ids
from evalkit.suppression import suppress_complementary


@dataclass(frozen=True)
class PilotResults(Publication):
    """Every number of one pilot's chapter, exact and as published, looked up cell by cell.

    A :class:`evalkit.publication.Publication` of this pilot's rows and the pooled ``all`` rows
    (``who`` in a lookup being the pilot's id or ``all``), with what the chapter needs to know
    besides.

    Attributes
    ----------
    exact : DataFrame
        Exact tidy rows of this pilot and of ``all``, as
        :func:`evalkit.indicators.published_indicators` computes them (also :attr:`indicators`).
    published : DataFrame
        The same rows as published: every cell the small-cell rule hides is missing
        (:func:`evalkit.suppression.suppress_complementary`, computed on all pilots' rows).
    pilot_id : str
        The chapter's pilot.
    as_of : datetime.date
        The register's extract date.
    has_employers : bool
        Employer records exist for this pilot.
    has_pooled : bool
        The register holds other pilots too, so the ``all`` rows are not the pilot's own.
    """

    pilot_id: str = ""
    as_of: dt.date | None = None
    has_employers: bool = False
    has_pooled: bool = False

    @property
    def indicators(self) -> pd.DataFrame:
        """The exact rows (:attr:`exact`)."""
        return self.exact

    def rows(self, who: str, indicator: str, horizon: int | None = None) -> pd.Series | None:
        """The exact, unsuppressed row of one cell (:meth:`evalkit.publication.Publication.row`)."""
        return self.row(who, indicator, horizon)


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
    has_pooled = bool(pilot_ids(register) - {pilot_id})
    return PilotResults(mine, shown, pilot_id=pilot_id, as_of=as_of, has_employers=has_employers,
                        has_pooled=has_pooled)
