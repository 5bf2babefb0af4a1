"""evalkit synth: deterministic, valid against the contract, plausible per the report."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from evalkit.cli import main
from evalkit.indicators import compute_indicators, extra_indicators
from evalkit.register import is_synthetic, load_employers, load_register
from evalkit.reported import load_pilots

AS_OF = dt.date(2023, 12, 31)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    assert main(["synth", "--seed", "2021", "--out", str(folder)]) == 0
    return folder


def test_same_seed_same_bytes(demo, tmp_path):
    assert main(["synth", "--seed", "2021", "--out", str(tmp_path)]) == 0
    for name in ("participants.csv", "employers.csv", "SYNTHETIC.json"):
        assert (tmp_path / name).read_bytes() == (demo / name).read_bytes(), name


def test_other_seed_other_data(demo, tmp_path):
    assert main(["synth", "--seed", "2022", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "participants.csv").read_bytes() != (demo / "participants.csv").read_bytes()


def test_output_passes_validation_and_is_marked_synthetic(demo):
    register = load_register(demo / "participants.csv", AS_OF)
    load_employers(demo / "employers.csv")
    assert is_synthetic(demo / "participants.csv") and register.attrs["synthetic"]
    manifest = json.loads((demo / "SYNTHETIC.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True and manifest["seed"] == 2021


def test_plausible_per_the_report(demo):
    register = load_register(demo / "participants.csv", AS_OF)
    sizes = register["pilot_id"].value_counts()
    assert sizes.idxmax() == "uusimaa" or sizes.idxmax() == "pirkanmaa"
    assert sizes["uusimaa"] > sizes["pohjois-pohjanmaa"] > sizes["lappi"]
    assert sizes["lappi"] < 100 and sizes["pohjois-karjala"] < 200          # small pilots
    pirkanmaa = register[register.pilot_id == "pirkanmaa"]
    assert pirkanmaa["was_start"].notna().sum() > 3000                      # "yli 3000 asiakkaasta"
    assert register["start_date"].min() >= dt.datetime(2021, 5, 1)
    assert register["start_date"].max() <= dt.datetime(2022, 12, 31)
    in_service = set(register.loc[register.end_date.isna(), "pilot_id"])
    assert in_service and in_service <= {"lappi", "hame", "pirkanmaa", "pohjois-karjala"}
    tasmatyo = register.groupby("pilot_id", observed=True)["basis"].apply(lambda b: (b == "tasmatyo").any())
    assert tasmatyo.sum() == 4                                              # about half the pilots
    result = compute_indicators(register, AS_OF, load_pilots().budgets)
    pk = result[(result.pilot_id == "pohjois-karjala") & (result.indicator == "employment_rate")
                & (result.horizon_months == 3)].iloc[0]
    assert 0.40 <= pk.value <= 0.55                                         # IPS: about 47 %
    unknown = result[(result.pilot_id == "all") & (result.indicator == "share_unknown")]
    assert ((unknown.value > 0.03) & (unknown.value < 0.2)).all()
    extra = extra_indicators(register, AS_OF)
    small = extra[(extra.value >= 1) & (extra.value <= 4) & (extra.indicator == "in_service")]
    assert not small.empty                                                 # small cells do occur


def test_size_parameter(tmp_path):
    assert main(["synth", "--seed", "1", "--out", str(tmp_path), "--size", "500"]) == 0
    assert len(load_register(tmp_path / "participants.csv", AS_OF)) == 500


def test_failed_synth_leaves_previous_output(demo, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("keep", encoding="utf-8")
    assert main(["synth", "--seed", "1", "--out", str(blocker / "sub")]) != 0
    assert "Traceback" not in capsys.readouterr().err
    assert blocker.read_text(encoding="utf-8") == "keep"
