"""evalkit indicators: the contract's output on stdout, exact unless --suppress."""
from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.indicators import CONTRACT_COLUMNS, compute_indicators
from evalkit.register import load_register
from evalkit.reported import load_pilots
from evalkit.synth import write_synthetic

AS_OF = dt.date(2023, 12, 31)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_synthetic(folder, seed=3, size=800)
    return folder


def test_csv_output_is_exact(demo, capsys):
    path = demo / "participants.csv"
    assert main(["indicators", "--data", str(path), "--as-of", "2023-12-31"]) == 0
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert tuple(printed.columns) == CONTRACT_COLUMNS
    expected = compute_indicators(load_register(path, AS_OF), AS_OF, load_pilots().budgets)
    assert len(printed) == len(expected)
    pd.testing.assert_series_equal(printed["value"], expected["value"], check_exact=True)
    assert (printed["numerator"].to_numpy() == expected["numerator"].to_numpy()).all()


def test_json_one_horizon(demo, capsys):
    assert main(["indicators", "--data", str(demo / "participants.csv"), "--as-of", "2023-12-31",
                 "--horizon", "6", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["horizon_months"] for r in records} == {6, None}
    assert set(records[0]) == set(CONTRACT_COLUMNS)


def test_suppress_and_all(demo, capsys):
    assert main(["indicators", "--data", str(demo / "participants.csv"), "--as-of", "2023-12-31",
                 "--suppress", "--all", "--employers", str(demo / "employers.csv")]) == 0
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    assert {"participants", "eligible", "was_band_poor", "hires"} <= set(printed.indicator)
    # was_change's numerator is a sum of score differences, costs' a budget: not counts of people.
    people = printed[~printed.indicator.str.startswith(("was_change", "cost_"))]
    counts = pd.to_numeric(people["numerator"], errors="coerce")
    assert not counts.between(1, 4).any()
    assert (printed["numerator"] == "<5").any()


def test_bad_input_prints_problems_and_nothing_on_stdout(tmp_path, capsys):
    path = tmp_path / "participants.csv"
    path.write_text("person_id,pilot_id\n", encoding="utf-8")
    assert main(["indicators", "--data", str(path), "--as-of", "2023-12-31"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert all(line.startswith("evalkit indicators: participants.csv: line 1: column ")
               for line in captured.err.splitlines())
