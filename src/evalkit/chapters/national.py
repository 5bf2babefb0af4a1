"""The national chapters: front page, methods, costs, consistency of the source report, recommendations.

What ``book/templates/{index,methods,costs,claims,recommendations}.ipynb`` call.

Every number the prose uses is glued here (``evalkit.page_output.glue``) from computed values;
the Markdown refers to it as ``{glue:text}`name```.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evalkit import key_results as compute
from evalkit import national, suppression
from evalkit.chapters.comparison import MAIN_HORIZON
from evalkit.chapters.method_numbers import level_text
from evalkit.claims import INCONSISTENT, claims_table
from evalkit.claims_view import claims_display
from evalkit.compare import FUNNEL_LEVELS
from evalkit.definitions import CONFIDENCE_LEVEL, HORIZONS, POOLED
from evalkit.formatting import fmt_date, fmt_eur, fmt_interval, fmt_list, fmt_number, fmt_percent
from evalkit.i18n import has, language, t
from evalkit.indicator_registry import spec
from evalkit.key_results import KeyResults
from evalkit.page_output import (
    Page,
    glue,
    literal,
    markdown,
    set_data_origin,
    show_figure,
    show_table,
    start_page,
    synthetic_notice,
)
from evalkit.params import load_all_params, load_data_sources
from evalkit.paths import facts_file, pilots_file
from evalkit.plots import national as plots
from evalkit.pooled import load_pooled
from evalkit.programme import Programme, current, programme_at
from evalkit.publication import cell
from evalkit.register.schema import WAS_RANGE
from evalkit.reported import PilotFacts, load_pilots
from evalkit.reported_facts import SUMMARY_SECTION, ReportedFacts, load_facts, section_shown
from evalkit.suppression import count_text


@dataclass
class NationalPage:
    """A national page as its notebook builds it: where it is shown and the reported facts it uses.

    Attributes
    ----------
    page : Page
        Where the executing notebook lives, so that figures are written beside it.
    root : Path
        The project folder; its ``params/`` names the registers the computed sections read.
    pilots : PilotFacts or None
        What the source report states about each pilot (``data/reported/pilots.yml``); None when
        the programme has no source report.
    facts : ReportedFacts or None
        The source report's other stated facts (``data/reported/facts.yml``), each with its section.
    programme : Programme
        The programme: its pilots' names in the active language and their budgets.
    """

    page: Page
    root: Path
    pilots: PilotFacts | None
    facts: ReportedFacts | None
    programme: Programme | None = None


def setup(lang: str, root: str, page_dir: str, page_name: str) -> NationalPage:
    """Load the reported facts and glue every figure any national page's prose refers to."""
    start_page(lang)
    root_path = Path(root)
    programme = programme_at(root_path)
    if not programme.has_source_report:
        # No source report: only what the register and the method give (the score's scale).
        glue("was_min", fmt_number(WAS_RANGE[0]))
        glue("was_max", fmt_number(WAS_RANGE[1]))
        return NationalPage(Page(Path(page_dir), page_name), root_path, None, None, programme)
    pilots = load_pilots(pilots_file(root_path))
    facts = load_facts(facts_file(root_path))
    _glue_key_figures(pilots, facts)
    return NationalPage(Page(Path(page_dir), page_name), root_path, pilots, facts, programme)


def _meur(value: float, decimals: int) -> str:
    return t("national.meur", number=fmt_number(value, decimals)).replace("NBSP", "\u00a0")


