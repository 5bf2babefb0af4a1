"""The small-cell rule for everything published (HTML and PDF tables and figures).

Rule (CONTRACT.md): no count from 1 to 4 is shown, and no rate whose denominator is under 5.
Counts show ``<5`` (catalogue ``format.suppressed``), other hidden values a dash
(``format.missing``). Zero is shown: it discloses no person.

One step stricter than the letter of the rule, because the letter alone can be undone: a rate
shown next to its denominator gives back its numerator (2 of 40 = 5 %), and a cost per employed
person next to the budget gives back the number employed. So:

- ``numerator``/``denominator`` that are counts are hidden when 1–4;
- a rate or share is hidden when its denominator is under 5 **or** its numerator is 1–4;
- a cost per person or a mean (``cost_*``, ``was_change``) is hidden when its denominator is
  under 5 (the numerator there is euros or score points, not people);
- for count indicators (``participants``, ``eligible``, ``hires``…) the value is the count;
- a mean whose interval has zero width (``was_change`` where every person changed by the same
  amount) is hidden with its sum, whatever the number of people: the interval would tell each
  person's value.

Entry points: :func:`suppress_complementary` returns the same frame with hidden cells set to
missing (plot it, missing points are not drawn) and ``suppressed``/``complementary`` flags;
:func:`suppress_display` returns strings for a table; :func:`suppress_marked` the values of
``evalkit indicators --suppress``. Helpers judge single values (:func:`is_small_count`,
:func:`rate_hidden`, :func:`count_text`, :func:`rate_text`).

Hiding single cells is not enough when a whole and its parts are both published: the whole minus
the shown parts gives a lone hidden part back. Two kinds of wholes are published:

- within one pilot (and the pooled ``all``) at one follow-up time, the status shares are parts of
  the people followed up (``eligible``); the employed statuses are parts of the employment rate's
  count, the employed plus training and other services parts of the positive exits, the positive
  exits plus the rest parts of the people followed up; ended and still in service are parts of the
  participants, and so are the identification bases; work ability bands are parts of the people
  scored (:func:`part_groups`, declared by the indicators);
- across pilots, each count at each follow-up time has the pooled ``all`` count as its whole.

So the full rule (:func:`hidden_counts`, :func:`suppress_complementary`) adds *complementary*
(secondary) suppression: whenever a whole and its parts would show all but one hidden count, or
the shown whole minus the shown parts would leave 1–4 people in the hidden parts together, the
smallest other non-zero count of that group is hidden too (the fewest people hidden). Groups are
revisited until none is left so, and then everything a reader knows is checked as a whole
(:func:`recoverable_counts`): the published sums (linear algebra over all groups at once), the
subsets (the people followed up at any time have ended their service, and those followed up at 12
or 6 months are followed up at 6 or 3 months too; a rate's count lies within its denominator:
:func:`published_relations`), and that a ``<5`` is 1–4 and a dash 5 or more. A hidden count whose
smallest and largest possible values under all of these are equal (an integer program,
:func:`pinned_counts`) gets a further partner: the smallest count tied to it whose hiding sets it
free. A count hidden this way is shown as a dash, not
``<5``: it is not small. Every cell that would give a hidden count back hides with it (the rate
whose numerator it is, the rate whose denominator it is, the cost per employed person whose
divisor it is). Every page and export computes the rule on the same complete frame of all pilots,
so the same cells are hidden everywhere; command-line output stays exact unless ``--suppress``.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit import indicator_registry as registry
from evalkit.definitions import POOLED
from evalkit.i18n import t
from evalkit.indicator_registry import Kind

SMALL_COUNT_MAX = 4
MIN_DENOMINATOR = 5


def _declared(indicator) -> list:
    """Each row's declaration (:mod:`evalkit.indicator_registry`); None for an undeclared name."""
    return [registry.BY_NAME.get(name) for name in pd.Series(indicator).astype(str)]


def _of_kind(indicator, kind: Kind) -> np.ndarray:
    return np.array([d is not None and d.kind is kind for d in _declared(indicator)], dtype=bool)


def _people_numerator(indicator) -> np.ndarray:
    """Rows whose numerator counts people (not a budget, not a sum of score changes).

    An undeclared name is judged as a share, the strictest reading.
    """
    return np.array([d is None or d.numerator is not None for d in _declared(indicator)], dtype=bool)


