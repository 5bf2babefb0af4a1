"""The national chapters: front page, methods, costs, consistency of the source report and
recommendations. What ``book/templates/{index,methods,costs,claims,recommendations}.ipynb`` call.

Every number the prose uses is glued here (``evalkit.publish.glue``) from computed values;
the Markdown refers to it as ``{glue:text}`name```.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evalkit import national, suppression
from evalkit.claims import INCONSISTENT, claims_table
from evalkit.claims_view import claims_display
from evalkit.definitions import CONFIDENCE_LEVEL, HORIZONS
from evalkit.formatting import fmt_eur, fmt_list, fmt_number, fmt_percent
from evalkit.i18n import t
from evalkit.plots import national as plots
from evalkit.publish import Page, start_page, glue, markdown, set_data_origin, show_figure, show_table, synthetic_notice
from evalkit.reported import PilotFacts, load_pilots
from evalkit.reported_facts import ReportedFacts, load_facts


@dataclass
class NationalPage:
    page: Page
    root: Path
    pilots: PilotFacts
    facts: ReportedFacts


def setup(lang: str, root: str, page_dir: str, page_name: str) -> NationalPage:
    """Load the reported facts and glue every figure any national page's prose refers to."""
    start_page(lang)
    root_path = Path(root)
    pilots = load_pilots(root_path / "data" / "reported" / "pilots.yml")
    facts = load_facts(root_path / "data" / "reported" / "facts.yml")
    _glue_key_figures(pilots, facts)
    return NationalPage(Page(Path(page_dir), page_name), root_path, pilots, facts)


def _meur(value: float, decimals: int) -> str:
    return t("national.meur", number=fmt_number(value, decimals)).replace("NBSP", "\u00a0")


def _glue_key_figures(pilots: PilotFacts, facts: ReportedFacts) -> None:
    figures = national.key_figures(pilots, facts)
    budgets = national.budget_by_region(pilots)
    total = national.budget_total(pilots, facts).iloc[0]
    largest, second, smallest = budgets.iloc[0], budgets.iloc[1], budgets.iloc[-1]
    glue("pilot_count", fmt_number(figures["pilots"]))
    glue("region_count", fmt_number(figures["regions"]))
    glue("total_budget", fmt_eur(figures["budget_total_eur"]))
    glue("stated_total", _meur(figures["budget_stated_meur"], 1))
    glue("budget_difference", fmt_eur(abs(total["difference_eur"])))
    glue("stated_total_low", _meur(total["stated_low_eur"] / 1e6, 2))
    glue("stated_total_high", _meur(total["stated_high_eur"] / 1e6, 2))
    glue("largest_region", str(largest["region"]))
    glue("largest_budget", fmt_eur(largest["budget_eur"]))
    glue("largest_share", fmt_percent(largest["share"]))
    glue("second_region", str(second["region"]))
    glue("two_largest_share", fmt_percent(largest["share"] + second["share"]))
    glue("smallest_region", str(smallest["region"]))
    glue("smallest_budget", fmt_eur(smallest["budget_eur"]))
    glue("ely_applied", fmt_number(figures["ely_areas_applied"]))
    glue("continued_count", fmt_number(figures["continued_pilots"]))
    glue("stock_base", fmt_number(figures["stock_base"]))
    glue("stock_base_section1", fmt_number(figures["stock_base_section1"]))
    glue("stock_end", fmt_number(figures["stock_end"]))
    glue("stock_fall_abs", fmt_number(-figures["stock_change_abs"]))
    glue("stock_fall_rel", fmt_percent(-figures["stock_change_rel"]))
    glue("stock_fall_stated", fmt_percent(-figures["stock_change_stated"]))
    change = national.stock_change(facts)
    glue("stock_fall_low", fmt_percent(-change.iloc[0]["relative_change_high"]))
    glue("stock_fall_high", fmt_percent(-change.iloc[0]["relative_change_low"]))
    glue("stock_rise_section1", fmt_percent(change.iloc[1]["relative_change"]))
    glue("stock_count_gap", fmt_number(figures["stock_base"] - figures["stock_base_section1"]))
    # The December 2020 count a fall of the stated size would have needed.
    implied = figures["stock_end"] / (1 + figures["stock_change_stated"])
    glue("stock_implied_base", fmt_number(round(implied, -2)))
    counts = national.focus_area_counts(pilots, facts)
    for row in counts.itertuples():
        glue(f"focus_area_{row.focus_area}_count", fmt_number(row.pilots_in_table))
    table = claims_table(pilots, facts)
    glue("claims_count", fmt_number(len(table)))
    glue("claims_inconsistent", fmt_number(int((table["verdict"] == INCONSISTENT).sum())))
    glue("claims_consistent", fmt_number(int((table["verdict"] != INCONSISTENT).sum())))
    for fact_id in ("pirkanmaa_was_clients", "etela_pohjanmaa_training_events",
                    "lappi_employers_enrolled", "lappi_employers_coached", "ngo_survey_respondents",
                    "ngo_survey_pilot_respondents", "work_ability_event_participants",
                    "coordination_survey_respondents", "coordination_grade", "services_procured",
                    "coordinators_per_office_min", "coordinators_per_office_max",
                    "ips_max_clients_per_coach", "recommendations", "recommendation_themes"):
        glue(f"fact_{fact_id}", fmt_number(facts.value(fact_id)))
    glue("fact_pohjois_karjala_ips_employed_share",
         fmt_percent(facts.value("pohjois_karjala_ips_employed_share") / 100, 0))
    glue("fact_ips_min_coaching_time_share",
         fmt_percent(facts.value("ips_min_coaching_time_share") / 100, 0))
    glue("lappi_coached_share", fmt_percent(facts.value("lappi_employers_coached")
                                            / facts.value("lappi_employers_enrolled")))
    survey = facts["monitoring_survey_1_month"]
    glue("survey_month_stated", t("national.month_format", month=int(survey.value[5:]),
                                  year=int(survey.value[:4])))
    glue("was_min", fmt_number(facts.value("was_scale_min")))
    glue("was_max", fmt_number(facts.value("was_scale_max")))
    opened = facts.value("call_opened")
    glue("call_opened", opened.strftime(t("format.date")))