def _glue_key_figures(pilots: PilotFacts, facts: ReportedFacts) -> None:
    """Glue every number the national chapters' prose uses, in a fixed order."""
    figures = national.key_figures(pilots, facts)
    _glue_budgets(pilots, facts, figures)
    glue("ely_applied", fmt_number(figures["ely_areas_applied"]))
    glue("continued_count", fmt_number(figures["continued_pilots"]))
    _glue_stock(facts, figures)
    _glue_counts(pilots, facts)
    _glue_stated_facts(facts)


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each pilot's ``region`` as the programme names it in the page's language.

    The source report's facts name regions in Finnish; a Swedish page says Lappland, not Lappi.
    """
    names = current().names(language())
    return frame.assign(region=[names.get(pilot, region) for pilot, region in zip(frame["pilot_id"], frame["region"])])


def _glue_budgets(pilots: PilotFacts, facts: ReportedFacts, figures: dict[str, float | int]) -> None:
    """Pilot and region counts, the budget total against the stated one, the largest and smallest budgets."""
    budgets = _named(national.budget_by_region(pilots))
    total = national.budget_total(pilots, facts).iloc[0]
    largest, second, smallest = budgets.iloc[0], budgets.iloc[1], budgets.iloc[-1]
    glue("pilot_count", fmt_number(figures["pilots"]))
    glue("region_count", fmt_number(figures["regions"]))
    glue("total_budget", fmt_eur(figures["budget_total_eur"]))
    glue("stated_total", _meur(figures["budget_stated_meur"], 1))
    glue("budget_difference", fmt_eur(abs(total["difference_eur"])))
    # The sentence's conclusion is the table's verdict, not a fixed text: the budgets may change.
    glue("budget_verdict", t("costs.budget_consistent" if total["consistent"] else "costs.budget_inconsistent"))
    glue("stated_total_low", _meur(total["stated_low_eur"] / 1e6, 2))
    glue("stated_total_high", _meur(total["stated_high_eur"] / 1e6, 2))
    glue("largest_region", str(largest["region"]))
    glue("largest_budget", fmt_eur(largest["budget_eur"]))
    glue("largest_share", fmt_percent(largest["share"]))
    glue("second_region", str(second["region"]))
    glue("two_largest_share", fmt_percent(largest["share"] + second["share"]))
    glue("smallest_region", str(smallest["region"]))
    glue("smallest_budget", fmt_eur(smallest["budget_eur"]))


def _glue_stock(facts: ReportedFacts, figures: dict[str, float | int]) -> None:
    """The partially able unemployed job seekers: both December 2020 counts, their fall and its range."""
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


def _glue_counts(pilots: PilotFacts, facts: ReportedFacts) -> None:
    """Pilots per focus area, and how many of the report's claims the data bear out."""
    counts = national.focus_area_counts(pilots, facts)
    for row in counts.itertuples():
        glue(f"focus_area_{row.focus_area}_count", fmt_number(row.pilots_in_table))
    table = claims_table(pilots, facts)
    glue("claims_count", fmt_number(len(table)))
    glue("claims_inconsistent", fmt_number(int((table["verdict"] == INCONSISTENT).sum())))
    glue("claims_consistent", fmt_number(int((table["verdict"] != INCONSISTENT).sum())))


def _glue_stated_facts(facts: ReportedFacts) -> None:
    """Figures the source report states (survey sizes, the IPS figures, the scale, the call's date)."""
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
    glue("call_opened", fmt_date(opened))


# --- front page ------------------------------------------------------------------------------

def focus_area_figure(page: NationalPage) -> None:
    """Show a figure of the focus areas each pilot chose (the report's Table 1)."""
    figure, alt = plots.focus_area_figure(_named(national.focus_area_matrix(page.pilots)))
    show_figure(page.page, figure, "focus-areas", t("national.focus_caption"), alt)


def focus_area_table(page: NationalPage) -> None:
    """Show the figure's table: a mark per pilot and focus area, areas per pilot and pilots per area."""
    matrix = _named(national.focus_area_matrix(page.pilots))
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
    figure, alt = plots.budget_figure(_named(national.budget_by_region(page.pilots)))
    show_figure(page.page, figure, name, t("national.budget_caption"), alt)


def stock_figure(page: NationalPage, name: str = "stock") -> None:
    """The three counts; ``name`` keeps the figure's label unique when two pages show it."""
    figure, alt = plots.stock_figure(national.stock_change(page.facts))
    show_figure(page.page, figure, name, t("national.stock_caption"), alt)


def stock_table(page: NationalPage) -> None:
    """Show a table of the change in partially able unemployed, per December 2020 count the report gives.

    Each row has the counts, the change computed from them and the change the report states
    (:func:`evalkit.national.stock_change`).
    """
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


# --- front page: the key outcome results ------------------------------------------------------

@dataclass(frozen=True)
class SummaryResults:
    """What the summary's results section computed, for its table (None: no register found)."""

    results: KeyResults | None
    synthetic: bool


