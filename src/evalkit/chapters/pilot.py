"""The pilot chapter: what ``book/templates/pilot.ipynb`` calls, cell by cell.

``setup`` loads and computes everything once (the register is read once per notebook) and glues the
numbers the prose refers to; each later function shows one table or figure. Every published value
goes through the small-cell rule of :mod:`evalkit.suppression`, complementary suppression
included, computed once on the rows of all pilots (``PilotResults.published``): the chapter only
asks whether a cell is shown.

The same notebook serves the national build (the whole register; the pilot's rows beside the pooled
``all`` rows) and ``evalkit pilot`` (the pilot's own extract; there is then no pooled comparison).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evalkit.chapters.comparison import MAIN_HORIZON
from evalkit.chapters.method_numbers import method_numbers
from evalkit.chapters.pilot_data import PilotResults, pilot_results
from evalkit.definitions import BASIS_CODES, HORIZONS, POOLED, STATUS_CODES
from evalkit.errors import EvalkitError, InputError
from evalkit.formatting import (
    fmt_date,
    fmt_eur,
    fmt_indicator,
    fmt_indicator_interval,
    fmt_list,
    fmt_number,
    fmt_percent,
    fmt_range,
)
from evalkit.goals import GoalResult, assess_goals
from evalkit.i18n import language, t
from evalkit.indicator_registry import Kind, labelled, spec
from evalkit.indicators import WAS_BANDS
from evalkit.page_output import (
    Page,
    glue,
    literal,
    markdown,
    markdown_table,
    prose,
    set_data_origin,
    show_figure,
    show_table,
    start_page,
    synthetic_notice_markdown,
)
from evalkit.params import PilotParams, load_params
from evalkit.programme import Programme, ProgrammePilot, load_programme, pilot_context, pin, programme_at
from evalkit.suppression import rate_hidden, rate_text

RATE_NAMES = ("employment_rate", "open_employment_rate", "positive_exit_rate")
# Months: the summary's horizon (its cost per employed person, its rates), so that a chapter and
# the summary quote the same cost; the costs page gives every horizon.
COST_HORIZON = MAIN_HORIZON
COST_ROWS = (("cost_per_participant", None), ("cost_per_employed", COST_HORIZON),
             ("cost_per_positive_exit", COST_HORIZON))
EMPLOYER_ROWS = ("employers_reached", "employers_interested", "employers_coached", "employers_hiring", "hires")


@dataclass(frozen=True)
class PilotPage:
    """One pilot's chapter as its notebook builds it: the facts, the numbers and where they are shown.

    Made once by :func:`setup` (a page of the national book) or :func:`setup_notebook` (a pilot's
    own self-assessment notebook); every later function of this module takes it.

    Attributes
    ----------
    pilot : ProgrammePilot
        The pilot as its programme states it: name, project name, budget, focus areas.
    facts : Programme
        The programme (every pilot's budget, the focus areas' names).
    params : PilotParams
        The pilot's checked params: data file, extract date, employer file, services, goals.
    page : Page
        Where the executing notebook lives, so that figures are written beside it.
    results : PilotResults
        Every number of the chapter, exact and as published.
    synthetic : bool
        The register or the employer file is synthetic demonstration data.
    register : DataFrame or None
        The validated register, kept by a self-assessment notebook only (for
        :func:`indicator_frame`): a book page keeps none, as the national register can be large
        and the page's kernel lives on.
    employers : DataFrame or None
        The validated employer records, kept as ``register`` is.
    """

    pilot: ProgrammePilot
    facts: Programme
    params: PilotParams
    page: Page
    results: PilotResults
    synthetic: bool
    register: pd.DataFrame | None = None
    employers: pd.DataFrame | None = None

    @property
    def name(self) -> str:
        """The pilot's region: the name captions and prose give the pilot."""
        return self.pilot.name

    @property
    def name_text(self) -> str:
        """The pilot's region as Markdown that shows it literally: for captions and prose, not figures."""
        return literal(self.pilot.name)

    @property
    def context(self) -> dict[str, str]:
        """The values the template's ``{{ ctx.name }}`` placeholders take on this page."""
        return pilot_context(self.pilot)

    @property
    def columns(self) -> list[str]:
        """Whose numbers a table shows: the pilot, and all pilots when the register holds them."""
        return [self.pilot.pilot_id, POOLED] if self.results.has_pooled else [self.pilot.pilot_id]

    def column_label(self, who: str) -> str:
        """A table column's heading for ``who``: the region, or "all pilots" for the pooled ``all``."""
        return t("pilot.all_pilots") if who == POOLED else self.name


