"""Regional difference-in-differences of partially able unemployed job seekers, pilot regions against the others.

Did the number of partially able unemployed job seekers develop differently in the pilot regions
than in the other regions after the pilots started?

Input is a monthly series (region, month, count) that the user supplies in ``data/regional/``
(see data/regional/README.md); none ships with the report. The estimate is a two-way fixed
effects regression

    log(count_rt) = α_r + γ_t + τ · treated_r · post_t + ε_rt

by OLS (statsmodels), with standard errors clustered by region. The outcome is the log of the
count because regions differ tenfold in size (Uusimaa against Kainuu): a pilot plausibly shifts a
region's count by a share, not by the same number of people everywhere, and parallel trends are
more credible in proportions than in head counts. τ is then a log-point difference; 100·(e^τ − 1)
is the percentage difference. ``scale="count"`` fits the counts themselves when wanted.

Few clusters: cluster-robust standard errors under-cover when regions are few. There are 15 ELY
regions, 8 with a pilot. The small-sample correction used is statsmodels' CR1 scaling
(G/(G − 1) · (N − 1)/(N − K)) with t(G − 1) reference distributions for intervals and the
pre-trend F test; the simulation test (tests/test_did_simulation.py, 15 regions × 36 months,
8 treated, AR(1) errors within region) checks that the 95 % interval then covers the true effect
in at least 90 % of 200 simulated panels.

The pre-trend check is an event study: treated × event-time bins (``bin_months`` wide; bin −1,
the months just before the start, is the reference; the earliest and latest bins collect everything
beyond them). The lead coefficients (bins ≤ −2) are tested jointly zero with a cluster-robust Wald
F test. Few lead bins are used on purpose: with G clusters the robust covariance has rank at most
G − 1, so a joint test of many leads would be unreliable.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.definitions import SIGNIFICANCE_LEVEL
from evalkit.errors import EvalkitError, InputError, InputProblem
from evalkit.paths import project_root

SERIES_COLUMNS = ("region", "month", "count")


def pilot_start(programme) -> str:
    """The first month with the pilots running: the month the programme's ``period`` starts ("YYYY-MM")."""
    return programme.spec.period.start.strftime("%Y-%m")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def regional_dir(root: Path | None = None) -> Path:
    """The folder the user puts regional monthly series in: ``<root>/data/regional``.

    Parameters
    ----------
    root : Path, optional
        Project root; default :func:`evalkit.paths.project_root`.

    Returns
    -------
    Path
        The folder (it need not exist).
    """
    return (root or project_root()) / "data" / "regional"


def load_regional_series(folder: Path | str | None = None) -> pd.DataFrame | None:
    """Every ``*.csv`` in ``folder`` read and validated as one regional monthly series.

    Each file has the columns region (text), month (``YYYY-MM``) and count (integer ≥ 0); the
    format is described in data/regional/README.md.

    Parameters
    ----------
    folder : Path or str, optional
        Folder to read; default ``data/regional/`` under the project root (:func:`regional_dir`).

    Returns
    -------
    pandas.DataFrame or None
        One row per (region, month), sorted by region and month: region (str), month (pandas
        Period, monthly), count (float). None when the folder is absent or holds no CSV file.

    Raises
    ------
    InputError
        Naming file, line (header = 1) and column for every unreadable file, missing column, bad
        value, and (region, month) given twice, all in one error.
    """
    folder = Path(folder) if folder is not None else regional_dir()
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        return None
    problems: list[InputProblem] = []
    frames = []
    seen: dict[tuple[str, str], str] = {}
    for path in files:
        name = str(path)
        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            problems.append(InputProblem(name, None, None, f"cannot read as UTF-8 CSV ({exc})"))
            continue
        raw.columns = [c.strip() for c in raw.columns]
        missing = [c for c in SERIES_COLUMNS if c not in raw.columns]
        if missing:
            problems.append(InputProblem(name, 1, None, f"missing column(s) {', '.join(missing)}; "
                                         f"expected {', '.join(SERIES_COLUMNS)}"))
            continue
        for index, row in raw.iterrows():
            line = int(index) + 2  # header is line 1
            region, month, count = (str(row[c]).strip() for c in SERIES_COLUMNS)
            if not region:
                problems.append(InputProblem(name, line, "region", "empty; give the region name"))
            if not _MONTH.match(month):
                problems.append(InputProblem(name, line, "month", f"{month!r} is not a month "
                                             "written YYYY-MM"))
            if not re.fullmatch(r"\d+", count):
                problems.append(InputProblem(name, line, "count", f"{count!r} is not a whole "
                                             "number ≥ 0"))
            key = (region, month)
            if region and _MONTH.match(month):
                if key in seen:
                    problems.append(InputProblem(name, line, "month", f"{region} {month} is given "
                                                 f"twice (also in {seen[key]})"))
                else:
                    seen[key] = f"{path.name} line {line}"
        frames.append(raw[list(SERIES_COLUMNS)].apply(lambda s: s.str.strip()))
    if problems:
        raise InputError(problems)
    series = pd.concat(frames, ignore_index=True)
    series["month"] = pd.PeriodIndex(series["month"], freq="M")
    series["count"] = series["count"].astype(float)
    series["region"] = series["region"].astype(str)
    return series.sort_values(["region", "month"]).reset_index(drop=True)


