"""Finding Finnish personal identity codes (henkilötunnus) so that they never enter evalkit.

A henkilötunnus is ``DDMMYY C NNN T``: birth date, a century sign, an individual number and a
check character. Century signs: ``+`` (1800s); ``-`` and, since 2023, ``Y X W V U`` (1900s);
``A`` and, since 2023, ``B C D E F`` (2000s). The check character is
``"0123456789ABCDEFHJKLMNPRSTUVWXY"[int(DDMMYYNNN) % 31]``.

A value shaped like a henkilötunnus is treated as one whatever its check character (CONTRACT.md:
a value that *looks like* a code is refused): a code with one digit mistyped is still a person's
code. The shape is narrow: a day and month of the calendar, a century sign, three digits and a
check-character letter or digit. The search runs inside longer text too (a code pasted into a
free-text column is still personal data), and a letter may touch the code: ``HETU131052-308T``
and ``x131052-308T`` are a person's code with a prefix, the commonest way a code slips into an
identifier column. A digit may not: ``20230115-0001`` is a number with a date in it. Codes glued
one to another are read as one run, so a code ending in a digit does not hide the next. Ordinary
identifiers such as ``SYN-PPO-000001`` hold no day, month and century sign in that order.

One kind of value is read more narrowly. In a hash or a UUID (at least 16 hexadecimal digits and
dashes, nothing else) code-shaped runs occur by chance, since ``A``–``F`` are century signs and
check characters: about one random UUID in 2,600 and one SHA-256 digest in 600 hold one. A
pseudonymous register keyed on them would be refused now and then for nothing, so there the code
must stand apart from letters and digits.

Callers must never echo the value: functions here return positions only.

What a person could type for the separator is read as the ASCII sign first: every Unicode dash
and hyphen (a word processor turns ``131052-308T`` into ``131052–308T``) and the full-width forms
of digits, letters and ``+`` (NFKC), so that a look-alike code is still found. Invisible
characters (:data:`INVISIBLE`: format characters, Unicode category Cf, such as a zero-width space,
a word joiner, a byte-order mark or a soft hyphen, and the other default-ignorable code points)
are dropped before that: a code with one inside still reads as the code wherever it is shown.
A soft hyphen is one of them, not a dash: read as "-" it would break the code it hides in.
"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # imported where used: the build checks names for codes without the data stack
    import numpy as np
    import pandas as pd

HETU_MESSAGE = ("holds a Finnish personal identity code (henkilötunnus); only pseudonymous "
                "identifiers may enter evalkit (the value is not shown)")
CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS = "+-YXWVUABCDEF"
_PATTERN_TEXT = (
    r"(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])[0-9]{2}"
    r"[-+YXWVUABCDEF][0-9]{3}[0-9A-FHJ-NPR-Y]"
)
# No digit directly around the code; a letter may touch it (module docstring).
_SEARCH = re.compile(rf"(?<![0-9])({_PATTERN_TEXT})(?![0-9])", re.IGNORECASE)
# Codes glued one to another count as one run: a code ending in a digit would otherwise hide the next.
_RUN = rf"(?:{_PATTERN_TEXT})+"
_SEARCH_RUN = re.compile(rf"(?<![0-9])({_RUN})(?![0-9])", re.IGNORECASE)
# Every code-shaped run, overlapping ones too: one inside a hash may hide one that is not.
_EVERY = re.compile(rf"(?<![0-9])(?=({_RUN})(?![0-9]))", re.IGNORECASE)
_HEXADECIMAL = frozenset("0123456789abcdefABCDEF-")
_HASH_DIGITS = 16   # a hash or a UUID has at least this many hexadecimal digits; a code has 10
_CODE_LENGTH = 11

# Dashes and hyphens a person or a word processor may put where "-" belongs: Unicode's dash
# punctuation (category Pd) and the minus and hyphen look-alikes of other categories.
DASHES = ("\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a\u2e3a"
          "\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead"
          "\u2212\u2043\u02d7\u207b\u208b\u2796")
_TO_ASCII_DASH = str.maketrans({c: "-" for c in DASHES})


# What shows nothing: every format character (category Cf) and Unicode's other default-ignorable
# code points (variation selectors, combining grapheme joiner, Hangul fillers, Khmer inherent vowels,
# Mongolian free variation selectors, tags). Written out, since deriving the Cf list from
# unicodedata costs 0.1 s at every import; a test derives it and compares.
INVISIBLE = re.compile(
    "["
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u115f-\u1160\u17b4-\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff"
    "\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
    "]")
# The same class in RE2 syntax, for the Arrow prefilter.
_INVISIBLE_RE2 = re.sub(r"\\(?:x|u|U)([0-9a-fA-F]+)", lambda m: f"\\x{{{m.group(1).lstrip('0') or '0'}}}",
                        INVISIBLE.pattern.encode("ascii", "backslashreplace").decode("ascii"))
# The Arrow prefilter sees the raw text, so its classes take the look-alikes too: any dash,
# full-width digits (U+FF10-FF19), letters (U+FF21-FF3A, U+FF41-FF5A) and plus (U+FF0B).
_DIGIT = r"[0-9\x{ff10}-\x{ff19}]"
_SIGN = "[-+YXWVUABCDEFyxwvuabcdef\\x{ff0b}\\x{ff21}-\\x{ff3a}\\x{ff41}-\\x{ff5a}" + \
    "".join(f"\\x{{{ord(c):x}}}" for c in DASHES) + "]"
_CHECK = r"[0-9A-Za-z\x{ff10}-\x{ff19}\x{ff21}-\x{ff3a}\x{ff41}-\x{ff5a}]"
_PREFILTER = rf"{_DIGIT}{{6}}{_SIGN}{_DIGIT}{{3}}{_CHECK}"
# Both in one pattern: one pass of RE2 over a column of ten million identifiers, not two.
_PREFILTER_OR_INVISIBLE = f"{_PREFILTER}|{_INVISIBLE_RE2}"


def normalise(text: str) -> str:
    """``text`` with look-alike characters read as the ASCII a henkilötunnus is written in."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", INVISIBLE.sub("", text)).translate(_TO_ASCII_DASH)