def setup(pilot_id: str, params_file: str, lang: str, root: str, page_dir: str, page_name: str) -> PilotPage:
    """Load facts, params and the register once, compute every number, glue the prose figures.

    A chapter of the national report (``params_file`` is the programme's own ``params/<pilot_id>.yml``)
    takes its numbers from the pooled register of every pilot at the programme's common extract
    date (evalkit.pooled: each file read once, the earliest ``as_of``), exactly as the national
    pages and exports compute them, so that every page of the report agrees and a cell hidden on
    one page is hidden on all. A pilot's own report (``evalkit pilot``, params of its own) takes
    them from the register and date its params name.
    """
    from evalkit.params import load_data_sources
    from evalkit.paths import params_dir
    from evalkit.pooled import load_pooled

    start_page(lang)
    root_path = Path(root)
    facts = programme_at(root_path)
    params = load_params(Path(params_file), root_path)
    national = Path(params_file).resolve() == (params_dir(root_path) / f"{pilot_id}.yml").resolve()
    pooled = load_pooled(load_data_sources(root_path)) if national else None
    return _prepare(pilot_id, facts, params, Page(Path(page_dir), page_name), own_only=False, pooled=pooled)


def setup_notebook(pilot_id: str, data: str, as_of: str, params_file: str, employers: str | None = None,
                   goals: list[dict] | None = None, facts: str | None = None, lang: str = "fi") -> PilotPage:
    """:func:`setup` for a pilot's own self-assessment notebook, which Jupyter renders itself.

    Paths are relative to the notebook's folder (the kernel's working folder). ``data``,
    ``as_of`` and ``employers`` replace those of ``params_file``, and so do ``goals`` when given
    (a list of mappings as in a params file), checked exactly as a params file is. Rows of other
    pilots are refused, as by ``evalkit pilot``. An input error is shown as its one-line messages,
    not as a traceback.
    """
    from evalkit.page_output import show_input_errors_briefly

    start_page(lang, mode="notebook")
    show_input_errors_briefly()
    here = Path.cwd()
    for given in (facts, params_file):
        if given and not (here / given).exists():
            # Run from another folder (papermill without --cwd), every relative path misses.
            from evalkit.shown import shown_path

            raise EvalkitError(f"{shown_path(given)}: not found in {shown_path(here)}; the notebook's paths are "
                               "relative to its own folder: run it there (papermill --cwd FOLDER, or open it in "
                               "Jupyter)")
    overrides: dict = {"data": data, "as_of": as_of, "employers": employers}
    if goals is not None:
        overrides["goals"] = goals
    # The notebook carries its programme's programme.yml: it runs the same away from any programme folder.
    programme = pin(load_programme(Path(facts), check_params=False)) if facts else programme_at(here)
    params = load_params(Path(params_file), here, overrides, overrides_label="the notebook's parameters")
    if params.pilot_id != pilot_id:
        raise EvalkitError(f"{params_file}: the params are for pilot {params.pilot_id}, not {pilot_id}")
    return _prepare(pilot_id, programme, params, Page(here, f"{pilot_id}-self-assessment"), own_only=True)