def is_small_count(count) -> bool:
    """True for a count from 1 to 4 (hidden); False for 0, 5 and more, or missing."""
    if count is None or (isinstance(count, float) and math.isnan(count)) or count is pd.NA:
        return False
    return 1 <= count <= SMALL_COUNT_MAX


def rate_hidden(denominator, numerator=None) -> bool:
    """True when a rate with this denominator (and numerator, if a count) may not be shown."""
    if denominator is None or denominator is pd.NA or \
            (isinstance(denominator, float) and math.isnan(denominator)):
        return True
    return denominator < MIN_DENOMINATOR or is_small_count(numerator)


def count_text(count, formatter=None, lang: str | None = None, hidden: bool = False) -> str:
    """A count as published: ``<5`` when 1–4, a dash when missing or ``hidden``, else the formatted number.

    ``hidden``: the full rule hides the count (as the partner of a small count); it then shows a
    dash, not ``<5``, as it is not small itself. The one rendering of a published count.
    """
    from evalkit.formatting import fmt_number
    if count is None or count is pd.NA or (isinstance(count, float) and math.isnan(count)):
        return t("format.missing", lang)
    if is_small_count(count):
        return t("format.suppressed", lang)
    if hidden:
        return t("format.missing", lang)
    return (formatter or fmt_number)(count, lang=lang)


def rate_text(value, denominator, numerator=None, formatter=None, lang: str | None = None) -> str:
    """A rate for a table: a dash when hidden or missing, else formatted (percent by default)."""
    from evalkit.formatting import fmt_percent
    if rate_hidden(denominator, numerator) or value is None or \
            (isinstance(value, float) and math.isnan(value)):
        return t("format.missing", lang)
    return (formatter or fmt_percent)(value, lang=lang)


def reveals_every_value(indicator, ci_low, ci_high) -> np.ndarray:
    """Which rows are a mean (``was_change``) whose interval has zero width.

    Every person's value is then the same, so the interval tells each person's value; the rule
    hides such a mean with its sum, whatever the number of people (module text).

    Parameters
    ----------
    indicator : array-like of str
        Each row's indicator name.
    ci_low, ci_high : array-like of float
        Each row's interval, NaN where it has none (a mean over fewer than two people).

    Returns
    -------
    numpy.ndarray of bool
        True where the row is ``was_change`` and both ends are finite and less than 1e-9 apart.
    """
    low = np.asarray(ci_low, dtype="float64")
    high = np.asarray(ci_high, dtype="float64")
    is_mean = _of_kind(indicator, Kind.MEAN)
    with np.errstate(invalid="ignore"):
        return is_mean & np.isfinite(low) & np.isfinite(high) & (np.abs(high - low) < 1e-9)


def suppression_mask(frame: pd.DataFrame) -> pd.DataFrame:
    """Which cells of a tidy indicator frame the single-cell rule hides, each row judged alone.

    The module text's rule without complementary suppression: a numerator that counts people
    and is 1–4 (not a budget or a sum of score changes); a denominator of 1–4; a count
    indicator's value of 1–4; a rate's or share's value when its denominator is under 5 (or
    missing) or its numerator 1–4; a cost's or a mean's value when its denominator is under 5;
    a mean whose interval has zero width (:func:`reveals_every_value`), with its sum.

    Parameters
    ----------
    frame : DataFrame
        Tidy indicator rows with the contract's columns
        (:data:`evalkit.indicators.CONTRACT_COLUMNS`).

    Returns
    -------
    DataFrame of bool
        Columns ``numerator, denominator, value, ci_low, ci_high`` on ``frame``'s index, True
        where the cell is hidden; the interval hides with its value.
    """
    indicator = frame["indicator"].astype(str)
    numerator = frame["numerator"].astype("float64").to_numpy()
    denominator = frame["denominator"].astype("float64").to_numpy()
    non_count = ~_people_numerator(indicator)
    is_count = _of_kind(indicator, Kind.COUNT)
    small_num = (numerator >= 1) & (numerator <= SMALL_COUNT_MAX)
    small_den = (denominator >= 1) & (denominator <= SMALL_COUNT_MAX)
    low_den = ~(denominator >= MIN_DENOMINATOR)   # NaN denominators count as low
    hide_value = np.where(is_count, small_num,
                          np.where(non_count, low_den, low_den | small_num))
    # A mean whose interval has no width says that every person's value is that mean: hidden
    # with its sum (sum / people = the mean), whatever the number of people.
    every_value = reveals_every_value(indicator, frame["ci_low"], frame["ci_high"])
    hide_value = hide_value | every_value
    hide_numerator = (small_num & ~non_count) | every_value
    return pd.DataFrame({
        "numerator": hide_numerator,
        "denominator": small_den,
        "value": hide_value,
        "ci_low": hide_value,
        "ci_high": hide_value,
    }, index=frame.index)


