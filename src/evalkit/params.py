"""Per-pilot parameters (``params/<pilot_id>.yml``), validated before any notebook runs.

A params file names the pilot's register extract, its extract date and the goals the pilot set
itself (the goals-results-metrics table). Unknown keys are refused with the nearest valid key.
"""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from evalkit.definitions import HORIZONS, INDICATORS_WITH_INTERVAL
from evalkit.errors import InputError, InputProblem
from evalkit.paths import params_dir, project_root
from evalkit.reported import PILOT_IDS


@dataclass(frozen=True)
class Goal:
    text: str
    indicator: str | None = None  # None: a qualitative goal, reported without a verdict
    horizon: int | None = None
    target: float | None = None


@dataclass(frozen=True)
class PilotParams:
    pilot_id: str
    data: Path
    as_of: dt.date
    employers: Path | None = None
    services: tuple[str, ...] = ()
    goals: tuple[Goal, ...] = field(default_factory=tuple)
    source: Path | None = None  # the params file itself


_PARAM_KEYS = {f.name for f in fields(PilotParams)} - {"source"}
_REQUIRED = {"pilot_id", "data", "as_of"}
_GOAL_KEYS = {f.name for f in fields(Goal)}


def _suggest(key: str, valid: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(valid), n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(sorted(valid))}"


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def load_params(path: Path, root: Path | None = None) -> PilotParams:
    """Read and check one params file; raise InputError naming every bad key."""
    root = root or project_root()
    name = str(path)
    problems: list[InputProblem] = []

    def problem(key: str | None, message: str) -> None:
        problems.append(InputProblem(name, None, key, message))

    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError([InputProblem(name, None, None, f"cannot read params: {exc}")]) from None
    if not isinstance(raw, dict):
        raise InputError([InputProblem(name, None, None, "a params file is a YAML mapping of keys")])

    for key in sorted(set(raw) - _PARAM_KEYS):
        problem(key, f"unknown key{_suggest(key, _PARAM_KEYS)}")
    for key in sorted(_REQUIRED - set(raw)):
        problem(key, "required key is missing")

    pilot_id = raw.get("pilot_id")
    if "pilot_id" in raw and pilot_id not in PILOT_IDS:
        problem("pilot_id", f"unknown pilot {pilot_id!r}; one of {', '.join(PILOT_IDS)}")
    as_of = _as_date(raw.get("as_of"))
    if "as_of" in raw and as_of is None:
        problem("as_of", f"expected an ISO date such as 2023-06-30, got {raw.get('as_of')!r}")
    for key in ("data", "employers"):
        if key in raw and raw[key] is not None and not isinstance(raw[key], str):
            problem(key, f"expected a file path, got {raw[key]!r}")
    services = raw.get("services", [])
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        problem("services", "expected a list of service names")
        services = []

    goals = []
    raw_goals = raw.get("goals", [])
    if not isinstance(raw_goals, list):
        problem("goals", "expected a list of goals")
        raw_goals = []
    for index, goal in enumerate(raw_goals):
        label = f"goals[{index}]"
        if not isinstance(goal, dict):
            problem(label, "a goal is a mapping with text, indicator, horizon and target")
            continue
        for key in sorted(set(goal) - _GOAL_KEYS):
            problem(f"{label}.{key}", f"unknown key{_suggest(key, _GOAL_KEYS)}")
        if not isinstance(goal.get("text"), str) or not goal.get("text"):
            problem(f"{label}.text", "every goal needs its text")
        indicator = goal.get("indicator")
        horizon = goal.get("horizon")
        target = goal.get("target")
        if indicator is not None:
            if indicator not in INDICATORS_WITH_INTERVAL:
                problem(f"{label}.indicator", f"unknown indicator {indicator!r}"
                        f"{_suggest(str(indicator), set(INDICATORS_WITH_INTERVAL))}")
            if isinstance(target, bool) or not isinstance(target, (int, float)):
                problem(f"{label}.target", f"a goal with an indicator needs a numeric target, got {target!r}")
            needs_horizon = indicator not in ("was_change", "tasmatyo_share")
            if needs_horizon and horizon not in HORIZONS:
                problem(f"{label}.horizon", f"expected one of {', '.join(map(str, HORIZONS))} months, got {horizon!r}")
        goals.append(Goal(text=goal.get("text", ""), indicator=indicator,
                          horizon=horizon if isinstance(horizon, int) else None,
                          target=float(target) if isinstance(target, (int, float)) and not isinstance(target, bool) else None))

    if problems:
        raise InputError(problems)
    employers = raw.get("employers")
    return PilotParams(
        pilot_id=pilot_id,
        data=(root / raw["data"]).resolve() if not Path(raw["data"]).is_absolute() else Path(raw["data"]),
        as_of=as_of,
        employers=(root / employers).resolve() if employers else None,
        services=tuple(services),
        goals=tuple(goals),
        source=Path(path),
    )


def load_all_params(root: Path | None = None) -> dict[str, PilotParams]:
    """Every pilot's params, all problems of all files reported together."""
    root = root or project_root()
    problems: list[InputProblem] = []
    loaded: dict[str, PilotParams] = {}
    for pilot_id in PILOT_IDS:
        path = params_dir(root) / f"{pilot_id}.yml"
        if not path.is_file():
            problems.append(InputProblem(str(path), None, None, "params file is missing"))
            continue
        try:
            params = load_params(path, root)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if params.pilot_id != pilot_id:
            problems.append(InputProblem(str(path), None, "pilot_id",
                                         f"file is for {pilot_id!r} but says {params.pilot_id!r}"))
        loaded[pilot_id] = params
    if problems:
        raise InputError(problems)
    return loaded
