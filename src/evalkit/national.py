"""National figures computed from the report's own facts (issue 3).

Pure functions: the loaded facts in (``evalkit.reported.load_pilots()``,
``evalkit.reported_facts.load_facts()``), a tidy DataFrame out; no I/O, no formatting.
"""
from __future__ import annotations

import itertools

import pandas as pd

from evalkit.reported import FOCUS_AREAS, PilotFacts
from evalkit.reported_facts import ReportedFacts

MILLION = 1_000_000
# The three places the report states the total it granted, in million euros.
STATED_TOTAL_FACTS = ("total_granted_section2_3", "total_granted_section5", "total_proposed")
END_COUNT = "partially_able_unemployed_2022_11"
BASE_COUNTS = ("partially_able_unemployed_2020_12_section6", "partially_able_unemployed_2020_12_section1")
STATED_FALL = "partially_able_unemployed_fall_percent"


def budget_by_region(pilots: PilotFacts) -> pd.DataFrame:
    """One row per pilot: its granted budget and its share of the summed budgets.

    Sorted by budget, largest first (ties in the report's funding-list order).
    """
    rows = [{
        "pilot_id": p.pilot_id, "region": p.region, "project_name": p.project_name,
        "budget_eur": p.budget_eur, "call_order": p.call_order,
    } for p in pilots.pilots]
    frame = pd.DataFrame(rows)
    frame["share"] = frame["budget_eur"] / frame["budget_eur"].sum()
    frame = frame.sort_values(["budget_eur", "call_order"], ascending=[False, True])
    return frame.drop(columns="call_order").reset_index(drop=True)


def budget_total(pilots: PilotFacts, facts: ReportedFacts) -> pd.DataFrame:
    """The summed grants against each total the report states (2.3, 5 and the 4.3.2021 decision).

    ``consistent`` is true when the sum rounds to the stated total at the precision the report
    gives it (``9,6 Me`` admits any sum in [9.55, 9.65) M€).
    """
    computed = sum(p.budget_eur for p in pilots.pilots)
    rows = []
    for fact_id in STATED_TOTAL_FACTS:
        fact = facts[fact_id]
        low, high = fact.interval()
        rows.append({
            "fact_id": fact_id, "section": fact.section, "stated": fact.stated,
            "stated_eur": float(fact.value) * MILLION,
            "stated_low_eur": low * MILLION, "stated_high_eur": high * MILLION,
            "computed_eur": computed,
            "difference_eur": computed - float(fact.value) * MILLION,
            "consistent": low * MILLION <= computed < high * MILLION,
        })
    return pd.DataFrame(rows)


def stock_change(facts: ReportedFacts) -> pd.DataFrame:
    """The change in partially able unemployed job seekers, December 2020 → November 2022.

    One row per December 2020 count the report gives (section 6, then section 1's conflicting
    one). ``relative_change`` is (end − base) / base, negative for a fall; ``*_low``/``*_high``
    bound it over every pair of true counts the rounded figures allow. The stated change
    (section 6, "8,5 % fewer") is given as a negative share for comparison.
    """
    end = facts[END_COUNT]
    stated = facts[STATED_FALL]
    rows = []
    for base_id in BASE_COUNTS:
        base = facts[base_id]
        corners = [(e - b) / b for e, b in itertools.product(end.interval(), base.interval())]
        rows.append({
            "base_fact": base_id, "base_section": base.section,
            "base_count": int(base.value), "end_count": int(end.value),
            "absolute_change": int(end.value) - int(base.value),
            "relative_change": (end.value - base.value) / base.value,
            "relative_change_low": min(corners), "relative_change_high": max(corners),
            "stated_relative_change": -stated.value / 100,
        })
    return pd.DataFrame(rows)


def focus_area_matrix(pilots: PilotFacts) -> pd.DataFrame:
    """Table 1 as a long frame: one row per (pilot, focus area) with ``chosen`` true/false."""
    rows = [{
        "pilot_id": p.pilot_id, "region": p.region, "focus_area": area,
        "chosen": area in p.focus_areas,
    } for p in sorted(pilots.pilots, key=lambda p: p.region) for area in FOCUS_AREAS]
    return pd.DataFrame(rows)


def focus_area_counts(pilots: PilotFacts, facts: ReportedFacts) -> pd.DataFrame:
    """Per focus area: pilots choosing it in Table 1 and the count stated in section 2.2."""
    matrix = focus_area_matrix(pilots)
    counted = matrix.groupby("focus_area")["chosen"].sum().astype(int)
    return pd.DataFrame({
        "focus_area": list(FOCUS_AREAS),
        "pilots_in_table": [int(counted[a]) for a in FOCUS_AREAS],
        "pilots_stated": [int(facts.value(f"focus_area_{a}_pilots")) for a in FOCUS_AREAS],
    })


def call_timeline(facts: ReportedFacts) -> pd.DataFrame:
    """The pilot call from opening to the funding proposal, with days from the opening."""
    steps = ("call_opened", "call_deadline", "applications_evaluated_from",
             "applications_evaluated_to", "pilots_proposed_date")
    opened = facts.value("call_opened")
    return pd.DataFrame([{
        "fact_id": step, "date": pd.Timestamp(facts.value(step)),
        "days_from_opening": (facts.value(step) - opened).days,
    } for step in steps])


def key_figures(pilots: PilotFacts, facts: ReportedFacts) -> dict[str, float | int]:
    """The front page's headline numbers, each computed here (never typed in prose)."""
    budgets = budget_by_region(pilots)
    change = stock_change(facts).iloc[0]
    return {
        "pilots": len(pilots.pilots),
        "regions": pilots_regions(pilots),
        "budget_total_eur": int(budgets["budget_eur"].sum()),
        "budget_stated_meur": float(facts.value("total_granted_section2_3")),
        "budget_max_eur": int(budgets["budget_eur"].max()),
        "budget_min_eur": int(budgets["budget_eur"].min()),
        "budget_largest_share": float(budgets["share"].max()),
        "ely_areas_applied": int(facts.value("ely_areas_applied")),
        "continued_pilots": sum(p.continued_2023 for p in pilots.pilots),
        "stock_base": int(change["base_count"]),
        "stock_base_section1": int(stock_change(facts).iloc[1]["base_count"]),
        "stock_end": int(change["end_count"]),
        "stock_change_abs": int(change["absolute_change"]),
        "stock_change_rel": float(change["relative_change"]),
        "stock_change_stated": float(change["stated_relative_change"]),
    }


def pilots_regions(pilots: PilotFacts) -> int:
    """The number of distinct regions (ELY regions) the pilots ran in."""
    return len({p.region for p in pilots.pilots})
