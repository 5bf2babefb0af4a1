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
        The rows of each file that belong to the pilots naming it; ``as_of`` is the earliest extract
        date among the pilots with data (all None when no register file exists); ``missing`` lists
        the pilots whose register file does not exist.

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
    # Named after the files' artefacts in a build, so that what is computed from it is kept too.
    register = artefact.derived(pd.concat(frames, ignore_index=True), parts)
    present = pilot_ids(register)
    if not present:   # files of other pilots' rows only: the pilots' chapters say so, naming the file
        return PooledRegister(None, None, None, synthetic, tuple(sorted(missing)))
    as_of = min(p.as_of for p in params.values() if p.pilot_id in present)

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
    return PooledRegister(register, employers, as_of, synthetic, tuple(sorted(missing)))