def is_valid_hetu(text: str) -> bool:
    """True when ``text`` is exactly one henkilötunnus with a correct check character."""
    text = normalise(text).strip().upper()
    match = _SEARCH.fullmatch(text)
    return bool(match) and _check_character_ok(text)


def _check_character_ok(code: str) -> bool:
    code = code.upper()
    number = int(code[:6] + code[7:10])
    return CHECK_CHARACTERS[number % 31] == code[10]


def contains_hetu(text: str) -> bool:
    """True when something shaped like a henkilötunnus appears anywhere in ``text``, whatever its check character.

    Letters may touch it, digits may not; inside a hash or a UUID nothing may (module docstring).
    """
    text = normalise(text)
    if _SEARCH_RUN.search(text) is None:
        return False
    # Codes glued together are no chance run of a hash, however many hexadecimal digits they make.
    return any(found.end(1) - found.start(1) > _CODE_LENGTH
               or not _by_chance_in_hash(text, found.start(1), found.end(1)) for found in _EVERY.finditer(text))


def _by_chance_in_hash(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies inside a hash or a UUID, touching its other digits.

    The hash is the run of hexadecimal digits and dashes around it, with no other letter or digit
    directly before or after (a prefix set off by a dash, ``P-<uuid>``, is allowed).
    """
    first, last = start, end
    while first > 0 and text[first - 1] in _HEXADECIMAL:
        first -= 1
    while last < len(text) and text[last] in _HEXADECIMAL:
        last += 1
    # The hash begins where no letter or digit precedes it: at the run's start, or just after a
    # dash inside it ("id-<uuid>": "d-" is hexadecimal but a prefix); it ends likewise. The widest
    # such run is the hash.
    first = next((p for p in range(first, start + 1) if not text[p - 1:p].isalnum()), None)
    last = next((q for q in range(last, end - 1, -1) if not text[q:q + 1].isalnum()), None)
    if first is None or last is None:
        return False   # glued to another letter or digit: no hash
    while first < start and text[first] == "-":
        first += 1
    while last > end and text[last - 1] == "-":
        last -= 1
    if sum(c != "-" for c in text[first:last]) < _HASH_DIGITS:
        return False
    return text[start - 1:start].isalnum() or text[end:end + 1].isalnum()


def invisible_mask(values: pd.Series) -> np.ndarray:
    """Boolean array: which cells of a text column (not a Categorical) hold a character that shows nothing.

    The characters are :data:`INVISIBLE`.

    One pass of Arrow's RE2 over the column; a missing cell is False.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.array, pd.arrays.ArrowStringArray):
        array = pa.array(values.array)
    else:
        array = pa.array(values.astype(object).where(values.notna(), None), type=pa.string())
    return np.asarray(pc.match_substring_regex(array, _INVISIBLE_RE2).fill_null(False)
                      .to_numpy(zero_copy_only=False), dtype=bool)


def character_name(character: str) -> str:
    """A character as messages name it: ``U+200B ZERO WIDTH SPACE`` (the code point alone when unnamed)."""
    import unicodedata

    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}{' ' + name if name else ''}"


