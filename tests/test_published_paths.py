"""What a build publishes names no local folder: no home folder, no user name, no absolute path.

The data may lie outside the project (``/home/matti.virtanen/Työpöytä/...``), named by absolute
path in a params file. The provenance table (HTML and the PDF appendix), the page footer, the
PDF's keywords and the published notebooks (``_sources/*.ipynb``) then name a file relative to
the project, or by its name alone with its digest.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import nbformat

from evalkit.editions import edition
from evalkit.params import load_all_params
from evalkit.pipeline import pages, provenance
from evalkit.pipeline.orchestrate import make_jobs
from evalkit.pipeline.runner import NotebookJob, _publish_executed

USER = "matti.virtanen"
HETU = "131052-308T"   # valid: 131052308 mod 31 = 26 -> "T"


def _data_at_home(project: Path, home: Path) -> Path:
    """Copy the pilots' data under a home-like folder and name it there by absolute path in every params file."""
    desktop = home / USER / "Työpöytä" / "pilotit"
    desktop.mkdir(parents=True)
    for params in sorted((project / "params").glob("*.yml")):
        text = params.read_text(encoding="utf-8")
        data = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("data:"))
        target = desktop / Path(data).name
        if not target.exists():
            shutil.copy(project / data, target)
        params.write_text(text.replace(f"data: {data}", f"data: {target}"), encoding="utf-8")
    return desktop


def _leaks(text: str, *absolute: Path) -> list[str]:
    return [word for word in (USER, "Työpöytä", HETU, *map(str, absolute)) if word in text]


def test_provenance_names_outside_files_by_name_and_inside_files_relatively(project, tmp_path):
    desktop = _data_at_home(project, tmp_path / "home")
    params = load_all_params(project)
    prov = provenance.collect(project, params, now=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    names = [name for name, _ in prov.data_files]
    assert "participants.csv" in names
    assert all(not name.startswith("/") for name in names), names
    assert any(name.startswith("data/reported/") for name in names)
    page = pages.write_provenance_page(tmp_path / "pages", prov, []).read_text(encoding="utf-8")
    published = page + pages.footer_html(prov) + pages.pdf_keywords(prov)
    assert _leaks(published, project, tmp_path, desktop) == []
    assert "participants\\.csv" in page   # escaped as literal text


def test_page_notebooks_are_given_paths_relative_to_the_project(project, tmp_path):
    _data_at_home(project, tmp_path / "home")
    jobs = make_jobs(project, edition(project, "fi"), project / "_build")
    assert len(jobs) >= 9
    for job in jobs:
        assert job.cwd == project
        for name, value in job.parameters.items():
            assert not (isinstance(value, str) and (value.startswith("/") or USER in value)), (job.name, name)
        assert job.parameters["root"] == "."
        assert (project / job.parameters["page_dir"]).resolve() == job.output.parent.resolve()
    lappi = next(job for job in jobs if job.name == "lappi")
    assert lappi.parameters["params_file"] == "params/lappi.yml"


def test_a_published_notebook_keeps_no_absolute_parameter(tmp_path):
    # As `evalkit pilot` runs its page: absolute parameters, the kernel in the project folder.
    project, stage = tmp_path / "project", tmp_path / "home" / USER / "Työpöytä" / HETU / "stage"
    job = NotebookJob(name="lappi", template=project / "t.ipynb", output=stage / "pages" / "index.ipynb",
                      parameters={"pilot_id": "lappi", "params_file": str(stage / "params.yml"), "lang": "fi",
                                  "root": str(project), "page_dir": str(stage / "pages"), "page_name": "index",
                                  "note": f"asiakas {HETU}"},
                      context={}, lang="fi")
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('root = "."', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(f'# Parameters\nroot = "{project}"\n', metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_markdown_cell("Teksti")])
    (stage / "pages").mkdir(parents=True)
    executed = stage / "pages" / ".out.ipynb"
    nbformat.write(notebook, executed)
    _publish_executed(job, executed, "key", {})
    text = job.output.read_text(encoding="utf-8")
    assert _leaks(text, project, tmp_path, stage) == []
    injected = nbformat.read(job.output, as_version=4).cells[1].source
    values: dict = {}
    exec(injected, values)
    assert {k: values[k] for k in job.parameters} == {
        "pilot_id": "lappi", "params_file": "params.yml", "lang": "fi", "root": ".", "page_dir": "pages",
        "page_name": "index", "note": "asiakas <identity code>"}


def test_the_pilot_folders_marker_names_no_home_folder(tmp_path, monkeypatch):
    import datetime as dt

    from evalkit.pipeline.pilot_report import ReportInputs, _marker

    home = tmp_path / "home" / "matti.virtanen" / "Työpöytä"
    monkeypatch.chdir("/")
    inputs = ReportInputs("lappi", home / "lappi.csv", dt.date(2023, 12, 31), home / "employers.csv", (), (),
                          home / "lappi.yml")
    text = str(_marker(inputs, "fi"))
    assert "matti.virtanen" not in text and "Työpöytä" not in text and str(tmp_path) not in text
    assert "lappi.csv" in text


def test_a_pages_default_parameters_are_its_own_not_the_templates_pilots(tmp_path):
    from types import SimpleNamespace

    from evalkit.pipeline.runner import _page_defaults

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell('pilot_id = "lappi"\nparams_file = "params/lappi.yml"\nextra = 1',
                                                metadata={"tags": ["parameters"]})]
    job = SimpleNamespace(cwd=tmp_path, parameters={"pilot_id": "north", "params_file": str(tmp_path / "params" /
                                                                                              "north.yml")})
    _page_defaults(notebook, job)
    source = notebook.cells[0].source
    assert 'pilot_id = "north"' in source and 'params_file = "params/north.yml"' in source
    assert "lappi" not in source and "extra = 1" in source   # a default the page is not given stays