_RESULT_NAMES = ("results_as_of", "results_demo", "results_ci_level", "results_participants", "results_pilots",
                 "results_horizon", "results_employment_main", "results_positive_main",
                 "results_range",
                 "results_funnel_level", "results_funnel_above", "results_funnel_below",
                 "results_cost_per_employed", "results_was_change", "results_was_low", "results_was_high",
                 "results_was_n",
                 *(f"results_goals_{name}" for name in ("total", "measurable", "met", "not_met", "unclear",
                                                        "no_data", "qualitative")))


def key_results(page: NationalPage) -> SummaryResults:
    """Glue the front page's key outcome results, as the small-cell rule publishes them.

    Every number the section's prose names is glued (computed by :mod:`evalkit.key_results`), and
    the synthetic-data notice is shown when the registers are demonstration data. The registers are
    those ``params/`` names, pooled as on the comparison page; the range across pilots, the funnel
    and the cost are at the comparison's main horizon. A value the rule hides is glued as a dash,
    so the prose keeps its shape; with no register at all, a line says so and every result is a dash.

    Parameters
    ----------
    page : NationalPage
        The front page.

    Returns
    -------
    SummaryResults
        What was computed, for :func:`key_results_table`.
    """
    dash = t("format.missing")
    glue("results_ci_level", level_text(CONFIDENCE_LEVEL))
    glue("results_funnel_level", level_text(FUNNEL_LEVELS[0]))
    params = load_all_params(page.root)
    pooled = load_pooled(params)
    if pooled.register is None:
        markdown(t("front.results_no_registers"))
        for name in _RESULT_NAMES:
            if name not in ("results_ci_level", "results_funnel_level"):
                glue(name, "" if name == "results_demo" else dash)
        return SummaryResults(None, False)
    if pooled.synthetic:
        synthetic_notice()
    results = compute.key_results(pooled.register, pooled.as_of, page.programme.budgets, pooled.employers,
                                  horizon=MAIN_HORIZON)
    glue("results_as_of", fmt_date(pd.Timestamp(results.as_of)))
    glue("results_demo", t("front.results_demo") if pooled.synthetic else "")
    glue("results_participants", count_text(results.participants))
    glue("results_pilots", fmt_number(results.pilots))
    glue("results_horizon", fmt_number(results.horizon))
    for indicator, name in (("employment_rate", "results_employment_main"),
                            ("positive_exit_rate", "results_positive_main")):
        glue(name, fmt_percent(_pooled_rate(results, indicator, results.horizon)["value"]))
    _glue_range(page, results)
    outside = results.outside_funnel
    for side, chosen in (("above", outside["side"] == "above"), ("below", outside["side"] != "above")):
        names = outside.loc[chosen, "pilot_id"]
        glue(f"results_funnel_{side}", _pilot_names(page, names) if len(names) else t("front.results_none"))
    glue("results_cost_per_employed", fmt_eur(results.cost_per_employed))
    was = results.was_change
    shown = was is not None and not pd.isna(was.ci_low)
    # The declared decimals, as the pilot pages and the comparison write the same indicator.
    digits = spec("was_change").digits
    glue("results_was_change", _signed(was.value, digits) if shown else dash)
    glue("results_was_low", _signed(was.ci_low, digits) if shown else dash)
    glue("results_was_high", _signed(was.ci_high, digits) if shown else dash)
    glue("results_was_n", fmt_number(was.n) if shown else dash)
    counts = compute.verdict_counts(compute.goal_verdicts(pooled.register, pooled.as_of, params, page.programme.budgets,
                                                          pooled.employers))
    glue("results_goals_total", fmt_number(int(counts.sum())))
    glue("results_goals_measurable", fmt_number(int(counts.sum() - counts["qualitative"])))
    for verdict in ("met", "not_met", "unclear", "no_data", "qualitative"):
        glue(f"results_goals_{verdict}", fmt_number(int(counts[verdict])))
    return SummaryResults(results, pooled.synthetic)


def _pooled_rate(results: KeyResults, indicator: str, horizon: int) -> pd.Series:
    return cell(results.rates, POOLED, indicator, horizon)


def _signed(value: float, decimals: int) -> str:
    """A change with its sign: ``+0,6``, ``−0,2``, ``0,0``."""
    text = fmt_number(value, decimals)
    return f"+{text}" if text.strip("0,.") and value > 0 else text


def _pilot_names(page: NationalPage, pilot_ids) -> str:
    labels = page.programme.names(language())
    return fmt_list([labels.get(p, p) for p in pilot_ids])


