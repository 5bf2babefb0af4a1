"""`evalkit compare`: columns, values, formats, degenerate registers and bad input."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from comparison_data import random_register
from evalkit import cli, compare

AS_OF = "2023-01-01"
HEAD = ["pilot_id", "horizon_months", "eligible", "crude_rate", "adjusted_rate", "ci_low", "ci_high"]


def _write(frame: pd.DataFrame, path):
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")
    return str(path)


def _run(capsys, *argv):
    code = cli.main(["compare", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_has_the_contract_columns_first_and_the_library_values(tmp_path, capsys):
    register = random_register(seed=11, n_per_pilot=50)
    path = _write(register, tmp_path / "participants.csv")
    code, out, err = _run(capsys, "--data", path, "--as-of", AS_OF)
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns[:7]) == HEAD
    assert len(table) == 3 * 3  # three pilots, three horizons
    # The same numbers as the library on the in-memory frame (CSV rounds to 6 decimals).
    expected = compare.adjusted_rates(register, AS_OF, 6).rates.set_index("pilot_id")
    at6 = table[table["horizon_months"] == 6].set_index("pilot_id")
    for column in ("eligible", "crude_rate", "adjusted_rate", "ci_low", "ci_high"):
        assert at6[column].to_numpy() == pytest.approx(expected.loc[at6.index, column].to_numpy(), abs=1e-6)


def test_json_and_single_horizon(tmp_path, capsys):
    path = _write(random_register(seed=12, n_per_pilot=40), tmp_path / "p.csv")
    code, out, _ = _run(capsys, "--data", path, "--as-of", AS_OF, "--horizon", "12", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert {r["horizon_months"] for r in rows} == {12}
    assert list(rows[0])[:7] == HEAD


def test_a_single_pilot_gives_crude_rates_and_says_why_there_is_no_adjustment(tmp_path, capsys):
    register = random_register(seed=13, pilots=("lappi",), n_per_pilot=30, effects=(0.0,))
    code, out, err = _run(capsys, "--data", _write(register, tmp_path / "p.csv"), "--as-of", AS_OF,
                          "--horizon", "6")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert table["adjusted_rate"].isna().all() and table["crude_rate"].notna().all()
    # The reason's English catalogue text, written out here, and nothing from an unhandled error.
    assert ("note: Adjusted rates could not be computed at 6 months: it needs at least two pilots whose "
            "people followed up include both employed and not employed people; found 1 (lappi).") in err
    assert "Traceback" not in err and "internal error" not in err


def test_a_pilot_where_everybody_is_employed_gets_a_note(tmp_path, capsys):
    register = random_register(seed=14, n_per_pilot=40)
    everybody = register["pilot_id"] == "lappi"
    for column in ("status_3m", "status_6m", "status_12m"):
        register.loc[everybody, column] = "employed_open"
    code, out, err = _run(capsys, "--data", _write(register, tmp_path / "p.csv"), "--as-of", AS_OF,
                          "--horizon", "6")
    assert code == 0
    row = pd.read_csv(io.StringIO(out)).set_index("pilot_id").loc["lappi"]
    assert row["crude_rate"] == 1.0 and pd.isna(row["adjusted_rate"]) and row["note"] == "all_employed"
    assert "perfect separation" in err


def test_bad_input_exits_2_with_one_line_per_problem(tmp_path, capsys):
    register = random_register(seed=15, n_per_pilot=5).drop(columns=["age"])
    code, out, err = _run(capsys, "--data", _write(register, tmp_path / "p.csv"), "--as-of", AS_OF)
    assert code == 2 and out == ""
    assert all(line.startswith("evalkit compare: ") for line in err.strip().splitlines())
    assert "age" in err and "Traceback" not in err


def test_indicator_option_compares_another_rate_with_the_same_columns(tmp_path, capsys):
    register = random_register(seed=11, n_per_pilot=50)
    path = _write(register, tmp_path / "participants.csv")
    _, default_out, _ = _run(capsys, "--data", path, "--as-of", AS_OF)
    code, explicit, err = _run(capsys, "--data", path, "--as-of", AS_OF, "--indicator", "employment_rate")
    assert code == 0, err
    assert explicit == default_out   # the default is the employment rate, unchanged
    code, out, err = _run(capsys, "--data", path, "--as-of", AS_OF, "--indicator", "positive_exit_rate")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == list(pd.read_csv(io.StringIO(default_out)).columns)
    # Crude positive-exit rates counted here by hand from the statuses (everybody is followed up).
    positive = {"employed_open", "employed_subsidised", "entrepreneur", "training", "other_service"}
    at6 = table[table["horizon_months"] == 6].set_index("pilot_id")
    for pilot, people in register.groupby(register["pilot_id"].astype(str)):
        hits = int(people["status_6m"].astype(str).isin(positive).sum())
        assert at6.loc[pilot, "employed"] == hits and at6.loc[pilot, "eligible"] == len(people)
        assert at6.loc[pilot, "crude_rate"] == pytest.approx(hits / len(people), abs=1e-6)
    assert at6["adjusted_rate"].notna().all()


def test_an_unknown_indicator_is_one_line_and_exit_2(tmp_path, capsys):
    path = _write(random_register(seed=11, n_per_pilot=20), tmp_path / "participants.csv")
    with pytest.raises(SystemExit) as stop:
        _run(capsys, "--data", path, "--as-of", AS_OF, "--indicator", "cost_per_employed")
    assert stop.value.code == 2
    err = capsys.readouterr().err
    # The choices come from the registry: the shares of the people followed up.
    assert "invalid choice: 'cost_per_employed'" in err and "positive_exit_rate" in err and "Traceback" not in err
