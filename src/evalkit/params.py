"""Per-pilot parameters (``params/<pilot_id>.yml``), validated before any notebook runs.

A params file names the pilot's register extract, its extract date and the goals the pilot set
itself (the goals-results-metrics table). Unknown keys are refused with the nearest valid key.
Its texts reach the report (services, goal texts), so every text in it is searched for personal
identity codes first, like the register; a hit refuses the file naming the key, never the value.
A goal's target must lie in its indicator's range: a share is written 0–1.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from evalkit.definitions import HORIZONS, INDICATORS_WITH_INTERVAL, PILOT_IDS
from evalkit.errors import InputError, InputProblem
from evalkit.paths import params_dir, project_root
from evalkit.yaml_input import identity_code_keys, load_yaml

HETU_IN_PARAMS = ("holds a Finnish personal identity code (henkilötunnus); no text that reaches the "
                  "report may hold one (the value is not shown)")
# The score runs 0–10, so a change of it lies between -10 and 10.
WAS_CHANGE_RANGE = (-10.0, 10.0)


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


_QUOTE_HINT = " (put the text in quotes)"


def _shown(value: Any) -> str:
    """A value for a message: a boolean as YAML wrote it, anything else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _target_problem(indicator: str, target: Any) -> str | None:
    """What is wrong with a goal's target for ``indicator``, or None. A share (every rate, the
    täsmätyö share) is written 0–1; a change of the work ability score lies in -10…10."""
    share = indicator != "was_change"
    hint = "a share is written 0–1 (25 % as 0.25)" if share else \
        "a change of the work ability score (0–10) lies between -10 and 10"
    if isinstance(target, str) and re.fullmatch(r"\s*[+-]?\d+,\d+\s*", target):
        return f"{target!r} uses a decimal comma; write a decimal point ({target.replace(',', '.').strip()})"
    if isinstance(target, bool) or not isinstance(target, (int, float)):
        return f"a goal with an indicator needs a numeric target, got {_shown(target)}; {hint}"
    low, high = (0.0, 1.0) if share else WAS_CHANGE_RANGE
    if not low <= target <= high:   # NaN fails too
        return f"{target!r} is outside {_fmt(low)}–{_fmt(high)}: {hint}"
    return None


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


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


def load_params(path: Path, root: Path | None = None, overrides: dict[str, Any] | None = None,
                overrides_label: str = "parameters") -> PilotParams:
    """Read and check one params file; raise InputError naming every bad key.

    ``overrides`` replace keys of the file before anything is checked (a self-assessment
    notebook's parameters cell names the data, the date and perhaps its own goals); a problem in
    one of them is reported against ``overrides_label`` instead of the file. Relative paths are
    resolved against ``root``.
    """
    root = root or project_root()
    overrides = dict(overrides or {})
    name = str(path)
    problems: list[InputProblem] = []

    def source(key: str | None) -> str:
        top = re.split(r"[.\[]", key, maxsplit=1)[0] if key else None
        return overrides_label if top in overrides else name

    def problem(key: str | None, message: str) -> None:
        problems.append(InputProblem(source(key), None, key, message))

    from evalkit.register.hetu import contains_hetu
    if contains_hetu(Path(path).name):   # every message names the file: not this one
        raise InputError([InputProblem("(file name not shown)", None, None,
                                       f"the file name {HETU_IN_PARAMS}; rename the file")])
    raw = load_yaml(Path(path), name)
    if not isinstance(raw, dict) and not identity_code_keys(raw):
        raise InputError([InputProblem(name, None, None, "a params file is a YAML mapping of keys")])
    if isinstance(raw, dict):
        raw = {**raw, **overrides}
    hits = identity_code_keys(raw)
    if hits:   # before any other check: those quote values
        raise InputError([InputProblem(source(key), None, key, HETU_IN_PARAMS) for key in hits])

    for key in sorted(set(raw) - _PARAM_KEYS):
        problem(key, f"unknown key{_suggest(key, _PARAM_KEYS)}")
    for key in sorted(_REQUIRED - set(raw)):
        problem(key, "required key is missing")

    pilot_id = raw.get("pilot_id")
    if "pilot_id" in raw and pilot_id not in PILOT_IDS:
        problem("pilot_id", f"unknown pilot {_shown(pilot_id)}; one of {', '.join(PILOT_IDS)}")
    as_of = _as_date(raw.get("as_of"))
    if "as_of" in raw and as_of is None:
        problem("as_of", f"expected an ISO date such as 2023-06-30, got {_shown(raw.get('as_of'))}")
    for key in ("data", "employers"):
        if key in raw and raw[key] is not None and not isinstance(raw[key], str):
            problem(key, f"expected a file path, got {_shown(raw[key])}{_QUOTE_HINT}")
    services = raw.get("services", [])
    if not isinstance(services, list):
        problem("services", "expected a list of service names")
        services = []
    for index, service in enumerate(services):
        if not isinstance(service, str) or not service.strip():
            problem(f"services[{index}]", f"expected a service name, got {_shown(service)}{_QUOTE_HINT}")
    services = [s for s in services if isinstance(s, str)]

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
        text = goal.get("text")
        if text is None or (isinstance(text, str) and not text.strip()):
            problem(f"{label}.text", "every goal needs its text")
        elif not isinstance(text, str):
            problem(f"{label}.text", f"expected text, got {_shown(text)}{_QUOTE_HINT}")
        indicator = goal.get("indicator")
        horizon = goal.get("horizon")
        target = goal.get("target")
        if indicator is not None:
            if indicator not in INDICATORS_WITH_INTERVAL:
                problem(f"{label}.indicator", f"unknown indicator {_shown(indicator)}"
                        f"{_suggest(str(indicator), set(INDICATORS_WITH_INTERVAL))}")
            target_problem = _target_problem(str(indicator), target)
            if target_problem:
                problem(f"{label}.target", target_problem)
            needs_horizon = indicator not in ("was_change", "tasmatyo_share")
            if needs_horizon and (isinstance(horizon, bool) or horizon not in HORIZONS):
                problem(f"{label}.horizon", f"expected one of {', '.join(map(str, HORIZONS))} months, "
                        f"got {_shown(horizon)}")
            elif not needs_horizon and horizon is not None:
                problem(f"{label}.horizon", f"{indicator} has no follow-up time; leave horizon out")
        goals.append(Goal(text=text if isinstance(text, str) else "", indicator=indicator,
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
