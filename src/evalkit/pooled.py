"""Every pilot's register, as the params files name them, loaded once and pooled.

The national pages (summary, costs, comparison) and the exports all need the same thing: each
pilot's people from the file its params name, validated, together. A file several pilots share is
read once. Pilots are pooled at one extract date, the earliest ``as_of`` among the pilots with data,
so that no pilot has a longer follow-up than another.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evalkit.params import DataSource, PilotParams


@dataclass(frozen=True)
class PooledRegister:
    """The pooled register and employer records of every pilot, with their common extract date."""

    register: pd.DataFrame | None        # None when no pilot's register file exists
    employers: pd.DataFrame | None
    as_of: dt.date | None
    synthetic: bool                      # any of the files is synthetic demonstration data
    missing: tuple[str, ...]             # pilots whose register file does not exist
    not_started: tuple[str, ...] = ()    # pilots with rows, none of whom had started by ``as_of``


def as_at(register: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """``register`` as an extract taken on ``as_of`` would hold it: the pooled pilots' common date.

    A pilot extracted later has people who started after ``as_of`` (left out) and people whose
    service ended after it (still in service on ``as_of``: no end date, no end-of-service score,
    no situation after the service). Everything else is as recorded; ``cost_eur`` is kept, the
    register having no cost on a date. Returns ``register`` itself when nothing is after ``as_of``.
    """
    day = pd.Timestamp(as_of)
    later_start = (register["start_date"] > day).to_numpy()
    later_end = (register["end_date"] > day).fillna(False).to_numpy(dtype=bool)
    if not later_start.any() and not later_end.any():
        return register
    out = register[~later_start].copy()
    ended_later = later_end[~later_start]
    out.loc[ended_later, "end_date"] = pd.NaT
    for column in ("was_end", "status_3m", "status_6m", "status_12m"):
        out.loc[ended_later, column] = pd.NA
    return out


def load_pooled(params: Mapping[str, PilotParams | DataSource]) -> PooledRegister:
    """Load and validate every pilot's register and employer file once, and pool them.

    Parameters
    ----------
    params : mapping of str to PilotParams or DataSource
        Every pilot's params (or only where its data are: :func:`evalkit.params.load_data_sources`),
        by pilot id; ``data`` and ``employers`` name the files.

    Returns
    -------
    PooledRegister
        The rows of each file that belong to the pilots naming it, as they stood on ``as_of``
        (:func:`as_at`), the earliest extract date among the pilots with data (all None when no
        register file exists); ``missing`` lists the pilots whose register file does not exist.

    Raises
    ------
    InputError
        When a register or employer file is invalid (see :func:`evalkit.register.load_register`).
    """
    from evalkit.register import artefact, is_synthetic, load_employers, load_register, pilot_ids

    by_file: dict[Path, list[PilotParams | DataSource]] = {}
    for p in params.values():
        by_file.setdefault(p.data, []).append(p)
    frames, parts, missing, synthetic = [], [], [], False
    for path, group in sorted(by_file.items()):
        if not path.is_file():
            missing += [p.pilot_id for p in group]
            continue
        # Validated at the latest extract date of the pilots sharing the file (no status is
        # then "filled before it is due"); pooled figures are computed at the earliest one.
        register = load_register(path, max(p.as_of for p in group))
        pilots = sorted(p.pilot_id for p in group)
        frames.append(register[register["pilot_id"].astype(str).isin(pilots)])
        parts.append((register, pilots))
        synthetic |= is_synthetic(path)
    if not frames:
        return PooledRegister(None, None, None, synthetic, tuple(sorted(missing)))
    pooled = pd.concat(frames, ignore_index=True)
    present = pilot_ids(pooled)
    if not present:   # files of other pilots' rows only: the pilots' chapters say so, naming the file
        return PooledRegister(None, None, None, synthetic, tuple(sorted(missing)))
    as_of = min(p.as_of for p in params.values() if p.pilot_id in present)
    # Named after the files' artefacts in a build, so that what is computed from it is kept too.
    register = as_at(pooled, as_of)
    if register is pooled:
        register = artefact.derived(register, parts)
    else:
        register = artefact.derived(register, [(frame, [pilots, f"as at {as_of.isoformat()}"])
                                               for frame, pilots in parts], values_changed=True)
    not_started = tuple(sorted(present - pilot_ids(register)))   # a later pilot that began after the date

    employer_frames = []
    by_employer_file: dict[Path, list[str]] = {}
    for p in params.values():
        if p.employers and p.employers.is_file():
            by_employer_file.setdefault(p.employers, []).append(p.pilot_id)
    employer_parts = []
    for path, pilots in sorted(by_employer_file.items()):
        employers = load_employers(path)
        employer_frames.append(employers[employers["pilot_id"].astype(str).isin(pilots)])
        employer_parts.append((employers, sorted(pilots)))
        synthetic |= is_synthetic(path)
    employers = artefact.derived(pd.concat(employer_frames, ignore_index=True), employer_parts) \
        if employer_frames else None
    return PooledRegister(register, employers, as_of, synthetic, tuple(sorted(missing)), not_started)
