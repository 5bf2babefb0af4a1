"""What one pilot's chapter shows, computed once: pure functions, no text, no I/O.

``pilot_results`` runs the indicator families of :mod:`evalkit.indicators` once on the register
(the whole national register, or a pilot's own extract) and keeps the rows of one pilot and the
pooled ``all`` rows. Two small additions live here because the chapter needs them and the
indicator module does not provide them (yet):

- :func:`was_end_bands`  the work ability score *at the end* in the same bands as at the start
  (``indicators.was_bands`` reads ``was_start`` only; this feeds it the end scores);
- :func:`basis_counts`   participants by identification basis (diagnosis, täsmätyö, none);
- :func:`basis_rows`     the same as tidy count rows, so the small-cell rule sees them.

:func:`published_indicators` is the complete frame every page and export publishes from one
register; the small-cell rule, with its complementary suppression, lives in
:mod:`evalkit.suppression` and is applied to that whole frame (all pilots at once), so a cell
hidden on one page is hidden on every page.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from evalkit.definitions import BASIS_CODES, PILOT_IDS, POOLED
from evalkit.indicators import (CONTRACT_COLUMNS, WAS_BANDS, compute_indicators, extra_indicators,
                                order_rows, was_bands)
from evalkit.suppression import suppress_complementary

WAS_END_BAND_INDICATORS = (*(f"was_end_band_{b}" for b in WAS_BANDS), "was_end_recorded")


def was_end_bands(register: pd.DataFrame) -> pd.DataFrame:
    """Work ability score at the end of service in the bands of ``indicators.was_bands``:
    ``was_end_band_<band>`` as shares of people with an end score, ``was_end_recorded`` as a share
    of participants."""
    bands = was_bands(register.assign(was_start=register["was_end"]))
    bands["indicator"] = bands["indicator"].str.replace("was_band_", "was_end_band_", regex=False) \
        .str.replace("was_start_recorded", "was_end_recorded", regex=False)
    return bands


def basis_counts(register: pd.DataFrame) -> pd.DataFrame:
    """Participants per pilot (and pooled) by identification basis: rows pilots present plus
    ``all``, columns the basis codes, values counts."""
    table = pd.crosstab(register["pilot_id"].astype(str), register["basis"].astype(str))
    table = table.reindex(columns=list(BASIS_CODES), fill_value=0)
    present = [p for p in PILOT_IDS if p in table.index]
    table = table.loc[present]
    table.loc[POOLED] = table.sum(axis=0)
    return table.astype("int64")


def basis_rows(register: pd.DataFrame) -> pd.DataFrame:
    """:func:`basis_counts` as tidy count rows ``basis_<code>`` (value = numerator = the count), so
    that the small-cell rule sees them beside the participants they add up to."""
    table = basis_counts(register)
    rows = [{"pilot_id": who, "horizon_months": pd.NA, "indicator": f"basis_{code}",
             "numerator": int(table.at[who, code]), "denominator": pd.NA,
             "value": float(table.at[who, code]), "ci_low": float("nan"), "ci_high": float("nan")}
            for who in table.index for code in table.columns]
    frame = pd.DataFrame(rows, columns=list(CONTRACT_COLUMNS))
    return frame.astype({"horizon_months": "Int64", "numerator": "Int64", "denominator": "Int64"})


def published_indicators(register: pd.DataFrame, as_of: dt.date, budgets: Mapping[str, int],
                         employers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator row any page or export publishes from this register, for every pilot and
    pooled: the contract's families, the extra ones, the end-of-service score bands and the
    identification bases. The small-cell rule (:func:`evalkit.suppression.hidden_counts`) is
    computed on this whole frame, so every page and export hides the same cells."""
    frames = [compute_indicators(register, as_of, budgets),
              extra_indicators(register, as_of, employers=employers),
              was_end_bands(register), basis_rows(register)]
    return order_rows(pd.concat(frames, ignore_index=True))


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
    rule is applied on the rows of all pilots, as on the national pages and exports."""
    everything = published_indicators(register, as_of, budgets, employers)
    published = suppress_complementary(everything)
    keep = everything["pilot_id"].isin([pilot_id, POOLED]).to_numpy()
    mine = everything[keep].reset_index(drop=True)
    shown = published[keep].reset_index(drop=True)
    has_employers = employers is not None and bool((employers["pilot_id"] == pilot_id).any())
    has_pooled = bool(set(register["pilot_id"].dropna().astype(str)) - {pilot_id})
    return PilotResults(pilot_id, as_of, mine, shown, has_employers, has_pooled)