def _prepare(pilot_id: str, facts: Programme, params: PilotParams, where: Page, own_only: bool,
             pooled=None) -> PilotPage:
    """The page's numbers: from ``pooled`` (a PooledRegister) in the national report, else from the params' files."""
    from evalkit.register import is_synthetic, load_employers, load_register

    pilot = facts.by_id(pilot_id)
    if pooled is None or pilot_id in pooled.missing:   # a missing file is refused as load_register refuses it
        register = load_register(params.data, params.as_of, pilot_id=pilot_id if own_only else None)
        as_of, employers = params.as_of, load_employers(params.employers) if params.employers else None
    else:
        register, as_of, employers = pooled.register, pooled.as_of, pooled.employers
    if pooled is not None and pilot_id in pooled.not_started:
        raise EvalkitError(f"{params.data}: nobody of pilot {pilot_id} had started by {pooled.as_of.isoformat()}, the "
                           "earliest extract date (as_of) of the programme's pilots, at which the national report "
                           "counts every pilot; check the as_of dates in params/")
    if register is None or not (register["pilot_id"] == pilot_id).any():
        # A listed pilot without rows is most often a pilot_id spelt otherwise in the register: a
        # chapter of nothing would hide that, and the comparison would leave the pilot out unsaid.
        raise EvalkitError(f"{params.data}: no rows of pilot {pilot_id}, which programme.yml lists; give its "
                           f"rows the pilot_id {pilot_id}, or leave the pilot out of programme.yml")
    if own_only and employers is not None:
        from evalkit.register.employers import other_pilot_employers

        problems = other_pilot_employers(employers, pilot_id, Path(params.employers).name)
        if problems:
            raise InputError(problems)
    results = pilot_results(register, pilot_id, as_of, facts.budgets, employers)
    synthetic = pooled.synthetic if pooled is not None else \
        is_synthetic(params.data) or bool(params.employers and is_synthetic(params.employers))
    set_data_origin(synthetic=synthetic)
    # A book page keeps no register: the national one can be large, and its page kernel lives on.
    page = PilotPage(pilot, facts, params, where, results, synthetic,
                     register if own_only else None, employers if own_only else None)
    _glue_method()
    _glue_profile(page)
    _glue_flow(page)
    _glue_outcomes(page)
    _glue_identification(page)
    _glue_was(page)
    return page


def say(page: PilotPage, key: str) -> None:
    """Show the catalogue text ``key`` as a notebook's prose, with the page's values filled in.

    Every glued number is written out in the text: a notebook shows no glue roles (a book page
    refers to the glued numbers with roles instead).

    Parameters
    ----------
    page : PilotPage
        The page whose context fills the text's ``{{ ctx.name }}`` placeholders.
    key : str
        A catalogue key of the active language.

    Raises
    ------
    KeyError
        When the catalogue has no ``key``.
    BuildError
        When the text names a placeholder that has no value (:func:`evalkit.pipeline.templates.fill`).
    """
    from evalkit.pipeline.templates import fill

    markdown(prose(fill(t(key), page.context, language(), source=key)))


def indicator_frame(page: PilotPage) -> pd.DataFrame:
    """The pilot's own indicators, exact and unsuppressed, for its own analysis.

    The same rows as ``evalkit indicators --all`` prints for the same register (and employer file).
    Not for publication: published figures go through the small-cell rule.

    Parameters
    ----------
    page : PilotPage
        A page made by :func:`setup_notebook`, which keeps the register.

    Returns
    -------
    DataFrame
        Tidy rows, columns as in CONTRACT.md ("Commands", ``evalkit indicators``).

    Raises
    ------
    EvalkitError
        When ``page`` is a book page (made by :func:`setup`), which keeps no register.
    """
    from evalkit.indicators import compute_indicators, extra_indicators, order_rows

    if page.register is None:
        raise EvalkitError("indicator_frame is for a self-assessment notebook (chapter.setup_notebook)")
    frames = [compute_indicators(page.register, page.params.as_of, page.facts.budgets),
              extra_indicators(page.register, page.params.as_of, employers=page.employers)]
    return order_rows(pd.concat(frames, ignore_index=True))


# ---------------------------------------------------------------- glued prose numbers

def _glue_method() -> None:
    """Glue the method's constants the prose names.

    The follow-up times, the confidence level, the work ability scale and its bands, and the
    horizon of the cost figures.
    """
    for name, text in method_numbers().items():
        glue(name, text)
    glue("was_bands", fmt_list([t("pilot.was_band_in_text", band=t(f"pilot.was_band_word.{band}"),
                                  range=fmt_range(low, high)) for band, (low, high) in WAS_BANDS.items()]))
    glue("cost_horizon", fmt_number(COST_HORIZON))


def _glue_profile(page: PilotPage) -> None:
    total = sum(page.facts.budgets.values())
    glue("budget", fmt_eur(page.pilot.budget_eur))
    glue("budget_share", fmt_percent(page.pilot.budget_eur / total))
    glue("focus_area_count", fmt_number(len(page.pilot.focus_areas)))
    glue("focus_area_total", fmt_number(len(page.facts.focus_area_names)))
    glue("focus_sentence", t("pilot.focus_sentence", count=fmt_number(len(page.pilot.focus_areas)),
                             total=fmt_number(len(page.facts.focus_area_names)))
         if page.facts.focus_area_names else t("pilot.no_focus_areas"))
    glue("as_of", fmt_date(page.results.as_of))
    glue("as_of_text", t("pilot.as_of_text", date=fmt_date(page.params.as_of)))


