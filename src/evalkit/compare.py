"""Cross-pilot comparison: crude and case-mix adjusted rates, funnels, work ability.

The rates are those of one indicator, a share of the people followed up by their status
(:data:`OUTCOME_INDICATORS`; ``employment_rate`` unless another is named): every function that
compares rates takes it as ``indicator``.

Crude rates with Wilson intervals, funnel limits, a homogeneity test, case-mix adjusted rates
from a logistic model, and work-ability change per pilot.

Every function takes a register as returned by ``evalkit.register.load_register`` (the contract's
columns, dates as datetime64, ``end_date`` NaT while in service, statuses strings or NA) and
returns a tidy DataFrame. Nothing here reads files or prints.

The employment rate and the work-ability change are the contract's indicators: they are computed
once, by :mod:`evalkit.indicators`, and this module builds on those rows, so the comparison and
the exports cannot disagree. Pilot rows come in the report's order (``PILOT_IDS``), the pooled
row ``all`` last; a chapter that presents pilots otherwise sorts them itself.

What cannot be computed is said with catalogue keys, never with English sentences, so that the
reader's language is the chapter's business: ``Homogeneity.undefined_reason`` (under
``comparison.homogeneity_undefined``), the notes of :class:`AdjustedRates` (``comparison.note``)
and :class:`Unavailable` (``comparison.unavailable``). :data:`MESSAGE_KEYS` lists every key
this module can produce, for the test that both catalogues hold them.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evalkit import casemix, indicators
from evalkit.definitions import CONFIDENCE_LEVEL, EMPLOYED_CODES, HORIZONS, POOLED, STATUS_CODES
from evalkit.errors import EvalkitError
from evalkit.i18n import t
from evalkit.indicator_registry import STATUS_RATES, spec
from evalkit.register.parse import distinct

CONFIDENCE = CONFIDENCE_LEVEL
FUNNEL_LEVELS = (0.95, 0.998)
MODEL_COVARIATES = ("age", "sex", "basis", "unemployment_months")
_CATEGORICAL_COVARIATES = ("sex", "basis")
# A fitted probability this close to 0 or 1 means a coefficient ran off to infinity (separation).
_SEPARATION_EPS = 1e-6

# Every reason this module can give, by catalogue section (``comparison.<section>.<key>``).
FUNNEL_POSITIONS = ("inside", "outside_95", "outside_998")
FUNNEL_SIDES = ("above", "below", "at")
HOMOGENEITY_UNDEFINED = ("fewer_than_two_pilots", "no_variation")
NOTE_KEYS = ("no_eligible", "all_employed", "none_employed", "all_outcome", "none_outcome",
             "constant_covariate", "missing_covariates")
UNAVAILABLE_REASONS = ("no_pilot", "one_pilot", "collinear", "separation", "no_pilot_outcome",
                       "one_pilot_outcome", "separation_outcome")
#: Indicators the comparison can take: the shares of the people followed up by their status.
OUTCOME_INDICATORS = STATUS_RATES
DEFAULT_INDICATOR = "employment_rate"
# Reasons and notes whose text names employment have a variant naming the outcome (``{outcome}``).
_OUTCOME_VARIANTS = frozenset({"no_pilot", "one_pilot", "separation", "all_employed", "none_employed"})
MESSAGE_KEYS = (
    *(f"comparison.funnel_level.{p}" for p in FUNNEL_POSITIONS if p != "inside"),
    *(f"comparison.funnel_side.{s}" for s in FUNNEL_SIDES),
    *(f"comparison.homogeneity_undefined.{r}" for r in HOMOGENEITY_UNDEFINED),
    *(f"comparison.note.{k}" for k in NOTE_KEYS),
    *(f"comparison.unavailable.{r}" for r in UNAVAILABLE_REASONS),
    *(f"comparison.covariate.{c}" for c in MODEL_COVARIATES),
)


# --- who counts ------------------------------------------------------------------------------

def _checked(indicator: str) -> str:
    if indicator not in OUTCOME_INDICATORS:
        raise EvalkitError(f"cannot compare pilots by {indicator}; choose from {', '.join(OUTCOME_INDICATORS)}")
    return indicator


def _variant(key: str, indicator: str) -> str:
    """A reason or note key for ``indicator``: employment's own text, else the one naming the outcome."""
    if indicator == DEFAULT_INDICATOR or key not in _OUTCOME_VARIANTS:
        return key
    return key.replace("employed", "outcome") if "employed" in key else f"{key}_outcome"


