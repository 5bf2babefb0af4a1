"""load_register: formats users really have, and the returned frame's types."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from conftest import ROOT
from evalkit.register import is_synthetic, load_employers, load_register
from register_rows import BASE, COLUMNS, HEADER, row, write_register

AS_OF = dt.date(2023, 12, 31)


def test_plain_csv_gives_typed_frame(tmp_path):
    path = write_register(tmp_path, row(), row(person_id="p2", end_date="", status_3m="",
                                                 status_6m="", was_start="", was_end="", cost_eur=""))
    frame = load_register(path, AS_OF)
    assert list(frame.columns[:15]) == COLUMNS
    assert frame["start_date"].dtype == "datetime64[ns]"
    assert frame["end_date"].dtype == "datetime64[ns]"
    assert pd.isna(frame.loc[1, "end_date"])
    assert pd.isna(frame.loc[1, "status_3m"]) and pd.isna(frame.loc[1, "was_start"])
    assert frame.loc[0, "status_3m"] == "employed_open"
    assert frame.loc[0, "cost_eur"] == 1200.5
    assert frame["age"].dtype == "Int64"
    assert list(frame["line"]) == [2, 3]
    assert frame.attrs["synthetic"] is False


def test_finnish_excel_csv_semicolons_decimal_comma_bom_and_finnish_dates(tmp_path):
    # What "Tallenna nimellä > CSV (puolipistein eroteltu)" produces: cp1252, ; and 1200,50.
    values = {**BASE, "start_date": "10.1.2022", "end_date": "30.6.2022", "cost_eur": "1 200,50",
              "service": "Työhönvalmennus"}
    lines = [HEADER.replace(",", ";"), ";".join(values[c] for c in COLUMNS)]
    for encoding, prefix in (("cp1252", b""), ("utf-8", b"\xef\xbb\xbf")):
        path = tmp_path / f"excel-{encoding}.csv"
        path.write_bytes(prefix + "\r\n".join(lines).encode(encoding) + b"\r\n")
        frame = load_register(path, AS_OF)
        assert frame.loc[0, "start_date"] == pd.Timestamp("2022-01-10")
        assert frame.loc[0, "end_date"] == pd.Timestamp("2022-06-30")
        assert frame.loc[0, "cost_eur"] == 1200.5
        assert frame.loc[0, "service"] == "Työhönvalmennus"
        assert frame.loc[0, "person_id"] == "p1"


def test_xlsx_with_date_cells(tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    values = [BASE[c] for c in COLUMNS]
    values[COLUMNS.index("start_date")] = dt.datetime(2022, 1, 10)
    values[COLUMNS.index("age")] = 34
    values[COLUMNS.index("cost_eur")] = 1200.5
    sheet.append(values)
    sheet.append([None] * len(COLUMNS))   # Excel's trailing empty row is no data
    path = tmp_path / "register.xlsx"
    book.save(path)
    frame = load_register(path, AS_OF)
    assert len(frame) == 1
    assert frame.loc[0, "start_date"] == pd.Timestamp("2022-01-10")
    assert frame.loc[0, "age"] == 34 and frame.loc[0, "cost_eur"] == 1200.5


def test_parquet_with_typed_columns(tmp_path):
    table = pd.DataFrame([{**BASE, "status_12m": None}])
    table["start_date"] = pd.to_datetime(table["start_date"])
    table["end_date"] = pd.to_datetime(table["end_date"])
    table["age"] = 34
    table["was_start"] = pd.array([5], dtype="Int64")
    table["cost_eur"] = 1200.5
    path = tmp_path / "register.parquet"
    table.to_parquet(path)
    frame = load_register(path, AS_OF)
    assert frame.loc[0, "end_date"] == pd.Timestamp("2022-06-30")
    assert frame.loc[0, "was_start"] == 5 and pd.isna(frame.loc[0, "status_12m"])


def test_line_numbers_count_line_breaks_inside_quoted_fields(tmp_path):
    path = write_register(tmp_path, row(service='"two\nlines"'), row(person_id="p2", age="12"))
    with pytest.raises(Exception) as caught:
        load_register(path, AS_OF)
    # The header is line 1, the first row spans lines 2-3, so the bad row starts on line 4.
    assert "line 4: column age" in str(caught.value)


def test_codes_are_matched_without_case(tmp_path):
    path = write_register(tmp_path, row(pilot_id="Lappi", sex="f", status_3m="Employed_Open"))
    frame = load_register(path, AS_OF)
    assert (frame.loc[0, "pilot_id"], frame.loc[0, "sex"], frame.loc[0, "status_3m"]) == \
        ("lappi", "F", "employed_open")


def test_same_person_id_in_two_pilots_is_allowed(tmp_path):
    path = write_register(tmp_path, row(), row(pilot_id="hame"))
    assert len(load_register(path, AS_OF)) == 2


def test_pilot_filter_keeps_a_pilots_own_file(tmp_path):
    path = write_register(tmp_path, row(), row(person_id="p2"))
    assert len(load_register(path, AS_OF, pilot_id="lappi")) == 2


def test_load_employers(tmp_path):
    path = tmp_path / "employers.csv"
    path.write_text("pilot_id,employer_id,interested,coached,hires\n"
                    "lappi,e1,1,0,2\nlappi,e2,kyllä,true,0\nhame,e1,0,0,0\n", encoding="utf-8")
    frame = load_employers(path)
    assert list(frame["interested"]) == [True, True, False]
    assert list(frame["coached"]) == [False, True, False]
    assert list(frame["hires"]) == [2, 0, 0]


def test_is_synthetic_needs_a_manifest_naming_the_file(tmp_path):
    from evalkit.synth import write_synthetic
    write_synthetic(tmp_path / "demo", seed=1, size=80)
    assert is_synthetic(tmp_path / "demo" / "participants.csv")
    assert is_synthetic(tmp_path / "demo" / "employers.csv")
    other = write_register(tmp_path / "demo", row(), name="real.csv")
    assert not is_synthetic(other)
    assert not is_synthetic(write_register(tmp_path, row()))
    (tmp_path / "demo" / "SYNTHETIC.json").write_text("not json", encoding="utf-8")
    assert not is_synthetic(tmp_path / "demo" / "participants.csv")


def test_the_fast_readers_and_the_careful_reader_give_the_same_frame(tmp_path):
    """Four routes to the same rows: a plain UTF-8 CSV is read by Arrow from the file, also with
    an empty line in it (a blank row, dropped); after Excel's ``sep=`` line, from its decoded text
    with each row's line counted; with every field quoted, by the csv module record by record. All
    must give the same trusted frame, line numbers included (Windows line ends throughout)."""
    import csv

    demo = pd.read_csv(ROOT / "data" / "demo" / "participants.csv", dtype=str, keep_default_na=False)
    rows = demo.head(400)
    lines = [",".join(rows.columns)] + [",".join(r) for r in rows.itertuples(index=False)]
    (tmp_path / "plain.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    lines.insert(50, "")   # an empty line 51 shifts every later line number by one
    (tmp_path / "blank.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    (tmp_path / "sep.csv").write_text("\r\n".join(["sep=,"] + lines) + "\r\n", encoding="utf-8")
    with open(tmp_path / "quoted.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(rows.columns)
        for number, values in enumerate(rows.itertuples(index=False), start=2):
            if number == 51:
                handle.write("\r\n")
            writer.writerow(values)
    from evalkit.register.readers import _read_plain_utf8_csv

    routes = [_read_plain_utf8_csv(tmp_path / n, n) is not None
              for n in ("plain.csv", "blank.csv", "sep.csv", "quoted.csv")]
    assert routes == [True, True, False, False]   # each file takes the route it is meant to test
    as_of = dt.date(2023, 12, 31)
    plain, blank, quoted = (load_register(tmp_path / name, as_of) for name in ("plain.csv", "blank.csv", "quoted.csv"))
    pd.testing.assert_frame_equal(blank, quoted)
    sep = load_register(tmp_path / "sep.csv", as_of)
    pd.testing.assert_frame_equal(sep.drop(columns="line"), blank.drop(columns="line"))
    assert (sep["line"] == blank["line"] + 1).all()   # the sep= line is line 1
    assert plain["line"].tolist() == list(range(2, 402))
    assert blank["line"].iloc[48] == 50 and blank["line"].iloc[49] == 52   # the empty line 51 skipped
    pd.testing.assert_frame_equal(plain.drop(columns="line"), blank.drop(columns="line"))


@pytest.mark.parametrize("values", [["b", None, "a", "b"], [None, None], [], ["c", "a"]])
def test_categorical_codes_equal_pandas_own_conversion(values):
    from evalkit.register.load import _categorical

    text = pd.Series(values, dtype="str", index=range(10, 10 + len(values)), name="sex")
    expected = text.astype(pd.CategoricalDtype(("a", "b", "c")))
    pd.testing.assert_series_equal(_categorical(text, ("a", "b", "c")), expected)