def _count(page: PilotPage, who: str, indicator: str, horizon: int | None = None, column: str = "value") -> str:
    """A count as published (:meth:`PilotResults.count_text`)."""
    return page.results.count_text(who, indicator, horizon, column)


def flow_counts(page: PilotPage, who: str) -> dict[str, str]:
    """Flow counts as published (ended and still in service are parts of the participants)."""
    out = {name: _count(page, who, name) for name in ("participants", "ended", "in_service")}
    for months in HORIZONS:
        out[f"eligible_{months}"] = _count(page, who, "eligible", months)
    return out


def _glue_flow(page: PilotPage) -> None:
    counts = flow_counts(page, page.pilot.pilot_id)
    for name, text in counts.items():
        glue(name, text)
    # A sentence, not two numbers, when one of them is hidden: "– had finished" reads as nonsense.
    small = t("format.suppressed")
    if counts["in_service"] == small:
        glue("flow_split", t("pilot.flow_split_few_in_service"))
    elif counts["ended"] == small:
        glue("flow_split", t("pilot.flow_split_few_ended"))
    elif t("format.missing") in (counts["ended"], counts["in_service"]):
        glue("flow_split", t("pilot.flow_split_hidden"))
    else:
        glue("flow_split", t("pilot.flow_split", ended=counts["ended"], in_service=counts["in_service"]))


def _rate(page: PilotPage, who: str, indicator: str, horizon: int | None = None) -> tuple[str, str, bool]:
    """(value, interval, shown) of an indicator as published, written as its kind is."""
    row = page.results.rows(who, indicator, horizon)
    if row is None or pd.isna(row["value"]) or not page.results.shown(who, indicator, horizon):
        return t("format.missing"), t("format.missing"), False
    interval = fmt_indicator_interval(indicator, row["ci_low"], row["ci_high"])
    return fmt_indicator(indicator, row["value"]), interval, True


def _shown_value(page: PilotPage, who: str, indicator: str, horizon: int | None = None) -> float | None:
    """An indicator's exact value where it is published, None where it is hidden or undefined."""
    row = page.results.rows(who, indicator, horizon)
    if row is None or pd.isna(row["value"]) or not page.results.shown(who, indicator, horizon):
        return None
    return float(row["value"])


def _glue_outcomes(page: PilotPage) -> None:
    pid = page.pilot.pilot_id
    for months in (6, 3, 12):
        rate, interval, shown = _rate(page, pid, "employment_rate", months)
        if shown:
            glue("outcome_summary", t("pilot.outcome_summary", months=months, rate=rate, interval=interval,
                                      n=_count(page, pid, "eligible", months)))
            return
    glue("outcome_summary", t("pilot.outcome_summary_too_few"))


def _glue_identification(page: PilotPage) -> None:
    share, interval, _ = _rate(page, page.pilot.pilot_id, "tasmatyo_share")
    glue("tasmatyo_share", share)
    glue("tasmatyo_ci", interval)
    if page.results.has_pooled:
        pooled, _, _ = _rate(page, POOLED, "tasmatyo_share")
        glue("tasmatyo_compare", t("pilot.tasmatyo_compare", share=pooled))
    else:
        glue("tasmatyo_compare", t("pilot.tasmatyo_compare_own"))


def _was_change_withheld(row: pd.Series | None) -> str:
    """Why the work-ability change is not published: the catalogue key of the reason.

    Too few people with both scores; everybody's change the same (the mean would tell each
    person's, evalkit.suppression.reveals_every_value); or, enough people and changes that
    differ, a partner hidden so that a small count elsewhere cannot be worked out.
    """
    if row is None or rate_hidden(row["denominator"]) or pd.isna(row["ci_low"]):
        return "was_change_hidden"
    if row["ci_low"] == row["ci_high"]:
        return "was_change_same"
    return "was_change_partner"


def _glue_was(page: PilotPage) -> None:
    res, pid = page.results, page.pilot.pilot_id
    glue("was_start_n", _count(page, pid, "was_start_recorded", column="numerator"))
    glue("was_end_n", _count(page, pid, "was_end_recorded", column="numerator"))
    row = res.rows(pid, "was_change")
    if row is None or not res.shown(pid, "was_change") or pd.isna(row["ci_low"]):
        glue("was_change_summary", t(f"pilot.{_was_change_withheld(row)}"))
    else:
        glue("was_change_summary", t("pilot.was_change_summary", n=fmt_number(int(row["denominator"])),
                                     change=fmt_number(row["value"], 1), low=fmt_number(row["ci_low"], 1),
                                     high=fmt_number(row["ci_high"], 1)))


