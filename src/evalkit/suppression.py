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
- for count indicators (``participants``, ``eligible``, ``hires``…) the value is the count.

Two entry points, for tables and for figures: :func:`suppress` returns the same frame with
hidden cells set to missing (plot it, missing points are not drawn) and a ``suppressed`` flag;
:func:`suppress_display` returns strings for a table. Helpers work on single values and on
arbitrary count tables (:func:`mask_counts`, :func:`mask_rates`).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from evalkit.i18n import t

SMALL_COUNT_MAX = 4
MIN_DENOMINATOR = 5
_NON_COUNT_NUMERATOR_PREFIXES = ("cost_", "was_change")
_COUNT_INDICATORS = frozenset({"participants", "ended", "in_service", "eligible",
                               "employers_reached", "hires"})


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


def count_text(count, formatter=None, lang: str | None = None) -> str:
    """A count for a table: ``<5`` when 1–4, a dash when missing, else the formatted number."""
    from evalkit.formatting import fmt_number
    if count is None or count is pd.NA or (isinstance(count, float) and math.isnan(count)):
        return t("format.missing", lang)
    if is_small_count(count):
        return t("format.suppressed", lang)
    return (formatter or fmt_number)(count, lang=lang)


def rate_text(value, denominator, numerator=None, formatter=None, lang: str | None = None) -> str:
    """A rate for a table: a dash when hidden or missing, else formatted (percent by default)."""
    from evalkit.formatting import fmt_percent
    if rate_hidden(denominator, numerator) or value is None or \
            (isinstance(value, float) and math.isnan(value)):
        return t("format.missing", lang)
    return (formatter or fmt_percent)(value, lang=lang)


def mask_counts(counts: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """Counts with every 1–4 set to missing (for a crosstab or a bar chart of counts)."""
    numeric = counts.astype("float64")
    return numeric.mask((numeric >= 1) & (numeric <= SMALL_COUNT_MAX))


def mask_rates(rates: pd.DataFrame | pd.Series, denominators, numerators=None):
    """Rates with those of denominator < 5 (or numerator 1–4, when given) set to missing."""
    denominators = np.asarray(denominators, dtype=float)
    hidden = ~(denominators >= MIN_DENOMINATOR)
    if numerators is not None:
        numerators = np.asarray(numerators, dtype=float)
        hidden |= (numerators >= 1) & (numerators <= SMALL_COUNT_MAX)
    return rates.astype("float64").mask(hidden)


def suppression_mask(frame: pd.DataFrame) -> pd.DataFrame:
    """Which cells of a tidy indicator frame must be hidden (bool frame with columns
    ``numerator, denominator, value, ci_low, ci_high``)."""
    indicator = frame["indicator"].astype(str)
    numerator = frame["numerator"].astype("float64").to_numpy()
    denominator = frame["denominator"].astype("float64").to_numpy()
    non_count = indicator.str.startswith(_NON_COUNT_NUMERATOR_PREFIXES).to_numpy()
    is_count = indicator.isin(_COUNT_INDICATORS).to_numpy()
    small_num = (numerator >= 1) & (numerator <= SMALL_COUNT_MAX)
    small_den = (denominator >= 1) & (denominator <= SMALL_COUNT_MAX)
    low_den = ~(denominator >= MIN_DENOMINATOR)   # NaN denominators count as low
    hide_numerator = small_num & ~non_count
    hide_value = np.where(is_count, small_num,
                          np.where(non_count, low_den, low_den | small_num))
    return pd.DataFrame({
        "numerator": hide_numerator,
        "denominator": small_den,
        "value": hide_value,
        "ci_low": hide_value,
        "ci_high": hide_value,
    }, index=frame.index)


def suppress(frame: pd.DataFrame) -> pd.DataFrame:
    """A tidy indicator frame ready to publish or plot: hidden cells set to missing, plus a
    boolean ``suppressed`` column (True where anything in the row was hidden)."""
    mask = suppression_mask(frame)
    out = frame.copy()
    for column in mask.columns:
        out[column] = out[column].mask(mask[column].to_numpy())
    out["suppressed"] = mask.any(axis=1).to_numpy()
    return out


def suppress_display(frame: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Display strings for a tidy indicator frame: counts (``<5`` when hidden), rates as
    percentages, costs in euros, means with one decimal; a dash for anything hidden or missing."""
    from evalkit.formatting import fmt_eur, fmt_interval, fmt_number, fmt_percent
    mask = suppression_mask(frame)
    dash, small = t("format.missing", lang), t("format.suppressed", lang)
    rows = []
    for (_, row), (_, hidden) in zip(frame.iterrows(), mask.iterrows()):
        indicator = str(row["indicator"])
        money = indicator.startswith("cost_")

        def count(value, hide, is_money=False):
            if value is pd.NA or value is None or (isinstance(value, float) and math.isnan(value)):
                return dash
            if hide:
                return small
            return fmt_eur(float(value), lang=lang) if is_money else fmt_number(int(value), lang=lang)

        if hidden["value"]:
            value_text = small if indicator in _COUNT_INDICATORS else dash
            interval = dash
        elif indicator in _COUNT_INDICATORS:
            value_text, interval = count(row["value"], False), dash
        elif money:
            value_text, interval = fmt_eur(row["value"], lang=lang), dash
        elif indicator == "was_change":
            value_text = fmt_number(row["value"], 1, lang)
            interval = dash if math.isnan(row["ci_low"]) else \
                f"{fmt_number(row['ci_low'], 1, lang)} – {fmt_number(row['ci_high'], 1, lang)}"
        else:
            value_text = fmt_percent(row["value"], lang=lang)
            interval = fmt_interval(row["ci_low"], row["ci_high"], lang=lang)
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
