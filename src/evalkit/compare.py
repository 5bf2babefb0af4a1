"""Cross-pilot comparison: crude rates with Wilson intervals, funnel limits, a homogeneity test,
case-mix adjusted rates from a logistic model, and work-ability change per pilot.

Every function takes a register as returned by ``evalkit.register.load_register`` (the contract's
columns, dates as datetime64, ``end_date`` NaT while in service, statuses strings or NA) and
returns a tidy DataFrame. Nothing here reads files or prints.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.definitions import CONFIDENCE_LEVEL, EMPLOYED_CODES, HORIZONS, POOLED
from evalkit.errors import EvalkitError
from evalkit.indicators import wilson_interval
from evalkit.register.schema import eligible

CONFIDENCE = CONFIDENCE_LEVEL
FUNNEL_LEVELS = (0.95, 0.998)
MODEL_FORMULA = "employed ~ C(pilot_id) + age + C(sex) + C(basis) + unemployment_months"
MODEL_COVARIATES = ("age", "sex", "basis", "unemployment_months")
# A fitted probability this close to 0 or 1 means a coefficient ran off to infinity (separation).
_SEPARATION_EPS = 1e-6


class ComparisonUndefined(EvalkitError):
    """The comparison asked for cannot be computed from these data; the message says why."""


# --- who counts ------------------------------------------------------------------------------

def eligible_at(register: pd.DataFrame, as_of, horizon: int) -> pd.DataFrame:
    """The people eligible for ``horizon`` months (the contract's rule, from the register schema),
    with ``status`` (empty -> ``unknown``, which stays in the denominator) and ``employed`` (1 for
    employed_open/employed_subsidised/entrepreneur, else 0)."""
    out = register[eligible(register["end_date"], pd.Timestamp(as_of).date(), horizon)].copy()
    status = out[f"status_{horizon}m"].astype("object")
    out["status"] = status.where(status.notna() & (status != ""), "unknown").astype(str)
    out["employed"] = out["status"].isin(EMPLOYED_CODES).astype(int)
    out["pilot_id"] = out["pilot_id"].astype(str)
    return out


# --- crude rates, funnel, homogeneity ---------------------------------------------------------

def employment_rates(register: pd.DataFrame, as_of, horizons=HORIZONS,
                     pilots: list[str] | None = None) -> pd.DataFrame:
    """Crude employment rate per pilot and pooled (``all``) at each horizon, Wilson 95 % interval.

    Tidy columns: pilot_id, horizon_months, indicator, numerator, denominator, value, ci_low,
    ci_high. A pilot present in the register (or in ``pilots``) with nobody eligible gets a row with
    denominator 0 and NaN value, so that its absence is visible rather than silent.
    """
    pilots = sorted(set(pilots or []) | set(register["pilot_id"].astype(str)))
    rows = []
    for horizon in horizons:
        eligible = eligible_at(register, as_of, horizon)
        counts = eligible.groupby("pilot_id")["employed"].agg(["sum", "size"])
        for pilot_id in [*pilots, POOLED]:
            if pilot_id == POOLED:
                k, n = int(eligible["employed"].sum()), len(eligible)
            elif pilot_id in counts.index:
                k, n = int(counts.at[pilot_id, "sum"]), int(counts.at[pilot_id, "size"])
            else:
                k, n = 0, 0
            rows.append((pilot_id, horizon, k, n))
    frame = pd.DataFrame(rows, columns=["pilot_id", "horizon_months", "numerator", "denominator"])
    low, high = wilson_interval(frame["numerator"], frame["denominator"])
    frame["value"] = np.where(frame["denominator"] > 0,
                              frame["numerator"] / frame["denominator"].where(frame["denominator"] > 0),
                              np.nan)
    frame["ci_low"], frame["ci_high"] = low, high
    frame["indicator"] = "employment_rate"
    frame["horizon_months"] = frame["horizon_months"].astype("Int64")
    return frame[["pilot_id", "horizon_months", "indicator", "numerator", "denominator",
                  "value", "ci_low", "ci_high"]]


def funnel_limits(pooled_rate: float, sizes, levels=FUNNEL_LEVELS) -> pd.DataFrame:
    """Control limits of a funnel plot around ``pooled_rate`` for each denominator in ``sizes``.

    Binomial normal-approximation limits: p ± z·sqrt(p(1 − p)/n) with z the two-sided normal
    quantile of the level (1.96 for 95 %, 3.09 for 99.8 %), clipped to [0, 1]. They are the
    limits within which a pilot of that size falls by chance alone if its true rate equals the
    pooled rate. (Exact binomial limits differ slightly at small n; the approximation is what the
    funnel-plot literature, e.g. Spiegelhalter 2005, uses for a first look.)
    Tidy columns: level, n, low, high.
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
    """Per pilot at ``horizon``: rate, denominator and where it falls against the funnel limits
    (``inside``, ``outside_95``, ``outside_998``; above or below in ``side``)."""
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
    horizon_months: int
    statistic: float
    dof: int
    p_value: float
    pilots: int
    eligible: int
    min_expected: float
    undefined_reason: str | None = None  # a catalogue key suffix when the test is undefined


def homogeneity_tests(register: pd.DataFrame, as_of, horizons=HORIZONS) -> pd.DataFrame:
    """Pearson chi-square test that the employment rate is the same in every pilot, per horizon
    (scipy ``chi2_contingency`` on the pilots × {employed, not employed} table, no continuity
    correction, which scipy applies only to 2×2 tables anyway and is switched off here so that
    2×2 and larger tables are treated alike).

    Only pilots with someone eligible enter. The test is undefined, and ``undefined_reason`` says
    why, when fewer than two pilots have eligible people (``fewer_than_two_pilots``) or when the
    outcome does not vary (everybody or nobody employed: ``no_variation``). ``min_expected`` below 5
    means the chi-square approximation is rough; the chapter says so.
    """
    rows = []
    for horizon in horizons:
        eligible = eligible_at(register, as_of, horizon)
        table = pd.crosstab(eligible["pilot_id"], eligible["employed"]).reindex(columns=[1, 0],
                                                                                fill_value=0)
        n_pilots, n = len(table), len(eligible)
        reason = None
        if n_pilots < 2:
            reason = "fewer_than_two_pilots"
        elif (table.sum(axis=0) == 0).any():
            reason = "no_variation"
        if reason:
            rows.append(Homogeneity(horizon, np.nan, 0, np.nan, n_pilots, n, np.nan, reason))
            continue
        result = stats.chi2_contingency(table.to_numpy(), correction=False)
        rows.append(Homogeneity(horizon, float(result.statistic), int(result.dof),
                                float(result.pvalue), n_pilots, n,
                                float(result.expected_freq.min())))
    return pd.DataFrame([r.__dict__ for r in rows]).astype({"horizon_months": "Int64"})


# --- case-mix adjustment ----------------------------------------------------------------------

@dataclass
class AdjustedRates:
    """Result of :func:`adjusted_rates`.

    ``rates``: one row per pilot in the register: pilot_id, horizon_months, eligible, employed,
    crude_rate, adjusted_rate, ci_low, ci_high (the adjusted rate's interval), adjusted_se,
    in_model, note (a catalogue key suffix under ``comparison.note`` or empty).
    ``model``: the fitted coefficients as a tidy frame (term, estimate, std_error, z, p_value,
    ci_low, ci_high, odds_ratio, or_ci_low, or_ci_high); empty when no model could be fitted.
    ``notes``: (key, values) pairs the chapter and the command turn into sentences.
    """

    horizon_months: int
    rates: pd.DataFrame
    model: pd.DataFrame
    notes: list[tuple[str, dict]] = field(default_factory=list)
    n_model: int = 0


def adjusted_rates(register: pd.DataFrame, as_of, horizon: int) -> AdjustedRates:
    """Case-mix adjusted employment rate per pilot at ``horizon`` months.

    Model: logistic regression (statsmodels ``Logit`` on the patsy design of the formula, as the
    formula API builds it) on the eligible people,
    ``employed ~ C(pilot_id) + age + C(sex) + C(basis) + unemployment_months``, where employed = 1
    for employed_open, employed_subsidised or entrepreneur and 0 for every other status,
    ``unknown`` included.

    Adjusted rate of pilot k (marginal standardisation): the mean predicted probability over ALL
    eligible people in the model, each with pilot_id set to k. It answers "what would the rate be
    if pilot k had served everybody's case mix". Its 95 % interval is by the delta method: the
    gradient of that mean with respect to the coefficients, g = mean_i p_i(1 − p_i) x_i, gives
    var = gᵀ V g with V the model covariance; the interval is built on the logit scale,
    logit(r) ± 1.96 · se / (r(1 − r)), and transformed back so it stays inside (0, 1).
    ``adjusted_se`` is the delta-method standard error on the probability scale.

    Degenerate data, handled and reported in ``notes`` rather than fitted into nonsense:
    - a pilot with nobody eligible is left out of the model (note ``no_eligible``);
    - a pilot where everybody (or nobody) is employed would need an infinite coefficient
      (perfect separation): it is left out of the model and gets no adjusted rate
      (note ``all_employed`` / ``none_employed``); its crude rate stays;
    - a covariate that does not vary among the people in the model is dropped from the formula
      (note ``constant_covariate``);
    - fewer than two pilots left, no variation in the outcome, separation by the covariates, or a
      failed fit raise :class:`ComparisonUndefined` with the reason.
    People with a covariate missing are left out of the model (note ``missing_covariates``).
    """
    from patsy import dmatrices
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    eligible = eligible_at(register, as_of, horizon)
    all_pilots = sorted(set(register["pilot_id"].astype(str)))
    crude = eligible.groupby("pilot_id")["employed"].agg(["sum", "size"])
    notes: list[tuple[str, dict]] = []
    note_of: dict[str, str] = {}

    for pilot_id in all_pilots:
        if pilot_id not in crude.index:
            note_of[pilot_id] = "no_eligible"
        elif crude.at[pilot_id, "sum"] == crude.at[pilot_id, "size"]:
            note_of[pilot_id] = "all_employed"
        elif crude.at[pilot_id, "sum"] == 0:
            note_of[pilot_id] = "none_employed"
    for pilot_id, key in note_of.items():
        notes.append((key, {"pilot": pilot_id, "horizon": horizon}))

    data = eligible[~eligible["pilot_id"].isin(note_of)]
    complete = data[list(MODEL_COVARIATES)].notna().all(axis=1)
    if (~complete).any():
        notes.append(("missing_covariates", {"count": int((~complete).sum()), "horizon": horizon}))
    data = data[complete].copy()
    for column in ("sex", "basis"):
        data[column] = data[column].astype(str)
    for column in ("age", "unemployment_months"):
        data[column] = data[column].astype(float)

    model_pilots = sorted(data["pilot_id"].unique())
    if len(model_pilots) < 2:
        raise ComparisonUndefined(
            f"case-mix adjustment at {horizon} months needs at least two pilots with eligible "
            f"people and both outcomes; found {len(model_pilots)}"
            + (f" ({', '.join(model_pilots)})" if model_pilots else "")
        )

    terms = ["C(pilot_id)"]
    for column in MODEL_COVARIATES:
        if data[column].nunique() < 2:
            notes.append(("constant_covariate", {"covariate": column, "horizon": horizon}))
        else:
            terms.append(f"C({column})" if column in ("sex", "basis") else column)
    formula = "employed ~ " + " + ".join(terms)

    # patsy directly (what the formula API does inside), so that _standardise can work on the
    # named design columns.
    outcome, design = dmatrices(formula, data, return_type="dataframe")
    model = Logit(outcome, design)
    exog = design.to_numpy()
    if np.linalg.matrix_rank(exog) < exog.shape[1]:
        raise ComparisonUndefined(
            f"case-mix model at {horizon} months cannot be estimated: the covariates are collinear "
            f"with the pilots among the {len(data)} eligible people (too few people or too little "
            "variation)"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            result = model.fit(disp=False, maxiter=100)
        except (PerfectSeparationWarning, np.linalg.LinAlgError) as exc:
            raise ComparisonUndefined(
                f"case-mix model at {horizon} months cannot be estimated: a combination of "
                f"covariates predicts the outcome perfectly (separation) ({exc})"
            ) from None
    fitted = result.predict()
    converged = bool(result.mle_retvals.get("converged", False))
    if not converged or fitted.min() < _SEPARATION_EPS or fitted.max() > 1 - _SEPARATION_EPS:
        raise ComparisonUndefined(
            f"case-mix model at {horizon} months cannot be estimated: a combination of covariates "
            "predicts the outcome (almost) perfectly (separation), so some coefficients are infinite"
        )

    adjusted = _standardise(result, design, model_pilots)

    rows = []
    for pilot_id in all_pilots:
        k = int(crude.at[pilot_id, "sum"]) if pilot_id in crude.index else 0
        n = int(crude.at[pilot_id, "size"]) if pilot_id in crude.index else 0
        adj = adjusted.get(pilot_id)
        rows.append({
            "pilot_id": pilot_id, "horizon_months": horizon, "eligible": n, "employed": k,
            "crude_rate": k / n if n else np.nan,
            "adjusted_rate": adj[0] if adj else np.nan,
            "ci_low": adj[2] if adj else np.nan,
            "ci_high": adj[3] if adj else np.nan,
            "adjusted_se": adj[1] if adj else np.nan,
            "in_model": pilot_id in adjusted,
            "note": note_of.get(pilot_id, ""),
        })
    rates = pd.DataFrame(rows).astype({"horizon_months": "Int64"})
    return AdjustedRates(horizon, rates, model_table(result), notes, n_model=len(data))


def _standardise(result, design: pd.DataFrame, pilots: list[str]) -> dict[str, tuple]:
    """Mean predicted probability with every person's pilot set to k, and its delta-method SE
    and logit-scale 95 % interval, for each pilot k.

    "Pilot set to k" is done on the design matrix: every pilot dummy ``C(pilot_id)[T.j]`` set to
    0, then k's to 1 (the reference pilot has no column); the other columns stay as they are.
    """
    beta = result.params.to_numpy()
    cov = result.cov_params().to_numpy()
    z = stats.norm.ppf(0.5 + CONFIDENCE / 2)
    pilot_columns = [c for c in design.columns if c.startswith("C(pilot_id)[T.")]
    base = design.copy()
    base[pilot_columns] = 0.0
    out = {}
    for pilot_id in pilots:
        counterfactual = base.copy()
        column = f"C(pilot_id)[T.{pilot_id}]"
        if column in counterfactual.columns:
            counterfactual[column] = 1.0
        x = counterfactual.to_numpy(dtype=float)
        p = 1 / (1 + np.exp(-(x @ beta)))
        rate = float(p.mean())
        gradient = (p * (1 - p)) @ x / len(p)
        se = float(math.sqrt(gradient @ cov @ gradient))
        logit_se = se / (rate * (1 - rate))
        centre = math.log(rate / (1 - rate))
        low, high = (1 / (1 + math.exp(-(centre + s * z * logit_se))) for s in (-1, 1))
        out[pilot_id] = (rate, se, low, high)
    return out


def model_table(result) -> pd.DataFrame:
    """A fitted statsmodels model as a tidy frame: one row per term, log-odds and odds ratios
    with Wald 95 % intervals."""
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

def was_change_by_pilot(register: pd.DataFrame, pilots: list[str] | None = None) -> pd.DataFrame:
    """Work Ability Score change (was_end − was_start) per pilot and pooled, over people with both.

    Columns: pilot_id, n_pairs, mean_start, mean_end, mean_change, ci_low, ci_high (t-based 95 %
    interval of the mean paired change), t_statistic, p_value (paired t-test, scipy
    ``ttest_rel``, two-sided; the test that matches the interval), wilcoxon_p (Wilcoxon
    signed-rank test, scipy ``wilcoxon``, zero differences dropped: a check that does not lean on
    normality, since WAS is a 0–10 integer score). Fewer than two pairs or no spread in the
    changes leave the interval and tests NaN.
    """
    pilots = sorted(set(pilots or []) | set(register["pilot_id"].astype(str)))
    both = register[register["was_start"].notna() & register["was_end"].notna()]
    rows = []
    for pilot_id in [*pilots, POOLED]:
        part = both if pilot_id == POOLED else both[both["pilot_id"].astype(str) == pilot_id]
        start = part["was_start"].to_numpy(dtype=float)
        end = part["was_end"].to_numpy(dtype=float)
        rows.append({"pilot_id": pilot_id, **_paired_summary(start, end)})
    return pd.DataFrame(rows)


def _paired_summary(start: np.ndarray, end: np.ndarray) -> dict:
    n = len(start)
    diff = end - start
    out = {"n_pairs": n,
           "mean_start": start.mean() if n else np.nan,
           "mean_end": end.mean() if n else np.nan,
           "mean_change": diff.mean() if n else np.nan,
           "ci_low": np.nan, "ci_high": np.nan, "t_statistic": np.nan, "p_value": np.nan,
           "wilcoxon_p": np.nan}
    if n < 2 or np.ptp(diff) == 0:
        return out
    sd = diff.std(ddof=1)
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * sd / math.sqrt(n)
    test = stats.ttest_rel(end, start)
    out.update(ci_low=diff.mean() - half, ci_high=diff.mean() + half,
               t_statistic=float(test.statistic), p_value=float(test.pvalue))
    if (diff != 0).any():
        out["wilcoxon_p"] = float(stats.wilcoxon(diff, zero_method="wilcox").pvalue)
    return out