def suppress_display(frame: pd.DataFrame, lang: str | None = None,
                     mask: pd.DataFrame | None = None) -> pd.DataFrame:
    """Display strings for a tidy indicator frame, a hidden cell shown as ``<5`` or a dash.

    Counts are whole numbers (``<5`` when hidden and 1–4), rates and shares percentages with
    their Wilson interval, costs euros (the budget too), the mean change one decimal with its
    interval; a dash for anything else hidden or missing.

    Parameters
    ----------
    frame : DataFrame
        Tidy indicator rows with the contract's columns.
    lang : str, optional
        ``fi`` or ``en``; default the active language.
    mask : DataFrame of bool, optional
        From :func:`complementary_mask` on the complete frame, rows aligned by index: applies
        the full rule. Without it each cell is judged alone (:func:`suppression_mask`).

    Returns
    -------
    DataFrame
        Text columns ``pilot_id, horizon_months, indicator, numerator, denominator, value,
        interval`` on ``frame``'s index.
    """
    from evalkit.formatting import fmt_eur, fmt_indicator, fmt_indicator_interval, fmt_number
    mask = suppression_mask(frame) if mask is None else mask.loc[frame.index]
    dash, small = t("format.missing", lang), t("format.suppressed", lang)
    rows = []
    for (_, row), (_, hidden) in zip(frame.iterrows(), mask.iterrows()):
        indicator = str(row["indicator"])
        kind = registry.spec(indicator).kind
        money = kind is Kind.MONEY

        def count(value, hide, is_money=False):
            if value is pd.NA or value is None or (isinstance(value, float) and math.isnan(value)):
                return dash
            if hide:
                return small if is_small_count(value) and not is_money else dash
            return fmt_eur(float(value), lang=lang) if is_money else fmt_number(int(value), lang=lang)

        if hidden["value"]:
            value_text = small if kind is Kind.COUNT and is_small_count(row["value"]) else dash
            interval = dash
        elif kind is Kind.COUNT:
            value_text, interval = count(row["value"], False), dash
        else:
            value_text = fmt_indicator(indicator, row["value"], lang)
            interval = fmt_indicator_interval(indicator, row["ci_low"], row["ci_high"], lang)
        rows.append({
            "pilot_id": row["pilot_id"],
            "horizon_months": row["horizon_months"],
            "indicator": indicator,
            "numerator": count(row["numerator"], hidden["numerator"], money),
            "denominator": count(row["denominator"], hidden["denominator"]),
            "value": value_text,
            "interval": interval,
        })
    return pd.DataFrame(rows, index=frame.index)


# ---------------------------------------------------------------- complementary suppression