def eligible_at(register: pd.DataFrame, as_of, horizon: int, indicator: str = DEFAULT_INDICATOR) -> pd.DataFrame:
    """The people eligible for ``horizon`` months, one row each, with their outcome.

    Parameters
    ----------
    register : DataFrame
        A validated register (``load_register``).
    as_of : date-like
        The extract date.
    horizon : int
        Months after ``end_date`` (3, 6 or 12).
    indicator : str
        One of :data:`OUTCOME_INDICATORS`: whose statuses are the outcome.

    Returns
    -------
    DataFrame
        The eligible rows of ``register`` (who is eligible, and that an empty status is
        ``unknown`` and stays in the denominator, as :func:`evalkit.indicators.followed_up`
        decides for every indicator) with ``status``, ``employed`` (1 for
        employed_open/employed_subsidised/entrepreneur, else 0) and ``outcome`` (1 for a status
        the indicator counts, else 0) added.
    """
    mask, status = indicators.followed_up(register, pd.Timestamp(as_of).date(), horizon)
    out = register[mask].copy()
    out["status"] = status
    out["employed"] = out["status"].isin(EMPLOYED_CODES).astype(int)
    out["outcome"] = out["status"].isin(spec(_checked(indicator)).statuses).astype(int)
    out["pilot_id"] = out["pilot_id"].astype(str)
    return out


# --- crude rates, funnel, homogeneity ---------------------------------------------------------

def employment_rates(register: pd.DataFrame, as_of, horizons: Iterable[int] = HORIZONS) -> pd.DataFrame:
    """Crude employment rate per pilot and pooled: :func:`crude_rates` of ``employment_rate``."""
    return crude_rates(register, as_of, horizons)


def crude_rates(register: pd.DataFrame, as_of, horizons: Iterable[int] = HORIZONS,
                indicator: str = DEFAULT_INDICATOR) -> pd.DataFrame:
    """Crude rate of ``indicator`` per pilot and pooled (``all``) at each horizon.

    The ``indicator`` rows of :func:`evalkit.indicators.outcome_rates`, so that the
    comparison shows the very numbers the exports hold.

    Parameters
    ----------
    register : DataFrame
        A validated register.
    as_of : date-like
        The extract date.
    horizons : iterable of int
        Follow-up times in months, each one of ``HORIZONS``.
    indicator : str
        One of :data:`OUTCOME_INDICATORS`.

    Returns
    -------
    DataFrame
        The contract's tidy columns (pilot_id, horizon_months, indicator, numerator,
        denominator, value, ci_low, ci_high; counts ``Int64``), one row per pilot in the register
        and horizon, in the report's pilot order, then ``all``. A pilot with nobody eligible has
        denominator 0 and NaN value and interval. The interval is Wilson 95 % (CONTRACT.md).

    Raises
    ------
    EvalkitError
        A horizon that has no status column, or an indicator the comparison cannot take.
    """
    return indicators.outcome_rates(register, pd.Timestamp(as_of).date(), horizons,
                                    (_checked(indicator),)).reset_index(drop=True)


def funnel_limits(pooled_rate: float, sizes, levels=FUNNEL_LEVELS) -> pd.DataFrame:
    """Control limits of a funnel plot around ``pooled_rate`` for each denominator in ``sizes``.

    Binomial normal-approximation limits: p ± z·sqrt(p(1 − p)/n) with z the two-sided normal
    quantile of the level (1.96 for 95 %, 3.09 for 99.8 %), clipped to [0, 1]. They are the
    limits within which a pilot of that size falls by chance alone if its true rate equals the
    pooled rate. (Exact binomial limits differ slightly at small n; the approximation is what the
    funnel-plot literature, e.g. Spiegelhalter 2005, uses for a first look.)

    Parameters
    ----------
    pooled_rate : float
        The common rate p, in [0, 1].
    sizes : array-like of numbers
        Denominators n; those <= 0 are skipped.
    levels : tuple of float
        Two-sided coverage of each pair of limits.

    Returns
    -------
    DataFrame
        Columns level, n, low, high; one row per level and positive size.

    Raises
    ------
    EvalkitError
        ``pooled_rate`` outside [0, 1].
    """
    if not 0 <= pooled_rate <= 1:
        raise EvalkitError(f"pooled rate must be between 0 and 1, got {pooled_rate}")
    rows = []
    for level in levels:
        z = stats.norm.ppf(0.5 + level / 2)
        for n in np.asarray(sizes, dtype=float):
            if n <= 0:
                continue
            half = z * math.sqrt(pooled_rate * (1 - pooled_rate) / n)
            rows.append((level, n, max(0.0, pooled_rate - half), min(1.0, pooled_rate + half)))
    return pd.DataFrame(rows, columns=["level", "n", "low", "high"])