# --- front page ------------------------------------------------------------------------------

def focus_area_figure(page: NationalPage) -> None:
    figure, alt = plots.focus_area_figure(national.focus_area_matrix(page.pilots))
    show_figure(page.page, figure, "focus-areas", t("national.focus_caption"), alt)


def focus_area_table(page: NationalPage) -> None:
    matrix = national.focus_area_matrix(page.pilots)
    wide = matrix.pivot(index="region", columns="focus_area", values="chosen")
    mark = {True: "×", False: "–"}
    frame = pd.DataFrame({t("national.col_region"): wide.index})
    for area in wide.columns:  # numbered columns keep the table narrow; the caption names them
        frame[str(area)] = [mark[v] for v in wide[area]]
    frame[t("national.col_areas")] = [fmt_number(int(n)) for n in wide.sum(axis=1)]
    counts = national.focus_area_counts(page.pilots, page.facts)
    total_row = {t("national.col_region"): t("national.row_pilots_choosing")}
    for area, count in zip(counts["focus_area"], counts["pilots_in_table"]):
        total_row[str(area)] = fmt_number(count)
    total_row[t("national.col_areas")] = ""
    frame = pd.concat([frame, pd.DataFrame([total_row])], ignore_index=True)
    names = "; ".join(f"{a} = {t(f'national.focus_area_short.{a}')}" for a in wide.columns)
    show_table(frame, t("national.focus_table_caption", names=names), name="tbl-focus-areas",
               align=["l", "c", "c", "c", "c", "r"])


def budget_figure(page: NationalPage, name: str = "budgets") -> None:
    """Budgets by region; ``name`` keeps the figure's label unique when two pages show it."""
    figure, alt = plots.budget_figure(national.budget_by_region(page.pilots))
    show_figure(page.page, figure, name, t("national.budget_caption"), alt)


def stock_figure(page: NationalPage, name: str = "stock") -> None:
    """The three counts; ``name`` keeps the figure's label unique when two pages show it."""
    figure, alt = plots.stock_figure(national.stock_change(page.facts))
    show_figure(page.page, figure, name, t("national.stock_caption"), alt)


def stock_table(page: NationalPage) -> None:
    change = national.stock_change(page.facts)
    rows = []
    for row in change.itertuples():
        rows.append({
            t("national.col_base"): t("national.base_label", section=row.base_section),
            t("national.col_base_count"): fmt_number(row.base_count),
            t("national.col_end_count"): fmt_number(row.end_count),
            t("national.col_abs_change"): fmt_number(row.absolute_change),
            t("national.col_rel_change"): fmt_percent(row.relative_change),
            t("national.col_stated_change"): fmt_percent(row.stated_relative_change),
        })
    show_table(pd.DataFrame(rows), t("national.stock_table_caption"), name="tbl-stock",
               align=["l", "r", "r", "r", "r", "r"])


# --- costs -----------------------------------------------------------------------------------

