"""The contract's indicators, computed from a validated register. Pure functions, no I/O.

Every function returns a tidy long frame with the contract's columns
``pilot_id, horizon_months, indicator, numerator, denominator, value, ci_low, ci_high``:
one row per pilot present in the register (in the report's order) and a pooled row ``all``.
``horizon_months`` is ``Int64`` (NA for indicators without a horizon), ``numerator`` and
``denominator`` are ``Int64`` (NA where they do not apply), ``value``/``ci_*`` are floats (NaN
when the denominator is 0 or no interval applies).

Eligibility (CONTRACT.md): a person counts at horizon h when ``end_date`` is set and
``end_date + h months <= as_of``, months added with pandas ``DateOffset`` semantics
(2023-08-31 + 3 months = 2023-11-30). Among the eligible an empty status counts as ``unknown``
and stays in the denominator.

Families (each its own function):
- :func:`outcome_rates`  employment/open employment/positive exit rates and ``share_<code>``
  per horizon; Wilson 95 % intervals (statsmodels ``proportion_confint(method="wilson")``).
- :func:`was_change`     mean of was_end − was_start (numerator = sum of differences,
  denominator = people with both scores), t-based 95 % interval; no horizon.
- :func:`tasmatyo_share` basis == tasmatyo / participants, Wilson interval; no horizon.
- :func:`costs`          ``cost_per_participant`` (numerator = budget, denominator = participants)
  and per horizon ``cost_per_employed`` / ``cost_per_positive_exit`` (numerator = budget,
  denominator = the numerator of the employment / positive-exit rate at that horizon). The pooled
  budget is the sum of the budgets of the pilots present in the register.
- :func:`flow`           counts (value = the count, denominator NA): ``participants``,
  ``ended``, ``in_service`` (no horizon) and ``eligible`` per horizon.
- :func:`was_bands`      work ability score at start: ``was_band_poor`` (0–5), ``_moderate``
  (6–7), ``_good`` (8–9), ``_excellent`` (10) as shares of people with a score, and
  ``was_start_recorded`` as a share of participants; Wilson intervals.
- :func:`was_end_bands`  the same at the end of service: ``was_end_band_<band>``,
  ``was_end_recorded``.
- :func:`basis_rows`     counts of participants by identification basis: ``basis_<code>``.
- :func:`employer_indicators` from ``load_employers``: ``employers_reached`` and ``hires`` (counts),
  ``employers_interested``, ``employers_coached``, ``employers_hiring`` (shares of employers
  reached, Wilson intervals).

The names of every family are in :mod:`evalkit.definitions`. Entry points:
:func:`compute_indicators` returns exactly the contract's indicators (the first four families);
:func:`extra_indicators` flow, score bands at start and employers (``evalkit indicators --all``);
:func:`published_indicators` all of them, the frame every page and export publishes from. The
first and the last are checked on the way out against the declared frame of
:mod:`evalkit.indicator_schema`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pandera.pandas as pa
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from evalkit.definitions import (
    BASIS_CODES,
    CONFIDENCE_LEVEL,
    HORIZONS,
    PILOT_IDS,
    POOLED,
    STATUS_CODES,
    WAS_BANDS,
)
from evalkit.errors import EvalkitError
from evalkit.indicator_registry import PUBLISHED_INDICATORS, STATUS_RATES, spec
from evalkit.indicator_schema import ContractIndicatorFrame, IndicatorFrame
from evalkit.register.schema import eligible

CONTRACT_COLUMNS = ("pilot_id", "horizon_months", "indicator", "numerator", "denominator",
                    "value", "ci_low", "ci_high")
_ORDER = {name: i for i, name in enumerate(PUBLISHED_INDICATORS)}
_UNKNOWN = STATUS_CODES.index("unknown")


# ---------------------------------------------------------------- helpers

def _codes(series: pd.Series, categories: tuple[str, ...]) -> np.ndarray:
    """Integer codes of ``series`` in ``categories``, -1 for NA or a value outside them.

    A Categorical with exactly those categories (as the register holds its codes) is not encoded
    again.
    """
    if isinstance(series.dtype, pd.CategoricalDtype) and tuple(series.cat.categories) == categories:
        return series.cat.codes.to_numpy()
    return pd.Categorical(series, categories=categories).codes


def _pilots_present(pilot_codes: np.ndarray) -> list[int]:
    counts = np.bincount(pilot_codes[pilot_codes >= 0], minlength=len(PILOT_IDS))
    return [i for i in range(len(PILOT_IDS)) if counts[i] > 0]


def _count_by_pilot(pilot_codes: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    codes = pilot_codes if mask is None else pilot_codes[mask]
    return np.bincount(codes[codes >= 0], minlength=len(PILOT_IDS))


def _with_pooled(per_pilot: np.ndarray, present: list[int]) -> np.ndarray:
    """Values for the present pilots followed by their sum (the pooled ``all`` row)."""
    chosen = per_pilot[present]
    return np.concatenate([chosen, [chosen.sum(axis=0)]])


def _labels(present: list[int]) -> list[str]:
    return [PILOT_IDS[i] for i in present] + [POOLED]


def wilson_interval(numerator, denominator) -> tuple[np.ndarray, np.ndarray]:
    """Wilson 95 % interval; NaN where the denominator is 0.

    At x = 0 the lower bound is exactly 0 and at x = n the upper bound exactly 1 (the formula's
    value); floating point gives 5.6e-17 or 0.9999999999999999 there, which would turn a goal
    with a target of 1 (or a ceiling of 0) from "not yet clear" into "not met".
    """
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    low = np.full(numerator.shape, np.nan)
    high = np.full(numerator.shape, np.nan)
    ok = denominator > 0
    if ok.any():
        low[ok], high[ok] = proportion_confint(numerator[ok], denominator[ok], alpha=1 - CONFIDENCE_LEVEL,
                                               method="wilson")
        low[ok & (numerator == 0)] = 0.0
        high[ok & (numerator == denominator)] = 1.0
        low[ok], high[ok] = np.clip(low[ok], 0.0, 1.0), np.clip(high[ok], 0.0, 1.0)
    return low, high


def _ratio(numerator, denominator) -> np.ndarray:
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _frame(pilots, horizon, indicator, numerator, denominator, value, ci_low=None,
           ci_high=None) -> pd.DataFrame:
    n = len(pilots)
    nan = np.full(n, np.nan)
    return pd.DataFrame({
        "pilot_id": pilots,
        "horizon_months": pd.array([horizon] * n, dtype="Int64"),
        "indicator": [indicator] * n,
        "numerator": pd.array(numerator, dtype="Int64") if numerator is not None
        else pd.array([pd.NA] * n, dtype="Int64"),
        "denominator": pd.array(denominator, dtype="Int64") if denominator is not None
        else pd.array([pd.NA] * n, dtype="Int64"),
        "value": np.asarray(value, dtype=float),
        "ci_low": nan if ci_low is None else np.asarray(ci_low, dtype=float),
        "ci_high": nan if ci_high is None else np.asarray(ci_high, dtype=float),
    })


def t_interval(total, count, squares) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and t-based 95 % interval from sums: mean ± t(0.975, n − 1) · s / √n.

    ``total`` and ``squares`` are the sums of the values and of their squares over ``count``
    units; the mean is NaN for none, the interval NaN for fewer than two.
    """
    total, n, squares = (np.asarray(x, dtype=float) for x in (total, count, squares))
    mean = _ratio(total, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = np.where(n > 1, (squares - n * mean ** 2) / (n - 1), np.nan)
        half = stats.t.ppf(0.5 + CONFIDENCE_LEVEL / 2, np.where(n > 1, n - 1, 1)) * np.sqrt(np.maximum(variance, 0) / n)
    half = np.where(n > 1, half, np.nan)
    return mean, mean - half, mean + half


ESTIMATION_METHODS = ("wilson", "t", "none")


def estimate(numerator, denominator, method: str = "wilson", squares=None) -> tuple[np.ndarray, np.ndarray,
                                                                                 np.ndarray]:
    """The value of ``numerator / denominator`` and its 95 % interval, by ``method``.

    The one place an indicator's estimate is chosen (each declares its method,
    :attr:`evalkit.indicator_registry.IndicatorSpec.method`); it knows numbers, not indicators.

    Parameters
    ----------
    numerator, denominator : array-like
        Per row: a count of units with the property and of units (``wilson``), a sum of
        per-unit values and the units (``t``), any amount and a count (``none``).
    method : {"wilson", "t", "none"}
        ``wilson``: a proportion with the Wilson score interval (:func:`wilson_interval`);
        ``t``: a mean with a t-based interval (:func:`t_interval`, needs ``squares``);
        ``none``: a ratio without an interval.
    squares : array-like, optional
        For ``t``: the sums of the squared per-unit values.

    Returns
    -------
    value, ci_low, ci_high : numpy.ndarray
        NaN where the denominator is 0, or where no interval applies.

    Raises
    ------
    ValueError
        An unknown ``method``, or ``t`` without ``squares``.
    """
    if method == "wilson":
        low, high = wilson_interval(numerator, denominator)
        return _ratio(numerator, denominator), low, high
    if method == "t":
        if squares is None:
            raise ValueError("method 't' needs the sums of squares")
        return t_interval(numerator, denominator, squares)
    if method == "none":
        value = _ratio(numerator, denominator)
        return value, np.full(value.shape, np.nan), np.full(value.shape, np.nan)
    raise ValueError(f"unknown method {method!r}; choose from {', '.join(ESTIMATION_METHODS)}")


def _estimate_frame(pilots, horizon, indicator: str, numerator, denominator, squares=None,
                    shown_numerator=None) -> pd.DataFrame:
    """Rows of ``indicator`` estimated by its declared method; ``shown_numerator`` replaces the numerator column."""
    value, low, high = estimate(numerator, denominator, spec(indicator).method, squares)
    return _frame(pilots, horizon, indicator, numerator if shown_numerator is None else shown_numerator,
                  denominator, value, low, high)


def _rate_frame(pilots, horizon, indicator, numerator, denominator) -> pd.DataFrame:
    return _estimate_frame(pilots, horizon, indicator, numerator, denominator)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return _frame([], None, "", [], [], []).iloc[0:0]
    return order_rows(pd.concat(frames, ignore_index=True))


def order_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Indicator rows in the report's order, with the contract's columns only.

    Pilots as in the funding list, then ``all``; horizons ascending (no horizon last);
    indicators in the order of :data:`evalkit.indicator_registry.PUBLISHED_INDICATORS` (an unknown name
    last).

    Parameters
    ----------
    frame : DataFrame
        Tidy indicator rows holding at least :data:`CONTRACT_COLUMNS`.

    Returns
    -------
    DataFrame
        The rows sorted (stable), a fresh index, columns :data:`CONTRACT_COLUMNS` in that order.
    """
    pilot_rank = {p: i for i, p in enumerate((*PILOT_IDS, POOLED))}
    keys = pd.DataFrame({
        "p": frame["pilot_id"].map(pilot_rank),
        "h": frame["horizon_months"].fillna(10_000).astype("int64"),
        "i": frame["indicator"].map(_ORDER).fillna(len(_ORDER)),
    })
    order = np.lexsort((keys["i"].to_numpy(), keys["h"].to_numpy(), keys["p"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)[list(CONTRACT_COLUMNS)]


def _check_horizons(horizons: Iterable[int]) -> tuple[int, ...]:
    chosen = tuple(dict.fromkeys(int(h) for h in horizons))
    unknown = [h for h in chosen if h not in HORIZONS]
    if unknown:
        raise EvalkitError(f"horizon {unknown[0]} has no status column; choose from "
                           f"{', '.join(str(h) for h in HORIZONS)} months")
    return chosen


def _status_codes(register: pd.DataFrame, as_of: dt.date, months: int) -> tuple[np.ndarray, np.ndarray]:
    """Who is followed up at ``months`` and, for them, the index of their status (empty → unknown)."""
    mask = np.asarray(eligible(register["end_date"], as_of, months), dtype=bool)
    status = _codes(register[f"status_{months}m"], STATUS_CODES)[mask]
    return mask, np.where(status < 0, _UNKNOWN, status)


def followed_up(register: pd.DataFrame, as_of: dt.date, months: int, *,
                as_index: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Who is followed up at ``months`` (CONTRACT.md, "Horizons and who counts") and their status.

    Parameters
    ----------
    register : DataFrame
        A validated register.
    as_of : date
        The extract date.
    months : int
        The follow-up time, one of :data:`evalkit.definitions.HORIZONS`.
    as_index : bool
        Give each status as its position in :data:`evalkit.definitions.STATUS_CODES` (int)
        rather than as its code.

    Returns
    -------
    mask : numpy.ndarray of bool
        Per row of ``register``: eligible at ``months``.
    status : numpy.ndarray of str, or of int with ``as_index``
        Per eligible row, its status code (or its position in ``STATUS_CODES``); an empty status
        is ``unknown`` (it stays in the denominator).
    """
    mask, status = _status_codes(register, as_of, _check_horizons([months])[0])
    return mask, status if as_index else np.asarray(STATUS_CODES, dtype=object)[status]


def status_counts(register: pd.DataFrame, as_of: dt.date,
                  horizons: Iterable[int] = HORIZONS) -> dict[int, np.ndarray]:
    """For each horizon, an array (pilot × status code) of eligible people, empty → unknown."""
    pilot_codes = _codes(register["pilot_id"], PILOT_IDS)
    out = {}
    for months in _check_horizons(horizons):
        mask, status = _status_codes(register, as_of, months)
        known_pilot = pilot_codes[mask] >= 0
        mask = mask & (pilot_codes >= 0)
        status = status[known_pilot]
        flat = pilot_codes[mask].astype(np.int64) * len(STATUS_CODES) + status
        out[months] = np.bincount(flat, minlength=len(PILOT_IDS) * len(STATUS_CODES)).reshape(
            len(PILOT_IDS), len(STATUS_CODES))
    return out


def _status_sum(counts: np.ndarray, codes) -> np.ndarray:
    return counts[:, [STATUS_CODES.index(c) for c in codes]].sum(axis=1)


# ---------------------------------------------------------------- families

def outcome_rates(register: pd.DataFrame, as_of: dt.date,
                  horizons: Iterable[int] = HORIZONS, names: Iterable[str] = STATUS_RATES) -> pd.DataFrame:
    """Rates and status shares per horizon among the eligible, Wilson 95 % intervals.

    ``names`` limits the rows to those indicators (of :data:`STATUS_RATES`, which keeps its order);
    a name that is not one of them raises ``ValueError`` (a programming error).
    """
    wanted = {names} if isinstance(names, str) else set(names)
    if not wanted <= set(STATUS_RATES):
        raise ValueError(f"not an outcome rate: {', '.join(sorted(wanted - set(STATUS_RATES)))}")
    present = _pilots_present(_codes(register["pilot_id"], PILOT_IDS))
    pilots = _labels(present)
    frames = []
    for months, counts in status_counts(register, as_of, horizons).items():
        eligible_n = _with_pooled(counts.sum(axis=1), present)
        for name in (name for name in STATUS_RATES if name in wanted):
            frames.append(_rate_frame(pilots, months, name,
                                      _with_pooled(_status_sum(counts, spec(name).statuses), present), eligible_n))
    return _concat(frames)


def was_change(register: pd.DataFrame) -> pd.DataFrame:
    """Mean change in the work ability score (end − start) among people with both scores.

    CONTRACT.md, "Indicators": ``was_change``, with a t-based 95 % interval
    (mean ± t(0.975, n − 1) · s / √n), NaN for fewer than two people. No horizon.

    Parameters
    ----------
    register : DataFrame
        A validated participant register; ``was_start`` and ``was_end`` scores 0–10 or missing.

    Returns
    -------
    DataFrame
        One ``was_change`` row per pilot present and ``all``: numerator the sum of the changes
        (rounded to a whole number), denominator the people with both scores, value the mean
        (NaN for nobody).
    """
    pilot_codes = _codes(register["pilot_id"], PILOT_IDS)
    present = _pilots_present(pilot_codes)
    start = register["was_start"].to_numpy(dtype="float64", na_value=np.nan)
    end = register["was_end"].to_numpy(dtype="float64", na_value=np.nan)
    both = ~np.isnan(start) & ~np.isnan(end) & (pilot_codes >= 0)
    diff = (end - start)[both]
    codes = pilot_codes[both]
    n = _with_pooled(np.bincount(codes, minlength=len(PILOT_IDS)), present)
    total = _with_pooled(np.bincount(codes, weights=diff, minlength=len(PILOT_IDS)), present)
    squares = _with_pooled(np.bincount(codes, weights=diff ** 2, minlength=len(PILOT_IDS)), present)
    return _estimate_frame(_labels(present), None, "was_change", total, n, squares,
                           shown_numerator=np.rint(total).astype(np.int64))


def tasmatyo_share(register: pd.DataFrame) -> pd.DataFrame:
    """Share of participants identified by the täsmätyö keyword (no diagnosis), Wilson interval."""
    pilot_codes = _codes(register["pilot_id"], PILOT_IDS)
    present = _pilots_present(pilot_codes)
    is_tasmatyo = (register["basis"] == "tasmatyo").to_numpy(dtype=bool, na_value=False)
    return _rate_frame(_labels(present), None, "tasmatyo_share",
                       _with_pooled(_count_by_pilot(pilot_codes, is_tasmatyo), present),
                       _with_pooled(_count_by_pilot(pilot_codes), present))


def costs(register: pd.DataFrame, as_of: dt.date, budgets: Mapping[str, float | int],
          horizons: Iterable[int] = HORIZONS) -> pd.DataFrame:
    """Budget per participant, and per employed / positive exit at each horizon.

    A pilot missing from ``budgets`` gets NaN costs, and so does the pooled row (its total
    budget is then unknown).
    """
    pilot_codes = _codes(register["pilot_id"], PILOT_IDS)
    present = _pilots_present(pilot_codes)
    known = [PILOT_IDS[i] in budgets for i in present]
    budget_list = [budgets.get(PILOT_IDS[i]) for i in present]
    pooled_budget = sum(b for b in budget_list if b is not None) if all(known) else None
    budget_float = np.array([np.nan if b is None else float(b) for b in (*budget_list, pooled_budget)])
    # The numerator column holds whole euros; the costs themselves divide the budget as written,
    # cents included (CONTRACT: a budget is a number >= 0).
    budget = pd.array(np.floor(budget_float + 0.5), dtype="Float64").astype("Int64")   # half a euro up
    pilots = _labels(present)
    participants = _with_pooled(_count_by_pilot(pilot_codes), present)
    frames = [_estimate_frame(pilots, None, "cost_per_participant", budget_float, participants,
                              shown_numerator=budget)]
    for months, counts in status_counts(register, as_of, horizons).items():
        for indicator in ("cost_per_employed", "cost_per_positive_exit"):
            # The divisor is the count another indicator declares: its statuses' people.
            people = _with_pooled(_status_sum(counts, spec(spec(indicator).denominator).statuses), present)
            frames.append(_estimate_frame(pilots, months, indicator, budget_float, people, shown_numerator=budget))
    return _concat(frames)


def flow(register: pd.DataFrame, as_of: dt.date, horizons: Iterable[int] = HORIZONS) -> pd.DataFrame:
    """Counts of people: participants, ended, still in service, eligible at each horizon."""
    pilot_codes = _codes(register["pilot_id"], PILOT_IDS)
    present = _pilots_present(pilot_codes)
    pilots = _labels(present)
    ended = register["end_date"].notna().to_numpy(dtype=bool)

    def count_frame(indicator, horizon, mask=None):
        counts = _with_pooled(_count_by_pilot(pilot_codes, mask), present)
        return _frame(pilots, horizon, indicator, counts, None, counts)

    frames = [count_frame("participants", None), count_frame("ended", None, ended),
              count_frame("in_service", None, ~ended)]
    for months in _check_horizons(horizons):
        frames.append(count_frame("eligible", months, eligible(register["end_date"], as_of, months)))
    return _concat(frames)


def _score_bands(register: pd.DataFrame, column: str, band_prefix: str, recorded: str) -> pd.DataFrame:
    """The score in ``column`` in the bands of :data:`WAS_BANDS`, as shares of people with a score.

    And the share of participants who have a score at all, as the row ``recorded``.
    """
    pilot_codes = _codes(register["pilot_id"], PILOT_IDS)
    present = _pilots_present(pilot_codes)
    pilots = _labels(present)
    score = register[column].to_numpy(dtype="float64", na_value=np.nan)
    scored = ~np.isnan(score)
    scored_n = _with_pooled(_count_by_pilot(pilot_codes, scored), present)
    frames = []
    for band, (low, high) in WAS_BANDS.items():
        in_band = scored & (score >= low) & (score <= high)
        frames.append(_rate_frame(pilots, None, f"{band_prefix}{band}",
                                  _with_pooled(_count_by_pilot(pilot_codes, in_band), present),
                                  scored_n))
    frames.append(_rate_frame(pilots, None, recorded, scored_n,
                              _with_pooled(_count_by_pilot(pilot_codes), present)))
    return _concat(frames)


def was_bands(register: pd.DataFrame) -> pd.DataFrame:
    """Work ability score at start in the conventional bands, as shares of people with a start score.

    Rows ``was_band_<band>`` for the bands of :data:`evalkit.definitions.WAS_BANDS` (poor 0–5,
    moderate 6–7, good 8–9, excellent 10) and ``was_start_recorded`` as a share of
    participants, each with a Wilson interval; no horizon, per pilot present and ``all``.
    """
    return _score_bands(register, "was_start", "was_band_", "was_start_recorded")


def was_end_bands(register: pd.DataFrame) -> pd.DataFrame:
    """Work ability score at the end of service in the same bands, as shares of people with an end score.

    Rows ``was_end_band_<band>`` and ``was_end_recorded`` as a share of participants, as
    :func:`was_bands` does for the start.
    """
    return _score_bands(register, "was_end", "was_end_band_", "was_end_recorded")


def basis_rows(register: pd.DataFrame) -> pd.DataFrame:
    """Participants by identification basis, as count rows ``basis_<code>``.

    Value = numerator = the count, no denominator, for every code of
    :data:`evalkit.definitions.BASIS_CODES`; published so that the small-cell rule sees them
    beside the participants they add up to.
    """
    pilot_codes = _codes(register["pilot_id"], PILOT_IDS)
    present = _pilots_present(pilot_codes)
    pilots = _labels(present)
    frames = []
    for code in BASIS_CODES:
        with_basis = (register["basis"] == code).to_numpy(dtype=bool, na_value=False)
        counts = _with_pooled(_count_by_pilot(pilot_codes, with_basis), present)
        frames.append(_frame(pilots, None, f"basis_{code}", counts, None, counts))
    return _concat(frames)


def employer_indicators(employers: pd.DataFrame) -> pd.DataFrame:
    """Employers reached, interested, coached and hiring, and hires in total, per pilot and pooled.

    ``employers_reached`` and ``hires`` are count rows; ``employers_interested``,
    ``employers_coached`` and ``employers_hiring`` (at least one hire) are shares of the
    employers reached, with Wilson intervals. No horizon.

    Parameters
    ----------
    employers : DataFrame
        The employer file as :func:`evalkit.register.load_employers` returns it: one row per
        employer reached, with ``pilot_id``, ``interested``, ``coached`` and ``hires``.

    Returns
    -------
    DataFrame
        Tidy indicator rows, in the report's order.
    """
    pilot_codes = _codes(employers["pilot_id"], PILOT_IDS)
    present = _pilots_present(pilot_codes)
    pilots = _labels(present)
    reached = _with_pooled(_count_by_pilot(pilot_codes), present)
    frames = [_frame(pilots, None, "employers_reached", reached, None, reached)]
    for indicator, mask in (("employers_interested", employers["interested"].to_numpy(dtype=bool)),
                            ("employers_coached", employers["coached"].to_numpy(dtype=bool)),
                            ("employers_hiring", employers["hires"].to_numpy() > 0)):
        frames.append(_rate_frame(pilots, None, indicator,
                                  _with_pooled(_count_by_pilot(pilot_codes, mask), present), reached))
    hires = _with_pooled(np.bincount(pilot_codes, weights=employers["hires"].to_numpy(dtype=float),
                                     minlength=len(PILOT_IDS)).astype(np.int64), present)
    frames.append(_frame(pilots, None, "hires", hires, None, hires))
    return _concat(frames)


# ---------------------------------------------------------------- entry points

@pa.check_output(ContractIndicatorFrame.to_schema())
def compute_indicators(register: pd.DataFrame, as_of: dt.date, budgets: Mapping[str, int],
                       horizons: Iterable[int] = HORIZONS) -> pd.DataFrame:
    """Exactly the contract's indicators for the pilots in ``register`` and pooled (``all``).

    Parameters
    ----------
    register : DataFrame
        A validated participant register (:func:`evalkit.register.load_register`), one row per
        person per pilot.
    as_of : date
        The extract date; decides who is eligible at each horizon (CONTRACT.md).
    budgets : mapping of pilot_id to euros
        Each pilot's budget, for the cost indicators (``load_pilots().budgets``).
    horizons : iterable of int, default (3, 6, 12)
        Follow-up times in months, each one of :data:`evalkit.definitions.HORIZONS`.

    Returns
    -------
    DataFrame
        One row per (pilot_id, horizon_months, indicator) of
        :data:`evalkit.indicator_registry.INDICATORS`, in the report's order (:func:`order_rows`),
        with the columns :data:`CONTRACT_COLUMNS`; exact, unsuppressed. Checked against
        :class:`evalkit.indicator_schema.ContractIndicatorFrame` on the way out.

    Raises
    ------
    EvalkitError
        A horizon without a status column.
    pandera.errors.SchemaError
        The frame breaks its declared schema: a defect in this module, never bad input.
    """
    horizons = _check_horizons(horizons)
    return _concat([outcome_rates(register, as_of, horizons),
                    costs(register, as_of, budgets, horizons),
                    was_change(register), tasmatyo_share(register)])


def extra_indicators(register: pd.DataFrame, as_of: dt.date, horizons: Iterable[int] = HORIZONS,
                     employers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The families beyond the contract: flow, work ability bands, employers (when given)."""
    frames = [flow(register, as_of, horizons), was_bands(register)]
    if employers is not None:
        frames.append(employer_indicators(employers))
    return _concat(frames)


@pa.check_output(IndicatorFrame.to_schema())
def published_indicators(register: pd.DataFrame, as_of: dt.date, budgets: Mapping[str, int],
                         employers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator row any page or export publishes from this register, exact.

    The small-cell rule (:func:`evalkit.suppression.hidden_counts`) is computed on this whole
    frame, all pilots at once, so that every page and export hides the same cells.

    Parameters
    ----------
    register : DataFrame
        A validated participant register (every pilot's, or one pilot's own extract).
    as_of : date
        The extract date.
    budgets : mapping of pilot_id to euros
        Each pilot's budget, for the cost indicators.
    employers : DataFrame, optional
        The employer file (:func:`evalkit.register.load_employers`); without it no employer rows.

    Returns
    -------
    DataFrame
        The rows of :func:`compute_indicators` and :func:`extra_indicators` at every horizon,
        :func:`was_end_bands` and :func:`basis_rows`, in the report's order; columns
        :data:`CONTRACT_COLUMNS`, checked against :class:`evalkit.indicator_schema.IndicatorFrame`.
    """
    from evalkit.register import artefact

    # In a build, computed once per register, extract date and budgets, and read back by every
    # later page (evalkit.register.artefact): at a million rows each took 0.7 s, some pages more than once.
    return artefact.cached_from("published", {"register": register, "employers": employers},
                                {"as_of": as_of, "budgets": dict(budgets)},
                                lambda: _published(register, as_of, budgets, employers))


def _published(register: pd.DataFrame, as_of: dt.date, budgets: Mapping[str, int],
               employers: pd.DataFrame | None) -> pd.DataFrame:
    """:func:`published_indicators`'s work."""
    frames = [compute_indicators(register, as_of, budgets),
              extra_indicators(register, as_of, employers=employers),
              was_end_bands(register), basis_rows(register)]
    return order_rows(pd.concat(frames, ignore_index=True))
