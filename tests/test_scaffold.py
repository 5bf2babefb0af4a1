"""`evalkit new DIR --pilots a,b,c`: a programme folder that is complete and valid as written."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from evalkit.errors import EvalkitError
from evalkit.params import load_all_params
from evalkit.programme import load_programme
from evalkit.scaffold import new_programme, parse_pilot_ids


def test_a_new_folder_is_a_valid_programme_on_a_synthetic_register_of_its_pilots(tmp_path, monkeypatch):
    from evalkit.register import is_synthetic, load_register

    folder = new_programme(tmp_path / "x", ["alfa", "beta", "gamma-2"])
    monkeypatch.setenv("EVALKIT_ROOT", str(folder))
    programme = load_programme(folder)
    assert programme.pilot_ids == ("alfa", "beta", "gamma-2")
    params = load_all_params(folder)
    assert set(params) == {"alfa", "beta", "gamma-2"}
    register = load_register(params["alfa"].data, params["alfa"].as_of)
    assert set(register["pilot_id"].astype(str)) == {"alfa", "beta", "gamma-2"}
    assert is_synthetic(params["alfa"].data)
    manifest = json.loads((folder / "data" / "demo" / "SYNTHETIC.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert dt.date.fromisoformat(manifest["as_of"]) == params["alfa"].as_of
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "demonstration data" in readme and "programme.yml" in readme and "params/<pilot_id>.yml" in readme
    text = (folder / "programme.yml").read_text(encoding="utf-8")
    assert text.count("\n#") >= 5   # commented for the person who fills it in


@pytest.mark.parametrize(("pilots", "message"), [
    ("alfa,Beta", "'Beta' is not a pilot_id"),
    ("alfa,,beta", "'' is not a pilot_id"),
    ("alfa,alfa", "'alfa' is given twice"),
    ("häme", "'häme' is not a pilot_id"),
    # A valid pilot_id holding a code: named by its place, and no temporary file in the message.
    ("alfa,a-131052-308t", "^--pilots: the id in place 2 holds a Finnish personal identity code"),
])
def test_bad_pilot_ids_are_refused_before_anything_is_written(tmp_path, pilots, message):
    with pytest.raises(EvalkitError, match=message) as caught:
        new_programme(tmp_path / "x", parse_pilot_ids(pilots))
    assert not (tmp_path / "x").exists()
    assert "131052" not in str(caught.value)


def test_a_folder_that_holds_anything_is_not_written_into(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("mine", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "evalkit.cli", "new", str(tmp_path / "x"), "--pilots", "a"],
                            capture_output=True, text=True)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "not an empty folder" in result.stderr
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["notes.txt"]


def test_a_folder_that_cannot_be_created_is_named_as_given(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    wanted = tmp_path / "notes.txt" / "x"
    with pytest.raises(EvalkitError) as refused:
        new_programme(wanted, ["alfa"])
    # The user's folder and the reason, not the staging folder evalkit would have written first.
    blocking = tmp_path / "notes.txt"
    assert str(refused.value) == f"{wanted}: cannot create the folder ({blocking} is a file, not a folder)"
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_programme_option_makes_the_register_commands_use_that_programmes_pilots(tmp_path):
    folder = new_programme(tmp_path / "x", ["alfa", "beta"])
    data = folder / "data" / "demo" / "participants.csv"
    as_of = load_programme(folder).spec.period.end.replace(year=load_programme(folder).spec.period.end.year + 1)
    run = [sys.executable, "-m", "evalkit.cli"]
    ok = subprocess.run([*run, "validate", str(data), "--as-of", as_of.isoformat(), "--programme", str(folder)],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    # Without --programme the project's eight pilots are the allowed ones: alfa is another programme's.
    refused = subprocess.run([*run, "validate", str(data), "--as-of", as_of.isoformat()], capture_output=True,
                             text=True, cwd=tmp_path)
    assert refused.returncode == 2 and "pilot_id" in refused.stderr and "'alfa'" in refused.stderr
    bad = subprocess.run([*run, "validate", str(data), "--as-of", "2026-01-01", "--programme", str(tmp_path)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "no programme.yml here" in bad.stderr and "Traceback" not in bad.stderr


def test_build_refuses_an_edition_the_programme_does_not_have(tmp_path):
    folder = new_programme(tmp_path / "x", ["alfa"])
    text = (folder / "programme.yml").read_text(encoding="utf-8")
    (folder / "programme.yml").write_text(text.replace("languages: [fi, en]", "languages: [fi]"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "evalkit.cli", "build", "--programme", str(folder), "--lang", "en"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "the programme's editions are fi" in result.stderr
    assert not (folder / "_build" / "html-en").exists()


def test_pilot_refuses_a_language_the_programme_does_not_have_as_build_does(tmp_path):
    folder = new_programme(tmp_path / "x", ["alfa"])
    result = subprocess.run([sys.executable, "-m", "evalkit.cli", "pilot", "alfa", "--programme", str(folder),
                             "--data", str(folder / "data" / "demo" / "participants.csv"), "--as-of", "2026-06-30",
                             "--out", str(tmp_path / "out"), "--no-pdf", "--lang", "sv"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "--lang sv: the programme's editions are fi, en" in result.stderr
    assert not (tmp_path / "out").exists()


def test_claims_of_a_programme_without_a_source_report_is_one_line_saying_so(tmp_path):
    folder = new_programme(tmp_path / "x", ["alfa"])
    result = subprocess.run([sys.executable, "-m", "evalkit.cli", "claims", "--programme", str(folder)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "has no source report" in result.stderr


def test_a_programme_that_ended_lately_gets_a_synthetic_extract_of_today_not_of_the_future(tmp_path):
    from evalkit.synth import timing

    folder = new_programme(tmp_path / "x", ["alfa"])
    programme = load_programme(folder)
    assert timing(programme).as_of == dt.date(2026, 6, 30)   # the period ended 2025-06-30: a year after
    lately = dt.date.today() - dt.timedelta(days=30)
    text = (folder / "programme.yml").read_text(encoding="utf-8").replace("end: 2025-06-30", f"end: {lately}")
    (folder / "programme.yml").write_text(text, encoding="utf-8")
    assert timing(load_programme(folder, check_params=False)).as_of == dt.date.today()