@dataclass
class DidResult:
    """A difference-in-differences estimate τ, its pre-trend test and its event study.

    ``estimate`` is τ (log points on ``scale="log"``, people on ``scale="count"``) with its
    cluster-robust standard error, 95 % interval (t with G − 1 df) and p-value; ``pretrend_f``,
    ``pretrend_df`` (numerator, denominator) and ``pretrend_p`` are the joint Wald F test of the
    lead bins. ``event_study`` has one row per event-time bin: event_time (bin index, −1 is the
    reference), months_from / months_to relative to the start month, estimate, std_error, ci_low,
    ci_high, reference (bool) and open_ended (the first and last bins, which collect everything
    beyond them).
    """

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    scale: str
    n_regions: int
    n_treated: int
    n_months: int
    start_month: pd.Period
    pretrend_f: float
    pretrend_df: tuple[int, int]
    pretrend_p: float
    event_study: pd.DataFrame

    @property
    def percent_effect(self) -> tuple[float, float, float]:
        """On the log scale, the effect and interval as percentage changes (e^τ − 1)."""
        if self.scale != "log":
            return (math.nan, math.nan, math.nan)
        return tuple(math.expm1(v) for v in (self.estimate, self.ci_low, self.ci_high))


def estimate_did(series: pd.DataFrame, treated_regions, start_month=None,
                 scale: str = "log", bin_months: int = 3, lead_bins: int = 3,
                 lag_bins: int = 4) -> DidResult:
    """Difference-in-differences of a regional series between the pilot regions and the others.

    See the module docstring for the model, the scale and the small-sample correction.

    Parameters
    ----------
    series : pandas.DataFrame
        Long frame with columns region, month (``YYYY-MM`` or monthly Period) and count, one row
        per region and month (as :func:`load_regional_series` returns).
    treated_regions : iterable of str
        The regions with a pilot; every one must appear in ``series``.
    start_month : str or pandas.Period
        First month with the pilots running (default: the active programme's, :func:`pilot_start`).
    scale : {"log", "count"}
        Fit the log of the count (τ in log points) or the count itself (τ in people).
    bin_months : int
        Width of an event-study bin, in months.
    lead_bins : int
        Number of lead bins (−2 … −(lead_bins + 1)) tested jointly zero; bin −1 is the reference.
    lag_bins : int
        Post bins 0 … lag_bins are estimated (the last one open-ended).

    Returns
    -------
    DidResult

    Raises
    ------
    EvalkitError
        When ``scale`` is unknown, a pilot region is absent, no region is left to compare with,
        fewer than two months precede the start or none follows it, a count is 0 on the log
        scale, or the design is collinear (τ not identified).
    """
    if start_month is None:
        from evalkit.programme import current
        start_month = pilot_start(current())
    data, start = _prepare(series, treated_regions, start_month, scale)
    y = data["y"].to_numpy()
    groups = data["region_code"].to_numpy()
    fixed = _fixed_effects(data)

    did_x = np.column_stack([(data["treated"] & data["post"]).to_numpy(float), fixed])
    did = _cluster_ols(y, did_x, groups)
    ci = did.conf_int(alpha=SIGNIFICANCE_LEVEL)[0]

    events, names = _event_dummies(data, bin_months, lead_bins, lag_bins)
    event_fit = _cluster_ols(y, np.column_stack([events, fixed]), groups)
    lead_idx = [i for i, b in enumerate(names) if b <= -2]
    restriction = np.zeros((len(lead_idx), event_fit.params.size))
    for row, i in enumerate(lead_idx):
        restriction[row, i] = 1.0
    wald = event_fit.f_test(restriction)
    event_ci = event_fit.conf_int(alpha=SIGNIFICANCE_LEVEL)
    rows = [{"event_time": b, "estimate": event_fit.params[i], "std_error": event_fit.bse[i],
             "ci_low": event_ci[i, 0], "ci_high": event_ci[i, 1], "reference": False}
            for i, b in enumerate(names)]
    rows.append({"event_time": -1, "estimate": 0.0, "std_error": 0.0, "ci_low": 0.0,
                 "ci_high": 0.0, "reference": True})
    event_study = pd.DataFrame(rows).sort_values("event_time").reset_index(drop=True)
    event_study["months_from"] = event_study["event_time"] * bin_months
    event_study["months_to"] = event_study["months_from"] + bin_months - 1
    first, last = event_study["event_time"].min(), event_study["event_time"].max()
    event_study["open_ended"] = event_study["event_time"].isin([first, last])

    return DidResult(
        estimate=float(did.params[0]), std_error=float(did.bse[0]),
        ci_low=float(ci[0]), ci_high=float(ci[1]), p_value=float(did.pvalues[0]),
        scale=scale, n_regions=int(data["region"].nunique()),
        n_treated=int(data.loc[data["treated"], "region"].nunique()),
        n_months=int(data["month"].nunique()), start_month=start,
        pretrend_f=float(np.squeeze(wald.fvalue)),
        pretrend_df=(int(wald.df_num), int(wald.df_denom)), pretrend_p=float(wald.pvalue),
        event_study=event_study,
    )


