"""Numbers, dates and lists as a reader of the active language expects them, written by Babel.

Finnish: decimal comma, a no-break space between thousands, ``12,5 %``, ``9 638 000 €``,
``5.3.2021``, ``3, 6 ja 12``. English: ``12.5%``, ``€9,638,000``, ``5 March 2021``, ``3, 6 and 12``.
The separators, the places of ``%`` and ``€`` and the month names are the CLDR data of the
language's Babel locale (catalogue key ``format.locale``); the date pattern is the catalogue's
(``format.date``, a CLDR pattern).

Two house rules on top of CLDR:

- a negative number carries the minus sign U+2212 just before its digits, in English too
  (CLDR's English has the hyphen-minus): ``−5 000``, ``€−5,000``;
- a number is rounded as Python's ``format(x, ".1f")`` rounds it: the float's exact binary value,
  an exact half to even (``2.5`` → ``2``, ``1.015`` → ``1.01`` as the float is 1.01499…).
  Babel would read a float through its ``str`` (``1.015`` → ``1.02``), so it is handed the exact
  ``Decimal`` instead, in a decimal context wide enough that nothing rounds before the last step.
"""
from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterable
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import (
    NumberPattern,
    format_currency,
    format_decimal,
    format_percent,
    parse_pattern,
)

from evalkit.i18n import t
from evalkit.pipeline.read_log import package_only

MINUS = "\u2212"
# 1000 digits hold any float's exact value (at most 767 significant digits), so only
# Babel's final quantize rounds, half to even as float formatting does.
_EXACT = decimal.Context(prec=1000, rounding=decimal.ROUND_HALF_EVEN)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _locale(lang: str | None) -> Locale:
    return _babel_locale(t("format.locale", lang))


@package_only
@cache
def _babel_locale(tag: str) -> Locale:
    return Locale.parse(tag)


@package_only
@cache
def _pattern(kind: str, locale: Locale, decimals: int) -> NumberPattern:
    """The locale's standard CLDR pattern for ``kind`` with exactly ``decimals`` decimals.

    ``kind`` is ``decimal``, ``percent`` or ``currency``; the negative form has U+2212 just
    before the digits.

    ``fi_FI`` percent ``#,##0 %`` with 1 decimal gives ``#,##0.0 %;−#,##0.0 %``;
    ``en_GB`` currency ``¤#,##0.00`` with 0 decimals gives ``¤#,##0;¤−#,##0``.
    """
    standard = {"decimal": locale.decimal_formats[None], "percent": locale.percent_formats[None],
                "currency": locale.currency_formats["standard"]}[kind]
    integer = standard.number_pattern.partition(".")[0]     # the grouping, e.g. "#,##0"
    digits = integer + ("." + "0" * decimals if decimals else "")
    prefix, suffix = standard.prefix[0], standard.suffix[0]
    return parse_pattern(f"{prefix}{digits}{suffix};{prefix}{MINUS}{digits}{suffix}")


def _exact(value: float) -> decimal.Decimal:
    number = float(value)  # as before: an int or a NumPy scalar is formatted as a float
    if number == 0:
        number = 0.0  # -0.0 prints as 0; a negative that rounds to zero keeps its sign ("−0")
    return decimal.Decimal(number)


def fmt_number(value: float | None, decimals: int = 0, lang: str | None = None) -> str:
    """A number with the language's separators; the catalogue's dash for a missing value.

    Parameters
    ----------
    value : float, int or None
        The number; None and NaN are missing.
    decimals : int
        Digits after the decimal separator, always shown (``1`` → ``12,0``).
    lang : str, optional
        ``fi``, ``sv`` or ``en``; default the active language.

    Returns
    -------
    str
        ``fmt_number(-1234.5, 1, "fi")`` → ``"−1 234,5"`` (no-break space), ``"en"`` → ``"−1,234.5"``.
    """
    if _missing(value):
        return t("format.missing", lang)
    locale = _locale(lang)
    with decimal.localcontext(_EXACT):
        return format_decimal(_exact(value), format=_pattern("decimal", locale, decimals), locale=locale)


def fmt_percent(share: float | None, decimals: int = 1, lang: str | None = None) -> str:
    """A share (0–1) as a percentage: ``0.125`` → ``12,5 %`` (fi, no-break space), ``12.5%`` (en).

    The share is multiplied by 100 in floating point before rounding, as it always was: ``0.0125``
    (a float a little above 1/80) times 100 is exactly 1.25, which rounds to ``1,2 %``.
    """
    if _missing(share):
        return t("format.missing", lang)
    locale = _locale(lang)
    with decimal.localcontext(_EXACT):
        # Babel multiplies a percentage by 100 itself; scaleb(-2) hands it the float product
        # exactly, so that Babel's own scaling gives that product back.
        value = _exact(share * 100).scaleb(-2)
        return format_percent(value, format=_pattern("percent", locale, decimals), locale=locale)


