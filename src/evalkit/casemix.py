"""The numeric core of the case-mix adjustment: the model's design and the averaged prediction.

Both were done by general tools (patsy's formula machinery, statsmodels' complex-step derivative
of the averaged prediction) whose cost grows badly with the rows: patsy checks every value of a
categorical column one by one in Python, and the derivative predicts for every person once per
coefficient. At a million people that was most of the comparison page's two minutes. Here the
same design is built column by column in numpy, and the delta method uses the gradient of a mean
of logistic predictions in closed form, mean_i p_i(1 − p_i) x_i: O(n·k), exact where the
complex-step derivative is exact to rounding.

The design is the one patsy builds for the model's formulas (``y ~ C(a) + b + ...``): an
``Intercept`` column, then each categorical term in the formula's order with treatment coding
(reference: the first level in sorted order; columns ``C(a)[T.level]`` for the other levels,
sorted), then the numeric terms in the formula's order, all float64. Rows with a missing value
must have been dropped by the caller (the comparison drops them and says so).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

_TERM = re.compile(r"^(?:C\((?P<categorical>\w+)\)|(?P<numeric>\w+))$")


def parse_formula(formula: str) -> tuple[str, list[str], list[str]]:
    """The outcome, categorical and numeric columns of a formula ``y ~ C(a) + b + ...``.

    Parameters
    ----------
    formula : str
        An outcome, ``~`` and terms joined by ``+``: ``C(column)`` for a categorical covariate, a
        bare column name for a numeric one. Nothing else of patsy's language is understood.

    Returns
    -------
    (str, list of str, list of str)
        The outcome column, the categorical columns and the numeric columns, each in the
        formula's order.

    Raises
    ------
    ValueError
        A formula outside that form (a programming error, not a reader's).
    """
    outcome, _, right = formula.partition("~")
    categorical, numeric = [], []
    for term in (part.strip() for part in right.split("+")):
        match = _TERM.match(term)
        if not match or not outcome.strip():
            raise ValueError(f"unsupported model formula {formula!r}")
        (categorical if match["categorical"] else numeric).append(match["categorical"] or match["numeric"])
    return outcome.strip(), categorical, numeric


def design(formula: str, data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The outcome and design frames of ``formula`` on ``data``, as patsy's ``dmatrices`` gives them.

    Parameters
    ----------
    formula : str
        See :func:`parse_formula`.
    data : DataFrame
        The model's rows, no value missing in the formula's columns.

    Returns
    -------
    (DataFrame, DataFrame)
        The outcome as one float64 column named after it, and the design (columns as in the
        module docstring), both on ``data``'s index.
    """
    outcome, categorical, numeric = parse_formula(formula)
    columns = {"Intercept": np.ones(len(data))}
    for name in categorical:
        values = data[name]
        # Texts stored by Arrow are numbered by Arrow; sorted by code point either way, as sorted() sorts.
        values = values.array if isinstance(values.dtype, pd.StringDtype) else values.to_numpy(dtype=object)
        codes, levels = pd.factorize(values, sort=True)
        for position, level in enumerate(levels[1:], start=1):
            columns[f"C({name})[T.{level}]"] = (codes == position).astype(float)
    for name in numeric:
        columns[name] = data[name].to_numpy(dtype=float)
    frame = pd.DataFrame(columns, index=data.index)
    return pd.DataFrame({outcome: data[outcome].to_numpy(dtype=float)}, index=data.index), frame


def binomial_rows(formula: str, data: pd.DataFrame,
                  weights: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct combinations of the formula's covariates, each with the share of its people whose outcome is 1.

    A logistic model fitted to these rows, with the people of each as its weight (binomial
    family, statsmodels ``var_weights``), has the log-likelihood of the model fitted person by
    person, sum_i n_i [y_i log p_i + (1 − y_i) log(1 − p_i)] with y_i the share: the same score
    and information, so the same estimates and covariance, from one row per distinct covariates
    (at a million people a third of the rows of people grouped by outcome and covariates).

    Parameters
    ----------
    formula : str
        See :func:`parse_formula`; its outcome column holds 0 or 1.
    data : DataFrame
        The model's rows, no value missing in the formula's columns (ValueError otherwise).
    weights : ndarray, shape (len(data),), optional
        How many people each row of ``data`` stands for (positive); one each by default. Rows
        already grouped by more columns, in order of first occurrence, give the same rows in the
        same order as the people they stand for would.

    Returns
    -------
    (DataFrame, ndarray)
        One row per distinct combination of the covariates, in order of first occurrence: the
        outcome column (the share of the row's people with outcome 1, float) then the covariates;
        and the people of each row, shape (rows,), summing to ``len(data)`` or to ``weights``' sum.
    """
    outcome, categorical, numeric = parse_formula(formula)
    covariates = [*categorical, *numeric]
    if data[[outcome, *covariates]].isna().to_numpy().any():   # a group of its own here, dropped by patsy
        raise ValueError(f"rows with a missing value in {', '.join([outcome, *covariates])}: drop them first")
    outcomes = data[outcome].to_numpy(dtype=float)
    if not np.isin(outcomes, (0.0, 1.0)).all():
        raise ValueError(f"the outcome {outcome} must be 0 or 1")
    people = np.ones(len(data)) if weights is None else np.asarray(weights, dtype=float)
    if (people <= 0).any():
        raise ValueError("weights must be positive: each row stands for people")
    groups, first = group_numbers([data[column].array for column in covariates])
    in_row = np.bincount(groups, weights=people)
    rows = data[covariates].iloc[first].reset_index(drop=True)
    rows.insert(0, outcome, np.bincount(groups, weights=people * outcomes) / in_row)
    return rows, in_row


def group_numbers(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, its group among the distinct combinations of ``columns``; and each group's first row.

    Parameters
    ----------
    columns : list of ndarray
        Equally long, of any dtype ``pandas.factorize`` takes.

    Returns
    -------
    (ndarray, ndarray)
        Each row's group number, shape (n,), and the position of each group's first row, shape
        (groups,), ascending.


    Groups are numbered in order of first occurrence, as ``groupby(sort=False)`` numbers them
    (a missing value, which groupby would drop, is a value like any other here).
    Each column's values are numbered and the numbers combined into one integer per row, which
    pandas numbers once instead of comparing row by row.
    """
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for values in columns:
        codes, uniques = pd.factorize(values)
        radix = len(uniques) + 1   # one more for a missing value, code -1
        if combined.max(initial=0) >= np.iinfo(np.int64).max // radix:
            combined = pd.factorize(combined)[0].astype(np.int64)   # renumbered: below the row count
        combined = combined * radix + (codes + 1)
    groups = pd.factorize(combined)[0]
    # Groups are numbered as they first appear, so a row starts a group when its number exceeds
    # every number before it.
    before = np.maximum.accumulate(np.concatenate([[-1], groups[:-1]]))
    return groups, np.flatnonzero(groups > before)


def distinct_rows(exog: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``exog`` and how many people each stands for (frequency weights).

    People with the same covariates have the same prediction: a mean over a million people is a
    weighted mean over the far fewer distinct rows.

    Parameters
    ----------
    exog : ndarray, shape (n, k)
    weights : ndarray, shape (n,), optional
        How many people each row of ``exog`` already stands for; one each by default.

    Returns
    -------
    (ndarray, ndarray)
        The distinct rows, shape (m, k), in order of first occurrence, and the people each stands
        for, shape (m,).
    """
    exog = np.asarray(exog, dtype=float)
    groups, first = group_numbers(list(exog.T))
    people = np.bincount(groups, weights=None if weights is None else np.asarray(weights, dtype=float))
    return exog[first], people.astype(float)


def averaged_prediction(exog: np.ndarray, params: np.ndarray, cov: np.ndarray,
                        weights: np.ndarray | None = None) -> tuple[float, float]:
    """The mean predicted probability of a logistic model over ``exog``, and its delta-method SE.

    Parameters
    ----------
    exog : ndarray, shape (n, k)
        The rows to predict for (for marginal standardisation: everybody, with the group set).
    params : ndarray, shape (k,)
        The fitted coefficients β.
    cov : ndarray, shape (k, k)
        Their covariance V.
    weights : ndarray, shape (n,), optional
        How many people each row stands for (:func:`distinct_rows`); one each by default.

    Returns
    -------
    (float, float)
        The mean over people of p_i = 1 / (1 + exp(−x_i β)), and sqrt(gᵀ V g) with
        g = mean_i p_i (1 − p_i) x_i, the gradient of that mean with respect to β.
    """
    w = np.ones(len(exog)) if weights is None else np.asarray(weights, dtype=float)
    p = 1.0 / (1.0 + np.exp(-(exog @ params)))
    total = w.sum()
    gradient = (w * p * (1.0 - p)) @ exog / total
    return float(w @ p / total), float(np.sqrt(gradient @ cov @ gradient))
