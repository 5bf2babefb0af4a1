"""The last exports are reused only when made from the same inputs and untouched (exports.cached_exports)."""
from __future__ import annotations

import shutil
from pathlib import Path

from evalkit.params import load_all_params
from evalkit.pipeline import exports
from evalkit.pipeline.exports import EXPORT_NAMES, cached_exports, exports_key

ROOT = Path(__file__).resolve().parents[1]


def _computing(monkeypatch) -> list[int]:
    """Count the computations; each writes its number into every file (a reused file keeps the old one)."""
    calls: list[int] = []

    def national_indicators(params, budgets):
        calls.append(len(calls) + 1)
        return len(calls)

    def write_exports(number, folder):
        folder.mkdir(parents=True, exist_ok=True)
        for name in EXPORT_NAMES:
            (folder / name).write_text(f"computation {number}\n", encoding="utf-8")
        return [folder / name for name in EXPORT_NAMES]

    monkeypatch.setattr(exports, "national_indicators", national_indicators)
    monkeypatch.setattr(exports, "write_exports", write_exports)
    return calls


def test_exports_are_copied_only_from_the_same_inputs_untouched(monkeypatch, tmp_path):
    calls = _computing(monkeypatch)
    cache = tmp_path / "cache"

    def made(key: str, n: int) -> str:
        out = tmp_path / f"stage{n}"
        written = cached_exports({}, {}, out, cache, lambda: key)
        assert [p.name for p in written] == list(EXPORT_NAMES)
        return {(out / name).read_text(encoding="utf-8") for name in EXPORT_NAMES}.pop()

    assert made("k1", 1) == "computation 1\n"
    assert made("k1", 2) == "computation 1\n" and calls == [1]   # the same inputs: copied
    assert made("k2", 3) == "computation 2\n"                    # other inputs: computed
    (cache / "indicators.json").write_text("edited\n", encoding="utf-8")
    assert made("k2", 4) == "computation 3\n"                    # a kept file changed: computed
    (cache / "kept.json").unlink()
    assert made("k2", 5) == "computation 4\n"                    # no record (a build killed while keeping)
    shutil.rmtree(cache)
    assert made("k2", 6) == "computation 5\n"

    # A data file changed while the exports were computed: they are not kept under either key.
    keys = iter(["k3", "k4"])
    cached_exports({}, {}, tmp_path / "stage7", cache, lambda: next(keys))
    assert not (cache / "kept.json").exists()
    assert made("k3", 8) == "computation 7\n"


def test_the_exports_key_holds_every_input(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(ROOT / "params", project / "params")
    shutil.copytree(ROOT / "data", project / "data")
    shutil.copy(ROOT / "programme.yml", project / "programme.yml")
    params = load_all_params(project)
    key = exports_key(params, project / "programme.yml", "code")
    assert exports_key(load_all_params(project), project / "programme.yml", "code") == key
    assert exports_key(params, project / "programme.yml", "other code") != key
    register = project / "data" / "demo" / "participants.csv"
    register.write_text(register.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert exports_key(params, project / "programme.yml", "code") != key
    key = exports_key(params, project / "programme.yml", "code")
    text = (project / "programme.yml").read_text(encoding="utf-8")
    (project / "programme.yml").write_text(text + "\n# budgets corrected\n", encoding="utf-8")
    assert exports_key(params, project / "programme.yml", "code") != key
    later = {pid: p.model_copy(update={"as_of": p.as_of.replace(day=1)}) if pid == "lappi" else p
             for pid, p in params.items()}
    assert exports_key(later, project / "programme.yml", "code") != exports_key(
        params, project / "programme.yml", "code")