# ---------------------------------------------------------------- notice and profile

def synthetic_notice(page: PilotPage) -> None:
    """A visible box on every page built from synthetic data (and nothing for a real register)."""
    if page.synthetic:
        markdown(synthetic_notice_markdown())


def focus_area_name(number: int, reported: str) -> str:
    """A focus area's name as the programme gives it in the active language (``programme.yml``).

    Parameters
    ----------
    number : int
        The focus area's number in ``programme.yml``.
    reported : str
        Its name, already in the active language.
    """
    return reported


def focus_area_table(page: PilotPage) -> None:
    """Show a table of the programme's focus areas, each marked as chosen by the pilot or not (none without any)."""
    if not page.facts.focus_area_names:
        return
    rows = [
        {t("pilot.focus_area"): f"{number}. {focus_area_name(number, name)}",
         t("pilot.chosen"): t("pilot.yes") if number in page.pilot.focus_areas else t("pilot.no")}
        for number, name in page.facts.focus_area_names.items()
    ]
    show_table(pd.DataFrame(rows), t("pilot.focus_area_caption", pilot=page.name_text),
               name=f"tbl-focus-{page.pilot.pilot_id}", align=["l", "c"])


def services_list(page: PilotPage) -> None:
    """Show the services the params file lists, as written (or a line saying it lists none)."""
    if page.params.services:
        markdown("\n".join(f"- {literal(service)}" for service in page.params.services))
    else:
        markdown(t("pilot.no_services"))


# ---------------------------------------------------------------- flow and outcomes

def _table(page: PilotPage, rows: list[dict], caption_key: str, name: str) -> None:
    frame = pd.DataFrame(rows)
    show_table(frame, t(caption_key, pilot=page.name_text), name=f"tbl-{name}-{page.pilot.pilot_id}",
               align=["l"] + ["r"] * (frame.shape[1] - 1))


def flow_table(page: PilotPage) -> None:
    """Show a table of participants, ended, still in service and followed up at each horizon.

    Before it, a note when the numbers are counted at an earlier date than the pilot's own extract
    (the programme's common date, evalkit.pooled).
    """
    if page.results.as_of != page.params.as_of:
        markdown(":::{note}\n" + t("pilot.as_of_note", date=fmt_date(page.params.as_of),
                                    common=fmt_date(page.results.as_of)) + "\n:::\n")
    counts = {who: flow_counts(page, who) for who in page.columns}
    labels = {"participants": t("pilot.flow.participants"), "ended": t("pilot.flow.ended"),
              "in_service": t("pilot.flow.in_service"),
              **{f"eligible_{m}": t("pilot.flow.eligible", months=m) for m in HORIZONS}}
    rows = [{t("pilot.col_phase"): label, **{page.column_label(w): counts[w][key] for w in page.columns}}
            for key, label in labels.items()]
    _table(page, rows, "pilot.flow_caption", "flow")


def status_mix_frame(page: PilotPage, who: str) -> tuple[pd.DataFrame, pd.Series]:
    """Per horizon, the published status shares and the share the hidden statuses make together.

    Parameters
    ----------
    page : PilotPage
        The chapter.
    who : str
        The pilot's id, or ``all``.

    Returns
    -------
    shares : DataFrame
        One row per horizon, one column per status code (CONTRACT.md), each the share of the
        eligible with that status; NaN where the rule hides it, and a whole row of NaN when fewer
        than 5 are followed up or the number followed up is hidden.
    hidden : Series
        Per horizon, the share the hidden statuses make up together (NaN for a hidden row).
    """
    shares, hidden_total = {}, {}
    res = page.results
    for months in HORIZONS:
        eligible = res.value(who, "eligible", months)
        counts = pd.Series({c: res.value(who, f"share_{c}", months, "numerator") for c in STATUS_CODES},
                           dtype="float64")
        if eligible is None or pd.isna(eligible) or eligible < 5 or not res.shown(who, "eligible", months):
            shares[months] = pd.Series(float("nan"), index=list(STATUS_CODES))
            hidden_total[months] = float("nan")
            continue
        shown = pd.Series({c: res.shown(who, f"share_{c}", months) for c in STATUS_CODES}, dtype=bool)
        shares[months] = (counts / eligible).where(shown)
        hidden_total[months] = float(counts[~shown].sum() / eligible)
    return pd.DataFrame(shares).T.reindex(columns=list(STATUS_CODES)), pd.Series(hidden_total)


