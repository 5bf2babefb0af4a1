"""Numbers as a reader of the active language expects them.

Finnish: decimal comma, a no-break space between thousands, ``12,5 %``, ``9 638 000 €``.
English: ``12.5%``, ``€9,638,000``. Separators come from the catalogue (``format.*``).
"""
from __future__ import annotations

import math

from evalkit.i18n import t

NBSP = "\u00a0"


def _group(integer_digits: str, sep: str) -> str:
    groups = []
    while len(integer_digits) > 3:
        groups.insert(0, integer_digits[-3:])
        integer_digits = integer_digits[:-3]
    groups.insert(0, integer_digits)
    return sep.join(groups)


def fmt_number(value: float | int | None, decimals: int = 0, lang: str | None = None) -> str:
    """A number with the language's separators; a dash for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("format.missing", lang)
    sign = "−" if value < 0 else ""
    text = f"{abs(value):.{decimals}f}"
    integer, _, fraction = text.partition(".")
    thousands = t("format.thousands_sep", lang).replace("NBSP", NBSP)
    out = _group(integer, thousands)
    if fraction:
        out += t("format.decimal_sep", lang) + fraction
    return sign + out


def fmt_percent(share: float | None, decimals: int = 1, lang: str | None = None) -> str:
    """A share (0–1) as a percentage: ``0.125`` → ``12,5 %``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return t("format.missing", lang)
    number = fmt_number(share * 100, decimals, lang)
    return t("format.percent", lang, number=number).replace("NBSP", NBSP)


def fmt_eur(amount: float | None, decimals: int = 0, lang: str | None = None) -> str:
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return t("format.missing", lang)
    number = fmt_number(amount, decimals, lang)
    return t("format.euro", lang, number=number).replace("NBSP", NBSP)


def fmt_interval(low: float | None, high: float | None, decimals: int = 1,
                 lang: str | None = None) -> str:
    """A confidence interval of shares as ``10,2–15,3 %``."""
    if low is None or high is None or any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        return t("format.missing", lang)
    lo = fmt_number(low * 100, decimals, lang)
    hi = fmt_number(high * 100, decimals, lang)
    return t("format.percent", lang, number=f"{lo}–{hi}").replace("NBSP", NBSP)


def fmt_range(low: float, high: float, decimals: int = 0, lang: str | None = None) -> str:
    """A closed range of numbers as ``0–10``; a single number when both ends are equal."""
    lo, hi = fmt_number(low, decimals, lang), fmt_number(high, decimals, lang)
    return lo if lo == hi else f"{lo}–{hi}"


def fmt_list(items, conjunction: str = "and", lang: str | None = None) -> str:
    """``["3", "6", "12"]`` as ``3, 6 ja 12`` (``conjunction``: ``and`` or ``or``)."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return t(f"format.list_{conjunction}", lang, head=", ".join(items[:-1]), last=items[-1])
