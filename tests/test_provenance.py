"""What a build states it was made from: the programme's settings count as parameters, and the
code and lockfile are those of the evalkit that ran, also for a programme folder elsewhere."""
from __future__ import annotations

import subprocess

from evalkit.params import load_all_params
from evalkit.paths import file_digest
from evalkit.pipeline import provenance
from evalkit.scaffold import new_programme


def test_a_programme_folder_is_stated_with_evalkits_commit_and_lockfile(tmp_path, monkeypatch):
    folder = new_programme(tmp_path / "x", ["alfa"])
    monkeypatch.setenv("EVALKIT_ROOT", str(folder))
    prov = provenance.collect(folder, load_all_params(folder))
    code = provenance.code_root()
    assert code is not None and code != folder
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=code, capture_output=True, text=True)
    if head.returncode == 0:   # a checkout: its commit, not "unknown" for a folder without git
        assert prov.commit == head.stdout.strip()
    assert prov.lockfile_sha256 == file_digest(code / "uv.lock")


def test_programme_yml_and_recommendations_are_parameters(tmp_path, monkeypatch):
    folder = new_programme(tmp_path / "x", ["alfa"])
    monkeypatch.setenv("EVALKIT_ROOT", str(folder))
    params = load_all_params(folder)
    before = provenance.collect(folder, params).params_sha256
    programme = folder / "programme.yml"
    programme.write_text(programme.read_text(encoding="utf-8").replace("budget_eur: 250000", "budget_eur: 270000"),
                         encoding="utf-8")
    budget_changed = provenance.collect(folder, params).params_sha256
    # A budget changes every cost: editions built before and after must not pass as the same inputs.
    assert budget_changed != before
    (folder / "data" / "recommendations.yml").write_text("recommendations: []\n", encoding="utf-8")
    assert provenance.collect(folder, params).params_sha256 not in (before, budget_changed)