def fmt_eur(amount: float | None, decimals: int = 0, lang: str | None = None) -> str:
    """An amount in euros: ``9638000`` → ``9 638 000 €`` (fi, no-break spaces), ``€9,638,000`` (en)."""
    if _missing(amount):
        return t("format.missing", lang)
    locale = _locale(lang)
    with decimal.localcontext(_EXACT):
        return format_currency(_exact(amount), "EUR", format=_pattern("currency", locale, decimals),
                               currency_digits=False, locale=locale)


def fmt_interval(low: float | None, high: float | None, decimals: int = 1,
                 lang: str | None = None, unbroken: bool = False) -> str:
    """A confidence interval of shares as ``10,2–15,3 %`` (fi) or ``10.2–15.3%`` (en).

    CLDR has no pattern for a range of numbers; the lower end is written as a number in front of
    the upper end's percentage, which suits both languages (their percent sign follows the number).
    With ``unbroken``, word joiners (U+2060) around the dash keep the interval on one line in a
    narrow table column: Unicode line breaking allows a break after an en dash.
    """
    if _missing(low) or _missing(high):
        return t("format.missing", lang)
    dash = "\u2060–\u2060" if unbroken else "–"
    return f"{fmt_number(low * 100, decimals, lang)}{dash}{fmt_percent(high, decimals, lang)}"


def fmt_range(low: float, high: float, decimals: int = 0, lang: str | None = None) -> str:
    """A closed range of numbers as ``0–10``; a single number when both ends are equal."""
    lo, hi = fmt_number(low, decimals, lang), fmt_number(high, decimals, lang)
    return lo if lo == hi else f"{lo}–{hi}"


def fmt_list(items: Iterable, conjunction: str = "and", lang: str | None = None) -> str:
    """Items as a list in running text: ``["3", "6", "12"]`` → ``3, 6 ja 12`` (fi), ``3, 6 and 12`` (en).

    Babel writes the list by CLDR's list patterns (British English: no comma before the last
    item).

    Parameters
    ----------
    items : iterable
        The items, each shown as ``str(item)``.
    conjunction : {"and", "or"}
        The word before the last item: ``and`` (fi ``ja``) or ``or`` (fi ``tai``).
    lang : str, optional
        ``fi``, ``sv`` or ``en``; default the active language.

    Returns
    -------
    str
        The list as one text.

    Raises
    ------
    KeyError
        A conjunction other than ``and`` or ``or``.
    """
    style = {"and": "standard", "or": "or"}[conjunction]
    return format_list([str(item) for item in items], style=style, locale=_locale(lang))


def fmt_date(day: dt.date, lang: str | None = None) -> str:
    """A date as the language writes it in running text: ``5.3.2021`` (fi), ``5 March 2021`` (en).

    Parameters
    ----------
    day : datetime.date
        A date, or a datetime or pandas Timestamp (its date is shown).
    lang : str, optional
        ``fi``, ``sv`` or ``en``; default the active language.
    """
    return format_date(day, format=t("format.date", lang), locale=_locale(lang))


def fmt_indicator(indicator: str, value: float | None, lang: str | None = None) -> str:
    """An indicator's value as its kind is written (:mod:`evalkit.indicator_registry`).

    A share as a percentage, money in euros, a count as a whole number, a mean with its declared
    decimals; a dash when missing.

    Raises
    ------
    KeyError
        When ``indicator`` is undeclared.
    """
    from evalkit.indicator_registry import Kind, spec

    declared = spec(indicator)
    if _missing(value):
        return t("format.missing", lang)
    if declared.kind is Kind.SHARE:
        return fmt_percent(value, lang=lang)
    if declared.kind is Kind.MONEY:
        return fmt_eur(value, lang=lang)
    if declared.kind is Kind.COUNT:
        return fmt_number(int(value), lang=lang)
    return fmt_number(value, declared.digits, lang)


def fmt_indicator_interval(indicator: str, low: float | None, high: float | None, lang: str | None = None,
                           unbroken: bool = False) -> str:
    """An indicator's confidence interval as its kind is written; a dash when it has none.

    A share's as :func:`fmt_interval`, a mean's as ``low … high`` with its declared decimals.

    Raises
    ------
    KeyError
        When ``indicator`` is undeclared.
    """
    from evalkit.indicator_registry import Kind, spec

    declared = spec(indicator)
    if _missing(low) or _missing(high) or declared.kind in (Kind.COUNT, Kind.MONEY):
        return t("format.missing", lang)
    if declared.kind is Kind.SHARE:
        return fmt_interval(low, high, lang=lang, unbroken=unbroken)
    return t("format.mean_interval", lang, low=fmt_number(low, declared.digits, lang),
             high=fmt_number(high, declared.digits, lang))