def status_figure(page: PilotPage) -> None:
    """Show a figure of the situation of the people followed up at each horizon."""
    from evalkit.plots.pilot import status_mix

    pid = page.pilot.pilot_id
    shares, hidden = status_mix_frame(page, pid)
    eligible = {m: _count(page, pid, "eligible", m) for m in HORIZONS}
    employed = {m: _shown_value(page, pid, "employment_rate", m) for m in HORIZONS}
    figure, alt = status_mix(shares, hidden, eligible, page.name, employed)
    horizons = fmt_list([fmt_number(m) for m in HORIZONS])
    show_figure(page.page, figure, f"status-{pid}", t("pilot.status_caption", pilot=page.name_text, horizons=horizons),
                alt)


def status_table(page: PilotPage) -> None:
    """Show the figure's numbers as a table: status shares by horizon and the people followed up."""
    pid = page.pilot.pilot_id
    shares, _ = status_mix_frame(page, pid)
    month = {m: t("pilot.months", months=m) for m in HORIZONS}
    rows = [{t("pilot.col_status"): t(f"pilot.status.{code}"),
             **{month[m]: fmt_percent(shares.at[m, code]) for m in HORIZONS}} for code in STATUS_CODES]
    rows.append({t("pilot.col_status"): t("pilot.followed_row"),
                 **{month[m]: _count(page, pid, "eligible", m) for m in HORIZONS}})
    _table(page, rows, "pilot.status_table_caption", "status")


def rates_table(page: PilotPage) -> None:
    """Rows the three rates, columns the horizons; each cell the rate and its 95 % interval."""
    pid = page.pilot.pilot_id
    month = {m: t("pilot.months", months=m) for m in HORIZONS}
    rows = []
    for indicator in RATE_NAMES:
        row = {t("pilot.col_indicator"): t(f"pilot.indicator.{indicator}")}
        for months in HORIZONS:
            value, interval, shown = _rate(page, pid, indicator, months)
            row[month[months]] = t("pilot.value_with_interval", value=value, interval=interval) \
                if shown else t("format.missing")
        rows.append(row)
    rows.append({t("pilot.col_indicator"): t("pilot.followed_row"),
                 **{month[m]: _count(page, pid, "eligible", m) for m in HORIZONS}})
    _table(page, rows, "pilot.rates_caption", "rates")


def suppression_note(page: PilotPage) -> None:
    """Show a note on what ``<5`` and a dash mean in the chapter's tables (the small-cell rule)."""
    numbers = method_numbers()
    markdown(t("pilot.suppression_note", suppressed=t("format.suppressed"), small_counts=numbers["small_counts"],
               min_denominator=numbers["min_denominator"]))


# ---------------------------------------------------------------- identification and work ability

def basis_table(page: PilotPage) -> None:
    """Show a table of participants by how reduced work ability was identified: counts and shares."""
    rows, res = [], page.results
    for code in BASIS_CODES:
        row = {t("pilot.col_basis"): t(f"pilot.basis.{code}")}
        for who in page.columns:
            count, total = res.value(who, f"basis_{code}"), res.value(who, "participants")
            shown = res.shown(who, f"basis_{code}") and res.shown(who, "participants") and bool(total)
            label = page.column_label(who)
            row[t("pilot.col_count_of", who=label)] = _count(page, who, f"basis_{code}")
            row[t("pilot.col_share_of", who=label)] = rate_text(count / total, total, count) if shown \
                else t("format.missing")
        rows.append(row)
    _table(page, rows, "pilot.basis_caption", "basis")


def was_frame(page: PilotPage) -> tuple[pd.DataFrame, dict[str, str]]:
    """Published band shares at the start and at the end (NaN hidden) and the people scored."""
    pid, res = page.pilot.pilot_id, page.results
    columns, counts = {}, {}
    for column, prefix, recorded in (("start", "was_band_", "was_start_recorded"),
                                     ("end", "was_end_band_", "was_end_recorded")):
        n = res.value(pid, recorded, column="numerator")
        if n is None or pd.isna(n) or n < 5 or not res.shown(pid, recorded, column="numerator"):
            columns[column] = pd.Series(float("nan"), index=list(WAS_BANDS))
        else:
            columns[column] = pd.Series({b: res.value(pid, f"{prefix}{b}") if res.shown(pid, f"{prefix}{b}")
                                         else float("nan") for b in WAS_BANDS}, dtype="float64")
        counts[column] = _count(page, pid, recorded, column="numerator")
    return pd.DataFrame(columns), counts