def invisible_identifier_problems(values: pd.Series, label: str, column: str, allowed: str = "") -> list:
    """One problem per identifier cell of ``values`` (index = line) holding a character that shows nothing.

    ``p1`` and ``p1`` followed by a zero-width space look the same and are two identifiers: one
    person would count twice, unseen by the uniqueness check. The value is quoted as
    :func:`evalkit.register.parse.shown` quotes cells (never an identity code).
    """
    from evalkit.errors import InputProblem
    from evalkit.register.parse import shown

    return [InputProblem(label, int(line), column, f"{shown(value)} holds a character that shows nothing "
                         f"({character_name(INVISIBLE.search(value).group())}), so it differs from the same "
                         f"identifier written without it{'; allowed: ' + allowed if allowed else ''}")
            for line, value in values[invisible_mask(values)].items()]


def hetu_mask(values: pd.Series) -> np.ndarray:
    """Boolean array: which cells of a text column hold a henkilötunnus (:func:`contains_hetu`) anywhere.

    A vectorised regular-expression prefilter (Arrow) narrows the cells to the few candidates, and
    only those are checked character by character in Python. A Categorical column (most register
    columns hold a few dozen codes, dates or numbers) is checked once per category.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        found = hetu_mask(pd.Series(values.cat.categories, dtype="str"))
        if not found.any():
            return np.zeros(len(values), dtype=bool)
        return np.where(codes >= 0, found[codes], False)
    if isinstance(values.array, pd.arrays.ArrowStringArray):
        array = pa.array(values.array)   # the column's own Arrow buffers, not a copy
    else:
        array = pa.array(values.astype(object).where(values.notna(), None), type=pa.string())
    # A code with an invisible character inside escapes the prefilter: those values are checked too.
    # Filtering every cell costs no more than finding the distinct ones first (an identifier
    # column is all distinct); the distinct candidates are then few.
    candidates = array.filter(pc.match_substring_regex(array, _PREFILTER_OR_INVISIBLE))
    found = [value for value in pc.unique(candidates).drop_null().to_pylist() if contains_hetu(value)]
    if not found:
        return np.zeros(len(values), dtype=bool)
    return np.asarray(pc.is_in(array, value_set=pa.array(found, type=array.type)).fill_null(False)
                      .to_numpy(zero_copy_only=False), dtype=bool)
