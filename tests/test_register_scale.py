"""The large-register route (issue 22): per-distinct checks equal per-cell ones, and a bad cell deep
in a big file is still named by line and column, an identity code never shown.

The load's speed and memory are measured by ``bench/bench_indicators.py``, never here.
"""
from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import InputError
from evalkit.register import load_register
from evalkit.register.hetu import CHECK_CHARACTERS, DASHES, contains_hetu, hetu_mask
from evalkit.register.parse import CellParser
from evalkit.register.schema import ALLOWED, due_dates, eligible

AS_OF = dt.date(2023, 12, 31)


def _valid_code(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(0, 99)
    individual = rng.randint(2, 899)
    number = int(f"{day:02d}{month:02d}{year:02d}{individual:03d}")
    return f"{day:02d}{month:02d}{year:02d}{rng.choice('+-YXWVUABCDEF')}{individual:03d}" \
           f"{CHECK_CHARACTERS[number % 31]}"


def _cell_values(count: int) -> list[str]:
    """Valid codes, codes one check character off, codes hidden by look-alikes or invisible
    characters, codes inside text, ordinary identifiers and dates: all the kinds hetu_mask sorts."""
    rng = random.Random(22)
    values = []
    for _ in range(count):
        code = _valid_code(rng)
        wrong = code[:-1] + next(c for c in CHECK_CHARACTERS if c != code[-1])
        kind = rng.randrange(10)
        values.append([
            code, wrong, code.lower(), code[:6] + rng.choice(DASHES) + code[7:],
            code[:3] + "\u200b" + code[3:], code.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
            f"note {code} here", f"x{code}", f"SYN-PPO-{rng.randint(0, 10**6):06d}",
            f"20{rng.randint(10, 30)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        ][kind])
    return values + ["", " ", "131052-308T"]


@pytest.mark.parametrize("as_categorical", [False, True])
def test_the_identity_code_mask_equals_the_check_of_each_cell(as_categorical):
    values = _cell_values(3000)
    cells = pd.Series(values, dtype="category" if as_categorical else "str", index=range(5, 5 + len(values)))
    expected = [contains_hetu(value) for value in values]
    assert 0 < sum(expected) < len(values)   # both kinds are there
    assert hetu_mask(cells).tolist() == expected


@pytest.mark.parametrize("as_of", ["2023-12-31", "2023-02-28", "2024-02-29", "2023-03-01", "2023-11-30",
                                   "2023-05-31", "2024-03-31"])
def test_eligibility_equals_adding_the_months_to_each_end_date(as_of):
    """Every day of seven years, the same days at a time of day, and no end date: the comparison with
    the last eligible day says what end_date + h months <= as_of says, month ends and leap days
    included."""
    days = pd.date_range("2018-01-01", "2025-12-31", freq="D")
    ends = pd.Series(days.append([days + pd.Timedelta(hours=1), days + pd.Timedelta(hours=23, minutes=59)])
                     .append(pd.DatetimeIndex([pd.NaT])), dtype="datetime64[ns]")
    when = dt.date.fromisoformat(as_of)
    for months in (1, 2, 3, 6, 11, 12, 13, 24):
        expected = (due_dates(ends, months) <= pd.Timestamp(when)).fillna(False).to_numpy(dtype=bool)
        assert eligible(ends, when, months).tolist() == expected.tolist(), (as_of, months)


def _as_both(texts: list[str]) -> tuple[pd.Series, pd.Series]:
    index = pd.RangeIndex(2, 2 + len(texts), name="line")
    return pd.Series(texts, dtype="str", index=index), pd.Series(texts, dtype="category", index=index)


@pytest.mark.parametrize("method, texts", [
    ("date", ["2022-01-31", "31.1.2022", "2022-02-30", "12/31/2022", "", "2022-01-31", "1.13.2022"]),
    ("whole", ["40", "+40", "4 0", "1 000", "40.0", "-1", "1234567890123456", "", "1e5", "inf", "40"]),
    ("number", ["1.5", "1,5", "-2", "1 500.25", "+3.5", "1e3", "nan", "", "x", "1.5"]),
    ("code", ["Lappi", "LAPPI", "lappi", "", "uusimaa", "x"]),
    ("text", ["a", "", "b", "a"]),
])
@pytest.mark.parametrize("decimal_comma", [False, True])
def test_a_categorical_column_parses_as_its_text_does(method, texts, decimal_comma):
    """The large-CSV route gives Categoricals: the values, problems and bad cells must be those the
    same texts give as a plain column."""
    plain, categorical = _as_both(texts * 3)
    parsers = [CellParser("f.csv", decimal_comma) for _ in range(2)]
    args = () if method in ("code", "text") else ("age", ALLOWED["age"])
    results = [getattr(parser, method)(column, *args) for parser, column in zip(parsers, (plain, categorical))]
    pd.testing.assert_series_equal(results[0], results[1])
    assert parsers[0].problems == parsers[1].problems
    assert parsers[0].bad_cells == parsers[1].bad_cells
    if method not in ("code", "text"):
        assert parsers[0].problems   # each list holds bad cells: the comparison says something


def test_distinct_texts_and_their_rows_rebuild_the_column():
    from evalkit.register.parse import distinct

    plain, categorical = _as_both(["b", "a", "", "b", "c"])
    for column in (plain, categorical):
        values, rows = distinct(column)
        assert values.to_numpy()[rows].tolist() == plain.tolist()
        assert values.is_unique


def test_a_large_csv_comes_as_categoricals_and_its_identifiers_as_text(tmp_path):
    from evalkit.register.readers import read_table

    path = tmp_path / "r.csv"
    path.write_text("person_id,sex,age\nP1,F,40\nP2,M,40\nP3,F,41\n", encoding="utf-8")
    raw = read_table(path, categorical_except=("person_id",))
    assert str(raw.cells["person_id"].dtype) == "str"
    assert isinstance(raw.cells["sex"].dtype, pd.CategoricalDtype)
    assert isinstance(raw.cells["age"].dtype, pd.CategoricalDtype)
    plain = read_table(path)
    for column in plain.cells.columns:
        assert raw.cells[column].astype(str).tolist() == plain.cells[column].tolist()
    assert raw.cells.index.tolist() == plain.cells.index.tolist() == [2, 3, 4]


@pytest.mark.parametrize("block", [1, 2, 3, 5, 8, 13])
@pytest.mark.parametrize("text, plain", [
    (b"a,b\r\n1,2\r\n3,4\r\n", True),            # Windows line ends, also split between blocks
    (b"a,b\n1,2\n3,4\n", True),
    (b"a,b\n1,2\r3,4\n", False),                 # a lone carriage return: Arrow would break the line
    (b"a,b\n1,2\n3,4\r", False),
    (b"a,b\n1,2\n3,\"4\"\n", False),             # a quote anywhere: the careful reader
    (b"a,b\n1,2\n\n3,4\n", True),                # an empty line is a blank row
])
def test_the_scan_for_the_fast_route_reads_the_file_in_blocks(tmp_path, monkeypatch, block, text, plain):
    from evalkit.register import readers

    monkeypatch.setattr(readers, "SCAN_BLOCK", block)
    path = tmp_path / "r.csv"
    path.write_bytes(text)
    first_line, rows_follow, fast = readers._scan(path)
    assert (first_line, rows_follow, fast) == (b"a,b", True, plain)
    path.write_bytes(b"a,b\r\n")
    assert readers._scan(path) == (b"a,b", False, True)


@pytest.fixture(scope="module")
def large_register(tmp_path_factory):
    """A synthetic register of more than one scan block (16 MiB), with its lines as text."""
    from evalkit.synth import write_synthetic

    folder = tmp_path_factory.mktemp("large")
    write_synthetic(folder, seed=5, size=130_000, employers=False)
    path = folder / "participants.csv"
    assert path.stat().st_size > 1 << 24
    return path.read_text(encoding="utf-8").split("\n")


def test_bad_cells_deep_in_a_large_file_are_named_by_line_and_column(tmp_path, large_register):
    lines = list(large_register)
    header = lines[0].split(",")
    code = "131052-308T"

    def change(line: int, column: str, value: str) -> None:
        fields = lines[line - 1].split(",")
        fields[header.index(column)] = value
        lines[line - 1] = ",".join(fields)

    change(120_001, "age", "abc")
    change(110_017, "person_id", code)
    change(125_500, "service", f"Valmennus {code}")
    change(129_999, "start_date", "2022-02-30")
    path = tmp_path / "participants.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_register(path, AS_OF)
    problems = [(p.line, p.column) for p in caught.value.problems]
    assert problems == [(110_017, "person_id"), (120_001, "age"), (125_500, "service"), (129_999, "start_date")]
    text = "\n".join(str(p) for p in caught.value.problems)
    assert code not in text and "308T" not in text
    assert "'abc' is not a whole number" in text and "'2022-02-30' is not a date of the calendar" in text


def test_a_large_file_loads_as_the_careful_reader_loads_it(tmp_path, large_register):
    """The same rows through the fast route (Categoricals) and the careful one (a sep= line sends the
    file there; its lines move down by one): equal frames."""
    fast_path, careful_path = tmp_path / "fast.csv", tmp_path / "careful.csv"
    fast_path.write_text("\n".join(large_register), encoding="utf-8")
    careful_path.write_text("\n".join(["sep=,"] + large_register), encoding="utf-8")
    fast, careful = load_register(fast_path, AS_OF), load_register(careful_path, AS_OF)
    careful["line"] -= 1
    fast.attrs, careful.attrs = {}, {}
    pd.testing.assert_frame_equal(fast, careful)
    assert np.array_equal(fast["line"].to_numpy(), np.arange(2, 2 + len(fast)))


@pytest.mark.parametrize("dtype", [object, "category", "str"])
def test_pilot_ids_are_the_ids_present_as_text_without_a_missing_one(dtype):
    from evalkit.register import pilot_ids

    frame = pd.DataFrame({"pilot_id": pd.Series(["lappi", "hame", None, "lappi", "uusimaa", None], dtype=dtype)})
    assert pilot_ids(frame) == set(frame["pilot_id"].dropna().astype(str)) == {"lappi", "hame", "uusimaa"}
    assert pilot_ids(frame.iloc[:0]) == set()
