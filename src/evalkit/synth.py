"""A synthetic participant register for a programme's pilots, deterministic for a seed.

Nothing here is real data. Each pilot is drawn from a :class:`Profile`: the programme's own
``data/demo/profiles.yml`` when it has one (the default programme's follows what its source report
says about the pilots), else a profile made from the pilot's budget and the programme's period
(:func:`default_profile`). Starts run from a pilot's first start to the end of the programme's
period; a pilot that did not continue closes its services then, one that did keeps some people in
service at the extract date, a year after the period's end. Statuses are empty until their horizon
is due; among the eligible a few are ``unknown`` or empty.

Everything is drawn with numpy in whole arrays, so a million rows take seconds.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.definitions import HORIZONS, REGISTER_COLUMNS, STATUS_CODES
from evalkit.register.manifest import MANIFEST_NAME
from evalkit.register.schema import due_dates

# A pilot that has no profile of its own: a mid-sized coaching service.
GENERIC_EUR_PER_PARTICIPANT = 1500
GENERIC_SIZE_RANGE = (40, 3000)


@dataclass(frozen=True)
class Profile:
    """What the synthetic register draws for one pilot: size, services, timing and outcome shares."""

    abbreviation: str
    size: int                    # participants at the default size
    services: tuple[str, ...]
    first_start: dt.date
    mean_months: float           # mean length of service
    continued_2023: bool         # goes on after the programme's period
    tasmatyo: float              # share identified by the täsmätyö keyword (0 = keyword not used)
    was_recorded: float          # share with a work ability score at start
    employed_3m: float           # share employed 3 months after the end (open, subsidised, own firm)


@dataclass(frozen=True)
class Timing:
    """The programme's calendar as the register draws it: last start, closing of services, extract date."""

    last_start: dt.date
    pilots_end: dt.date
    as_of: dt.date


def timing(programme) -> Timing:
    """Starts until the period's end, services of pilots that did not continue closed then, extract a year later.

    The extract is never later than today, which an extract date may not be
    (:func:`evalkit.definitions.extract_date_problem`): a programme that ended less than a year
    ago gets today's date.
    """
    import datetime as dt

    end = programme.spec.period.end
    return Timing(end, end, min((pd.Timestamp(end) + pd.DateOffset(years=1)).date(), dt.date.today()))


def default_profile(index: int, pilot, programme) -> Profile:
    """A profile for a pilot the programme gives none: size from the budget, the programme's period."""
    low, high = GENERIC_SIZE_RANGE
    size = int(min(high, max(low, round(pilot.budget_eur / GENERIC_EUR_PER_PARTICIPANT))))
    letters = "".join(ch for ch in pilot.pilot_id.upper() if ch.isalnum())[:3]
    return Profile(f"{letters}{index + 1}", size, (f"{pilot.pilot_id}: palvelu A", f"{pilot.pilot_id}: palvelu B"),
                   programme.spec.period.start, 6.0, False, 0.2, 0.3, 0.28)


def profiles(programme=None) -> dict[str, Profile]:
    """Each pilot's profile, in the programme's order (default: the active programme)."""
    from evalkit.programme import current
    from evalkit.yaml_input import load_yaml

    programme = programme or current()
    path = programme.folder / "data" / "demo" / "profiles.yml"
    given = load_yaml(path, path.name) if path.is_file() else {}
    out = {}
    for index, pilot in enumerate(programme.spec.pilots):
        entry = (given or {}).get(pilot.pilot_id)
        if entry is None:
            out[pilot.pilot_id] = default_profile(index, pilot, programme)
        else:
            out[pilot.pilot_id] = Profile(
                entry["abbreviation"], int(entry["size"]), tuple(entry["services"]),
                dt.date.fromisoformat(str(entry["first_start"])), float(entry["mean_months"]),
                bool(entry["continued"]), float(entry["tasmatyo"]), float(entry["was_recorded"]),
                float(entry["employed_3m"]))
    return out


