"""The default programme as data publishes the same numbers as the code that named its pilots did.

``tests/data/default_exports/indicators.csv`` is the export of commit 7da4827 (before programme.yml),
made by ``write_exports(national_indicators(load_all_params(), load_pilots().budgets), folder)``; the
JSON and Excel exports are pinned by their digests. A build's ``_build/data`` is these files.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from evalkit.params import load_all_params
from evalkit.pipeline.exports import national_indicators, write_exports
from evalkit.programme import programme_at

ROOT = Path(__file__).resolve().parents[1]
SAVED = Path(__file__).parent / "data" / "default_exports"
DIGESTS = {
    "indicators.json": "1eb793c07111bafe515d2dd7689527797635f6742de93e48fb67b5299c91c79d",
    "indicators.xlsx": "4ecaddbbf3a2123eca6be71b72de007e25c8b98fc3fbeb5672d72d6cccf9b117",
}


def test_the_default_programmes_exports_are_byte_for_byte_those_of_the_code_before(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_ROOT", str(ROOT))
    written = write_exports(national_indicators(load_all_params(ROOT), programme_at(ROOT).budgets), tmp_path)
    assert {p.name for p in written} == {"indicators.csv", "indicators.json", "indicators.xlsx"}
    assert (tmp_path / "indicators.csv").read_bytes() == (SAVED / "indicators.csv").read_bytes()
    for name, digest in DIGESTS.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest, name
