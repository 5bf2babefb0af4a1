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
from typing import Any, Literal, get_args

import pandas as pd
import yaml
from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from evalkit.errors import InputError, InputProblem
from evalkit.input_models import InputModel, iso_date, key_path, messages, refusal
from evalkit.paths import facts_file
from evalkit.programme import KnownPilotId
from evalkit.yaml_input import (
    KeyRepeated,
    OneKeyOnce,
    PlainLoader,
    decimal_int,
    repeated_key_problem,
    syntax_problem,
)

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
SUMMARY_SECTION = "tiivistelmä"


def section_shown(section: str, lang: str | None = None) -> str:
    """A section of the source report as a table or a sentence of an edition names it.

    A numbered section is its number; the summary (``tiivistelmä``) is named in the edition's
    language, lower case as in the Finnish report's own references ("sammandrag", "summary").
    """
    from evalkit.i18n import t

    return t("publication.summary", lang).lower() if section == SUMMARY_SECTION else section


Unit = Literal[
    "clients", "code", "coordinators", "date", "days", "ely_areas", "employers", "eur", "events",
    "focus_areas", "grade", "items", "meetings_per_year", "million_eur", "month", "months",
    "objectives", "organisations", "participants", "percent", "persons", "phases", "pilots",
    "points", "respondents", "services", "share", "surveys", "year",
]
UNITS = frozenset(get_args(Unit))
# exact: as stated; about: rounded at ``resolution``; over: a lower bound; at_most: an upper bound.
Qualifier = Literal["exact", "about", "over", "at_most"]
QUALIFIERS = get_args(Qualifier)
# stated: a figure the report gives; counted: we counted the items of a list the report gives.
How = Literal["stated", "counted"]
HOWS = get_args(How)
Section = Literal[tuple(SECTION_TITLES)]
_FACT_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class _DatesAsText(OneKeyOnce):
    """SafeLoader that leaves dates as text, so a bad date is our error message, not YAML's.

    Its numbers and booleans are :class:`PlainLoader`'s (decimal only; true and false).
    """


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in PlainLoader.yaml_implicit_resolvers.items()
}
_DatesAsText.add_constructor("tag:yaml.org,2002:int", decimal_int)


class Fact(InputModel):
    """One quantitative fact of the report, with the words and the section that state it.

    ``value`` is read as ``unit`` says: a date as YYYY-MM-DD, a month as the text "YYYY-MM",
    anything else as a number. A rounded figure (``qualifier: about``) needs its rounding step
    (``resolution``); no other figure has one. A required key given empty counts as missing.
    """

    fact_id: str
    unit: Unit
    value: float | int | dt.date | str  # str only for months, "YYYY-MM"
    section: Section
    stated: str
    qualifier: Qualifier = "exact"
    resolution: float | None = Field(None, validate_default=True)
    subsection: str | None = None
    pilot_id: KnownPilotId | None = None
    how: How = "stated"
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _empty_is_missing(cls, entry: Any) -> Any:
        if not isinstance(entry, dict):
            return entry
        return {key: value for key, value in entry.items()
                if not (value is None or (value == "" and key in cls.model_fields
                                          and cls.model_fields[key].is_required()))}

    @field_validator("fact_id")
    @classmethod
    def _snake_case(cls, fact_id: str) -> str:
        if not _FACT_ID.match(fact_id):
            raise refusal("use lower-case letters, digits and underscores")
        return fact_id

    @field_validator("value", mode="before")
    @classmethod
    def _value_as_unit_says(cls, value: Any, info: ValidationInfo) -> Any:
        # A refused unit is not in info.data: the value is then checked as a number.
        return _checked_value(value, info.data.get("unit"))

    @field_validator("resolution", mode="before")
    @classmethod
    def _rounding_step(cls, resolution: Any, info: ValidationInfo) -> Any:
        qualifier = info.data.get("qualifier")   # None when the qualifier itself is refused
        if qualifier == "about":
            if not _is_number(resolution) or resolution <= 0:
                raise refusal("a rounded ('about') figure needs its rounding step, a positive number")
        elif qualifier is not None and resolution is not None:
            raise refusal("only a rounded ('about') figure has a rounding step")
        return resolution

    @property
    def section_title(self) -> str:
        """The section's number and title as the report heads it, e.g. ``2.1 Painopisteet``."""
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
    """Every fact of ``facts.yml`` by its ``fact_id``; indexed by a ``fact_id``, its :class:`Fact`.

    Attributes
    ----------
    facts : dict of str to Fact
        Every fact by its ``fact_id``, in file order.
    path : Path
        The file they were read from (resolved).
    """

    facts: dict[str, Fact]
    path: Path

    def __getitem__(self, fact_id: str) -> Fact:
        return self.facts[fact_id]

    def value(self, fact_id: str):
        """The value of fact ``fact_id`` as read: a number, a date, or a month as ``"YYYY-MM"``.

        Raises
        ------
        KeyError
            No fact has that id.
        """
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
    """Load ``facts.yml`` (default: the project's ``data/reported/facts.yml``).

    Parameters
    ----------
    path
        The facts file; read again only when its modification time changes.

    Returns
    -------
    ReportedFacts
        Every fact by its ``fact_id``, in file order.

    Raises
    ------
    InputError
        One line per problem, naming the file, the line and the key as ``<fact_id>.<key>``
        (``facts[<index>].<key>`` for a fact without a usable id); a fact_id used twice too.
    """
    path = Path(path or facts_file())
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_cached(path_text: str, _mtime: int) -> ReportedFacts:
    path = Path(path_text)
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=_DatesAsText)
        raw = yaml.load(text, Loader=_DatesAsText)
    except yaml.YAMLError as exc:
        raise InputError([syntax_problem(path.name, exc, text)]) from None
    except KeyRepeated as repeated:
        raise InputError([repeated_key_problem(path.name, repeated)]) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("facts"), list):
        raise InputError([InputProblem(path.name, 1, "facts",
                                       "the file must hold a list under the key 'facts'")])
    problems: list[InputProblem] = []
    facts: dict[str, Fact] = {}
    for index, (entry, node) in enumerate(zip(raw["facts"], _value_node(root, "facts").value)):
        fact = _checked_entry(entry, node, index, path.name, problems)
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


def _checked_entry(entry: Any, node: yaml.Node, index: int, file_name: str,
                   problems: list[InputProblem]) -> Fact | None:
    """One fact checked, or None with its problems appended to ``problems``.

    Each problem names the line of its key (of the entry when the key is missing) and the key as
    ``<fact_id>.<key>`` (``facts[<index>].<key>`` for a fact without a usable id).
    """
    line = node.start_mark.line + 1
    if not isinstance(entry, dict):
        problems.append(InputProblem(file_name, line, f"facts[{index}]",
                                     "each fact is a mapping of key: value"))
        return None
    try:
        return Fact.model_validate(entry)
    except ValidationError as exc:
        fact_id = entry.get("fact_id")
        label = fact_id if isinstance(fact_id, str) and fact_id else f"facts[{index}]"
        key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
        for loc, message in messages(exc, Fact):
            key = str(loc[0]) if loc else None
            problems.append(InputProblem(file_name, key_lines.get(key, line),
                                         f"{label}.{key_path(loc)}" if loc else label, message))
        return None


def _checked_value(value: Any, unit: str | None) -> Any:
    if unit == "date":
        return iso_date(value)
    if unit == "month":
        match = _MONTH.match(value) if isinstance(value, str) else None
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise refusal(f"a month is written \"YYYY-MM\" (quoted), got {value!r}")
        return value
    if not _is_number(value):
        raise refusal(f"expected a number, got {value!r}")
    return value


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
