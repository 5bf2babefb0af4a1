"""The claims check as a reader sees it: values formatted for the active language.

Kept apart from evalkit.claims, which only computes. Used by ``evalkit claims`` (table format)
and by the book's chapter on the consistency of the source report.
"""
from __future__ import annotations

import calendar
import math

import pandas as pd

from evalkit.formatting import fmt_number
from evalkit.i18n import t
from evalkit.reported_facts import section_shown

# Decimals a recomputed value is shown with, per unit (stated values keep the report's own words).
DECIMALS = {"million_eur": 3, "percent": 1}


def month_text(index: float, lang: str | None = None) -> str:
    """A month index (evalkit.reported_facts.month_index) as 6/2020, or as a date if it has a day."""
    year, month0 = divmod(int(math.floor(index)), 12)
    fraction = index - math.floor(index)
    days = calendar.monthrange(year, month0 + 1)[1]
    day = min(int(math.floor(fraction * days + 1e-6)) + 1, days)
    if fraction < 1e-9:
        return t("national.month_format", lang, month=month0 + 1, year=year)
    return t("national.date_format", lang, day=day, month=month0 + 1, year=year)


def value_text(value: float, unit: str, lang: str | None = None) -> str:
    """One recomputed value as text in ``lang`` (default: the active language).

    Parameters
    ----------
    value : float or None
        The value in its unit; None or infinite is shown as the catalogue's missing mark.
    unit : str
        The claim's unit: ``month`` and ``date`` values are month indices (:func:`month_text`);
        ``million_eur`` gets three decimals, ``percent`` one; any other unit none when the value is
        whole, one otherwise.
    lang : str, optional
        Language of the number format.

    Returns
    -------
    str
    """
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return t("format.missing", lang)
    if unit in ("month", "date"):
        return month_text(value, lang)
    decimals = DECIMALS.get(unit, 0 if float(value).is_integer() else 1)
    return fmt_number(value, decimals, lang)


def derived_text(low: float, high: float, value: float, unit: str, rule: str,
                 lang: str | None = None) -> str:
    """The recomputed value, or the range the facts allow when they set bounds rather than a value.

    Parameters
    ----------
    low, high : float
        Bounds the facts allow (``high`` may be infinite: shown as ``≥ low``; ``low`` 0 on a
        non-date unit is shown as ``≤ high``).
    value : float
        The recomputed value, shown alone when the bounds coincide (a date range within one day),
        or when ``rule`` is ``overlap``.
    unit, lang
        As for :func:`value_text`.
    rule : str
        The claim's rule (evalkit.claims).

    Returns
    -------
    str
    """
    dated = unit in ("month", "date")
    if rule == "overlap" or low == high or (dated and high - low <= 1 / 28):
        return value_text(value, unit, lang)
    if math.isinf(high):
        return "≥ " + value_text(low, unit, lang)
    if low == 0 and not dated:
        return "≤ " + value_text(high, unit, lang)
    if dated:
        high = high - 1e-7  # a date range ends where the next day starts: show the last day in it
    return value_text(low, unit, lang) + "–" + value_text(high, unit, lang)


def difference_text(value: float, unit: str, lang: str | None = None) -> str:
    """A stated-minus-derived difference as text, with ``+`` in front of a positive one.

    Parameters
    ----------
    value : float
        The difference in the claim's unit; for ``month`` and ``date`` in months, shown with one
        decimal and a magnitude below 0.05 shown as 0.
    unit, lang
        As for :func:`value_text`.

    Returns
    -------
    str
    """
    if unit in ("month", "date"):
        months = 0.0 if abs(value) < 0.05 else value
        return t("national.months_diff", lang, number=fmt_number(months, 1, lang))
    decimals = DECIMALS.get(unit, 0 if float(value).is_integer() else 1)
    text = fmt_number(value, decimals, lang)
    return text if value <= 0 else "+" + text


def claims_display(frame: pd.DataFrame, lang: str | None = None, short: bool = False) -> pd.DataFrame:
    """One row per claim, every cell text, headers from the catalogue.

    ``short`` gives the verdict as a mark and one word, for a table in a page of text.
    """
    verdicts = "claims.verdict_short" if short else "claims.verdict"
    rows = []
    for claim in frame.itertuples(index=False):
        rows.append({
            t("claims.col_section", lang): section_shown(claim.section, lang),
            t("claims.col_claim", lang): claim_description(claim.claim_id, lang),
            t("claims.col_stated", lang): t("format.quoted", lang, text=claim.stated),
            t("claims.col_derived", lang): derived_text(claim.derived_low, claim.derived_high,
                                                        claim.derived_value, claim.unit, claim.rule,
                                                        lang),
            t("claims.col_difference", lang): difference_text(claim.difference, claim.unit, lang),
            t("claims.col_verdict", lang): t(f"{verdicts}.{claim.verdict}", lang),
        })
    frame = pd.DataFrame(rows)
    if short:  # in a page the verdict comes first, so it never scrolls out of a narrow column
        verdict = t("claims.col_verdict", lang)
        frame = frame[[frame.columns[0], verdict, *[c for c in frame.columns[1:] if c != verdict]]]
    return frame


def claim_description(claim_id: str, lang: str | None = None) -> str:
    """What a claim says, in words, from the catalogue (``claims.desc.<claim_id>``).

    ``focus_area_<area>_pilots`` claims share one message with the area filled in.

    Raises
    ------
    KeyError
        When the catalogue has no description for ``claim_id``.
    """
    if claim_id.startswith("focus_area_") and claim_id.endswith("_pilots"):
        area = claim_id.removeprefix("focus_area_").removesuffix("_pilots")
        return t("claims.desc.focus_area_pilots", lang, area=area)
    return t(f"claims.desc.{claim_id}", lang)
