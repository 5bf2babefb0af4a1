"""Params files: the shipped ones validate; bad keys, types, indicators and dates are refused."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from evalkit.definitions import PILOT_IDS
from evalkit.errors import InputError
from evalkit.params import load_all_params, load_params

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
pilot_id: lappi
data: data/demo/participants.csv
as_of: 2023-12-31
goals:
  - text: Work for a quarter of them
    indicator: employment_rate
    horizon: 6
    target: 0.25
  - text: A qualitative goal
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lappi.yml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_params(path, ROOT)
    return [str(p) for p in caught.value.problems]


def test_every_shipped_params_file_validates():
    params = load_all_params(ROOT)
    assert sorted(params) == sorted(PILOT_IDS)
    for pilot_id, p in params.items():
        assert p.pilot_id == pilot_id
        assert isinstance(p.as_of, dt.date)
        assert p.goals, f"{pilot_id} has no goals"


def test_good_file_is_typed(tmp_path):
    p = load_params(write(tmp_path, GOOD), ROOT)
    assert p.as_of == dt.date(2023, 12, 31)
    assert p.data == ROOT / "data" / "demo" / "participants.csv"
    assert p.goals[0].target == 0.25 and p.goals[0].horizon == 6
    assert p.goals[1].indicator is None  # qualitative


def test_unknown_key_is_refused_with_the_nearest_valid_key(tmp_path):
    found = problems(write(tmp_path, GOOD.replace("as_of:", "as_off:")))
    assert any("as_off" in m and "did you mean 'as_of'" in m for m in found), found
    assert any("as_of" in m and "required" in m for m in found), found


def test_wrong_types_are_refused_naming_file_and_key(tmp_path):
    text = GOOD.replace("as_of: 2023-12-31", "as_of: last christmas").replace("target: 0.25", "target: lots")
    found = problems(write(tmp_path, text))
    assert any("lappi.yml" in m and "column as_of" in m for m in found), found
    assert any("goals[0].target" in m for m in found), found


def test_an_extract_date_after_today_is_refused_in_params_and_on_the_command_line(tmp_path):
    import subprocess
    import sys

    # A typo such as 2032 for 2023 made everyone who had ended "followed up", as unknown.
    day_after = dt.date.today() + dt.timedelta(days=2)   # today and day_after pass: a UTC clock lags Finland
    found = problems(write(tmp_path, GOOD.replace("as_of: 2023-12-31", f"as_of: {day_after.isoformat()}")))
    assert found == [f"{tmp_path / 'lappi.yml'}: line 3: column as_of: {day_after.isoformat()} is after today "
                     f"({dt.date.today().isoformat()}); as_of is the day the data were extracted from the register"]
    register = ROOT / "data" / "demo" / "participants.csv"
    ran = subprocess.run([sys.executable, "-m", "evalkit.cli", "validate", str(register), "--as-of",
                          day_after.isoformat()], capture_output=True, text=True)
    assert ran.returncode == 2 and "Traceback" not in ran.stderr
    assert f"argument --as-of: {day_after.isoformat()} is after today" in ran.stderr
    next_day = dt.date.today() + dt.timedelta(days=1)
    assert load_params(write(tmp_path, GOOD.replace("as_of: 2023-12-31", f"as_of: {next_day}")),
                       ROOT).as_of == next_day


def test_goal_with_unknown_indicator_is_refused(tmp_path):
    found = problems(write(tmp_path, GOOD.replace("indicator: employment_rate", "indicator: employmnet_rate")))
    assert any("goals[0].indicator" in m and "employment_rate" in m for m in found), found


def test_goal_without_valid_horizon_is_refused(tmp_path):
    found = problems(write(tmp_path, GOOD.replace("horizon: 6", "horizon: 5")))
    assert any("goals[0].horizon" in m for m in found), found


def test_unknown_pilot_is_refused(tmp_path):
    found = problems(write(tmp_path, GOOD.replace("pilot_id: lappi", "pilot_id: ahvenanmaa")))
    assert any("pilot_id" in m and "ahvenanmaa" in m for m in found), found


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    assert any("mapping" in m for m in problems(write(tmp_path, "- just\n- a list\n")))


def test_a_qualitative_goal_has_no_target_and_no_horizon(tmp_path):
    # A target without its indicator cannot be judged: refused, where it was once dropped silently.
    text = GOOD.replace("- text: A qualitative goal", "- text: A qualitative goal\n    horizon: 6\n    target: 0.3")
    assert problems(write(tmp_path, text)) == [
        (f"{tmp_path / 'lappi.yml'}: line 10: column goals[1].horizon: a goal without an indicator has no "
         "follow-up time; name its indicator or leave horizon out"),
        (f"{tmp_path / 'lappi.yml'}: line 11: column goals[1].target: a goal without an indicator has no target; "
         "name its indicator or leave target out")]


def test_an_empty_path_and_a_quoted_horizon_are_refused_in_one_line(tmp_path):
    # Second variant: "data:" with no value once ended in a TypeError; "6" in quotes is text.
    text = GOOD.replace("data: data/demo/participants.csv", "data:").replace("horizon: 6", "horizon: '6'")
    assert problems(write(tmp_path, text)) == [
        f"{tmp_path / 'lappi.yml'}: line 2: column data: expected a file path, got None",
        f"{tmp_path / 'lappi.yml'}: line 7: column goals[0].horizon: expected one of 3, 6, 12, got '6'"]