def budget_table(page: NationalPage) -> None:
    budgets = national.budget_by_region(page.pilots)
    frame = pd.DataFrame({
        t("national.col_region"): budgets["region"],
        t("national.col_project"): budgets["project_name"],
        t("national.col_budget"): [fmt_eur(v) for v in budgets["budget_eur"]],
        t("national.col_share"): [fmt_percent(v) for v in budgets["share"]],
    })
    total = {t("national.col_region"): t("national.row_total"), t("national.col_project"): "",
             t("national.col_budget"): fmt_eur(budgets["budget_eur"].sum()),
             t("national.col_share"): fmt_percent(1.0)}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    show_table(frame, t("national.budget_table_caption"), name="tbl-budgets",
               align=["l", "l", "r", "r"])


def stated_total_table(page: NationalPage) -> None:
    totals = national.budget_total(page.pilots, page.facts)
    frame = pd.DataFrame({
        t("national.col_section"): totals["section"],
        t("claims.col_stated"): [f"»{s}«" for s in totals["stated"]],
        t("national.col_allowed"): [f"{_meur(lo / 1e6, 2)}–{_meur(hi / 1e6, 2)}"
                                    for lo, hi in zip(totals["stated_low_eur"], totals["stated_high_eur"])],
        t("national.col_computed"): [fmt_eur(v) for v in totals["computed_eur"]],
        t("claims.col_verdict"): [t("claims.verdict.consistent" if ok else "claims.verdict.inconsistent")
                                  for ok in totals["consistent"]],
    })
    show_table(frame, t("national.stated_total_caption"), name="tbl-stated-totals",
               align=["l", "l", "r", "r", "l"])


def cost_per_participant(page: NationalPage) -> None:
    """Budget per participant and per employed person at each horizon, from the registers.

    The registers named in params/ are loaded as the comparison chapter does; a synthetic
    register gets the notice. Published through the small-cell rule with its complementary
    suppression, computed on everything published from the register (the budget divided by a
    cost gives back the people counted, so a cost hides with them).
    """
    from evalkit.chapters.pilot_data import published_indicators
    from evalkit.indicators import costs
    from evalkit.params import load_all_params
    from evalkit.pooled import load_pooled

    pooled = load_pooled(load_all_params(page.root))
    if pooled.register is None:
        markdown(t("national.no_registers"))
        return
    register, as_of = pooled.register, pooled.as_of
    set_data_origin(synthetic=pooled.synthetic)
    if pooled.synthetic:
        synthetic_notice()
    table = costs(register, as_of, page.pilots.budgets, HORIZONS)
    hidden = suppression.hidden_counts(published_indicators(register, as_of, page.pilots.budgets,
                                                            pooled.employers))
    shown = suppression.suppress_display(table, mask=suppression.complementary_mask(table, hidden=hidden))
    labels = {p.pilot_id: p.region for p in page.pilots.pilots} | {"all": t("national.row_all")}
    wanted = [("cost_per_participant", None), *(("cost_per_employed", h) for h in HORIZONS)]
    frame = pd.DataFrame({t("national.col_region"): [labels[p] for p in dict.fromkeys(table["pilot_id"])]})
    for indicator, horizon in wanted:
        selected = (table["indicator"] == indicator) & (
            table["horizon_months"].isna() if horizon is None else table["horizon_months"] == horizon)
        column = t(f"national.col_{indicator}", horizon=horizon)
        values = dict(zip(table.loc[selected, "pilot_id"], shown.loc[selected, "value"]))
        frame[column] = [values.get(p, t("format.missing")) for p in dict.fromkeys(table["pilot_id"])]
    glue("cost_as_of", pd.Timestamp(as_of).strftime(t("format.date")))
    show_table(frame, t("national.cost_table_caption"), name="tbl-costs",
               align=["l", *["r"] * len(wanted)])


# --- the consistency of the source report ----------------------------------------------------

def claims_check_table(page: NationalPage) -> None:
    frame = claims_display(claims_table(page.pilots, page.facts), short=True)
    show_table(frame, t("claims.table_caption"), name="tbl-claims",
               align=["l", "l", "l", "l", "r", "r"])


def inconsistencies_list(page: NationalPage) -> None:
    table = claims_table(page.pilots, page.facts)
    flagged = table[table["verdict"] == INCONSISTENT]
    opened = page.facts.value("call_opened").strftime(t("format.date"))
    markdown("\n".join(f"- {t('claims.flag_item', section=row.section, stated=row.stated)} "
                       f"{t(f'claims.explain.{row.claim_id}', call_opened=opened)}"
                       for row in flagged.itertuples()))


# --- methods ---------------------------------------------------------------------------------

def glue_method_figures() -> None:
    """The numbers the methods chapter's prose names: horizons, interval level, the cell rule."""
    glue("horizon_list", fmt_list([fmt_number(h) for h in HORIZONS]))
    glue("ci_level", fmt_percent(CONFIDENCE_LEVEL, 0))
    glue("small_count_max", fmt_number(suppression.SMALL_COUNT_MAX))
    glue("min_denominator", fmt_number(suppression.MIN_DENOMINATOR))
