"""The installed environment works from a checkout whose path has a non-ASCII letter, under any locale.

Python 3.11 reads ``.pth`` files in the locale's encoding (ASCII under ``LC_ALL=C``) and stops
with a fatal error at a byte it cannot decode. An editable install that writes the checkout's
path into a ``.pth`` therefore breaks every command in ``/home/mäkelä/evalkit``; the path must
live in a ``.py`` file (read as UTF-8) instead. Measured once by hand: a clone in ``/tmp/ä-test/``
then ``LC_ALL=C .venv/bin/evalkit --help``.
"""
from __future__ import annotations

import site
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _pth_files() -> list[Path]:
    folders = [Path(p) for p in site.getsitepackages() if Path(p).is_dir()]
    return [pth for folder in folders for pth in folder.glob("*.pth")]


@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="runs in the project's virtual environment")
def test_no_pth_file_holds_the_checkouts_path_or_anything_but_ascii():
    files = _pth_files()
    assert files, "the environment has no .pth file at all: is evalkit installed editable?"
    for pth in files:
        data = pth.read_bytes()
        assert data.isascii(), pth
        assert str(ROOT).encode() not in data and str(ROOT / "src").encode() not in data, pth


def test_evalkit_is_imported_from_this_checkout():
    import evalkit

    assert Path(evalkit.__file__).resolve().is_relative_to(ROOT / "src")