def part_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The wholes and their parts published for one pilot (or ``all``) at one follow-up time.

    ``(whole, parts)`` pairs, each meaning *whole = sum of parts*, as the indicators declare them
    (:func:`evalkit.indicator_registry.part_groups`), read at each call so that an indicator
    declared later is protected too. Names are counts (see :func:`count_keys`): a rate's name
    stands for its numerator, ``eligible`` for the people followed up.
    """
    return registry.part_groups(registry.REGISTRY)


Key = tuple  # (pilot_id, count name, horizon or None)


def _horizon(value) -> int | None:
    return None if value is None or value is pd.NA or pd.isna(value) else int(value)


def count_keys(frame: pd.DataFrame) -> tuple[list, list]:
    """Per row, the keys ``(pilot_id, count, horizon)`` of the people in its numerator and denominator.

    A count is named by the row whose numerator it is (a rate's name stands for its numerator),
    and rows showing the same people share a key: ``open_employment_rate`` and
    ``share_employed_open``; a rate's denominator and ``eligible``; ``cost_per_employed``'s
    divisor and the employment rate's numerator; a score band's denominator and
    ``was_start_recorded`` (``was_end_recorded``).

    Parameters
    ----------
    frame : DataFrame
        Tidy indicator rows with the contract's columns.

    Returns
    -------
    numerator_keys, denominator_keys : list
        One entry per row, in row order: the key, with horizon None where the row has none; or
        None where that column is not a count of people (a budget, a sum of score changes, the
        missing denominator of a count indicator).
    """
    numerators, denominators = [], []
    for pilot_id, horizon, indicator in zip(frame["pilot_id"].astype(str), frame["horizon_months"],
                                            frame["indicator"].astype(str)):
        h = _horizon(horizon)
        declared = registry.BY_NAME.get(indicator)
        # An undeclared name is read as a share of its own people over its own denominator.
        counted = indicator if declared is None else declared.numerator
        divisor = f"{indicator}:denominator" if declared is None else declared.denominator
        numerators.append(None if counted is None else (pilot_id, counted, h))
        denominators.append(None if divisor is None else (pilot_id, divisor, h))
    return numerators, denominators


def _count_values(frame: pd.DataFrame) -> tuple[dict, list, list]:
    numerator_keys, denominator_keys = count_keys(frame)
    values: dict = {}
    for keys, column in ((numerator_keys, "numerator"), (denominator_keys, "denominator")):
        for key, value in zip(keys, frame[column].astype("float64")):
            if key is not None and not math.isnan(value):
                values.setdefault(key, value)
    return values, numerator_keys, denominator_keys


def published_equations(values: dict, groups: Sequence | None = None) -> list[tuple[Key, list[Key]]]:
    """Every *whole = sum of parts* a reader has, as keys of counts.

    The groups of ``groups`` within each pilot and follow-up time where the whole and every part
    are published, and per count and follow-up time the pooled ``all`` over the pilots present.

    Parameters
    ----------
    values : dict
        Every published count by its key ``(pilot_id, count, horizon)`` (:func:`count_keys`).
    groups : sequence of (whole, parts)
        Count names, default :func:`part_groups`.

    Returns
    -------
    list of (whole, parts)
        A whole's key and the list of its parts' keys.
    """
    groups = part_groups() if groups is None else groups
    pilots = sorted({k[0] for k in values})
    horizons = sorted({k[2] for k in values}, key=lambda h: -1 if h is None else h)
    equations = []
    for pilot_id in pilots:
        for h in horizons:
            for whole, parts in groups:
                keys = [(pilot_id, name, h) for name in (whole, *parts)]
                if all(k in values for k in keys):
                    equations.append((keys[0], keys[1:]))
    by_count: dict = {}
    for pilot_id, name, h in values:
        if pilot_id != POOLED:
            by_count.setdefault((name, h), []).append((pilot_id, name, h))
    for (name, h), parts in sorted(by_count.items(), key=lambda item: (item[0][0], item[0][1] or -1)):
        if (POOLED, name, h) in values:
            equations.append(((POOLED, name, h), sorted(parts)))
    return equations


def subset_pairs() -> tuple:
    """Subsets a reader knows besides the published sums, per pilot, as the indicators declare them.

    ``((count, horizon), (count, horizon))`` pairs, part first
    (:func:`evalkit.indicator_registry.subset_pairs`): the people followed up at h months have
    ended their service, those followed up at 12 (6) months are followed up at 6 (3) months too,
    and the people with both work ability scores have a start score and an end score. Every
    rate's numerator is also a subset of its denominator's people (:func:`published_relations`).
    """
    return registry.subset_pairs(registry.REGISTRY)


def published_relations(values: dict, numerator_keys: Sequence = (), denominator_keys: Sequence = (),
                        pairs: Sequence | None = None) -> list[tuple[Key, Key]]:
    """Every *part <= whole* a reader knows, as pairs of count keys.

    Parameters
    ----------
    values : dict
        Every published count by its key (:func:`count_keys`); a pair is kept only when both of
        its counts are here.
    numerator_keys, denominator_keys : sequence
        The rows' keys from :func:`count_keys`: each rate's numerator lies within its denominator.
    pairs : sequence of ((count, horizon), (count, horizon))
        Subsets known per pilot, part first; default :func:`subset_pairs`.

    Returns
    -------
    list of (part, whole)
        Each pair once, sorted by its text.
    """
    pairs = subset_pairs() if pairs is None else pairs
    relations = set()
    for part, whole in zip(numerator_keys, denominator_keys):
        if part is not None and whole is not None and part != whole and part in values and whole in values:
            relations.add((part, whole))
    for pilot_id in {k[0] for k in values}:
        for (part_name, part_h), (whole_name, whole_h) in pairs:
            part, whole = (pilot_id, part_name, part_h), (pilot_id, whole_name, whole_h)
            if part in values and whole in values:
                relations.add((part, whole))
    return sorted(relations, key=str)


def reader_bounds(values: dict, hidden: set) -> dict:
    """What a reader knows of each hidden count: the range of values its mark allows.

    ``<5`` is 1–4, a dash (a complementary partner, never small) is 5 or more. Zeros are never
    hidden.

    Parameters
    ----------
    values : dict
        The true value of every count by its key.
    hidden : set
        The keys of the hidden counts.

    Returns
    -------
    dict
        Per hidden key ``(low, high)``: ``(1, 4)`` for a count of 1–4, else ``(5, None)`` (no
        upper bound).
    """
    return {k: (1, SMALL_COUNT_MAX) if values[k] <= SMALL_COUNT_MAX else (SMALL_COUNT_MAX + 1, None)
            for k in hidden}


def recoverable_counts(values: dict, equations: Sequence, hidden: set,
                       relations: Sequence = ()) -> list[Key]:
    """Hidden counts that the published numbers give back exactly.

    First the sums alone: the equations restricted to the hidden counts form a linear system
    whose right-hand sides a reader knows (the shown counts); a hidden count is pinned down when
    every solution of the homogeneous system is zero in its coordinate, i.e. when the null space
    of the system has no component there (computed by SVD). Then everything a reader knows at
    once, as an integer program: the sums, the subsets ``relations`` (part <= whole), that a
    ``<5`` is 1–4 and a dash 5 or more; a hidden count is pinned down when its smallest and its
    largest possible value are equal (:func:`pinned_counts`). Zeros are shown and never hidden.
    """
    return _pinned_by_sums(equations, hidden) or pinned_counts(values, equations, relations, hidden)


def _pinned_by_sums(equations: Sequence, hidden: set) -> list[Key]:
    unknown = sorted({k for whole, parts in equations for k in (whole, *parts) if k in hidden}, key=str)
    if unknown:
        column = {k: i for i, k in enumerate(unknown)}
        rows = []
        for whole, parts in equations:
            row = np.zeros(len(unknown))
            for key, sign in ((whole, 1.0), *((p, -1.0) for p in parts)):
                if key in column:
                    row[column[key]] += sign
            if row.any():
                rows.append(row)
        if rows:
            matrix = np.array(rows)
            _, singular, vt = np.linalg.svd(matrix)
            rank = int((singular > 1e-9 * max(1.0, singular.max())).sum())
            null_space = vt[rank:]
            pinned = np.abs(null_space).max(axis=0) < 1e-9 if len(null_space) else np.ones(len(unknown), bool)
            return [k for k, p in zip(unknown, pinned) if p]
    return []


def _components(keys: Sequence[Key], links: Sequence[Sequence[Key]]) -> list[list[Key]]:
    """The hidden counts grouped by the equations and relations that tie them together."""
    parent = {k: k for k in keys}

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for link in links:
        members = [k for k in link if k in parent]
        for other in members[1:]:
            parent[root(other)] = root(members[0])
    groups: dict = {}
    for k in keys:
        groups.setdefault(root(k), []).append(k)
    return list(groups.values())


def pinned_counts(values: dict, equations: Sequence, relations: Sequence, hidden: set,
                  only: Sequence[Key] | None = None) -> list[Key]:
    """Hidden counts whose every value consistent with what a reader knows is the true one.

    Everything a reader knows is an integer program: the sums ``equations`` (a shown count is a
    constant there), the subsets ``relations`` and the ranges of :func:`reader_bounds`. A count
    is pinned down when the program's maximum and minimum of it both equal its true value
    (HiGHS through scipy's ``milp``, one group of hidden counts tied together at a time). Any
    solution found also shows every count it differs in to be free, which saves solving for
    those; a program that is unbounded or stops at a limit leaves the count free.

    Parameters
    ----------
    values : dict
        The true value of every count by its key ``(pilot_id, count, horizon)``.
    equations : sequence of (whole, parts)
        From :func:`published_equations`.
    relations : sequence of (part, whole)
        From :func:`published_relations`.
    hidden : set
        The keys of the hidden counts.
    only : sequence of keys, optional
        Judge only these; default every hidden count in an equation or a relation (a hidden
        count in neither is never returned).

    Returns
    -------
    list of keys
        The pinned counts.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    links = [(whole, *parts) for whole, parts in equations] + [tuple(r) for r in relations]
    involved = sorted({k for link in links for k in link if k in hidden}, key=str)
    bounds = reader_bounds(values, set(involved))
    wanted = set(involved if only is None else only) & set(involved)
    pinned = []
    for component in _components(involved, links):
        if not wanted.intersection(component):
            continue
        column = {k: i for i, k in enumerate(component)}
        n = len(component)
        low = np.array([bounds[k][0] for k in component], dtype=float)
        high = np.array([np.inf if bounds[k][1] is None else bounds[k][1] for k in component], dtype=float)
        rows, lower, upper = [], [], []
        for whole, parts in equations:
            row, constant = np.zeros(n), 0.0
            for key, sign in ((whole, 1.0), *((p, -1.0) for p in parts)):
                if key in column:
                    row[column[key]] += sign
                elif key not in hidden:
                    constant += sign * values[key]
            if row.any() and not any(k in hidden and k not in column for k in (whole, *parts)):
                rows.append(row)
                lower.append(-constant)
                upper.append(-constant)
        for part, whole in relations:
            if part in column and whole in column:
                row = np.zeros(n)
                row[column[part]], row[column[whole]] = 1.0, -1.0
                rows.append(row)
                lower.append(-np.inf)
                upper.append(0.0)
            elif part in column and whole not in hidden:
                high[column[part]] = min(high[column[part]], values[whole])
            elif whole in column and part not in hidden:
                low[column[whole]] = max(low[column[whole]], values[part])
        constraints = [LinearConstraint(np.array(rows), lower, upper)] if rows else []
        truth = np.array([values[k] for k in component], dtype=float)
        free = np.zeros(n, dtype=bool)
        for key in component:
            i = column[key]
            if key not in wanted or free[i]:
                continue
            for sense in (-1.0, 1.0):   # maximise, then minimise
                cost = np.zeros(n)
                cost[i] = sense
                result = milp(cost, constraints=constraints, integrality=np.ones(n),
                              bounds=Bounds(low, high))
                if result.status == 0:
                    free |= np.abs(np.round(result.x) - truth) > 0.5
                elif result.status != 2:   # unbounded (or a limit reached): not pinned
                    free[i] = True
                if free[i]:
                    break
            if not free[i]:
                pinned.append(key)
    return pinned


def _partner(values: dict, members: Sequence[Key], hidden: set) -> Key | None:
    """The smallest shown non-zero count among ``members``, or None when there is none.

    Of equal counts the first in ``members`` (parts are listed before the whole).
    """
    candidates = [(values[k], i, k) for i, k in enumerate(members) if k not in hidden and values[k] > 0]
    return min(candidates)[2] if candidates else None


def _linked_members(equations: Sequence, target: Key, hidden: set) -> list[Key]:
    """Every count of the equations linked to ``target`` through hidden counts."""
    reached, members, touched = {target}, [], set()
    grew = True
    while grew:
        grew = False
        for i, (whole, parts) in enumerate(equations):
            keys = (*parts, whole)
            if i in touched or not reached.intersection(keys):
                continue
            touched.add(i)
            members.extend(keys)
            new = {k for k in keys if k in hidden} - reached
            if new:
                reached |= new
                grew = True
    return members


def hidden_counts(frame: pd.DataFrame, groups: Sequence | None = None) -> frozenset:
    """Keys ``(pilot_id, count, horizon)`` of every count the full rule hides in ``frame``.

    The counts 1–4 and their complementary partners (module text): the group rules are applied,
    smallest groups first, until they hide nothing more; then a count that
    :func:`recoverable_counts` still finds pinned down gets a partner (the smallest count tied
    to it whose hiding sets it free, else the smallest tied to it), and all is repeated until
    none is pinned down. Should no shown count be left to partner one, the counts hidden so far
    are returned.

    Parameters
    ----------
    frame : DataFrame
        Everything published from one register (every pilot and ``all``,
        :func:`evalkit.indicators.published_indicators`), so that each page and export hides
        the same cells.
    groups : sequence of (whole, parts)
        The wholes and their parts published within a pilot, default :func:`part_groups`.

    Returns
    -------
    frozenset
        The keys of the hidden counts.
    """
    values, numerator_keys, denominator_keys = _count_values(frame)
    groups = None if groups is None else tuple(groups)   # read once: the key and the answer see the same
    try:
        key = (tuple(values.items()), tuple(numerator_keys), tuple(denominator_keys),
               None if groups is None else tuple((whole, tuple(parts)) for whole, parts in groups),
               # what the answer reads besides: the declared indicators (their sums and subsets) and the rule
               repr(registry.REGISTRY), repr(tuple(registry.BY_NAME.items())), SMALL_COUNT_MAX)  # a spec holds a dict
        hash(key)
    except TypeError:   # a key that cannot be hashed: computed as it is, not kept
        return _hidden_counts(values, numerator_keys, denominator_keys, groups)
    return _hidden_counts_memo(*key)


# The exact check solves one small integer programme per hidden count and candidate partner: on
# a register with many small cells, seconds. Every page and export of a build asks it of the same
# counts (a pilot page, its notebook run again, each test of a chapter), so the answer for the
# last few sets of counts is kept in the process. The key is everything the answer depends on
# (every count with its key, the rows' keys, the groups, the indicator registry whose declared
# sums and subsets are what a reader knows, the small-count bound); the answer is an immutable
# frozenset.
@functools.lru_cache(maxsize=8)
def _hidden_counts_memo(values: tuple, numerator_keys: tuple, denominator_keys: tuple,
                        groups: tuple | None, *_read_besides) -> frozenset:
    return _hidden_counts(dict(values), list(numerator_keys), list(denominator_keys), groups)


def _hidden_counts(values: dict, numerator_keys: list, denominator_keys: list,
                   groups: Sequence | None) -> frozenset:
    equations = published_equations(values, groups)
    relations = published_relations(values, numerator_keys, denominator_keys)
    hidden = {k for k, v in values.items() if 1 <= v <= SMALL_COUNT_MAX}
    # Smallest groups first: a partner found among a few parts (the employed, the rest) usually
    # protects the larger groups containing them too, so fewer cells are hidden in all.
    by_size = sorted(equations, key=lambda equation: len(equation[1]))
    while True:
        changed = True
        while changed:   # the group rules
            changed = False
            for whole, parts in by_size:
                members = [*parts, whole]
                if _group_gives_back(values, whole, parts, hidden):
                    partner = _partner(values, members, hidden)
                    if partner is not None:
                        hidden.add(partner)
                        changed = True
        loose = recoverable_counts(values, equations, hidden, relations)
        if not loose:
            return frozenset(hidden)
        # Several groups together still pin a count down: partner it with the smallest count
        # whose hiding sets it free.
        partner = _freeing_partner(values, equations, relations, hidden, loose[0])
        if partner is None:
            return frozenset(hidden)
        hidden.add(partner)


def _group_gives_back(values: dict, whole: Key, parts: Sequence[Key], hidden: set) -> bool:
    """Whether a group gives a hidden count back, so that it needs one more hidden count.

    So it does with exactly one hidden count (the whole minus the shown parts gives it back), or
    when its shown whole minus its shown parts leaves a small total of hidden parts (1–4 people
    in all: a small count by difference, and with two parts of 1 each, both given back).
    """
    members = [*parts, whole]
    count = sum(k in hidden for k in members)
    if count == 1:
        return True
    if count and whole not in hidden:
        total = sum(values[k] for k in parts if k in hidden)
        return 1 <= total <= SMALL_COUNT_MAX
    return False


def _freeing_partner(values: dict, equations: Sequence, relations: Sequence, hidden: set,
                     target: Key) -> Key | None:
    """The count to hide next so that ``target`` is no longer pinned down, or None.

    Among the shown non-zero counts tied to ``target`` by a sum or a subset, the smallest whose
    hiding sets ``target`` free; else the smallest of them, and failing those, the smallest count
    linked to it through hidden counts.
    """
    near = [k for whole, parts in equations if target in (whole, *parts) for k in (*parts, whole)]
    near += [k for pair in relations if target in pair for k in pair]
    candidates = sorted({k for k in near if k not in hidden and values[k] > 0},
                        key=lambda k: (values[k], near.index(k)))
    for candidate in candidates:
        trial = hidden | {candidate}
        if target not in _pinned_by_sums(equations, trial) and \
                not pinned_counts(values, equations, relations, trial, only=[target]):
            return candidate
    if candidates:
        return candidates[0]
    return _partner(values, _linked_members(equations, target, hidden), hidden)


def complementary_mask(frame: pd.DataFrame, groups: Sequence | None = None,
                       hidden: frozenset | None = None) -> pd.DataFrame:
    """Which cells of a tidy indicator frame the full rule hides (bool frame like :func:`suppression_mask`).

    The single-cell rule, plus every cell showing or giving back a count of
    :func:`hidden_counts`: a numerator or a denominator that is a hidden count, the value and
    interval of its row, and a mean's sum of score changes when its people are hidden (a budget
    stays shown).

    Parameters
    ----------
    frame : DataFrame
        Tidy indicator rows with the contract's columns.
    groups : sequence of (whole, parts)
        The wholes and their parts published within a pilot, default :func:`part_groups`.
    hidden : frozenset, optional
        The hidden counts, from :func:`hidden_counts` on the complete frame; default computed
        from ``frame``.

    Returns
    -------
    DataFrame of bool
        Columns ``numerator, denominator, value, ci_low, ci_high`` on ``frame``'s index, True
        where the cell is hidden.
    """
    mask = suppression_mask(frame)
    hidden = hidden_counts(frame, groups) if hidden is None else hidden
    numerator_keys, denominator_keys = count_keys(frame)
    indicator = frame["indicator"].astype(str).to_numpy()
    by_numerator = np.array([k is not None and k in hidden for k in numerator_keys], dtype=bool)
    by_denominator = np.array([k is not None and k in hidden for k in denominator_keys], dtype=bool)
    # A sum of score changes over hidden people goes with them; a budget is public.
    sum_over_people = _of_kind(indicator, Kind.MEAN)
    mask["numerator"] |= by_numerator | (by_denominator & sum_over_people)
    mask["denominator"] |= by_denominator
    for column in ("value", "ci_low", "ci_high"):
        mask[column] |= by_numerator | by_denominator
    return mask


def suppress_complementary(frame: pd.DataFrame, groups: Sequence | None = None) -> pd.DataFrame:
    """A tidy indicator frame as published, under the full rule.

    Parameters
    ----------
    frame : DataFrame
        Everything published from one register (:func:`evalkit.indicators.published_indicators`):
        the rule is computed on all its rows at once.
    groups : sequence of (whole, parts)
        The wholes and their parts published within a pilot, default :func:`part_groups`.

    Returns
    -------
    DataFrame
        ``frame`` with every hidden cell set to missing (:func:`complementary_mask`), and two
        boolean columns: ``suppressed`` where anything in the row is hidden, ``complementary``
        where the row is hidden only as a partner (its own numbers are not small).
    """
    mask = complementary_mask(frame, groups)
    single = suppression_mask(frame)
    out = frame.copy()
    for column in mask.columns:
        out[column] = out[column].mask(mask[column].to_numpy())
    out["suppressed"] = mask.any(axis=1).to_numpy()
    out["complementary"] = (mask.any(axis=1) & ~single.any(axis=1)).to_numpy()
    return out


def suppress_marked(frame: pd.DataFrame) -> pd.DataFrame:
    """The values ``evalkit indicators --suppress`` writes: the full rule on ``frame``.

    A hidden count of people from 1 to 4 is written ``<5``, every other hidden cell empty.

    Parameters
    ----------
    frame : DataFrame
        A tidy indicator frame, everything that is written from one register.

    Returns
    -------
    DataFrame
        ``frame`` with ``numerator, denominator, value, ci_low, ci_high`` as objects: the exact
        number where shown, ``"<5"`` where a hidden cell is a count from 1 to 4 of people (a
        numerator that is not a budget or a sum of score changes, a denominator, the value of a
        count indicator), None elsewhere hidden (a count hidden as a partner is 5 or more).
    """
    mask = complementary_mask(frame)
    out = frame.astype({"numerator": object, "denominator": object, "value": object,
                        "ci_low": object, "ci_high": object})
    indicator = frame["indicator"].astype(str)
    people = {"numerator": _people_numerator(indicator),
              "denominator": np.ones(len(frame), dtype=bool),
              "value": _of_kind(indicator, Kind.COUNT)}
    for column, counts_people in people.items():
        counts = frame[column].astype("float64").to_numpy()
        small = (counts >= 1) & (counts <= SMALL_COUNT_MAX) & counts_people
        hide = mask[column].to_numpy()
        out.loc[hide & small, column] = "<5"
        out.loc[hide & ~small, column] = None
    out.loc[mask["value"].to_numpy(), ["ci_low", "ci_high"]] = None
    return out