def _prepare(series, treated_regions, start_month, scale):
    if scale not in ("log", "count"):
        raise EvalkitError(f"scale must be 'log' or 'count', not {scale!r}")
    start = pd.Period(start_month, freq="M")
    data = series[list(SERIES_COLUMNS)].copy()
    data["region"] = data["region"].astype(str)
    data["month"] = pd.PeriodIndex(data["month"], freq="M")
    treated_regions = {str(r) for r in treated_regions}
    regions = set(data["region"])
    absent = sorted(treated_regions - regions)
    if absent:
        raise EvalkitError(f"the regional series has no rows for pilot region(s) {', '.join(absent)}")
    if not regions - treated_regions:
        raise EvalkitError("the regional series has no region without a pilot to compare with")
    if (data["month"] < start).sum() == 0 or (data["month"] >= start).sum() == 0:
        raise EvalkitError(f"the regional series must cover months before and from {start}")
    if data["month"].lt(start).groupby(data["month"]).first().sum() < 2:
        raise EvalkitError(f"the regional series needs at least two months before {start}")
    if scale == "log":
        if (data["count"] <= 0).any():
            raise EvalkitError("a count of 0 has no logarithm; fit scale='count' or check the series")
        data["y"] = np.log(data["count"].astype(float))
    else:
        data["y"] = data["count"].astype(float)
    data["treated"] = data["region"].isin(treated_regions)
    data["post"] = data["month"] >= start
    data["region_code"] = pd.factorize(data["region"], sort=True)[0]
    data["offset"] = (data["month"] - start).map(lambda d: d.n).astype(int)
    return data.reset_index(drop=True), start


def _fixed_effects(data: pd.DataFrame) -> np.ndarray:
    """Intercept, region dummies and month dummies (first level of each dropped)."""
    regions = pd.get_dummies(data["region"], drop_first=True, dtype=float).to_numpy()
    months = pd.get_dummies(data["month"].astype(str), drop_first=True, dtype=float).to_numpy()
    return np.column_stack([np.ones(len(data)), regions, months])


def _event_dummies(data, bin_months, lead_bins, lag_bins):
    bins = np.floor_divide(data["offset"].to_numpy(), bin_months)
    bins = np.clip(bins, -(lead_bins + 1), lag_bins)
    names = [b for b in range(-(lead_bins + 1), lag_bins + 1) if b != -1 and (bins == b).any()]
    treated = data["treated"].to_numpy()
    columns = [((bins == b) & treated).astype(float) for b in names]
    return np.column_stack(columns), names


def _cluster_ols(y, x, groups):
    import statsmodels.api as sm

    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise EvalkitError("the regional series cannot identify the effect (collinear design: "
                           "check that pilot and other regions both have months before and after)")
    return sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