def funnel_points(rates: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Where each pilot's rate at ``horizon`` falls against the funnel limits.

    Parameters
    ----------
    rates : DataFrame
        :func:`employment_rates` rows (the pooled row included).
    horizon : int
        The follow-up time to look at.

    Returns
    -------
    DataFrame
        The pilot rows with someone eligible at ``horizon``, in the order of ``rates``, with
        ``pooled_rate``, ``position`` (one of :data:`FUNNEL_POSITIONS`: inside both limits,
        outside the 95 % ones, outside the 99.8 % ones too) and ``side`` (``above``, ``below``
        or ``at`` the pooled rate).
    """
    at_h = rates[(rates["horizon_months"] == horizon) & (rates["denominator"] > 0)]
    pooled = at_h[at_h["pilot_id"] == POOLED]
    pilots = at_h[at_h["pilot_id"] != POOLED].copy()
    if pooled.empty or pilots.empty:
        return pilots.assign(pooled_rate=np.nan, position=pd.Series(dtype=str), side=pd.Series(dtype=str))
    p = float(pooled["value"].iloc[0])
    limits = funnel_limits(p, pilots["denominator"]).pivot_table(index="n", columns="level",
                                                                 values=["low", "high"])
    positions, sides = [], []
    for _, row in pilots.iterrows():
        lim = limits.loc[float(row["denominator"])]
        value = row["value"]
        if value < lim[("low", 0.998)] or value > lim[("high", 0.998)]:
            positions.append("outside_998")
        elif value < lim[("low", 0.95)] or value > lim[("high", 0.95)]:
            positions.append("outside_95")
        else:
            positions.append("inside")
        sides.append("above" if value > p else ("below" if value < p else "at"))
    pilots["pooled_rate"] = p
    pilots["position"] = positions
    pilots["side"] = sides
    return pilots


@dataclass(frozen=True)
class Homogeneity:
    """One horizon's chi-square test of equal employment rates (see :func:`homogeneity_tests`)."""

    horizon_months: int
    statistic: float
    dof: int
    p_value: float
    pilots: int
    eligible: int
    min_expected: float
    undefined_reason: str | None = None  # one of HOMOGENEITY_UNDEFINED when the test is undefined


def homogeneity_tests(register: pd.DataFrame, as_of, horizons=HORIZONS,
                      indicator: str = DEFAULT_INDICATOR) -> pd.DataFrame:
    """Pearson chi-square test that the rate of ``indicator`` is the same in every pilot, per horizon.

    scipy ``chi2_contingency`` on the pilots × {employed, not employed} table of
    :func:`employment_rates`, without continuity correction (scipy applies it only to 2×2 tables
    anyway; switched off so that 2×2 and larger tables are treated alike).

    Parameters
    ----------
    register : DataFrame
        A validated register.
    as_of : date-like
        The extract date.
    horizons : iterable of int
        Follow-up times in months.

    Returns
    -------
    DataFrame
        One row per horizon with the fields of :class:`Homogeneity`. Only pilots with someone
        eligible enter. The test is undefined (NaN statistic, ``undefined_reason`` set) when
        fewer than two pilots have eligible people (``fewer_than_two_pilots``) or the outcome
        does not vary (everybody or nobody employed: ``no_variation``). ``min_expected`` below 5
        means the chi-square approximation is rough.
    """
    rates = crude_rates(register, as_of, horizons, indicator)
    rows = []
    for horizon in dict.fromkeys(int(h) for h in horizons):
        at_h = rates[(rates["horizon_months"] == horizon) & (rates["pilot_id"] != POOLED)
                     & (rates["denominator"] > 0)]
        employed = at_h["numerator"].to_numpy(dtype=np.int64)
        table = np.column_stack([employed, at_h["denominator"].to_numpy(dtype=np.int64) - employed])
        n_pilots, n = len(table), int(table.sum())
        reason = None
        if n_pilots < 2:
            reason = "fewer_than_two_pilots"
        elif (table.sum(axis=0) == 0).any():
            reason = "no_variation"
        if reason:
            rows.append(Homogeneity(horizon, np.nan, 0, np.nan, n_pilots, n, np.nan, reason))
            continue
        result = stats.chi2_contingency(table, correction=False)
        rows.append(Homogeneity(horizon, float(result.statistic), int(result.dof),
                                float(result.pvalue), n_pilots, n,
                                float(result.expected_freq.min())))
    return pd.DataFrame([r.__dict__ for r in rows]).astype({"horizon_months": "Int64"})


# --- case-mix adjustment ----------------------------------------------------------------------

@dataclass
class AdjustedRates:
    """Result of :func:`adjusted_rates` at one horizon.

    Attributes
    ----------
    horizon_months : int
        The follow-up time.
    rates : DataFrame
        One row per pilot in the register, in the report's order: pilot_id, horizon_months,
        eligible, employed, crude_rate, adjusted_rate, ci_low, ci_high (the adjusted rate's
        interval), adjusted_se, in_model, note (one of :data:`NOTE_KEYS` or empty).
    model : DataFrame
        The fitted coefficients (:func:`model_table`).
    notes : list of (str, dict)
        (key under ``comparison.note``, values) pairs the chapter and the command turn into
        sentences; values hold raw data (pilot ids, counts, covariate names, the horizon).
    n_model : int
        People in the model.
    """

    horizon_months: int
    rates: pd.DataFrame
    model: pd.DataFrame
    notes: list[tuple[str, dict]] = field(default_factory=list)
    n_model: int = 0


@dataclass(frozen=True)
class Unavailable:
    """Why no adjusted rates exist at a horizon: a reason key and the values its text names.

    Attributes
    ----------
    horizon_months : int
        The follow-up time.
    reason : str
        One of :data:`UNAVAILABLE_REASONS`; the text is ``comparison.unavailable.<reason>``.
    values : mapping
        Raw values the text names (``pilot``: a pilot id, ``people``: a count).

    Raises
    ------
    ValueError
        An unknown reason: a programming error, caught by the tests rather than shown to a reader.
    """

    horizon_months: int
    reason: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.reason not in UNAVAILABLE_REASONS:
            raise ValueError(f"unknown reason {self.reason!r}; add it to UNAVAILABLE_REASONS and "
                             "to comparison.unavailable in every catalogue")


class ComparisonUndefined(EvalkitError):
    """The comparison asked for cannot be computed from these data.

    ``unavailable`` holds the typed reason for the book; the message is its English text, for the
    command line.
    """

    def __init__(self, unavailable: Unavailable):
        self.unavailable = unavailable
        reason = t(f"comparison.unavailable.{unavailable.reason}", lang="en", **unavailable.values)
        super().__init__(t("comparison.adjusted_undefined", lang="en",
                           horizon=unavailable.horizon_months, reason=reason))


@dataclass(frozen=True)
class ModelPeople:
    """The people followed up at one horizon as the case-mix model of any outcome takes them.

    Who is eligible, their covariates and their status do not depend on the outcome, so one
    :func:`model_people` serves the models of every indicator at that horizon (at a million people
    it was most of each model's cost).

    Attributes
    ----------
    horizon_months : int
        The follow-up time.
    rows : DataFrame
        One row per distinct combination of ``status``, ``pilot_id`` and :data:`MODEL_COVARIATES`
        among the eligible people with every covariate known, in order of first occurrence in the
        register: statuses, pilot ids, sex and basis as str, age and unemployment months as float.
    people : ndarray, shape (len(rows),)
        How many people hold each row.
    missing : Series
        Eligible people with a covariate missing, per pilot id (pilots with any).
    """

    horizon_months: int
    rows: pd.DataFrame
    people: np.ndarray
    missing: pd.Series


def model_people(register: pd.DataFrame, as_of, horizon: int) -> ModelPeople:
    """The eligible people at ``horizon`` months, collapsed for :func:`adjusted_rates`.

    Parameters
    ----------
    register : DataFrame
        A validated register.
    as_of : date-like
        The extract date.
    horizon : int
        Months after ``end_date``.

    Returns
    -------
    ModelPeople
        Eligibility and status as :func:`eligible_at` decides them (an empty status is
        ``unknown``).

    Raises
    ------
    EvalkitError
        A horizon that has no status column.
    """
    mask, status = indicators.followed_up(register, pd.Timestamp(as_of).date(), horizon, as_index=True)
    eligible = register.loc[mask, ["pilot_id", *MODEL_COVARIATES]]
    complete = eligible[list(MODEL_COVARIATES)].notna().all(axis=1).to_numpy()
    # Grouped by integer codes, each standing for one text (evalkit.register.parse.distinct): the
    # same groups in the same order as grouping the texts, without turning a million values into text.
    keys = {"status": status[complete]}
    labels = {"status": pd.array(STATUS_CODES, dtype="str")}
    for column in ("pilot_id", *MODEL_COVARIATES):
        if column in ("pilot_id", *_CATEGORICAL_COVARIATES):
            texts, rows = distinct(eligible[column])
            keys[column], labels[column] = rows[complete], texts.array
        else:
            keys[column] = eligible[column].to_numpy(dtype=float, na_value=np.nan)[complete]
    groups, first = casemix.group_numbers(list(keys.values()))
    rows = pd.DataFrame({column: values[first] for column, values in keys.items()})
    for column, names in labels.items():   # texts taken from texts: no text is made row by row
        rows[column] = names.take(rows[column].to_numpy())
    missing = eligible.loc[~complete, "pilot_id"].astype(str).value_counts()
    return ModelPeople(horizon, rows, np.bincount(groups).astype(float), missing)


def adjusted_rates(register: pd.DataFrame, as_of, horizon: int, indicator: str = DEFAULT_INDICATOR,
                   people: ModelPeople | None = None, crude: pd.DataFrame | None = None) -> AdjustedRates:
    """Case-mix adjusted rate of ``indicator`` (the employment rate by default) per pilot at ``horizon`` months.

    Below, "employed" stands for the indicator's outcome: a status it counts
    (:attr:`evalkit.indicator_registry.IndicatorSpec.statuses`); the columns ``employed`` hold
    the people with it, and reasons and notes get their variant naming the outcome.

    Model: logistic regression (statsmodels, on the formula's design, built as patsy builds it by
    :mod:`evalkit.casemix`) on the eligible people,
    ``outcome ~ C(pilot_id) + age + C(sex) + C(basis) + unemployment_months``, where
    outcome = 1 for a status the indicator counts (for the employment rate employed_open,
    employed_subsidised or entrepreneur) and 0 for every other status, ``unknown`` included.
    Reference levels are patsy's: the first pilot in the model
    alphabetically, sex F, basis diagnosis.

    Adjusted rate of pilot k (marginal standardisation): the mean predicted probability over ALL
    people in the model, each with pilot_id set to k. It answers "what would the rate be if pilot
    k had served everybody's case mix". Its standard error is the delta method's,
    var = gᵀ V g with g = mean_i p_i(1 − p_i) x_i the gradient of that mean with respect to the
    coefficients and V their covariance (:mod:`evalkit.casemix`, g in closed form). The 95 %
    interval is built on the logit scale and transformed back so it stays inside (0, 1) (:func:`logit_interval`).

    Parameters
    ----------
    register : DataFrame
        A validated register.
    as_of : date-like
        The extract date.
    horizon : int
        The follow-up time in months.
    indicator : str
        One of :data:`OUTCOME_INDICATORS`.
    people : ModelPeople, optional
        :func:`model_people` of the same register, extract date and horizon, when several
        indicators are modelled; computed here when not given.
    crude : DataFrame, optional
        :func:`crude_rates` of the same register and extract date, for ``indicator`` and any
        follow-up times including ``horizon``, when the caller has them already; computed here
        when not given.

    Returns
    -------
    AdjustedRates
        Degenerate data are handled and reported in ``notes`` rather than fitted into nonsense:
        a pilot with nobody eligible is left out of the model (``no_eligible``); a pilot where
        everybody or nobody is employed would need an infinite coefficient (perfect separation)
        and is left out, keeping its crude rate (``all_employed`` / ``none_employed``); people
        with a covariate missing are left out (``missing_covariates``); a covariate that does
        not vary among the people in the model is dropped from the formula
        (``constant_covariate``).

    Raises
    ------
    ComparisonUndefined
        Fewer than two pilots left in the model (``no_pilot``, ``one_pilot``), covariates
        collinear with the pilots (``collinear``), or separation by the covariates or a failed
        fit (``separation``).
    ValueError
        ``people`` of another follow-up time, or ``crude`` without this indicator at ``horizon``.
    """
    if crude is None:
        crude = crude_rates(register, as_of, (horizon,), indicator)
    else:
        crude = crude[(crude["horizon_months"] == horizon) & (crude["indicator"] == indicator)]
        if crude.empty:
            raise ValueError(f"crude rates given without {indicator} at {horizon} months")
    crude = crude[crude["pilot_id"] != POOLED].set_index("pilot_id")
    left_out = {pilot_id: _variant(key, indicator) for pilot_id, key in _left_out_pilots(crude).items()}
    outcome = {} if indicator == DEFAULT_INDICATOR else {"outcome": indicator}
    notes = [(key, {"pilot": pilot_id, "horizon": horizon, **outcome}) for pilot_id, key in left_out.items()]
    if people is None:
        people = model_people(register, as_of, horizon)
    elif people.horizon_months != horizon:
        raise ValueError(f"model people of {people.horizon_months} months given for {horizon} months")
    data, weights, data_notes = _model_rows(people, left_out, spec(_checked(indicator)).statuses)
    notes += data_notes
    model_pilots = sorted(data["pilot_id"].unique())
    if len(model_pilots) < 2:
        reason, values = ("one_pilot", {"pilot": model_pilots[0]}) if model_pilots else ("no_pilot", {})
        raise ComparisonUndefined(Unavailable(horizon, _variant(reason, indicator), {**values, **outcome}))
    formula, formula_notes = _formula(data, horizon)
    notes += formula_notes
    result = _fit(formula, data, horizon, indicator, weights)
    adjusted = _standardise(result, model_pilots)
    rates = pd.DataFrame({
        "pilot_id": crude.index,
        "horizon_months": pd.array([horizon] * len(crude), dtype="Int64"),
        "eligible": crude["denominator"].to_numpy(dtype=np.int64),
        "employed": crude["numerator"].to_numpy(dtype=np.int64),
        "crude_rate": crude["value"].to_numpy(dtype=float),
    })
    rates = rates.merge(adjusted, on="pilot_id", how="left")
    rates["in_model"] = rates["pilot_id"].isin(model_pilots)
    rates["note"] = [left_out.get(pilot_id, "") for pilot_id in rates["pilot_id"]]
    return AdjustedRates(horizon, rates, model_table(result), notes, n_model=int(weights.sum()))


def _left_out_pilots(crude: pd.DataFrame) -> dict[str, str]:
    """Pilots the model cannot hold, with the note key saying why (see :func:`adjusted_rates`)."""
    left_out = {}
    for pilot_id, row in crude.iterrows():
        if row["denominator"] == 0:
            left_out[pilot_id] = "no_eligible"
        elif row["numerator"] == row["denominator"]:
            left_out[pilot_id] = "all_employed"
        elif row["numerator"] == 0:
            left_out[pilot_id] = "none_employed"
    return left_out


def _model_rows(people: ModelPeople, left_out: Mapping[str, str],
                statuses: Iterable[str]) -> tuple[pd.DataFrame, np.ndarray, list[tuple[str, dict]]]:
    """The model's rows for one outcome, the people each stands for, and the note on missing covariates.

    The people are the eligible ones of the pilots not in ``left_out``, every covariate known.
    Returns the rows of ``people.rows`` kept (``outcome``, 1 for a status in ``statuses``, in place
    of ``status``), their weights, shape (len(rows),), and ``missing_covariates`` when any of
    those pilots' people lacked a covariate.

    The rows of pilots left out are dropped and ``status`` becomes ``outcome`` (1 for a status in
    ``statuses``); rows are not merged here, :func:`_fit` groups them by the formula's covariates.
    """
    kept = ~people.rows["pilot_id"].isin(left_out).to_numpy()
    missing = int(people.missing.drop(list(left_out), errors="ignore").sum())
    notes = [("missing_covariates", {"count": missing, "horizon": people.horizon_months})] if missing else []
    rows = people.rows[kept].drop(columns="status").reset_index(drop=True)
    rows.insert(0, "outcome", people.rows["status"][kept].isin(statuses).astype(int).to_numpy())
    return rows, people.people[kept], notes


def _formula(data: pd.DataFrame, horizon: int) -> tuple[str, list[tuple[str, dict]]]:
    """The model formula, without the covariates that do not vary in ``data``.

    A constant covariate would make the design singular.
    """
    terms, notes = ["C(pilot_id)"], []
    for column in MODEL_COVARIATES:
        if data[column].nunique() < 2:
            notes.append(("constant_covariate", {"covariate": column, "horizon": horizon}))
        else:
            terms.append(f"C({column})" if column in _CATEGORICAL_COVARIATES else column)
    return "outcome ~ " + " + ".join(terms), notes


def _fit(formula: str, data: pd.DataFrame, horizon: int, indicator: str = DEFAULT_INDICATOR,
         weights: np.ndarray | None = None):
    """Fit the logistic model, refusing designs whose estimates would be meaningless.

    People with the same covariates are one row: the share of them with the outcome, weighted by
    how many they are (statsmodels ``GLM``, binomial family, ``var_weights``; Newton's method as
    ``Logit`` uses): the likelihood of the person-by-person model (:func:`evalkit.casemix.binomial_rows`),
    and so its estimates and covariance, from a tenth of the rows at a million people.
    """
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    # The design patsy would build, built in numpy (patsy took most of a minute at 1M people).
    rows, people = casemix.binomial_rows(formula, data, weights)
    outcome, design = casemix.design(formula, rows)
    model = GLM(outcome, design, family=Binomial(), var_weights=people)
    # statsmodels has ranked the design already; the distinct rows span what everybody's rows span.
    if int(model.df_model) + 1 < model.exog.shape[1]:
        # Without the model's n: less the published counts, it could give back a hidden one.
        raise ComparisonUndefined(Unavailable(horizon, "collinear", {}))
    outcome = {} if indicator == DEFAULT_INDICATOR else {"outcome": indicator}
    separation = ComparisonUndefined(Unavailable(horizon, _variant("separation", indicator), outcome))
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            # Newton's method from zero, as statsmodels' ``Logit`` starts: GLM's default first
            # runs three IRLS steps, which for this canonical link are Newton steps at twice the cost.
            result = model.fit(method="newton", disp=False, maxiter=100, max_start_irls=0)
        except (PerfectSeparationWarning, np.linalg.LinAlgError):
            raise separation from None
    fitted = result.predict()
    converged = bool(result.mle_retvals.get("converged", False))
    # Quasi-complete separation does not always warn: a fitted probability at 0 or 1 gives it away.
    if not converged or fitted.min() < _SEPARATION_EPS or fitted.max() > 1 - _SEPARATION_EPS:
        raise separation
    return result


def _standardise(result, pilots: list[str]) -> pd.DataFrame:
    """Marginal standardisation: the mean prediction with every person's pilot set to k, per pilot k.

    The mean prediction over the model's people with every pilot_id set to k, and the
    delta-method variance of that mean (:func:`evalkit.casemix.averaged_prediction`), over the
    distinct rows of the design, weighted by how many people share each. "Pilot set to k" is done
    on the design: every pilot dummy ``C(pilot_id)[T.j]`` 0, then k's 1 (the reference pilot has no column); the
    other columns stay as they are. Columns: pilot_id, adjusted_rate, ci_low, ci_high, adjusted_se.
    """
    names = list(result.model.exog_names)
    pilot_columns = [i for i, name in enumerate(names) if name.startswith("C(pilot_id)[T.")]
    params, cov = np.asarray(result.params), np.asarray(result.cov_params())
    everybody = result.model.exog.copy()
    everybody[:, pilot_columns] = 0.0
    everybody, people = casemix.distinct_rows(everybody, result.model.var_weights)
    rows = []
    for pilot_id in pilots:
        everybody_in_k = everybody.copy()
        if f"C(pilot_id)[T.{pilot_id}]" in names:
            everybody_in_k[:, names.index(f"C(pilot_id)[T.{pilot_id}]")] = 1.0
        rate, se = casemix.averaged_prediction(everybody_in_k, params, cov, people)
        low, high = logit_interval(rate, se)
        rows.append((pilot_id, rate, low, high, se))
    return pd.DataFrame(rows, columns=["pilot_id", "adjusted_rate", "ci_low", "ci_high", "adjusted_se"])


def logit_interval(rate: float, se: float, level: float = CONFIDENCE) -> tuple[float, float]:
    """A confidence interval for a probability, built on the logit scale.

    logit(r) ± z · se / (r(1 − r)), transformed back with the logistic function: the delta
    method carries ``se`` from the probability to the logit scale, and the back-transformed
    interval stays inside (0, 1).

    Parameters
    ----------
    rate : float
        The estimate r, strictly between 0 and 1.
    se : float
        Its standard error on the probability scale.
    level : float
        Two-sided coverage (0.95: z = 1.96).

    Returns
    -------
    (float, float)
        Lower and upper limit.
    """
    z = stats.norm.ppf(0.5 + level / 2)
    logit_se = se / (rate * (1 - rate))
    centre = math.log(rate / (1 - rate))
    low, high = (1 / (1 + math.exp(-(centre + s * z * logit_se))) for s in (-1, 1))
    return low, high


def model_table(result) -> pd.DataFrame:
    """A fitted statsmodels model as a tidy frame.

    Parameters
    ----------
    result : statsmodels results
        A fitted model with ``params``, ``bse``, ``tvalues``, ``pvalues`` and ``conf_int``.

    Returns
    -------
    DataFrame
        One row per term: term, estimate (log-odds), std_error, z, p_value, ci_low, ci_high
        (Wald 95 %), odds_ratio, or_ci_low, or_ci_high (the exponentiated estimate and limits).
    """
    ci = result.conf_int(alpha=1 - CONFIDENCE)
    table = pd.DataFrame({
        "term": result.params.index,
        "estimate": result.params.to_numpy(),
        "std_error": result.bse.to_numpy(),
        "z": result.tvalues.to_numpy(),
        "p_value": result.pvalues.to_numpy(),
        "ci_low": ci[0].to_numpy(),
        "ci_high": ci[1].to_numpy(),
    })
    table["odds_ratio"] = np.exp(table["estimate"])
    table["or_ci_low"] = np.exp(table["ci_low"])
    table["or_ci_high"] = np.exp(table["ci_high"])
    return table.reset_index(drop=True)


# --- work ability ----------------------------------------------------------------------------

def was_change_by_pilot(register: pd.DataFrame) -> pd.DataFrame:
    """Work Ability Score change (was_end − was_start) per pilot and pooled, with its tests.

    The mean change and its t-based 95 % interval are the contract's ``was_change`` indicator
    (:func:`evalkit.indicators.was_change`); this adds what the comparison chapter shows beside
    them.

    Parameters
    ----------
    register : DataFrame
        A validated register.

    Returns
    -------
    DataFrame
        One row per pilot in the register (report's order) and ``all``: pilot_id, n_pairs (people
        with both scores), mean_start, mean_end, mean_change, ci_low, ci_high, t_statistic and
        p_value (paired t-test, scipy ``ttest_rel``, two-sided: the test that matches the
        interval), wilcoxon_p (Wilcoxon signed-rank test, scipy ``wilcoxon``, zero differences
        dropped: a check that does not lean on normality, since WAS is a 0–10 integer score).
        Fewer than two pairs leave the interval and tests NaN; changes without spread leave the
        tests NaN (the interval then has no width).
    """
    change = indicators.was_change(register)
    both = register.loc[register["was_start"].notna() & register["was_end"].notna(),
                        ["pilot_id", "was_start", "was_end"]]
    pilots = both["pilot_id"].astype(str)
    tests = []
    for pilot_id in change["pilot_id"]:
        part = both if pilot_id == POOLED else both[pilots == pilot_id]
        tests.append(_paired_tests(part["was_start"].to_numpy(dtype=float),
                                   part["was_end"].to_numpy(dtype=float)))
    tests = pd.DataFrame(tests, index=change.index)
    return pd.DataFrame({
        "pilot_id": change["pilot_id"],
        "n_pairs": change["denominator"].to_numpy(dtype=np.int64),
        "mean_start": tests["mean_start"],
        "mean_end": tests["mean_end"],
        "mean_change": change["value"],
        "ci_low": change["ci_low"],
        "ci_high": change["ci_high"],
        "t_statistic": tests["t_statistic"],
        "p_value": tests["p_value"],
        "wilcoxon_p": tests["wilcoxon_p"],
    })


def _paired_tests(start: np.ndarray, end: np.ndarray) -> dict:
    """Means at start and end, the paired t-test and the Wilcoxon signed-rank test."""
    n = len(start)
    diff = end - start
    out = {"mean_start": start.mean() if n else np.nan, "mean_end": end.mean() if n else np.nan,
           "t_statistic": np.nan, "p_value": np.nan, "wilcoxon_p": np.nan}
    if n < 2 or np.ptp(diff) == 0:
        return out
    test = stats.ttest_rel(end, start)
    out.update(t_statistic=float(test.statistic), p_value=float(test.pvalue))
    if (diff != 0).any():
        out["wilcoxon_p"] = float(stats.wilcoxon(diff, zero_method="wilcox").pvalue)
    return out
