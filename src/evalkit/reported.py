"""Facts the ministry's report states, loaded from ``data/reported/`` and checked on load."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from evalkit.definitions import PILOT_IDS
from evalkit.errors import InputError, InputProblem
from evalkit.paths import pilots_file

FOCUS_AREAS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Pilot:
    pilot_id: str
    region: str
    ely_centre: str
    project_name: str
    budget_eur: int
    focus_areas: tuple[int, ...]
    continued_2023: bool
    call_order: int


@dataclass(frozen=True)
class PilotFacts:
    pilots: tuple[Pilot, ...]
    focus_area_names: dict[int, str]
    sources: dict[str, str]

    def by_id(self, pilot_id: str) -> Pilot:
        for pilot in self.pilots:
            if pilot.pilot_id == pilot_id:
                return pilot
        raise KeyError(pilot_id)

    @property
    def budgets(self) -> dict[str, int]:
        return {p.pilot_id: p.budget_eur for p in self.pilots}


_FIELD_TYPES = {
    "pilot_id": str, "region": str, "ely_centre": str, "project_name": str,
    "budget_eur": int, "focus_areas": list, "continued_2023": bool, "call_order": int,
}


def load_pilots(path: Path | None = None) -> PilotFacts:
    """Load ``pilots.yml``; refuse a file whose pilots, fields or values are off."""
    path = path or pilots_file()
    return _load_pilots_cached(str(path))


@lru_cache(maxsize=8)
def _load_pilots_cached(path_text: str) -> PilotFacts:
    path = Path(path_text)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems: list[InputProblem] = []

    def problem(column: str | None, message: str) -> None:
        problems.append(InputProblem(path.name, None, column, message))

    pilots = []
    for index, entry in enumerate(raw.get("pilots", [])):
        label = f"pilots[{index}]"
        unknown = set(entry) - set(_FIELD_TYPES)
        missing = set(_FIELD_TYPES) - set(entry)
        for key in sorted(unknown):
            problem(f"{label}.{key}", "unknown field")
        for key in sorted(missing):
            problem(f"{label}.{key}", "missing field")
        if unknown or missing:
            continue
        for key, kind in _FIELD_TYPES.items():
            value = entry[key]
            if kind is int and isinstance(value, bool) or not isinstance(value, kind):
                problem(f"{label}.{key}", f"expected {kind.__name__}, got {value!r}")
        if entry["pilot_id"] not in PILOT_IDS:
            problem(f"{label}.pilot_id", f"unknown pilot {entry['pilot_id']!r}")
        if not set(entry["focus_areas"]) <= set(FOCUS_AREAS) or 1 not in entry["focus_areas"]:
            problem(f"{label}.focus_areas", "focus areas are 1–4, and every pilot chose area 1")
        if isinstance(entry["budget_eur"], int) and entry["budget_eur"] <= 0:
            problem(f"{label}.budget_eur", "a budget is a positive number of euros")
        pilots.append(Pilot(**{**entry, "focus_areas": tuple(entry["focus_areas"])}))
    if sorted(p.pilot_id for p in pilots) != sorted(PILOT_IDS) and not problems:
        problem("pilots", f"expected exactly the eight pilots {', '.join(PILOT_IDS)}")
    missing_sources = set(_FIELD_TYPES) - {"pilot_id"} - set(raw.get("sources", {}))
    for key in sorted(missing_sources):
        problem(f"sources.{key}", "every field needs the report section it comes from")
    if problems:
        raise InputError(problems)
    names = {int(k): v for k, v in raw["focus_area_names"].items()}
    return PilotFacts(tuple(sorted(pilots, key=lambda p: p.call_order)), names, dict(raw["sources"]))