def was_figure(page: PilotPage) -> None:
    """Show a figure of the work ability bands at the start and at the end of the service."""
    from evalkit.plots.pilot import was_bands

    bands, counts = was_frame(page)
    figure, alt = was_bands(bands, counts, page.name)
    show_figure(page.page, figure, f"was-{page.pilot.pilot_id}", t("pilot.was_caption", pilot=page.name_text), alt)


def was_table(page: PilotPage) -> None:
    """Show the figure's numbers as a table: band shares at start and end and the people scored."""
    bands, counts = was_frame(page)
    rows = [{t("pilot.col_band"): t(f"pilot.was_band.{band}"),
             t("pilot.col_start"): fmt_percent(bands.at[band, "start"]),
             t("pilot.col_end"): fmt_percent(bands.at[band, "end"])} for band in WAS_BANDS]
    rows.append({t("pilot.col_band"): t("pilot.was_scored_row"),
                 t("pilot.col_start"): counts["start"], t("pilot.col_end"): counts["end"]})
    _table(page, rows, "pilot.was_table_caption", "was")


# ---------------------------------------------------------------- employers and costs

def employers_section(page: PilotPage) -> None:
    """Show a table of the employer indicators (or a line saying there are no employer records)."""
    if not page.results.has_employers:
        markdown(t("pilot.no_employers"))
        return
    rows = []
    for indicator in EMPLOYER_ROWS:
        row = {t("pilot.col_indicator"): t(f"pilot.employer.{indicator}")}
        for who in page.columns:
            if spec(indicator).kind is Kind.COUNT:
                text = _count(page, who, indicator)
            else:
                text = _rate(page, who, indicator)[0]
            row[page.column_label(who)] = text
        rows.append(row)
    _table(page, rows, "pilot.employers_caption", "employers")


def _cost_text(page: PilotPage, who: str, indicator: str, horizon: int | None) -> str:
    # The budget divided by a cost gives back the people counted: the rule hides the cost with them.
    row = page.results.rows(who, indicator, horizon)
    if row is None or pd.isna(row["value"]) or not page.results.shown(who, indicator, horizon):
        return t("format.missing")
    return fmt_eur(row["value"])


def costs_table(page: PilotPage) -> None:
    """Show a table of the budget per participant, and per employed and per positive exit at ``COST_HORIZON``."""
    rows = [{t("pilot.col_indicator"): t(f"pilot.cost.{indicator}", months=horizon),
             **{page.column_label(w): _cost_text(page, w, indicator, horizon) for w in page.columns}}
            for indicator, horizon in COST_ROWS]
    _table(page, rows, "pilot.costs_caption", "costs")


# ---------------------------------------------------------------- goals

def indicator_label(indicator: str) -> str:
    """An indicator's name for a reader in the active language (``share_<code>`` names its status).

    Raises
    ------
    KeyError
        When the catalogue has no label for ``indicator``.
    """
    key, values = labelled(indicator)
    return t(key, **{name: t(value) for name, value in values.items()})


