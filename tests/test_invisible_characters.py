"""Identity codes with invisible characters inside: still identity codes, wherever they are.

An invisible character (a format character, Unicode category Cf, or another default-ignorable
code point) changes nothing a reader sees, so a code with one inside is published as readably as
without. The codes are made by the check-character rule written out here, and the invisible
characters are derived from ``unicodedata``, not taken from evalkit's list.
"""
from __future__ import annotations

import datetime as dt
import sys
import unicodedata

import pandas as pd
import pytest

from evalkit.errors import InputError
from evalkit.register import load_register
from evalkit.register.hetu import INVISIBLE, contains_hetu, hetu_mask, is_valid_hetu
from register_rows import row, write_register


def _hetu(birth: str, sign: str, individual: str) -> str:
    return f"{birth}{sign}{individual}" + "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(birth + individual) % 31]


CODE = _hetu("131052", "-", "308")
FORMAT_CHARACTERS = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
# Those the issue found, and others of the kind: joiners, marks, isolates, a variation selector,
# the combining grapheme joiner, a tag character and a Hangul filler.
NAMED = ["\u200b", "\u00ad", "\u2060", "\ufeff", "\u200c", "\u200d", "\u200e", "\u2066", "\u180e",
         "\ufe0f", "\u034f", "\U000e0041", "\u3164"]


def test_every_format_character_counts_as_invisible():
    assert [c for c in FORMAT_CHARACTERS if not INVISIBLE.fullmatch(c)] == []
    assert not any(INVISIBLE.fullmatch(c) for c in "a -\u2013 \t\n0")


@pytest.mark.parametrize("invisible", NAMED)
def test_a_code_with_an_invisible_character_anywhere_inside_is_found(invisible):
    for position in range(len(CODE) + 1):
        hidden = CODE[:position] + invisible + CODE[position:]
        assert contains_hetu(f"asiakas {hidden} lappi"), (position, hidden)
        assert is_valid_hetu(hidden)
        for dtype in ("string[pyarrow]", object):
            cells = pd.Series(["p1", hidden, None, "p2"], dtype=dtype)
            assert hetu_mask(cells).tolist() == [False, True, False, False]


def test_every_format_character_inside_a_code_is_found():
    for invisible in FORMAT_CHARACTERS:
        assert contains_hetu(CODE[:3] + invisible + CODE[3:]), hex(ord(invisible))


def test_a_soft_hyphen_is_not_read_as_the_dash():
    # Read as "-", the soft hyphen made "1310-52-308T", which hid the code.
    assert contains_hetu("1310\u00ad52-308T")
    assert contains_hetu("131052\u00ad-308T")


def test_person_id_with_invisible_characters_is_refused(tmp_path):
    hidden = [CODE[:2] + c + CODE[2:] for c in NAMED]
    path = write_register(tmp_path, *(row(person_id=h) for h in hidden),
                          row(person_id="p2", service="palvelu \u00ad" + CODE.replace("-", "\u2060-")))
    with pytest.raises(InputError) as caught:
        load_register(path, dt.date(2023, 12, 31))
    found = [(p.line, p.column) for p in caught.value.problems]
    assert found == [(line, "person_id") for line in range(2, 2 + len(NAMED))] + [(2 + len(NAMED), "service")]
    text = str(caught.value)
    assert all(h not in text for h in hidden) and "131052" not in text
