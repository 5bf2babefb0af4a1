"""Numbers, dates and lists in each language, against strings written out by hand.

The expected strings follow the house rules in ``evalkit.formatting``: a no-break space (U+00A0,
not the narrow U+202F) between thousands in Finnish, U+2212 for minus in both languages, and
rounding as Python's float formatting rounds (the float's exact value; an exact half to even).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from evalkit.formatting import (
    fmt_date,
    fmt_eur,
    fmt_interval,
    fmt_list,
    fmt_number,
    fmt_percent,
    fmt_range,
)
from evalkit.i18n import language, set_language

NB = "\u00a0"   # no-break space
M = "\u2212"    # minus sign
DASH = "–"      # the catalogues' "missing"


@pytest.mark.parametrize("value, decimals, fi, en", [
    (0, 0, "0", "0"),
    (0, 2, "0,00", "0.00"),
    (-0.0, 1, "0,0", "0.0"),                 # a negative zero is zero
    (-0.04, 0, f"{M}0", f"{M}0"),            # a small negative keeps its sign, as before
    (7, 0, "7", "7"),
    (999, 0, "999", "999"),
    (1000, 0, f"1{NB}000", "1,000"),         # four digits are grouped too
    (-1234.5, 1, f"{M}1{NB}234,5", f"{M}1,234.5"),
    (1234567890, 0, f"1{NB}234{NB}567{NB}890", "1,234,567,890"),
    (-9638000, 0, f"{M}9{NB}638{NB}000", f"{M}9,638,000"),
    (1234.5678, 3, f"1{NB}234,568", "1,234.568"),
    (0.05, 1, "0,1", "0.1"),                 # the float is a little above 0.05
    # exact halves go to the even digit
    (0.5, 0, "0", "0"),
    (1.5, 0, "2", "2"),
    (2.5, 0, "2", "2"),
    (-2.5, 0, f"{M}2", f"{M}2"),
    (999.5, 0, f"1{NB}000", "1,000"),
    (0.125, 2, "0,12", "0.12"),
    (0.375, 2, "0,38", "0.38"),
    # decimal-looking halves are not halves in binary
    (1.005, 2, "1,00", "1.00"),              # 1.00499999999999989...
    (1.015, 2, "1,01", "1.01"),              # 1.01499999999999990...
    (2.675, 2, "2,67", "2.67"),              # 2.67499999999999982...
    (np.int64(12345), 0, f"12{NB}345", "12,345"),
    (np.float64(0.25), 1, "0,2", "0.2"),
    (None, 1, DASH, DASH),
    (float("nan"), 1, DASH, DASH),
])
def test_numbers(value, decimals, fi, en):
    assert fmt_number(value, decimals, lang="fi") == fi
    assert fmt_number(value, decimals, lang="en") == en


@pytest.mark.parametrize("share, decimals, fi, en", [
    (0.125, 1, f"12,5{NB}%", "12.5%"),
    (0, 1, f"0,0{NB}%", "0.0%"),
    (1, 1, f"100,0{NB}%", "100.0%"),
    (0.0125, 1, f"1,2{NB}%", "1.2%"),         # 0.0125 * 100 is exactly 1.25 in floats: half to even
    (0.0375, 1, f"3,8{NB}%", "3.8%"),         # 3.75: half to even
    (-0.05, 0, f"{M}5{NB}%", f"{M}5%"),
    (12.3456, 0, f"1{NB}235{NB}%", "1,235%"),
    (2 / 3, 0, f"67{NB}%", "67%"),
    (1 / 3, 2, f"33,33{NB}%", "33.33%"),
    (float("nan"), 1, DASH, DASH),
])
def test_percentages(share, decimals, fi, en):
    assert fmt_percent(share, decimals, lang="fi") == fi
    assert fmt_percent(share, decimals, lang="en") == en


@pytest.mark.parametrize("amount, decimals, fi, en", [
    (9638000, 0, f"9{NB}638{NB}000{NB}€", "€9,638,000"),
    (-5000, 0, f"{M}5{NB}000{NB}€", f"€{M}5,000"),   # the sign stays with the digits
    (1234.5, 2, f"1{NB}234,50{NB}€", "€1,234.50"),
    (0, 0, f"0{NB}€", "€0"),
    (0.5, 0, f"0{NB}€", "€0"),
    (1.5, 0, f"2{NB}€", "€2"),
    (None, 0, DASH, DASH),
])
def test_euros(amount, decimals, fi, en):
    assert fmt_eur(amount, decimals, lang="fi") == fi
    assert fmt_eur(amount, decimals, lang="en") == en


def test_intervals_and_ranges():
    assert fmt_interval(0.102, 0.153, lang="fi") == f"10,2–15,3{NB}%"
    assert fmt_interval(0.102, 0.153, lang="en") == "10.2–15.3%"
    assert fmt_interval(0, 0.05, 0, lang="fi") == f"0–5{NB}%"
    assert fmt_interval(0.0125, 0.0375, lang="en") == "1.2–3.8%"
    # Kept on one line in a narrow column: word joiners (U+2060) on both sides of the dash.
    assert fmt_interval(0.102, 0.153, lang="fi", unbroken=True) == f"10,2\u2060–\u206015,3{NB}%"
    assert fmt_interval(None, 0.1, lang="fi") == DASH
    assert fmt_interval(0.1, float("nan"), lang="en") == DASH
    assert fmt_range(0, 10, lang="fi") == "0–10"
    assert fmt_range(1000, 20000, lang="fi") == f"1{NB}000–20{NB}000"
    assert fmt_range(1000, 20000, lang="en") == "1,000–20,000"
    assert fmt_range(5, 5.4, lang="en") == "5"   # both ends print alike


@pytest.mark.parametrize("items, fi_and, fi_or, en_and, en_or", [
    ([], "", "", "", ""),
    (["3"], "3", "3", "3", "3"),
    ([3, 6], "3 ja 6", "3 tai 6", "3 and 6", "3 or 6"),
    (["3", "6", "12"], "3, 6 ja 12", "3, 6 tai 12", "3, 6 and 12", "3, 6 or 12"),
])
def test_lists(items, fi_and, fi_or, en_and, en_or):
    assert fmt_list(items, "and", lang="fi") == fi_and
    assert fmt_list(items, "or", lang="fi") == fi_or
    assert fmt_list(items, "and", lang="en") == en_and
    assert fmt_list(items, "or", lang="en") == en_or


@pytest.mark.parametrize("day, fi, en", [
    (dt.date(2021, 3, 5), "5.3.2021", "5 March 2021"),
    (dt.date(2021, 10, 1), "1.10.2021", "1 October 2021"),
    (pd.Timestamp("2022-12-31 23:59"), "31.12.2022", "31 December 2022"),
    (dt.datetime(2020, 1, 9, 8, 0), "9.1.2020", "9 January 2020"),
])
def test_dates(day, fi, en):
    assert fmt_date(day, lang="fi") == fi
    assert fmt_date(day, lang="en") == en


def test_the_active_language_is_the_default():
    before = language()
    try:
        set_language("en")
        assert (fmt_number(1234.5, 1), fmt_percent(0.5), fmt_date(dt.date(2021, 3, 5))) == \
            ("1,234.5", "50.0%", "5 March 2021")
        set_language("fi")
        assert (fmt_number(1234.5, 1), fmt_percent(0.5), fmt_date(dt.date(2021, 3, 5))) == \
            (f"1{NB}234,5", f"50,0{NB}%", "5.3.2021")
    finally:
        set_language(before)
