"""The report's quantitative facts (``data/reported/facts.yml``), checked on load.

Each fact keeps the words the report states it with and the section they are in, so that a
reader (and a test) can find it in the source. ``interval()`` turns the way a figure is stated
("noin 26 400", "yli 3000", "9,6 Me") into the range of true values it is consistent with;
evalkit.claims uses it to judge the report's derived figures.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from evalkit.definitions import PILOT_IDS
from evalkit.errors import InputError, InputProblem
from evalkit.paths import facts_file

SECTION_TITLES = {
    "tiivistelmä": "Tiivistelmä",
    "1": "1 Työkykyohjelma ja TE-palvelujen uudelleenmuotoilu",
    "2": "2 Tavoitteet ja toteutus",
    "2.1": "2.1 Painopisteet",
    "2.2": "2.2 Pilottien keskeiset tavoitteet",
    "2.3": "2.3 TE-pilottien toteutus",
    "3": "3 Keskeiset tulokset",
    "4": "4 TE-pilottien seuranta ja arviointi",
    "5": "5 Muu projektihallinta",
    "6": "6 Yhteenveto ja suositukset",
}
UNITS = frozenset({
    "persons", "pilots", "ely_areas", "million_eur", "eur", "percent", "share", "year",
    "date", "month", "months", "days", "clients", "employers", "respondents", "participants",
    "events", "services", "coordinators", "organisations", "objectives", "focus_areas",
    "phases", "items", "surveys", "meetings_per_year", "grade", "points", "code",
})
QUALIFIERS = ("exact", "about", "over", "at_most")
HOWS = ("stated", "counted")
REQUIRED = ("fact_id", "value", "unit", "section", "stated")
OPTIONAL = ("qualifier", "resolution", "subsection", "pilot_id", "how", "note")
_FACT_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class _DatesAsText(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is our error message, not YAML's."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Fact:
    fact_id: str
    value: float | int | dt.date | str  # str only for months, "YYYY-MM"
    unit: str
    section: str
    stated: str
    qualifier: str = "exact"
    resolution: float | None = None
    subsection: str | None = None
    pilot_id: str | None = None
    how: str = "stated"
    note: str | None = None

    @property
    def section_title(self) -> str:
        return SECTION_TITLES[self.section]

    @property
    def number(self) -> float:
        """The value as one number: months and dates as a month index (see month_index)."""
        if self.unit == "month":
            year, month = (int(part) for part in str(self.value).split("-"))
            return month_index(dt.date(year, month, 1))
        if self.unit == "date":
            return month_index(self.value)
        return float(self.value)

    def interval(self) -> tuple[float, float]:
        """The true values the statement allows, as [low, high) in the units of ``number``.

        "noin 26 400" at resolution 100 allows [26 350, 26 450); "yli 3000" allows (3000, ∞);
        a month allows the whole month, a date its day; an exact figure only itself.
        """
        if self.unit == "month":
            return self.number, self.number + 1
        if self.unit == "date":
            return self.number, self.number + 1 / calendar.monthrange(self.value.year, self.value.month)[1]
        value = float(self.value)
        if self.qualifier == "about":
            return value - self.resolution / 2, value + self.resolution / 2
        if self.qualifier == "over":
            return value, math.inf
        if self.qualifier == "at_most":
            return -math.inf, value
        return value, value


def month_index(day: dt.date) -> float:
    """Months since year 0, with the day as a fraction: 4.12.2020 → 2020·12 + 11 + 3/31."""
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return day.year * 12 + (day.month - 1) + (day.day - 1) / days_in_month


@dataclass(frozen=True)
class ReportedFacts:
    facts: dict[str, Fact]
    path: Path

    def __getitem__(self, fact_id: str) -> Fact:
        return self.facts[fact_id]

    def value(self, fact_id: str):
        return self.facts[fact_id].value

    def to_frame(self) -> pd.DataFrame:
        """One row per fact, in file order; values as text so dates and numbers share a column."""
        rows = [{
            "fact_id": f.fact_id, "value": _value_text(f), "unit": f.unit,
            "qualifier": f.qualifier, "resolution": f.resolution, "pilot_id": f.pilot_id,
            "section": f.section, "subsection": f.subsection, "stated": f.stated,
            "how": f.how, "note": f.note,
        } for f in self.facts.values()]
        return pd.DataFrame(rows)


def _value_text(fact: Fact) -> str:
    if fact.unit == "date":
        return fact.value.isoformat()
    if isinstance(fact.value, float) and fact.value.is_integer() and fact.unit != "million_eur":
        return str(int(fact.value))
    return str(fact.value)


def load_facts(path: Path | None = None) -> ReportedFacts:
    """Load ``facts.yml``; raise InputError naming file, line and key for every problem."""
    path = Path(path or facts_file())
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_cached(path_text: str, _mtime: int) -> ReportedFacts:
    path = Path(path_text)
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=_DatesAsText)
        raw = yaml.load(text, Loader=_DatesAsText)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise InputError([InputProblem(path.name, line, None, f"not valid YAML: {exc}")]) from None
    problems: list[InputProblem] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("facts"), list):
        raise InputError([InputProblem(path.name, 1, "facts",
                                       "the file must hold a list under the key 'facts'")])
    nodes = _value_node(root, "facts").value
    facts: dict[str, Fact] = {}
    for index, (entry, node) in enumerate(zip(raw["facts"], nodes)):
        fact = _check_entry(entry, node, index, path.name, problems)
        if fact is None:
            continue
        if fact.fact_id in facts:
            problems.append(InputProblem(path.name, node.start_mark.line + 1,
                                         f"{fact.fact_id}.fact_id", "fact_id used twice"))
            continue
        facts[fact.fact_id] = fact
    if problems:
        raise InputError(problems)
    return ReportedFacts(facts, path)


def _value_node(mapping_node, key: str):
    for key_node, value_node in mapping_node.value:
        if key_node.value == key:
            return value_node
    raise KeyError(key)


def _check_entry(entry, node, index: int, file_name: str,
                 problems: list[InputProblem]) -> Fact | None:
    """One fact checked; its problems appended (key named as ``<fact_id>.<field>``)."""
    line = node.start_mark.line + 1
    if not isinstance(entry, dict):
        problems.append(InputProblem(file_name, line, f"facts[{index}]",
                                     "each fact is a mapping of field: value"))
        return None
    label = entry.get("fact_id") if isinstance(entry.get("fact_id"), str) else f"facts[{index}]"
    key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
    before = len(problems)

    def bad(key: str, message: str) -> None:
        problems.append(InputProblem(file_name, key_lines.get(key, line), f"{label}.{key}", message))

    for key in sorted(set(entry) - set(REQUIRED) - set(OPTIONAL)):
        bad(key, "unknown field")
    for key in REQUIRED:
        if key not in entry or entry[key] is None or entry[key] == "":
            bad(key, "missing field")
    for key in ("fact_id", "unit", "section", "stated", "subsection", "pilot_id", "note",
                "qualifier", "how"):
        if key in entry and entry[key] is not None and not isinstance(entry[key], str):
            bad(key, f"expected text, got {entry[key]!r}")
    if len(problems) > before:
        return None

    unit, qualifier = entry["unit"], entry.get("qualifier", "exact")
    if not _FACT_ID.match(entry["fact_id"]):
        bad("fact_id", "use lower-case letters, digits and underscores")
    if entry["section"] not in SECTION_TITLES:
        bad("section", f"unknown section {entry['section']!r}; one of {', '.join(SECTION_TITLES)}")
    if unit not in UNITS:
        bad("unit", f"unknown unit {unit!r}; one of {', '.join(sorted(UNITS))}")
    if qualifier not in QUALIFIERS:
        bad("qualifier", f"unknown qualifier {qualifier!r}; one of {', '.join(QUALIFIERS)}")
    if entry.get("how", "stated") not in HOWS:
        bad("how", f"expected one of {', '.join(HOWS)}")
    if entry.get("pilot_id") is not None and entry["pilot_id"] not in PILOT_IDS:
        bad("pilot_id", f"unknown pilot {entry['pilot_id']!r}")
    resolution = entry.get("resolution")
    if qualifier == "about":
        if not _is_number(resolution) or resolution <= 0:
            bad("resolution", "a rounded ('about') figure needs its rounding step, a positive number")
    elif resolution is not None:
        bad("resolution", "only a rounded ('about') figure has a rounding step")
    value = _check_value(entry["value"], unit, bad)
    if len(problems) > before:
        return None
    return Fact(
        fact_id=entry["fact_id"], value=value, unit=unit, section=entry["section"],
        stated=entry["stated"], qualifier=qualifier,
        resolution=float(resolution) if resolution is not None else None,
        subsection=entry.get("subsection"), pilot_id=entry.get("pilot_id"),
        how=entry.get("how", "stated"), note=entry.get("note"),
    )


def _check_value(value, unit: str, bad):
    if unit == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        bad("value", f"a date is written YYYY-MM-DD, got {value!r}")
        return None
    if unit == "month":
        match = _MONTH.match(value) if isinstance(value, str) else None
        if not match or not 1 <= int(match.group(2)) <= 12:
            bad("value", f"a month is written \"YYYY-MM\" (quoted), got {value!r}")
        return value
    if not _is_number(value):
        bad("value", f"expected a number, got {value!r}")
    return value


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)