def _glue_range(page: NationalPage, results: KeyResults) -> None:
    """The sentence on the lowest and highest published pilot rate and whose they are.

    With fewer than two published rates, or all of them equal, there is no range: the sentence
    says so (a range of dashes, or from a rate to itself, would read as one).
    """
    rates = results.pilot_rates
    if len(rates) < 2:
        glue("results_range", t("front.results_range_withheld"))
        return
    # Compared as printed: 29.94 % and 29.9 % read the same, so they tie.
    printed = rates["value"].map(fmt_percent)
    low, high = printed[rates["value"].idxmin()], printed[rates["value"].idxmax()]
    if low == high:   # "from 50 % (A and B) to 50 % (A and B)" is no range
        glue("results_range", t("front.results_range_equal", rate=low))
        return
    values = {}
    for name, shown in (("low", low), ("high", high)):
        values[name] = shown
        values[f"{name}_pilots"] = _pilot_names(page, rates.loc[printed == shown, "pilot_id"])
    glue("results_range", t("front.results_range", **values))


def key_results_table(page: NationalPage, summary: SummaryResults) -> None:
    """Show all pilots' pooled employment and positive exit rates at every follow-up time, with intervals.

    The follow-up times are the columns, so that the table stays narrow on the summary page; the
    first row is the number of people followed up. Nothing is shown when :func:`key_results` found no register.
    """
    if summary.results is None:
        return
    rates = summary.results.rates
    horizons = list(dict.fromkeys(int(h) for h in rates["horizon_months"]))
    first = t("front.results_col_measure")
    rows = [{first: t("front.results_row_eligible"),
             **{t("front.results_col_horizon", months=fmt_number(h)):
                count_text(_pooled_rate(summary.results, "employment_rate", h)["denominator"]) for h in horizons}}]
    for indicator in ("employment_rate", "positive_exit_rate"):
        row = {first: t(f"front.results_row_{indicator}")}
        for h in horizons:
            r = _pooled_rate(summary.results, indicator, h)
            row[t("front.results_col_horizon", months=fmt_number(h))] = t("format.missing") if pd.isna(r["value"]) \
                else t("front.rate_with_interval", rate=fmt_percent(r["value"]),
                       interval=fmt_interval(r["ci_low"], r["ci_high"], unbroken=True))
        rows.append(row)
    set_data_origin(synthetic=summary.synthetic)
    try:
        caption = t("front.results_table_caption", level=level_text(CONFIDENCE_LEVEL))
        show_table(pd.DataFrame(rows), caption, name="tbl-key-results", align=["l", *["r"] * len(horizons)])
    finally:
        set_data_origin(synthetic=False)   # the page's other figures come from the reported facts


# --- costs -----------------------------------------------------------------------------------

