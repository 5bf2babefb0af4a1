"""The comparison chapter: what ``book/templates/comparison.ipynb`` calls, cell by cell.

Every figure and table goes through the small-cell rule (evalkit.suppression), complementary
suppression included, computed once on every indicator published from the pooled register (as on
the pilot pages and in the exports): a pilot whose rate may not be shown (denominator under 5,
numerator 1–4, or a count hidden as the partner of a small count) is left out of the figures and
shown as a dash in the tables; counts 1–4 show as ``<5``. The statistics themselves are computed
on the exact data (evalkit.compare, evalkit.did); only what is shown is filtered.

The rates are compared by indicator: the employment rate, and in sections of their own the
positive-exit rate and the open-market employment rate (:data:`INDICATORS`); every function that
shows rates takes the indicator, the employment rate by default.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import compare, did, suppression
from evalkit.chapters.method_numbers import level_text, method_numbers
from evalkit.definitions import HORIZONS, POOLED
from evalkit.errors import EvalkitError
from evalkit.formatting import fmt_date, fmt_interval, fmt_list, fmt_number, fmt_percent
from evalkit.i18n import language, t
from evalkit.indicator_registry import spec
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
from evalkit.params import load_data_sources
from evalkit.plots import comparison as plots
from evalkit.plots.comparison import outcome_text
from evalkit.programme import programme_at
from evalkit.publication import cell
from evalkit.register import pilot_ids

MAIN_HORIZON = 6  # the funnel plot and the model table; the pilots' own goals mostly use 6 months
DEFAULT = compare.DEFAULT_INDICATOR
#: The rates the chapter compares, the employment rate first.
INDICATORS = (DEFAULT, "positive_exit_rate", "open_employment_rate")


@dataclass
class ComparisonPage:
    """What the chapter's cells share: the page, the pooled register and what was computed once.

    ``labels`` maps pilot ids to the names the chapter shows (the ELY regions); ``rates`` holds
    the employment rates and ``other_rates`` the crude rates of the other indicators, computed on
    first use; ``adjusted`` caches each (indicator, horizon)'s case-mix result or the reason there
    is none (the employment rate's under the horizon alone), and ``model_people`` each horizon's
    people as every indicator's model takes them.
    """

    page: Page
    root: Path
    labels: dict[str, str]
    register: pd.DataFrame | None
    as_of: pd.Timestamp | None
    synthetic: bool = False
    missing: list[str] = field(default_factory=list)
    rates: pd.DataFrame | None = None
    adjusted: dict = field(default_factory=dict)
    model_people: dict[int, compare.ModelPeople] = field(default_factory=dict)
    hidden: frozenset = frozenset()   # suppression.hidden_counts of everything published
    other_rates: dict[str, pd.DataFrame] = field(default_factory=dict)
    later_extracts: dict = field(default_factory=dict)   # pilots extracted after the common date: their dates


def setup(lang: str, root: str, page_dir: str, page_name: str) -> ComparisonPage:
    """Load every pilot's register (each file once) and glue the figures the prose refers to.

    Pilots are compared at one extract date, the earliest ``as_of`` among their params: a pilot
    with a later extract would otherwise have more people past each horizon.
    """
    from evalkit.pooled import load_pooled

    start_page(lang)
    root_path = Path(root)
    facts = programme_at(root_path)
    labels = facts.names(language())
    sources = load_data_sources(root_path)
    pooled = load_pooled(sources)
    set_data_origin(synthetic=pooled.synthetic)
    page = Page(Path(page_dir), page_name)
    result = ComparisonPage(page, root_path, labels, None, None, pooled.synthetic, list(pooled.missing))
    _glue_method()
    if pooled.register is None:
        return result
    result.register = pooled.register
    present = pilot_ids(result.register)
    result.as_of = pd.Timestamp(pooled.as_of)
    result.later_extracts = {pid: sources[pid].as_of for pid in sorted(present)
                             if pid in sources and sources[pid].as_of > pooled.as_of}
    result.hidden = _hidden_counts(pooled, facts.budgets)
    result.rates = compare.employment_rates(result.register, result.as_of, HORIZONS)
    glue("as_of", fmt_date(result.as_of))
    glue("participants", fmt_number(len(result.register)))
    glue("pilots_with_data", fmt_number(len(present)))
    glue("main_horizon", fmt_number(MAIN_HORIZON))
    at_horizon = []
    for horizon in HORIZONS:
        pooled = _pooled(result.rates, horizon)
        rate = pooled_rate_text(result, horizon)
        glue(f"pooled_rate_{horizon}", rate)
        glue(f"pooled_eligible_{horizon}", _count(result, POOLED, "eligible", horizon, pooled["denominator"]))
        at_horizon.append(t("comparison.pooled_rate_at", months=fmt_number(horizon), rate=rate))
    glue("pooled_rates", fmt_list(at_horizon))
    return result


def _glue_method() -> None:
    """The method's constants the prose names: follow-up times, levels, scale, small-cell limits."""
    for name, text in method_numbers().items():
        glue(name, text)
    inner, outer = compare.FUNNEL_LEVELS
    glue("funnel_level_inner", level_text(inner))
    glue("funnel_level_outer", level_text(outer))


def notices(page: ComparisonPage) -> None:
    """The synthetic-data notice, any pilot without a register file, and the pilots extracted later than the rest."""
    if page.synthetic:
        synthetic_notice()
    if page.missing:
        pilots = ", ".join(literal(page.labels.get(m, m)) for m in page.missing)
        markdown(f":::{{note}}\n{t('comparison.missing_registers', pilots=pilots)}\n:::\n")
    if page.later_extracts:
        later = ", ".join(t("comparison.pilot_on", pilot=literal(page.labels.get(p, p)), date=fmt_date(day))
                          for p, day in page.later_extracts.items())
        markdown(f":::{{note}}\n{t('comparison.later_extracts', common=fmt_date(page.as_of), pilots=later)}\n:::\n")
    if page.register is None:
        markdown(t("comparison.no_data"))


def pooled_rate_text(page: ComparisonPage, horizon: int) -> str:
    """The pooled employment rate at ``horizon`` as the prose gives it: a dash where the tables hide it.

    The tables hide it when nobody is followed up, or as a partner of a small count elsewhere.
    """
    pooled = _pooled(page.rates, horizon)
    shown = pooled["denominator"] and not _pooled_hidden(page, pooled, horizon)
    return fmt_percent(pooled["value"]) if shown else t("format.missing")


def _pooled_hidden(page: ComparisonPage, pooled: pd.Series, horizon: int, indicator: str = DEFAULT) -> bool:
    """Whether the pooled rate of ``indicator`` at ``horizon`` is hidden in the tables (a partner of a small count)."""
    return _rate_hidden(page, POOLED, horizon, pooled["numerator"], pooled["denominator"], indicator)


def _pooled(rates: pd.DataFrame, horizon: int) -> pd.Series:
    return cell(rates, POOLED, str(rates["indicator"].iloc[0]), horizon)


def _in_label_order(page: ComparisonPage, frame: pd.DataFrame) -> pd.DataFrame:
    """Pilot rows in the order this chapter presents pilots: by name, the pooled row last.

    Rows of one pilot keep their order. evalkit.compare gives the report's order; the figures
    break ties, and the prose lists names, in the order they are given.
    """
    def key(pilot_id: str) -> tuple[bool, str]:
        return pilot_id == POOLED, page.labels.get(pilot_id, pilot_id)
    order = sorted(range(len(frame)), key=lambda i: key(frame["pilot_id"].iloc[i]))
    return frame.iloc[order]


def _hidden_counts(pooled, budgets) -> frozenset:
    """The counts the small-cell rule hides among everything published from this register."""
    from evalkit.indicators import published_indicators

    frame = published_indicators(pooled.register, pooled.as_of, budgets, pooled.employers)
    return suppression.hidden_counts(frame)


def _rates(page: ComparisonPage, indicator: str = DEFAULT) -> pd.DataFrame | None:
    """The crude rates of ``indicator`` at every horizon (None without a register)."""
    if indicator == DEFAULT or page.register is None:
        return page.rates
    if indicator not in page.other_rates:
        page.other_rates[indicator] = compare.crude_rates(page.register, page.as_of, HORIZONS, indicator)
    return page.other_rates[indicator]


def _name(base: str, indicator: str) -> str:
    """A figure's or table's name: the employment rate's as before, another indicator's marked."""
    return base if indicator == DEFAULT else f"{base}-{indicator.replace('_', '-')}"


def _rate_hidden(page: ComparisonPage, pilot_id: str, horizon, employed, eligible, indicator: str = DEFAULT) -> bool:
    """True when a rate of ``indicator`` may not be shown.

    Its own numbers are small, or the people it counts (its declared numerator) or the people
    followed up are hidden as partners of a small count elsewhere.
    """
    h = None if pd.isna(horizon) else int(horizon)
    return suppression.rate_hidden(eligible, employed) or \
        (pilot_id, spec(indicator).numerator, h) in page.hidden or (pilot_id, "eligible", h) in page.hidden


def _count(page: ComparisonPage, pilot_id: str, name: str, horizon, count) -> str:
    """A count as published: ``<5`` when 1–4, a dash when hidden as a partner."""
    h = None if horizon is None or pd.isna(horizon) else int(horizon)
    return suppression.count_text(count, hidden=(pilot_id, name, h) in page.hidden)


def _shown(page: ComparisonPage, rates: pd.DataFrame, indicator: str = DEFAULT) -> pd.Series:
    """Rows whose rate may be published."""
    return pd.Series([not _rate_hidden(page, p, h, n, d, indicator) for p, h, n, d in
                      zip(rates["pilot_id"], rates["horizon_months"], rates["numerator"], rates["denominator"])],
                     index=rates.index, dtype=bool)


# --- crude rates ------------------------------------------------------------------------------

def rates_table(page: ComparisonPage, indicator: str = DEFAULT) -> None:
    """Show the crude rates of ``indicator``: pilots as rows (pooled last), follow-up times as columns.

    The rate and its Wilson interval share a cell; for the employment rate a second table gives
    the people followed up (every rate's denominator) in the same layout. Narrow enough for a
    portrait page and a laptop screen without an interval wrapping.
    """
    all_rates = _rates(page, indicator)
    if all_rates is None:
        return
    order = list(dict.fromkeys(_in_label_order(page, all_rates)["pilot_id"]))
    dash = t("format.missing")
    rates, counts = [], []
    for pilot_id in order:
        label = {t("comparison.col.pilot"): page.labels.get(pilot_id, t("comparison.pooled"))}
        rate_row, count_row = dict(label), dict(label)
        for horizon in HORIZONS:
            r = cell(all_rates, pilot_id, indicator, horizon)
            hidden = _rate_hidden(page, pilot_id, horizon, r["numerator"], r["denominator"], indicator) \
                or pd.isna(r["value"])
            column = t("comparison.col.at_horizon", months=fmt_number(horizon))
            rate_row[column] = dash if hidden else t("comparison.rate_with_interval", rate=fmt_percent(r["value"]),
                                                     interval=fmt_interval(r["ci_low"], r["ci_high"], unbroken=True))
            count_row[column] = _count(page, pilot_id, "eligible", horizon, r["denominator"])
        rates.append(rate_row)
        counts.append(count_row)
    align = ["l", *["r"] * len(HORIZONS)]
    show_table(pd.DataFrame(rates), outcome_text(indicator, "rates_caption"),
               name=_name("tbl-comparison-rates", indicator), align=align)
    if indicator == DEFAULT:
        show_table(pd.DataFrame(counts), t("comparison.eligible_caption"), name="tbl-comparison-eligible", align=align)


def _range(low: float, high: float, digits: int) -> str:
    """``low – high`` kept on one line.

    A line may break after an en dash even before a no-break space (Unicode line breaking), so a
    word joiner follows the dash.
    """
    return f"{fmt_number(low, digits)}\u00a0–\u2060\u00a0{fmt_number(high, digits)}"


def forest(page: ComparisonPage, horizon: int, indicator: str = DEFAULT) -> None:
    """Show the forest plot of the crude rates of ``indicator`` at ``horizon`` months (pilots that may be shown)."""
    all_rates = _rates(page, indicator)
    if all_rates is None:
        return
    at_h = all_rates[(all_rates["horizon_months"] == horizon) & (all_rates["pilot_id"] != POOLED)]
    shown = _in_label_order(page, at_h[_shown(page, at_h, indicator)])
    if len(shown) < 1:
        markdown(t("comparison.too_few_to_plot", horizon=horizon))
        return
    pooled = _pooled(all_rates, horizon)
    reference = None if _pooled_hidden(page, pooled, horizon, indicator) else float(pooled["value"])
    fig, alt = plots.forest_plot(shown, reference, horizon, page.labels, indicator)
    show_figure(page.page, fig, _name(f"forest-{horizon}", indicator),
                outcome_text(indicator, "forest_caption", horizon=horizon), alt)


def funnel(page: ComparisonPage, horizon: int = MAIN_HORIZON, indicator: str = DEFAULT) -> None:
    """Show the funnel plot of ``indicator`` at ``horizon`` months and name the pilots outside its limits."""
    all_rates = _rates(page, indicator)
    if all_rates is None:
        return
    points = _in_label_order(page, compare.funnel_points(all_rates, horizon))
    points = points[_shown(page, points, indicator)] if len(points) else points
    pooled = _pooled(all_rates, horizon)
    # The funnel's centre and limits are the pooled rate: hidden, it cannot be drawn.
    if points.empty or not pooled["denominator"] or _pooled_hidden(page, pooled, horizon, indicator):
        markdown(t("comparison.too_few_to_plot", horizon=horizon))
        return
    # Log-spaced sizes from half the smallest pilot to a little beyond the largest.
    grid = np.geomspace(max(2.0, float(points["denominator"].min()) / 2),
                        float(points["denominator"].max()) * 1.3, 300)
    limits = compare.funnel_limits(float(pooled["value"]), grid)
    fig, alt = plots.funnel_plot(points, limits, float(pooled["value"]), horizon, page.labels, indicator)
    show_figure(page.page, fig, _name(f"funnel-{horizon}", indicator),
                outcome_text(indicator, "funnel_caption", horizon=horizon), alt)
    outside = points[points["position"] != "inside"]
    if outside.empty:
        markdown(t("comparison.funnel_none_outside"))
    else:
        markdown(t("comparison.funnel_outside", pilots=", ".join(
            t(f"comparison.funnel_side.{row['side']}", pilot=literal(page.labels.get(row["pilot_id"])),
              level=t(f"comparison.funnel_level.{row['position']}"))
            for _, row in outside.iterrows())))


def homogeneity(page: ComparisonPage) -> None:
    """Show the chi-square test of equal rates at every horizon, and say when it is rough."""
    if page.register is None:
        return
    tests = compare.homogeneity_tests(page.register, page.as_of, HORIZONS)
    rows, rough, withheld = [], False, False
    for _, r in tests.iterrows():
        # A statistic made from counts the tables hide would help recover them: shown only when
        # every pilot's people followed up and employed at that time are published.
        hidden = _hides_a_count(page, int(r["horizon_months"]))
        defined = (r["undefined_reason"] is None or pd.isna(r["undefined_reason"])) and not hidden
        rough |= bool(defined and r["min_expected"] < 5)
        withheld |= hidden
        rows.append({
            t("comparison.col.horizon"): fmt_number(r["horizon_months"]),
            t("comparison.col.pilots"): fmt_number(r["pilots"]),
            t("comparison.col.eligible"): _count(page, POOLED, "eligible", r["horizon_months"], r["eligible"]),
            t("comparison.col.chi2"): fmt_number(r["statistic"], 2) if defined else t("format.missing"),
            t("comparison.col.dof"): fmt_number(r["dof"]) if defined else t("format.missing"),
            t("comparison.col.p_value"): _p(r["p_value"]) if defined else
            t("comparison.homogeneity_undefined.hidden_counts") if hidden else
            t(f"comparison.homogeneity_undefined.{r['undefined_reason']}"),
        })
    show_table(pd.DataFrame(rows), t("comparison.homogeneity_caption"), name="tbl-comparison-chi2")
    if withheld:   # said once below the table: the reason is too long for a narrow cell
        markdown(t("comparison.homogeneity_hidden"))
    if rough:
        markdown(t("comparison.homogeneity_rough"))


def _hides_a_count(page: ComparisonPage, horizon: int) -> bool:
    """Whether any pilot's or the pooled count of people followed up or employed at ``horizon`` is not published."""
    rates = page.rates[page.rates["horizon_months"] == horizon]
    employed_name = spec(DEFAULT).numerator
    return any(suppression.is_small_count(count) or (pilot_id, name, horizon) in page.hidden
               for pilot_id, employed, eligible in zip(rates["pilot_id"], rates["numerator"], rates["denominator"])
               for name, count in ((employed_name, employed), ("eligible", eligible)))


def _p(value: float) -> str:
    if pd.isna(value):
        return t("format.missing")
    return f"<\u00a0{fmt_number(0.001, 3)}" if value < 0.001 else fmt_number(value, 3)


# --- case-mix adjustment ----------------------------------------------------------------------

def _adjusted(page: ComparisonPage, horizon: int,
              indicator: str = DEFAULT) -> compare.AdjustedRates | compare.Unavailable:
    key = horizon if indicator == DEFAULT else (indicator, horizon)
    if key not in page.adjusted:
        if horizon not in page.model_people:
            page.model_people[horizon] = compare.model_people(page.register, page.as_of, horizon)
        try:
            page.adjusted[key] = compare.adjusted_rates(page.register, page.as_of, horizon, indicator,
                                                        page.model_people[horizon], _rates(page, indicator))
        except compare.ComparisonUndefined as exc:
            page.adjusted[key] = exc.unavailable
    return page.adjusted[key]


def _say(page: ComparisonPage, key: str, values: dict) -> str:
    """The catalogue text ``key`` in the reader's language, with ``values`` as published.

    Pilot ids become names, covariates their names, and numbers of people are published as
    counts (``<5`` for 1–4).
    """
    shown = dict(values)
    if "pilot" in shown:
        shown["pilot"] = literal(page.labels.get(shown["pilot"], shown["pilot"]))
    if "covariate" in shown:
        shown["covariate"] = t(f"comparison.covariate.{shown['covariate']}")
    if "outcome" in shown:
        shown["outcome"] = t(f"comparison.outcome.lower.{shown['outcome']}")
    for name in ("count", "people"):
        if name in shown:
            shown[name] = suppression.count_text(shown[name])
    if "horizon" in shown:
        shown["horizon"] = fmt_number(shown["horizon"])
    return t(key, **shown)


def adjusted_rates(page: ComparisonPage, horizon: int = MAIN_HORIZON, indicator: str = DEFAULT) -> None:
    """The crude-against-adjusted plot of ``indicator`` at ``horizon``."""
    if page.register is None:
        return
    result = _adjusted(page, horizon, indicator)
    if isinstance(result, compare.Unavailable):
        return  # adjusted_table says why
    rates = result.rates
    shown = rates[[not _rate_hidden(page, p, horizon, k, n, indicator)
                   for p, n, k in zip(rates["pilot_id"], rates["eligible"], rates["employed"])]]
    plotted = _in_label_order(page, shown[shown["adjusted_rate"].notna()])
    if not plotted.empty:
        fig, alt = plots.adjusted_plot(plotted, horizon, page.labels, indicator)
        show_figure(page.page, fig, _name(f"adjusted-{horizon}", indicator),
                    outcome_text(indicator, "adjusted_caption", horizon=horizon), alt)


def adjusted_table(page: ComparisonPage, indicator: str = DEFAULT) -> None:
    """Show crude and adjusted rates of ``indicator`` at every horizon (one model each), then what was left out.

    A horizon without adjusted rates gets a sentence saying why, in the reader's language.
    """
    if page.register is None:
        return
    rows, lines = [], []
    dash = t("format.missing")
    for horizon in HORIZONS:
        result = _adjusted(page, horizon, indicator)
        if isinstance(result, compare.Unavailable):
            reason = _say(page, f"comparison.unavailable.{result.reason}", result.values)
            lines.append(_say(page, "comparison.adjusted_undefined", {"horizon": horizon, "reason": reason}))
            continue
        for _, r in _in_label_order(page, result.rates).iterrows():
            hidden = _rate_hidden(page, r["pilot_id"], horizon, r["employed"], r["eligible"], indicator)
            no_adjusted = hidden or pd.isna(r["adjusted_rate"])
            rows.append({
                t("comparison.col.horizon"): fmt_number(horizon),
                t("comparison.col.pilot"): page.labels.get(r["pilot_id"], r["pilot_id"]),
                t("comparison.col.eligible"): _count(page, r["pilot_id"], "eligible", horizon, r["eligible"]),
                t("comparison.col.crude"): dash if hidden or pd.isna(r["crude_rate"]) else
                fmt_percent(r["crude_rate"]),
                t("comparison.col.adjusted"): dash if no_adjusted else fmt_percent(r["adjusted_rate"]),
                t("comparison.col.adjusted_ci"): (dash if no_adjusted
                                                 else fmt_interval(r["ci_low"], r["ci_high"], unbroken=True)),
            })
        lines += [_say(page, f"comparison.note.{_note_key(page, result.rates, key, values, horizon, indicator)}",
                       values) for key, values in result.notes]
    if rows:
        show_table(pd.DataFrame(rows), outcome_text(indicator, "adjusted_table_caption"),
                   name=_name("tbl-comparison-adjusted", indicator), align=["r", "l", "r", "r", "r", "r"])
    if lines:
        markdown("\n".join(f"- {line}" for line in lines))


# Why a pilot was left out that tells its counts: everybody, or nobody, had the outcome.
_SEPARATION_NOTES = ("all_employed", "none_employed", "all_outcome", "none_outcome")


def _note_key(page: ComparisonPage, rates: pd.DataFrame, key: str, values: dict, horizon: int,
              indicator: str) -> str:
    """``key``, or ``left_out_hidden`` for a separation note on a pilot whose rate the tables hide."""
    if key not in _SEPARATION_NOTES or "pilot" not in values:
        return key
    row = rates[rates["pilot_id"] == values["pilot"]]
    if row.empty or _rate_hidden(page, values["pilot"], horizon, row["employed"].iloc[0], row["eligible"].iloc[0],
                                 indicator):
        return "left_out_hidden"
    return key


def model_table(page: ComparisonPage, horizon: int = MAIN_HORIZON) -> None:
    """Show the adjustment model's odds ratios at ``horizon`` months (nothing if there is none).

    A pilot's odds ratio with the reference pilot's published rate approximates its own rate, so
    it is a dash where the tables hide that pilot's rate; where they hide the reference pilot's,
    the intercept and every pilot's odds ratio are dashes (each approximates the reference's odds
    from a published rate). The covariates' odds ratios are pooled over everybody and stay.
    """
    if page.register is None:
        return
    result = _adjusted(page, horizon)
    if isinstance(result, compare.Unavailable):
        return
    hidden_terms = _hidden_terms(page, result, horizon)
    dash = t("format.missing")
    rows = []
    for _, r in result.model.iterrows():
        digits = 2 if r["term"].startswith(("C(", "Intercept")) else 3  # per-year/month ORs are near 1
        hidden = r["term"] in hidden_terms
        rows.append({
            t("comparison.col.term"): _term_label(r["term"], page.labels),
            t("comparison.col.odds_ratio"): dash if hidden else fmt_number(r["odds_ratio"], digits),
            t("comparison.col.or_ci"): dash if hidden else _range(r["or_ci_low"], r["or_ci_high"], digits),
            t("comparison.col.p_value"): dash if hidden else _p(r["p_value"]),
        })
    show_table(pd.DataFrame(rows), t("comparison.model_caption", horizon=horizon, n=_model_n(page, result, horizon)),
               name=f"tbl-comparison-model-{horizon}")


def _hidden_terms(page: ComparisonPage, result: compare.AdjustedRates, horizon: int) -> set[str]:
    """The model terms that would help recover a rate the tables hide (see :func:`model_table`)."""
    in_model = result.rates[result.rates["in_model"]].sort_values("pilot_id")
    hidden = {p for p, k, n in zip(in_model["pilot_id"], in_model["employed"], in_model["eligible"])
              if _rate_hidden(page, p, horizon, k, n)}
    if in_model["pilot_id"].iloc[0] in hidden:   # the reference level (Treatment coding, first id)
        return {"Intercept", *(f"C(pilot_id)[T.{p}]" for p in in_model["pilot_id"])}
    return {f"C(pilot_id)[T.{p}]" for p in hidden}


def _model_n(page: ComparisonPage, result: compare.AdjustedRates, horizon: int) -> str:
    """The number of people in the model as published.

    It is the pooled number followed up less the pilots left out and the people missing a
    covariate: shown only when each of those is published exactly, or it would give back a
    hidden count.
    """
    pooled = _pooled(page.rates, horizon)["denominator"]
    if result.n_model == pooled:
        return _count(page, POOLED, "eligible", horizon, result.n_model)
    left_out = result.rates[~result.rates["in_model"]]
    parts = [(POOLED, pooled), *zip(left_out["pilot_id"], left_out["eligible"])]
    missing = sum(values["count"] for key, values in result.notes if key == "missing_covariates")
    exact = not suppression.is_small_count(missing) and all(
        not suppression.is_small_count(count) and (pilot_id, "eligible", horizon) not in page.hidden
        for pilot_id, count in parts)
    return fmt_number(result.n_model) if exact else t("format.missing")


def _term_label(term: str, labels: dict[str, str]) -> str:
    if term == "Intercept":
        return t("comparison.term.intercept")
    if term.startswith("C(pilot_id)[T."):
        return t("comparison.term.pilot", pilot=labels.get(term[14:-1], term[14:-1]))
    if term.startswith("C(sex)[T."):
        return t("comparison.term.sex", level=t(f"comparison.sex.{term[9:-1]}"))
    if term.startswith("C(basis)[T."):
        return t("comparison.term.basis", level=t(f"comparison.basis.{term[11:-1]}"))
    label = t(f"comparison.covariate.{term}")
    return label[:1].upper() + label[1:]


def model_reference(page: ComparisonPage, horizon: int = MAIN_HORIZON) -> None:
    """The reference levels the odds ratios are relative to (first pilot alphabetically etc.)."""
    if page.register is None:
        return
    result = _adjusted(page, horizon)
    if isinstance(result, compare.Unavailable):
        return
    in_model = sorted(result.rates.loc[result.rates["in_model"], "pilot_id"])
    markdown(t("comparison.model_reference", pilot=literal(page.labels.get(in_model[0], in_model[0])),
               sex=t("comparison.sex.F"), basis=t("comparison.basis.diagnosis")))


# --- work ability -----------------------------------------------------------------------------

def was_change(page: ComparisonPage) -> None:
    """Show the work-ability change per pilot: figure and table, small or revealing means hidden."""
    if page.register is None:
        return
    was = _in_label_order(page, compare.was_change_by_pilot(page.register))
    # A mean over fewer than five people, or over people hidden as partners (the pooled mean and
    # count minus the other pilots' would give theirs back), or whose interval has no width
    # (every person's change is then that mean).
    hidden = (was["n_pairs"] < suppression.MIN_DENOMINATOR) | \
        pd.Series([(p, "was_change", None) in page.hidden for p in was["pilot_id"]], index=was.index) | \
        pd.Series(suppression.reveals_every_value(["was_change"] * len(was), was["ci_low"], was["ci_high"]),
                  index=was.index)
    pilots = was[(was["pilot_id"] != POOLED) & ~hidden]
    if not pilots.dropna(subset=["mean_change"]).empty:
        fig, alt = plots.was_change_plot(pilots, page.labels)
        show_figure(page.page, fig, "was-change", t("comparison.was_caption"), alt)
    rows = []
    dash = t("format.missing")
    for (_, r), hide in zip(was.iterrows(), hidden):
        show = not hide and not pd.isna(r["mean_change"])
        rows.append({
            t("comparison.col.pilot"): page.labels.get(r["pilot_id"], t("comparison.pooled")),
            t("comparison.col.pairs"): _count(page, r["pilot_id"], "was_change", None, r["n_pairs"]),
            t("comparison.col.was_start_end"): f"{fmt_number(r['mean_start'], 1)}\u00a0→\u00a0"
                                               f"{fmt_number(r['mean_end'], 1)}" if show else dash,
            t("comparison.col.change"): fmt_number(r["mean_change"], 2) if show else dash,
            t("comparison.col.t_ci"): _range(r["ci_low"], r["ci_high"], 2)
            if show and not pd.isna(r["ci_low"]) else dash,
            t("comparison.col.t_p"): _p(r["p_value"]) if show else dash,
            t("comparison.col.wilcoxon_p"): _p(r["wilcoxon_p"]) if show else dash,
        })
    show_table(pd.DataFrame(rows), t("comparison.was_table_caption"), name="tbl-comparison-was")


# --- regional difference-in-differences -------------------------------------------------------

def regional_did(page: ComparisonPage) -> None:
    """Show the regional difference-in-differences, or what data it needs when there are none."""
    folder = did.regional_dir(page.root)
    series = did.load_regional_series(folder)
    if series is None:
        key = ("comparison.did_missing" if programme_at(page.root).has_source_report
               else "comparison.programme_did_missing")
        markdown(t(key, folder="data/regional/"))
        return
    programme = programme_at(page.root)
    # The regional series names regions as the main edition does: the pilots' names in that language.
    treated = sorted(set(programme.names().values()))
    try:
        result = did.estimate_did(series, treated, did.pilot_start(programme))
    except EvalkitError as exc:
        markdown(t("comparison.did_undefined", reason=literal(str(exc))))   # it may name pilots
        return
    low_pct, high_pct = result.percent_effect[1:]
    markdown(t("comparison.did_result",
               effect=fmt_number(result.estimate, 3),
               interval=f"{fmt_number(result.ci_low, 3)} … {fmt_number(result.ci_high, 3)}",
               percent=fmt_percent(result.percent_effect[0]),
               percent_interval=f"{fmt_percent(low_pct)} … {fmt_percent(high_pct)}",
               regions=fmt_number(result.n_regions), treated=fmt_number(result.n_treated),
               months=fmt_number(result.n_months), start=str(result.start_month),
               f=fmt_number(result.pretrend_f, 2), df1=result.pretrend_df[0],
               df2=result.pretrend_df[1], p=_p(result.pretrend_p)))
    fig, alt = plots.event_study_plot(result)
    show_figure(page.page, fig, "event-study", t("comparison.did_caption"), alt)