SPEND_ON_SERVICES = 0.55   # share of a budget spent on purchased services (cost_eur)


def _status_mix(employed: float) -> np.ndarray:
    """Probabilities of the eight status codes for a pilot whose employment share is given."""
    rest = 1.0 - employed
    employed_split = np.array([0.60, 0.32, 0.08]) * employed
    other_split = np.array([0.12, 0.20, 0.48, 0.11, 0.09]) * rest  # training .. unknown
    return np.concatenate([employed_split, other_split])


def _day_numbers(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[D]").astype(np.int64)


def _pilot_rows(rng: np.random.Generator, when: Timing, pilot_id: str, profile: Profile, n: int,
                budget: int) -> pd.DataFrame:
    """One pilot's ``n`` participants; the draws happen in a fixed order, so a seed gives one register."""
    start_dates, end_dates, in_service = _service_dates(rng, when, profile, n)
    age, sex, basis, unemployment = _background(rng, profile, n)
    was_start, was_end = _work_ability(rng, profile, n, in_service)
    statuses = _statuses(rng, when, profile, n, end_dates)
    cost, service = _costs_and_services(rng, profile, n, budget)
    return pd.DataFrame({
        "person_id": [f"SYN-{profile.abbreviation}-{i:06d}" for i in range(1, n + 1)],
        "pilot_id": pilot_id,
        "service": service,
        "start_date": start_dates,
        "end_date": end_dates.to_numpy(),
        "age": age,
        "sex": sex,
        "basis": basis,
        "unemployment_months": unemployment,
        "was_start": pd.array(was_start, dtype="Int64"),
        "was_end": pd.array(was_end, dtype="Int64"),
        **{f"status_{h}m": statuses[h] for h in HORIZONS},
        "cost_eur": cost,
    })


def _service_dates(rng: np.random.Generator, when: Timing, profile: Profile, n: int) -> tuple:
    """Start and end dates (end empty while still in service at the extract date), and who is in service."""
    first = np.datetime64(profile.first_start, "D").astype(np.int64)
    last = np.datetime64(when.last_start, "D").astype(np.int64)
    # Intake grows after the first months and slows in late 2022: a triangular draw.
    start = np.sort(rng.triangular(first, first + 0.45 * (last - first), last, n)).astype(np.int64)
    months = rng.gamma(2.0, profile.mean_months / 2.0, n)
    if profile.continued_2023:
        long_stay = rng.random(n) < 0.05
        months = np.where(long_stay, rng.uniform(14, 36, n), months)
    end = start + np.maximum(np.rint(months * 30.44), 7).astype(np.int64)
    if not profile.continued_2023:
        end = np.minimum(end, np.datetime64(when.pilots_end, "D").astype(np.int64))
        end = np.maximum(end, start)
    as_of = np.datetime64(when.as_of, "D").astype(np.int64)
    in_service = end > as_of
    start_dates = pd.to_datetime(start.astype("datetime64[D]")).astype("datetime64[ns]")
    end_dates = pd.Series(pd.to_datetime(end.astype("datetime64[D]")).astype("datetime64[ns]"))
    end_dates[in_service] = pd.NaT
    return start_dates, end_dates, in_service


def _background(rng: np.random.Generator, profile: Profile, n: int) -> tuple:
    """Age, sex, the basis of partial work ability, and months unemployed before the start."""
    age = np.clip(np.rint(rng.normal(44, 11, n)), 18, 64).astype(np.int64)
    sex = rng.choice(np.array(["F", "M", "U"]), n, p=[0.53, 0.46, 0.01])
    basis_p = [1 - profile.tasmatyo - 0.10, profile.tasmatyo, 0.10]
    basis = rng.choice(np.array(["diagnosis", "tasmatyo", "none"]), n, p=basis_p)
    unemployment = np.clip(np.rint(rng.lognormal(np.log(14), 0.9, n)), 0, 300).astype(np.int64)
    return age, sex, basis, unemployment


def _work_ability(rng: np.random.Generator, profile: Profile, n: int,
                  in_service: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Work ability scores at the start (for some) and at the end (for some who ended)."""
    was_start = np.clip(np.rint(rng.normal(5.5, 2.0, n)), 0, 10)
    was_start = np.where(rng.random(n) < profile.was_recorded, was_start, np.nan)
    change = np.rint(rng.normal(0.6, 1.5, n))
    has_end_score = ~np.isnan(was_start) & ~in_service & (rng.random(n) < 0.65)
    was_end = np.where(has_end_score, np.clip(was_start + change, 0, 10), np.nan)
    return was_start, was_end


def _statuses(rng: np.random.Generator, when: Timing, profile: Profile, n: int, end_dates: pd.Series) -> dict:
    """The status at each horizon, mostly kept from the one before; empty until the horizon is due."""
    mixes = {3: _status_mix(profile.employed_3m), 6: _status_mix(min(profile.employed_3m + 0.03, 0.9)),
             12: _status_mix(min(profile.employed_3m + 0.05, 0.9))}
    codes = np.array(STATUS_CODES, dtype=object)
    statuses = {}
    previous = None
    for h in HORIZONS:
        drawn = rng.choice(len(STATUS_CODES), n, p=mixes[h])
        if previous is not None:   # situations persist: most keep the status they had
            keep = (rng.random(n) < 0.65) & (previous != STATUS_CODES.index("unknown"))
            drawn = np.where(keep, previous, drawn)
        previous = drawn
        due = due_dates(end_dates, h).to_numpy()
        eligible = ~np.isnat(due) & (due <= np.datetime64(when.as_of))
        left_empty = rng.random(n) < 0.03   # not followed up at all: counts as unknown
        statuses[h] = np.where(eligible & ~left_empty, codes[drawn], None)
    return statuses


def _costs_and_services(rng: np.random.Generator, profile: Profile, n: int,
                        budget: int) -> tuple[np.ndarray, np.ndarray]:
    """Each person's cost of purchased services (a tenth missing) and the service they had."""
    cost = budget * SPEND_ON_SERVICES / n * rng.lognormal(-0.125, 0.5, n)
    cost = np.where(rng.random(n) < 0.10, np.nan, np.round(cost, 2))
    services = np.array(profile.services, dtype=object)
    service = services[rng.choice(len(services), n, p=_service_weights(len(services)))]
    return cost, service


def _service_weights(count: int) -> list[float]:
    return [1.0] if count == 1 else [0.75] + [0.25 / (count - 1)] * (count - 1)


def _employer_rows(rng: np.random.Generator, pilot_id: str, profile: Profile,
                   participants: int) -> pd.DataFrame:
    n = max(10, int(round(participants * 0.25)))
    interested = rng.random(n) < 0.40
    coached = rng.random(n) < np.where(interested, 0.35, 0.08)
    hires = np.where(interested, rng.poisson(0.6, n), rng.poisson(0.05, n))
    return pd.DataFrame({
        "pilot_id": pilot_id,
        "employer_id": [f"SYN-{profile.abbreviation}-T{i:05d}" for i in range(1, n + 1)],
        "interested": interested.astype(int),
        "coached": coached.astype(int),
        "hires": hires,
    })


def pilot_sizes(size: int | None, drawn: dict[str, Profile] | None = None) -> dict[str, int]:
    """Participants per pilot: the profiles' mix, scaled to ``size`` rows in total when given."""
    drawn = drawn if drawn is not None else profiles()
    if size is None:
        return {p: prof.size for p, prof in drawn.items()}
    if size < len(drawn):
        raise ValueError(f"size must be at least {len(drawn)} (one person per pilot)")
    default_size = sum(p.size for p in drawn.values())
    scaled = {p: max(1, int(prof.size * size / default_size)) for p, prof in drawn.items()}
    largest = max(drawn, key=lambda p: drawn[p].size)
    scaled[largest] += size - sum(scaled.values())   # the largest absorbs rounding
    return scaled


def generate(seed: int, size: int | None = None, budgets: dict[str, float] | None = None,
             programme=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(participants, employers) frames for every pilot of the programme; same seed, same frames.

    Parameters
    ----------
    seed : int
        Seed of numpy's default generator.
    size : int, optional
        Participants in total (at least one per pilot); default the profiles' sizes.
    budgets : dict of str to float, optional
        Each pilot's budget in euros, from which the costs are drawn; default the programme's.
    programme : Programme, optional
        Whose pilots are drawn; default the active programme (:func:`evalkit.programme.current`).

    Returns
    -------
    participants : pandas.DataFrame
        One row per person, columns ``REGISTER_COLUMNS`` (the register format of the contract).
    employers : pandas.DataFrame
        One row per employer a pilot worked with: pilot_id, employer_id, interested, coached, hires.

    Raises
    ------
    ValueError
        When ``size`` is smaller than the number of pilots.
    """
    from evalkit.programme import current

    programme = programme or current()
    budgets = budgets if budgets is not None else programme.budgets
    drawn, when = profiles(programme), timing(programme)
    rng = np.random.default_rng(seed)
    people, employers = [], []
    for pilot_id, n in pilot_sizes(size, drawn).items():
        profile = drawn[pilot_id]
        people.append(_pilot_rows(rng, when, pilot_id, profile, n, budgets[pilot_id]))
        employers.append(_employer_rows(rng, pilot_id, profile, n))
    participants = pd.concat(people, ignore_index=True)[list(REGISTER_COLUMNS)]
    return participants, pd.concat(employers, ignore_index=True)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV bytes: no index, ISO dates, two decimals, Unix line ends."""
    return frame.to_csv(index=False, date_format="%Y-%m-%d", float_format="%.2f",
                        lineterminator="\n").encode("utf-8")


def write_synthetic(out_dir: str | Path, seed: int, size: int | None = None,
                    employers: bool = True, programme=None) -> dict:
    """Write ``participants.csv``, ``employers.csv`` and the manifest into ``out_dir``.

    Files are first written to a temporary folder and moved in only when all are complete, so a
    failure leaves what was in ``out_dir`` before.

    Parameters
    ----------
    out_dir : str or Path
        Destination folder; created when absent, files of the same names replaced.
    seed, size
        As for :func:`generate`.
    employers : bool
        Whether to write ``employers.csv`` too.
    programme : Programme, optional
        Whose pilots are drawn; default the active programme.

    Returns
    -------
    dict
        The manifest written: ``synthetic: true``, seed, size (rows), as_of, and each file's
        SHA-256 and row count.
    """
    out_dir = Path(out_dir)
    from evalkit.programme import current

    programme = programme or current()
    participants, employer_frame = generate(seed, size, programme=programme)
    contents = {"participants.csv": to_csv_bytes(participants)}
    if employers:
        contents["employers.csv"] = to_csv_bytes(employer_frame)
    manifest = {
        "synthetic": True,
        "generator": "evalkit synth",
        "note": "Invented data for demonstration; no real person is in these files.",
        "seed": seed,
        "size": len(participants),
        "as_of": timing(programme).as_of.isoformat(),
        "files": {name: {"sha256": hashlib.sha256(data).hexdigest(),
                         "rows": data.count(b"\n") - 1} for name, data in contents.items()},
    }
    contents[MANIFEST_NAME] = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
                               + "\n").encode("utf-8")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for name, data in contents.items():
            (staging / name).write_bytes(data)
        out_dir.mkdir(exist_ok=True)
        for name in contents:   # each move is atomic; the manifest goes last
            os.replace(staging / name, out_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest
