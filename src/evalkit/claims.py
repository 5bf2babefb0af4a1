"""A consistency check of the source report: its stated derived figures, recomputed.

Every claim pairs a figure the report states (a total, a percentage, a change, a count given in
prose, a date) with the value that follows from the report's other facts. Both sides are
intervals: a stated figure allows every true value that rounds to it at the precision the report
gives it ("9,6 Me" allows [9.55, 9.65) M€), and a recomputed figure spans every value its rounded
inputs allow. The claim's rule says how the two must relate:

- ``overlap``: the two intervals share a value (a rounded total or count against its sum);
- ``derived_within_stated``: everything recomputed lies in the stated range (dates in a period);
- ``stated_within_derived``: the stated figure lies within the bounds the facts set
  (a survey date within the pilot period, a part no larger than its whole).

Verdicts are data: ``consistent`` or ``inconsistent``; nothing here raises on a bad verdict.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import pandas as pd

from evalkit.national import MILLION, STATED_TOTAL_FACTS
from evalkit.reported import FOCUS_AREAS, PilotFacts
from evalkit.reported_facts import SECTION_TITLES, Fact, ReportedFacts

CONSISTENT = "consistent"
INCONSISTENT = "inconsistent"
RULES = ("overlap", "derived_within_stated", "stated_within_derived")
COLUMNS = (
    "claim_id", "section", "kind", "unit", "stated", "stated_value", "stated_low", "stated_high",
    "derived_value", "derived_low", "derived_high", "difference", "rule", "basis", "verdict",
)


@dataclass(frozen=True)
class Claim:
    """One figure the source report states, beside the value its other facts give.

    Attributes
    ----------
    claim_id : str
        A unique name, e.g. ``pilots_started_summary``.
    section : str
        The report's section that states the figure.
    kind : str
        ``total``, ``change``, ``count``, ``bound`` or ``date``.
    unit : str
        The figure's unit, as in ``data/reported/facts.yml``.
    stated : str
        The report's own words.
    stated_value : float
        The stated figure as a number.
    stated_interval : tuple of float
        [low, high): every true value the stated figure allows (all that round to it, or a stated
        range); low == high for an exact figure.
    derived_value : float
        The value recomputed from the report's other facts.
    derived_interval : tuple of float
        [low, high], closed: every value the other facts allow (their rounding, or the bound they set).
    rule : str
        How the two intervals must relate, one of ``RULES`` (see the module's docstring).
    basis : str
        Where the recomputed value comes from.
    stated_closed : bool
        True for an exact figure or range: the stated interval's high end is included.
    """

    claim_id: str
    section: str
    kind: str
    unit: str
    stated: str
    stated_value: float
    stated_interval: tuple[float, float]
    derived_value: float
    derived_interval: tuple[float, float]
    rule: str
    basis: str
    stated_closed: bool = False

    @property
    def verdict(self) -> str:
        """``consistent`` when the claim's rule holds between the two intervals, else ``inconsistent``.

        Raises
        ------
        ValueError
            When ``rule`` is not one of ``RULES``.
        """
        holds = _holds(self.rule, self.stated_interval, self.derived_interval, self.stated_closed)
        return CONSISTENT if holds else INCONSISTENT

    def as_row(self) -> dict:
        """The claim as one row of :func:`claims_table`: the ``COLUMNS``, verdict included."""
        return {
            "claim_id": self.claim_id, "section": self.section, "kind": self.kind,
            "unit": self.unit, "stated": self.stated, "stated_value": self.stated_value,
            "stated_low": self.stated_interval[0], "stated_high": self.stated_interval[1],
            "derived_value": self.derived_value, "derived_low": self.derived_interval[0],
            "derived_high": self.derived_interval[1],
            "difference": self.stated_value - self.derived_value,
            "rule": self.rule, "basis": self.basis, "verdict": self.verdict,
        }


def _holds(rule: str, stated: tuple[float, float], derived: tuple[float, float],
           closed: bool) -> bool:
    s_lo, s_hi = stated
    d_lo, d_hi = derived
    closed = closed or s_lo == s_hi  # an exact figure is a one-point interval, not an empty one
    if rule == "overlap":
        return (d_lo <= s_hi if closed else d_lo < s_hi) and d_hi >= s_lo
    if rule == "derived_within_stated":
        return d_lo >= s_lo and (d_hi <= s_hi if closed else d_hi < s_hi)
    if rule == "stated_within_derived":
        return s_lo >= d_lo and s_hi <= d_hi
    raise ValueError(f"unknown rule {rule!r}")


def _corners(function, *intervals: tuple[float, float]) -> tuple[float, float]:
    """Range of a function monotone in each argument over a box of intervals (its corners)."""
    values = [function(*corner) for corner in itertools.product(*intervals)]
    return min(values), max(values)


def _from_fact(fact: Fact, claim_id: str, kind: str, derived_value: float,
               derived_interval: tuple[float, float], rule: str, basis: str,
               scale: float = 1.0) -> Claim:
    low, high = fact.interval()
    return Claim(
        claim_id=claim_id, section=fact.section, kind=kind, unit=fact.unit, stated=fact.stated,
        stated_value=fact.number * scale, stated_interval=(low * scale, high * scale),
        derived_value=derived_value, derived_interval=derived_interval, rule=rule, basis=basis,
        stated_closed=fact.qualifier != "about" and fact.unit not in ("month", "date"),
    )


def claims(pilots: PilotFacts, facts: ReportedFacts) -> list[Claim]:
    """Every stated derived figure of the report with its recomputed value, in report order.

    Parameters
    ----------
    pilots : PilotFacts
        The eight pilots' facts (``data/reported/pilots.yml``): grants, focus areas.
    facts : ReportedFacts
        The report's other stated facts (``data/reported/facts.yml``), each with its section.

    Returns
    -------
    list of Claim
        23 claims, each pairing a stated figure with the interval the other facts allow
        (the rules are in the module's docstring); their verdicts are data, nothing raises.
    """
    n_pilots = len(pilots.pilots)
    return [
        _pilot_count(facts, "pilots_started_summary", n_pilots, "pilots.yml: pilots funded (section 5)"),
        _pilot_count(facts, "pilots_started_section1", n_pilots, "pilots.yml: pilots funded (section 5)"),
        *_focus_area_counts(pilots, facts),
        _pilot_count(facts, "pilots_started_section2_3", n_pilots, "pilots.yml: pilots funded (section 5)"),
        *_granted_total(pilots, facts),
        *_parts_within_wholes(facts, n_pilots),
        *_monitoring_surveys(facts),
        _pilot_count(facts, "coordination_survey_respondents", n_pilots,
                     "pilots.yml: number of pilots (the survey went to the pilots)"),
        _focus_areas_per_pilot(pilots, facts),
        _from_fact(facts["ely_areas_applied"], "ely_areas_applied", "bound", float(n_pilots),
                   (float(n_pilots), math.inf), "stated_within_derived", "pilots.yml: pilots funded"),
        _pilot_count(facts, "pilots_proposed", n_pilots, "pilots.yml: funding list (section 5)"),
        _rooting_seminars_period(facts),
        _listed_count(facts, "news_items_stated", "news_items", "news_items_listed",
                      "news_items_listed: links counted"),
        _from_fact(facts["new_service_model_month"], "new_service_model_month", "date",
                   facts["new_service_model_date"].number, facts["new_service_model_date"].interval(),
                   "derived_within_stated", "new_service_model_date"),
        *_partially_able_unemployed(facts),
    ]


def _pilot_count(facts: ReportedFacts, fact_id: str, n_pilots: int, basis: str) -> Claim:
    """A count the report states that must be the number of pilots funded."""
    return _from_fact(facts[fact_id], fact_id, "count", n_pilots, (n_pilots, n_pilots), "overlap", basis)


def _listed_count(facts: ReportedFacts, fact_id: str, claim_id: str, listed_id: str, basis: str) -> Claim:
    """A count the report states against the number of items it lists."""
    listed = float(facts.value(listed_id))
    return _from_fact(facts[fact_id], claim_id, "count", listed, (listed, listed), "overlap", basis)


def _focus_area_counts(pilots: PilotFacts, facts: ReportedFacts) -> list[Claim]:
    """Section 2.2 states in prose how many pilots chose each focus area; Table 1 says which did."""
    out = []
    for area in FOCUS_AREAS:
        in_table = sum(area in p.focus_areas for p in pilots.pilots)
        out.append(_from_fact(facts[f"focus_area_{area}_pilots"], f"focus_area_{area}_pilots",
                              "count", in_table, (in_table, in_table), "overlap",
                              "pilots.yml: focus_areas (table 1)"))
    return out


def _granted_total(pilots: PilotFacts, facts: ReportedFacts) -> list[Claim]:
    """The granted total, stated three times, against the eight grants summed (in M€)."""
    total_meur = sum(p.budget_eur for p in pilots.pilots) / MILLION
    return [_from_fact(facts[fact_id], fact_id, "total", total_meur, (total_meur, total_meur), "overlap",
                       "pilots.yml: budget_eur summed")
            for fact_id in STATED_TOTAL_FACTS]


def _parts_within_wholes(facts: ReportedFacts, n_pilots: int) -> list[Claim]:
    """Parts no larger than their wholes.

    The employers coached of those enrolled (Lappi), and the survey's respondents from pilots, of
    all respondents and of the pilots there are.
    """
    enrolled = float(facts.value("lappi_employers_enrolled"))
    respondents = float(facts.value("ngo_survey_respondents"))
    pilot_ceiling = min(respondents, float(n_pilots))
    return [
        _from_fact(facts["lappi_employers_coached"], "lappi_coached_within_enrolled", "bound", enrolled,
                   (0.0, enrolled), "stated_within_derived", "lappi_employers_enrolled"),
        _from_fact(facts["ngo_survey_pilot_respondents"], "ngo_survey_pilot_respondents", "bound",
                   pilot_ceiling, (0.0, pilot_ceiling), "stated_within_derived",
                   "ngo_survey_respondents; pilots.yml: number of pilots"),
    ]


def _monitoring_surveys(facts: ReportedFacts) -> list[Claim]:
    """The number of monitoring surveys against the dates listed, and the first survey's date."""
    listed = [facts[f"monitoring_survey_{i}_month"] for i in (1, 2, 3)]
    # A survey of the running pilots cannot come before the call that selected them.
    call = facts["call_opened"]
    pilot_period_end = facts["final_reports_month"].interval()[1]
    return [
        _from_fact(facts["monitoring_surveys"], "monitoring_surveys", "count", len(listed),
                   (len(listed), len(listed)), "overlap", "monitoring_survey_1..3_month: dates listed"),
        _from_fact(listed[0], "monitoring_survey_1_month", "date", call.number,
                   (call.number, pilot_period_end), "stated_within_derived", "call_opened … final_reports_month"),
    ]


def _focus_areas_per_pilot(pilots: PilotFacts, facts: ReportedFacts) -> Claim:
    """The stated range of focus areas a pilot chose (at least, at most) against Table 1."""
    choices = [len(p.focus_areas) for p in pilots.pilots]
    choice_min, choice_max = facts["focus_areas_choice_min"], facts["focus_areas_choice_max"]
    return Claim(
        claim_id="focus_areas_choice", section=choice_min.section, kind="bound",
        unit="focus_areas", stated=choice_min.stated, stated_value=choice_max.number,
        stated_interval=(choice_min.number, choice_max.number),
        derived_value=float(max(choices)), derived_interval=(float(min(choices)), float(max(choices))),
        rule="derived_within_stated", basis="pilots.yml: focus_areas per pilot (table 1)",
        stated_closed=True,
    )


def _rooting_seminars_period(facts: ReportedFacts) -> Claim:
    """The seminars listed under "10-11/2022" carry their own dates."""
    seminars = [facts[f"rooting_seminar_{i}_date"] for i in (1, 2, 3)]
    first, last = facts["rooting_seminars_first_month"], facts["rooting_seminars_last_month"]
    seminar_span = (min(s.number for s in seminars), max(s.interval()[1] for s in seminars))
    return Claim(
        claim_id="rooting_seminars_period", section=first.section, kind="date", unit="month",
        stated=first.stated, stated_value=first.number,
        stated_interval=(first.interval()[0], last.interval()[1]),
        derived_value=seminar_span[0], derived_interval=seminar_span,
        rule="derived_within_stated", basis="rooting_seminar_1..3_date",
    )


def _percent_fewer(base: float, now: float) -> float:
    return (base - now) / base * 100


def _partially_able_unemployed(facts: ReportedFacts) -> list[Claim]:
    """The stock of partially able unemployed: two counts for December 2020 and a stated fall."""
    base6 = facts["partially_able_unemployed_2020_12_section6"]
    base1 = facts["partially_able_unemployed_2020_12_section1"]
    end = facts["partially_able_unemployed_2022_11"]
    return [
        _from_fact(base1, "partially_able_unemployed_2020_12", "count", base6.number, base6.interval(),
                   "overlap", "partially_able_unemployed_2020_12_section6"),
        _from_fact(facts["partially_able_unemployed_fall_percent"], "partially_able_unemployed_fall",
                   "change", _percent_fewer(base6.number, end.number),
                   _corners(_percent_fewer, base6.interval(), end.interval()), "overlap",
                   "partially_able_unemployed_2020_12_section6, partially_able_unemployed_2022_11"),
    ]


def claims_table(pilots: PilotFacts, facts: ReportedFacts) -> pd.DataFrame:
    """The claims as a tidy frame, one row per claim, columns ``COLUMNS``, in section order."""
    frame = pd.DataFrame([c.as_row() for c in claims(pilots, facts)], columns=list(COLUMNS))
    order = {section: i for i, section in enumerate(SECTION_TITLES)}
    frame["_order"] = frame["section"].map(order)
    return frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
