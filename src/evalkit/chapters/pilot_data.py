"""What one pilot's chapter shows, computed once: pure functions, no text, no I/O.

``pilot_results`` runs the indicator families of :mod:`evalkit.indicators` once on the register
(the whole national register, or a pilot's own extract) and keeps the rows of one pilot and the
pooled ``all`` rows. Two small additions live here because the chapter needs them and the
indicator module does not provide them (yet):

- :func:`was_end_bands`  the work ability score *at the end* in the same bands as at the start
  (``indicators.was_bands`` reads ``was_start`` only; this feeds it the end scores);
- :func:`basis_counts`   participants by identification basis (diagnosis, täsmätyö, none).

The small-cell rule itself is :mod:`evalkit.suppression`. :func:`protect_parts` adds the one step
that rule cannot take on single cells: when the parts of a whole are published next to each other
(statuses summing to the eligible, bases summing to the participants), one hidden part could be
recomputed as the whole minus the shown parts, so a second part is hidden with it.
:func:`cross_pilot_hidden` does the same across pilots, because the pooled figure of all pilots is
published beside each pilot's own.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping, Sequence

import pandas as pd

from evalkit.definitions import (BASIS_CODES, EMPLOYED_CODES, POOLED, POSITIVE_EXIT_CODES,
                                 STATUS_CODES)
from evalkit.indicators import (WAS_BANDS, compute_indicators, extra_indicators, order_rows,
                                was_bands)
from evalkit.reported import PILOT_IDS
from evalkit.suppression import MIN_DENOMINATOR, SMALL_COUNT_MAX

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


def protect_parts(counts: pd.Series, groups: Sequence[Sequence[str]] | None = None,
                  also: pd.Series | None = None) -> pd.Series:
    """Which parts of a whole to hide: every count from 1 to 4, and, whenever exactly one
    non-zero part of a group would be hidden, also the smallest other non-zero part of that group
    (else the group's published total minus its shown parts gives the hidden one back).

    ``groups`` lists the sets of parts whose total is published (by default one group: all parts);
    they are revisited until nothing changes, since hiding a part can expose another group.
    ``also`` marks parts hidden for another reason (see :func:`cross_pilot_hidden`); they need
    partners in the same way. Zeros are never hidden; they disclose nobody."""
    counts = counts.astype("float64")
    hidden = (counts >= 1) & (counts <= SMALL_COUNT_MAX)
    if also is not None:
        hidden |= also.reindex(counts.index, fill_value=False).astype(bool) & (counts > 0)
    groups = [list(counts.index)] if groups is None else [list(g) for g in groups]
    changed = True
    while changed:
        changed = False
        for group in groups:
            part = counts[group]
            if int((hidden[group] & (part > 0)).sum()) != 1:
                continue
            others = part[~hidden[group] & (part > 0)]
            if len(others):
                hidden[others.idxmin()] = True
                changed = True
    return hidden


# The totals a pilot chapter publishes over status codes: everyone eligible, the employed
# (employment rate), the other positive exits (positive-exit rate minus employment rate) and the
# rest (eligible minus positive exits).
STATUS_GROUPS = (
    STATUS_CODES,
    tuple(c for c in STATUS_CODES if c in EMPLOYED_CODES),
    tuple(c for c in STATUS_CODES if c in POSITIVE_EXIT_CODES - EMPLOYED_CODES),
    tuple(c for c in STATUS_CODES if c not in POSITIVE_EXIT_CODES),
)


def hidden_share(numerator, denominator) -> bool:
    """A share may not be published: denominator under 5 or a numerator of 1–4 people."""
    if denominator is None or pd.isna(denominator) or denominator < MIN_DENOMINATOR:
        return True
    return bool(numerator is not None and not pd.isna(numerator) and 1 <= numerator <= SMALL_COUNT_MAX)


def _own_rule_hidden(group: pd.DataFrame) -> pd.Series:
    """Per pilot row: is the count behind this cell hidden by the small-cell rule itself?"""
    numerator = group["numerator"].astype("float64")
    denominator = group["denominator"].astype("float64")
    small = (numerator >= 1) & (numerator <= SMALL_COUNT_MAX)
    # A rate over fewer than five people hides its numerator as well.
    return small | (denominator.notna() & (denominator < MIN_DENOMINATOR) & (numerator > 0))


def cross_pilot_hidden(everything: pd.DataFrame, basis: pd.DataFrame, pilot_id: str) -> frozenset:
    """Cells of ``pilot_id`` to hide because the pooled ``all`` figure is published beside them.

    The pooled count minus the other pilots' published counts gives back a pilot's hidden count.
    So, per cell, over the pilots: when exactly one pilot's count is hidden, the smallest other
    non-zero count is hidden too (:func:`protect_parts` across pilots). Every chapter computes the
    same answer from the same register, so the eight pages agree. Returns ``(indicator, horizon)``
    keys (horizon ``None`` when there is none) and ``("basis", code)`` keys."""
    keys = set()
    pilots = everything[(everything["pilot_id"] != POOLED)
                        & ~everything["indicator"].str.startswith(("cost_", "was_change"))]
    for (indicator, horizon), group in pilots.groupby(["indicator", "horizon_months"], dropna=False, sort=False):
        if group["pilot_id"].nunique() < 2 or pilot_id not in set(group["pilot_id"]):
            continue
        group = group.set_index("pilot_id")
        own = _own_rule_hidden(group)
        counts = group["numerator"].astype("float64").fillna(0)
        hidden = own.copy()
        if int((own & (counts > 0)).sum()) == 1:
            others = counts[~own & (counts > 0)]
            if len(others):
                hidden[others.idxmin()] = True
        if hidden[pilot_id] and not own[pilot_id]:
            keys.add((indicator, None if pd.isna(horizon) else int(horizon)))
    pilot_rows = basis.drop(index=POOLED, errors="ignore")
    if len(pilot_rows) > 1:
        for code in pilot_rows.columns:
            column = pilot_rows[code].astype("float64")
            own = (column >= 1) & (column <= SMALL_COUNT_MAX)
            hidden = protect_parts(column)
            if hidden[pilot_id] and not own[pilot_id]:
                keys.add(("basis", code))
    return frozenset(keys)


@dataclass(frozen=True)
class PilotResults:
    pilot_id: str
    as_of: dt.date
    indicators: pd.DataFrame   # exact tidy rows of this pilot and of ``all``
    basis: pd.DataFrame        # basis_counts rows of this pilot and ``all``
    has_employers: bool        # employer data exist for this pilot
    has_pooled: bool           # the register holds other pilots too (``all`` is not the pilot)
    partner_hidden: frozenset = frozenset()   # cross_pilot_hidden keys of this pilot

    def rows(self, who: str, indicator: str, horizon: int | None = None) -> pd.Series | None:
        frame = self.indicators
        chosen = frame[(frame["pilot_id"] == who) & (frame["indicator"] == indicator)]
        chosen = chosen[chosen["horizon_months"].isna()] if horizon is None \
            else chosen[chosen["horizon_months"] == horizon]
        return chosen.iloc[0] if len(chosen) else None

    def value(self, who: str, indicator: str, horizon: int | None = None, column: str = "value"):
        row = self.rows(who, indicator, horizon)
        return None if row is None else row[column]

    def partner(self, who: str, indicator: str, horizon: int | None = None) -> bool:
        """Hidden only because the pooled figure beside it would give it back (see cross_pilot_hidden)."""
        return who != POOLED and (indicator, horizon) in self.partner_hidden


def pilot_results(register: pd.DataFrame, pilot_id: str, as_of: dt.date,
                  budgets: Mapping[str, int], employers: pd.DataFrame | None = None) -> PilotResults:
    """Every number of the chapter, computed once from the validated register."""
    frames = [compute_indicators(register, as_of, budgets),
              extra_indicators(register, as_of, employers=employers),
              was_end_bands(register)]
    everything = order_rows(pd.concat(frames, ignore_index=True))
    mine = everything[everything["pilot_id"].isin([pilot_id, POOLED])].reset_index(drop=True)
    has_employers = employers is not None and bool((employers["pilot_id"] == pilot_id).any())
    pilots_in_register = set(register["pilot_id"].dropna().astype(str))
    all_basis = basis_counts(register)
    basis = all_basis.loc[[p for p in (pilot_id, POOLED) if p in all_basis.index]]
    has_pooled = bool(pilots_in_register - {pilot_id})
    partner = cross_pilot_hidden(everything, all_basis, pilot_id) if has_pooled else frozenset()
    return PilotResults(pilot_id, as_of, mine, basis, has_employers, has_pooled, partner)