def published_goal(result: GoalResult, hidden: bool | None = None) -> dict[str, str]:
    """One row of the goals table, formatted; a result hidden by the small-cell rule gets no verdict.

    A verdict on three people would say nearly as much as their number, so a hidden result gets
    dashes and the verdict "no data".

    Parameters
    ----------
    result : GoalResult
        One goal assessed (:func:`evalkit.goals.assess_goals`).
    hidden : bool, optional
        The full rule's answer for the result's cell (complementary suppression included);
        without it the result is judged alone, on its own numerator and denominator.

    Returns
    -------
    dict of str to str
        ``measure``, ``target``, ``result``, ``interval`` and ``verdict``, as shown; a qualitative
        goal (no indicator) gets dashes and the verdict "qualitative".
    """
    goal = result.goal
    if goal.indicator is None:
        dash = t("format.missing")
        return {"measure": dash, "target": dash, "result": dash, "interval": dash,
                "verdict": t("pilot.verdict.qualitative")}
    measure = indicator_label(goal.indicator)
    if goal.horizon is not None:
        measure = t("pilot.measure_with_horizon", indicator=measure, months=goal.horizon)
    bound = "pilot.target_ceiling" if result.lower_is_better else "pilot.target_floor"
    target = t(bound, value=fmt_indicator(goal.indicator, goal.target))
    if hidden is None:   # a numerator that is not people (a sum of score changes) is not a count
        people = spec(goal.indicator).numerator is not None
        hidden = rate_hidden(result.denominator, result.numerator if people else None)
    if hidden or result.value is None:
        dash = t("format.missing")
        return {"measure": measure, "target": target, "result": dash, "interval": dash,
                "verdict": t("pilot.verdict.no_data")}
    interval = fmt_indicator_interval(goal.indicator, result.ci_low, result.ci_high)
    return {"measure": measure, "target": target, "result": fmt_indicator(goal.indicator, result.value),
            "interval": interval, "verdict": t(f"pilot.verdict.{result.verdict}")}


def goals_table(page: PilotPage) -> None:
    """Show a table of the pilot's own goals with result and verdict (or a line saying there are none)."""
    if not page.params.goals:
        markdown(t("pilot.no_goals"))
        return
    results = assess_goals(page.params.goals, page.results.indicators, page.pilot.pilot_id)
    rows = []
    for result in results:
        goal = result.goal
        hidden = None if goal.indicator is None else \
            not page.results.shown(page.pilot.pilot_id, goal.indicator, goal.horizon)
        shown = published_goal(result, hidden)
        result_text = shown["result"] if shown["interval"] == t("format.missing") else \
            t("pilot.value_with_interval", value=shown["result"], interval=shown["interval"])
        rows.append({t("pilot.col_goal"): result.goal.text, t("pilot.col_measure"): shown["measure"],
                     t("pilot.col_target"): shown["target"], t("pilot.col_result"): result_text,
                     t("pilot.col_verdict"): shown["verdict"]})
    # Relative column widths, so the goal's text gets the room it needs in the PDF.
    markdown(markdown_table(pd.DataFrame(rows), t("pilot.goals_caption", pilot=page.name_text),
                            name=f"tbl-goals-{page.pilot.pilot_id}", align=["l", "l", "r", "r", "l"],
                            widths=[36, 20, 13, 18, 13]))


# ---------------------------------------------------------------- beside all pilots

def _beside_rows(page: PilotPage) -> pd.DataFrame:
    rows = []
    for indicator in RATE_NAMES:
        for months in HORIZONS:
            row = {"label": t("pilot.measure_with_horizon", indicator=t(f"pilot.indicator_short.{indicator}"),
                              months=months)}
            for key, who in (("pilot", page.pilot.pilot_id), ("pooled", POOLED)):
                record = page.results.rows(who, indicator, months)
                hide = record is None or not page.results.shown(who, indicator, months)
                for column, source in (("value", "value"), ("low", "ci_low"), ("high", "ci_high")):
                    row[f"{key}_{column}"] = float("nan") if hide else float(record[source])
            rows.append(row)
    return pd.DataFrame(rows)


def pooled_section(page: PilotPage) -> None:
    """Show the pilot beside the pooled figures of all pilots: a figure of the rates, a table of the rest.

    A pilot's own extract has no pooled figures: the section says so instead.
    """
    if not page.results.has_pooled:
        markdown(t("pilot.pooled_missing"))
        return
    from evalkit.plots.pilot import beside_pooled

    markdown(t("pilot.pooled_text"))
    figure, alt = beside_pooled(_beside_rows(page), page.name)
    show_figure(page.page, figure, f"beside-{page.pilot.pilot_id}", t("pilot.beside_caption", pilot=page.name_text),
                alt)
    rows = []
    for indicator in ("tasmatyo_share", "was_change", "cost_per_participant"):
        row = {t("pilot.col_indicator"): indicator_label(indicator)}
        for who in page.columns:
            value, interval, shown = _rate(page, who, indicator)
            dash = t("format.missing")
            if not shown or (interval == dash and spec(indicator).kind is Kind.MEAN):
                text = dash   # a mean without its interval (under two people) is not shown
            else:
                text = value if interval == dash else t("pilot.value_with_interval", value=value, interval=interval)
            row[page.column_label(who)] = text
        rows.append(row)
    _table(page, rows, "pilot.pooled_caption", "pooled")