def budget_table(page: NationalPage) -> None:
    """Show a table of each pilot's granted budget and its share, largest first, with the total."""
    budgets = _named(national.budget_by_region(page.pilots))
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
    """Show a table of each total funding the report states against the sum of the grants, with a verdict.

    A stated total is consistent when the sum rounds to it at the precision the report gives it
    (:func:`evalkit.national.budget_total`).
    """
    totals = national.budget_total(page.pilots, page.facts)
    frame = pd.DataFrame({
        t("national.col_section"): [section_shown(section) for section in totals["section"]],
        t("claims.col_stated"): [t("format.quoted", text=s) for s in totals["stated"]],
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
    from evalkit.indicators import costs, published_indicators

    pooled = load_pooled(load_data_sources(page.root))
    if pooled.register is None:
        markdown(t("national.no_registers"))
        return
    register, as_of = pooled.register, pooled.as_of
    set_data_origin(synthetic=pooled.synthetic)
    if pooled.synthetic:
        synthetic_notice()
    table = costs(register, as_of, page.programme.budgets, HORIZONS)
    hidden = suppression.hidden_counts(published_indicators(register, as_of, page.programme.budgets,
                                                            pooled.employers))
    shown = suppression.suppress_display(table, mask=suppression.complementary_mask(table, hidden=hidden))
    labels = page.programme.names(language()) | {"all": t("national.row_all")}
    wanted = [("cost_per_participant", None), *(("cost_per_employed", h) for h in HORIZONS)]
    frame = pd.DataFrame({t("national.col_region"): [labels[p] for p in dict.fromkeys(table["pilot_id"])]})
    for indicator, horizon in wanted:
        selected = (table["indicator"] == indicator) & (
            table["horizon_months"].isna() if horizon is None else table["horizon_months"] == horizon)
        column = t(f"national.col_{indicator}", horizon=horizon)
        values = dict(zip(table.loc[selected, "pilot_id"], shown.loc[selected, "value"]))
        frame[column] = [values.get(p, t("format.missing")) for p in dict.fromkeys(table["pilot_id"])]
    glue("cost_as_of", fmt_date(pd.Timestamp(as_of)))
    show_table(frame, t("national.cost_table_caption"), name="tbl-costs",
               align=["l", *["r"] * len(wanted)])


# --- the consistency of the source report ----------------------------------------------------

def claims_check_table(page: NationalPage) -> None:
    """Show a table of the source report's derived figures, each recomputed, with a verdict (:mod:`evalkit.claims`)."""
    frame = claims_display(claims_table(page.pilots, page.facts), short=True)
    show_table(frame, t("claims.table_caption"), name="tbl-claims",
               align=["l", "l", "l", "l", "r", "r"])


def _flag_place(section: str, stated: str) -> str:
    """Where the report states a flagged figure: "Luku 2.1, ”…”:", or the summary named as such."""
    if section == SUMMARY_SECTION:  # "Luku tiivistelmä" would read as a chapter called so
        return t("claims.flag_item_summary", stated=stated)
    return t("claims.flag_item", section=section_shown(section), stated=stated)


def inconsistencies_list(page: NationalPage) -> None:
    """Show a list of the report's inconsistent figures: section, the words stated, and what is wrong."""
    table = claims_table(page.pilots, page.facts)
    flagged = table[table["verdict"] == INCONSISTENT]
    opened = fmt_date(page.facts.value("call_opened"))
    # A figure the facts make inconsistent that the report's text did not (a corrected budget, say)
    # has no explanation of its own; it still gets its line.
    markdown("\n".join(f"- {_flag_place(row.section, row.stated)} "
                       + (t(f"claims.explain.{row.claim_id}", call_opened=opened)
                          if has(f"claims.explain.{row.claim_id}") else t("claims.explain_other"))
                       for row in flagged.itertuples()))


# --- methods ---------------------------------------------------------------------------------

def glue_method_figures() -> None:
    """The numbers the methods chapter's prose names: horizons, interval level, the cell rule."""
    glue("horizon_list", fmt_list([fmt_number(h) for h in HORIZONS]))
    glue("ci_level", fmt_percent(CONFIDENCE_LEVEL, 0))
    glue("small_count_max", fmt_number(suppression.SMALL_COUNT_MAX))
    glue("min_denominator", fmt_number(suppression.MIN_DENOMINATOR))


def programme_recommendations(page: NationalPage) -> None:
    """Show the programme's own recommendations (``data/recommendations.yml``), each with links to its evidence.

    Titles and texts are shown literally; the links go to pages of this report only (checked on load).
    """
    from evalkit.recommendations import shown_recommendations

    items = shown_recommendations(page.programme, language())
    markdown(t("recommendations.programme_intro", count=fmt_number(len(items))))
    for title, text, evidence in items:
        links = ", ".join(f"{{doc}}`{_from_national(target)}`" for target in evidence)
        markdown(f"**{literal(title)}**\n\n{literal(text)}\n\n{t('recommendations.evidence', pages=links)}")


def _from_national(target: str) -> str:
    """A page of the report as a national page links to it."""
    folder, _, name = target.partition("/")
    if folder != "national":
        return f"../{target}"
    from evalkit.pipeline.book import METHODS_PAGE, PROGRAMME_METHODS  # the page's name in such a programme
    return PROGRAMME_METHODS.partition("/")[2] if target == METHODS_PAGE else name


def data_origin(page: NationalPage) -> None:
    """Say where the register-based figures come from: made-up demonstration data, or the pilots' registers."""
    from evalkit.register import is_synthetic

    params = load_data_sources(page.root)
    synthetic = any(is_synthetic(p.data) or bool(p.employers and is_synthetic(p.employers)) for p in params.values())
    markdown(t("methods.programme_synthetic_text" if synthetic else "methods.programme_real_text"))
