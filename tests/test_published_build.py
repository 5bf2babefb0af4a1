"""One real build with the data outside the project, in a home-like folder, named by absolute path.

Nothing the build publishes (the site with its ``_sources/*.ipynb`` downloads, and the exported
numbers in ``_build/data/``) may name the user, the home folder or the project's absolute path;
and a goal text with quotes, ``--`` and ``...`` is shown exactly as written. (The PDF's appendix
is the same provenance page, checked without a build in test_published_paths.py.)
"""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from conftest import copy_project, run_evalkit

pytestmark = pytest.mark.slow
USER = "matti.virtanen"
GOAL = "\"Lainaus\" -- 'puoli' --- ja ..."


def test_a_build_with_data_in_a_home_folder_publishes_no_local_path(tmp_path):
    project = copy_project(tmp_path / "project")
    desktop = tmp_path / "home" / USER / "Työpöytä" / "pilotit"
    desktop.mkdir(parents=True)
    for params in sorted((project / "params").glob("*.yml")):
        text = params.read_text(encoding="utf-8")
        for key in ("data", "employers"):
            found = re.search(rf"^{key}: (\S+)", text, re.MULTILINE)
            if found:
                target = desktop / Path(found.group(1)).name
                if not target.exists():
                    shutil.copy(project / found.group(1), target)
                text = text.replace(found.group(0), f"{key}: {target}")
        if params.stem == "lappi":
            text += f"- text: '{GOAL.replace(chr(39), chr(39) * 2)}'\n"
        params.write_text(text, encoding="utf-8")

    result = run_evalkit(project, "build", "--no-pdf", "--jobs", "2")
    assert result.returncode == 0, result.stderr[-3000:]

    site = (project / "_build" / "html").resolve()
    sources = list((site / "_sources").rglob("*.ipynb"))
    assert len(sources) >= 14, sources
    leaks = {}
    for folder in (site, (project / "_build" / "data").resolve()):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                found = [word for word in (USER, "Työpöytä", str(project), str(tmp_path))
                         if word.encode() in data or word.encode("unicode_escape") in data]
                if found:
                    leaks[str(path.relative_to(folder))] = found
    assert leaks == {}

    lappi = html.unescape((site / "pilots" / "lappi.html").read_text(encoding="utf-8"))
    assert GOAL in lappi
    assert "participants.csv" in html.unescape((site / "national" / "provenance.html").read_text(encoding="utf-8"))
