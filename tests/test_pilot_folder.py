"""A pilot's report folder is its workplace too (issue 19): a rerun of `evalkit pilot` replaces only
what evalkit wrote and nobody changed, and stages where a copy of the register cannot be published.

These run the real `evalkit pilot` command with its two heavy steps faked (executing a notebook and
Jupyter Book): the inputs are copied, the self-assessment notebook is made from the real template,
and the folder is filled, recorded and replaced by the real code. Each faked run writes the run's
number into its pages, so that a replaced file can be told from a kept one. The real runs, killed
and interrupted, are in tests/test_pilot_interrupt.py.
"""
from __future__ import annotations

import json
import os
import signal
import stat
from pathlib import Path

import nbformat
import pytest
import yaml

from evalkit import cli
from evalkit.pipeline import book, pilot_report, report_folder, self_assessment
from evalkit.pipeline.report_folder import MARKER, STAGE_PREFIX
from evalkit.pipeline.runner import JobResult

ROOT = Path(__file__).resolve().parents[1]
HEADER = ("person_id,pilot_id,service,start_date,end_date,age,sex,basis,unemployment_months,"
          "was_start,was_end,status_3m,status_6m,status_12m,cost_eur")
ROW = "{},lappi,coaching,2022-01-10,2022-06-30,34,F,diagnosis,12,5,7,employed_open,unemployed,,1200"
HETU = "131052-308T"
NOTEBOOK = "lappi-self-assessment.ipynb"


class FakeBuild:
    """Stands in for papermill and Jupyter Book; counts runs and remembers where it was asked to write."""

    def __init__(self, monkeypatch):
        self.runs = 0
        self.outputs: list[Path] = []
        self.fail = False
        self.on_execute = None
        monkeypatch.setattr(pilot_report, "execute_job", self.execute)
        monkeypatch.setattr(book, "jupyter_book", self.jupyter_book)

    def execute(self, job, key, parts, reason):
        self.outputs.append(job.output)
        if self.on_execute:
            self.on_execute(job)
        if self.fail:
            return JobResult(job.name, "failed", reason, error="RuntimeError: broken")
        job.output.parent.mkdir(parents=True, exist_ok=True)
        if job.book_page:
            self.runs += 1
            job.output.write_text(f"page of run {self.runs}", encoding="utf-8")
        else:   # the self-assessment notebook as made from the template, "executed" in this run
            notebook = nbformat.read(job.template, as_version=4)
            notebook.metadata["run"] = self.runs
            nbformat.write(notebook, job.output)
        return JobResult(job.name, "built", reason)

    def jupyter_book(self, source, config, toc, output, builder):
        html = output / "_build" / "html"
        (html / "_static").mkdir(parents=True)
        (html / "index.html").write_text(f"report of run {self.runs}", encoding="utf-8")
        (html / "_static" / "style.css").write_text("body {}", encoding="utf-8")


@pytest.fixture
def fake(monkeypatch):
    return FakeBuild(monkeypatch)


def extract(folder: Path, name: str = "participants.csv", rows: int = 3) -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *(ROW.format(f"p{i}") for i in range(rows))]) + "\n", encoding="utf-8")
    return path


def pilot(capsys, data: Path, out: Path) -> tuple[int, list[str]]:
    code = cli.main(["pilot", "lappi", "--data", str(data), "--as-of", "2023-12-31", "--out", str(out), "--no-pdf"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, [line for line in err.splitlines() if "running the" not in line and "building the" not in line]


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def dated(out: Path, rel: str) -> list[str]:
    path = Path(rel)
    return sorted(p.relative_to(out).as_posix() for p in (out / path.parent).glob(f"{path.stem}.20*{path.suffix}"))


@pytest.fixture
def first(tmp_path, capsys, fake):
    """A report folder after one run."""
    data = extract(tmp_path)
    out = tmp_path / "report"
    code, lines = pilot(capsys, data, out)
    assert code == 0 and lines == [], lines
    return data, out


# ---------------------------------------------------------------- what a rerun keeps

def test_the_pilots_own_files_survive_a_rerun_and_it_is_told_in_one_line(first, capsys):
    data, out = first
    own = {"notes.txt": b"mine", "analysis/deep/plot.py": b"print(1)", "private-data/own-extra.xlsx": b"PK",
           "_static/my-logo.png": b"\x89PNG"}
    for rel, content in own.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(content)
    code, lines = pilot(capsys, data, out)
    assert code == 0
    assert {rel: (out / rel).read_bytes() for rel in own} == own
    assert (out / "index.html").read_text(encoding="utf-8") == "report of run 2"   # evalkit's: replaced
    assert len(lines) == 1, lines
    for entry in ("notes.txt", "analysis/", "private-data/own-extra.xlsx", "_static/my-logo.png"):
        assert entry in lines[0]
    assert "analysis/deep" not in lines[0]   # a folder of the pilot's own is named once


def test_a_changed_notebook_is_kept_under_a_dated_name_and_its_own_cells_carried(first, capsys):
    data, out = first
    notebook = nbformat.read(out / NOTEBOOK, as_version=4)
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    parameters.source = parameters.source.replace('"target": 0.25', '"target": 0.4')
    mine = nbformat.v4.new_code_cell("indicators.query('horizon_months == 6')", execution_count=7,
                                     outputs=[nbformat.v4.new_output("stream", text="old numbers")])
    notebook.cells += [mine, nbformat.v4.new_markdown_cell("What we learnt")]
    nbformat.write(notebook, out / NOTEBOOK)
    changed = (out / NOTEBOOK).read_bytes()
    code, lines = pilot(capsys, data, out)
    assert code == 0
    [kept] = dated(out, NOTEBOOK)
    assert (out / kept).read_bytes() == changed
    new = nbformat.read(out / NOTEBOOK, as_version=4)
    assert new.metadata["run"] == 2   # this run's notebook (the first run's says 1)
    assert [c.source for c in new.cells[-2:]] == [mine.source, "What we learnt"]
    assert new.cells[-2].outputs == [] and new.cells[-2].execution_count is None   # old outputs: old data
    assert sum(c.source == mine.source for c in new.cells) == 1
    assert len(lines) == 1 and f"kept {NOTEBOOK} as {kept}" in lines[0] and "2 own-analysis cell(s)" in lines[0]
    from evalkit.commands import lab

    assert lab.find_notebook(out) == (out / NOTEBOOK).resolve()   # `evalkit lab` opens the new one
    # Run again without touching it: the carried cells stay, no further dated copy.
    code, lines = pilot(capsys, data, out)
    assert code == 0 and dated(out, NOTEBOOK) == [kept]
    assert [c.source for c in nbformat.read(out / NOTEBOOK, as_version=4).cells[-2:]] == \
        [mine.source, "What we learnt"]
    assert len(lines) == 2 and "carried your 2 own-analysis cell(s)" in lines[0]
    assert lines[1] == f"evalkit pilot: kept your own file(s), not written by evalkit: {kept}"


def test_an_edited_params_copy_is_kept_and_the_pilot_told_where_the_goals_come_from(first, capsys):
    data, out = first
    params = out / "private-data" / "lappi.yml"
    edited = params.read_text(encoding="utf-8").replace("target: 0.25", "target: 0.4")
    assert edited != params.read_text(encoding="utf-8")
    params.write_text(edited, encoding="utf-8")
    code, lines = pilot(capsys, data, out)
    assert code == 0
    [kept] = dated(out, "private-data/lappi.yml")
    assert (out / kept).read_text(encoding="utf-8") == edited
    assert yaml.safe_load(params.read_text(encoding="utf-8"))["goals"][0]["target"] == 0.25   # evalkit's again
    assert len(lines) == 1 and "kept private-data/lappi.yml as" in lines[0] and "params/lappi.yml" in lines[0]


def test_any_changed_file_evalkit_wrote_is_kept_rewritten_or_not(first, tmp_path, capsys):
    data, out = first
    (out / "index.html").write_text("my edit", encoding="utf-8")
    (out / "private-data" / "participants.csv").write_text("my corrected extract", encoding="utf-8")
    other = extract(tmp_path, "extract-2.csv")   # this run copies another file: participants.csv is not rewritten
    code, lines = pilot(capsys, other, out)
    assert code == 0
    [kept] = dated(out, "index.html")
    assert (out / kept).read_text(encoding="utf-8") == "my edit"
    assert (out / "private-data" / "participants.csv").read_text(encoding="utf-8") == "my corrected extract"
    assert len(lines) == 2, lines
    assert "kept index.html as" in lines[0] and "kept private-data/participants.csv as it is" in lines[1]


def test_files_evalkit_wrote_and_nobody_changed_are_replaced_or_removed(first, tmp_path, capsys):
    data, out = first
    before = json.loads((out / MARKER).read_text(encoding="utf-8"))["files"]
    assert before == report_folder.written_files(out)
    assert {"index.html", "_static/style.css", NOTEBOOK, "private-data/participants.csv",
            "private-data/lappi.yml", "private-data/programme.yml"} <= set(before)
    code, lines = pilot(capsys, extract(tmp_path, "extract-2.csv"), out)
    assert code == 0 and lines == []
    assert not (out / "private-data" / "participants.csv").exists()   # a stale copy of person data
    assert (out / "private-data" / "extract-2.csv").is_file()
    assert json.loads((out / MARKER).read_text(encoding="utf-8"))["files"] == report_folder.written_files(out)


def test_a_file_of_the_pilots_where_evalkit_now_writes_is_kept(first, capsys, monkeypatch):
    data, out = first
    monkeypatch.setattr(pilot_report, "_build_report_pdf",
                        lambda *args: (args[-1] / "report.pdf").write_bytes(b"%PDF evalkit's"))
    (out / "report.pdf").write_bytes(b"%PDF my own")   # the report was built with --no-pdf
    code = cli.main(["pilot", "lappi", "--data", str(data), "--as-of", "2023-12-31", "--out", str(out)])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("evalkit pilot: kept")]
    assert code == 0
    [kept] = dated(out, "report.pdf")
    assert (out / kept).read_bytes() == b"%PDF my own"
    assert (out / "report.pdf").read_bytes() == b"%PDF evalkit's"
    assert lines == [f"evalkit pilot: kept report.pdf as {kept}: yours: evalkit did not write it before and "
                     "writes a file of that name now"]


def test_a_report_of_an_older_evalkit_keeps_whatever_differs(tmp_path, capsys, fake):
    out = tmp_path / "report"
    (out / "private-data").mkdir(parents=True)
    (out / MARKER).write_text(json.dumps({"pilot_id": "lappi", "notebook": NOTEBOOK}), encoding="utf-8")
    (out / "index.html").write_text("previous report", encoding="utf-8")
    (out / NOTEBOOK).write_text("{}", encoding="utf-8")
    (out / "private-data" / "lappi.yml").write_text("pilot_id: lappi\n", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    code, lines = pilot(capsys, extract(tmp_path), out)
    assert code == 0
    earlier = {"index.html": "previous report", NOTEBOOK: "{}", "private-data/lappi.yml": "pilot_id: lappi\n"}
    for rel, content in earlier.items():
        [kept] = dated(out, rel)
        assert (out / kept).read_text(encoding="utf-8") == content
        assert any(f"kept {rel} as {kept}: an older evalkit" in line for line in lines), lines
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert json.loads((out / MARKER).read_text(encoding="utf-8"))["format"] == report_folder.MARKER_FORMAT


def test_an_identity_code_in_a_kept_file_name_is_never_printed(first, capsys):
    data, out = first
    (out / f"muistio {HETU}.txt").write_text("mine", encoding="utf-8")
    (out / "index.html").rename(out / f"{HETU}.html")   # not the name evalkit wrote: the pilot's own
    code, lines = pilot(capsys, data, out)
    assert code == 0
    assert (out / f"muistio {HETU}.txt").read_text(encoding="utf-8") == "mine"
    assert lines and not any(HETU in line or HETU[:6] in line for line in lines), lines


def test_a_dated_name_never_overwrites(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("sub/a.2026-12-06T1412.ipynb", "sub/a.2026-12-06T1412-2.ipynb"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert report_folder.dated_name("sub/a.ipynb", tmp_path, "2026-12-06T1412") == "sub/a.2026-12-06T1412-3.ipynb"
    assert report_folder.dated_name(".buildinfo", tmp_path, "S") == ".buildinfo.S"


def test_a_failed_run_leaves_an_earlier_report_and_a_new_folder_as_they_were(first, tmp_path, capsys, fake):
    data, out = first
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    before = files(out)
    fake.fail = True
    code, _ = pilot(capsys, data, out)
    assert code != 0 and files(out) == before
    new = tmp_path / "new"
    code, _ = pilot(capsys, data, new)
    assert code != 0 and not new.exists()


def _own_notebooks(tmp_path, edit):
    from evalkit.i18n import set_language

    set_language("fi")
    files = self_assessment.OwnFiles("private-data/p.csv", "2023-12-31", "private-data/lappi.yml", None,
                                     "private-data/programme.yml")
    made = self_assessment.make_notebook(ROOT / "book" / "templates" / "pilot.ipynb", {
        "project_name": "P", "region": "Lappi", "pilot_id": "lappi", "heading": "Lappi: P", "project_sentence": ""},
        self_assessment.parameters_source("lappi", files, []))
    earlier, new = tmp_path / "earlier.ipynb", tmp_path / "new.ipynb"
    nbformat.write(made, new)
    edit(made)
    nbformat.write(made, earlier)
    return earlier, new


def test_own_cells_are_found_in_a_notebook_of_an_older_evalkit_by_their_heading(tmp_path):
    def older_with_own_cells(notebook):
        start = self_assessment.own_section(notebook)
        notebook.cells[start].metadata.pop("tags")   # older notebooks had no tag
        notebook.cells[-1].source = "indicators.head()"   # the empty cell, filled in
    earlier, new = _own_notebooks(tmp_path, older_with_own_cells)
    assert self_assessment.carry_own_analysis(earlier, new) == 1
    result = nbformat.read(new, as_version=4)
    assert result.cells[-1].source == "indicators.head()"
    assert self_assessment.OWN_TAG in result.cells[self_assessment.own_section(result)].metadata["tags"]


def test_an_edited_own_heading_is_carried_and_an_untouched_section_changes_nothing(tmp_path):
    def edit_heading(notebook):
        notebook.cells[self_assessment.own_section(notebook)].source += "\n\nOur question: who stays?"
    earlier, new = _own_notebooks(tmp_path, edit_heading)
    assert self_assessment.carry_own_analysis(earlier, new) == 1
    result = nbformat.read(new, as_version=4)
    assert result.cells[self_assessment.own_section(result)].source.endswith("Our question: who stays?")
    earlier, new = _own_notebooks(tmp_path, lambda notebook: None)
    before = new.read_bytes()
    assert self_assessment.carry_own_analysis(earlier, new) == 0 and new.read_bytes() == before


# ---------------------------------------------------------------- staging

def test_staging_is_a_private_folder_inside_private_data_never_beside_the_report(tmp_path, capsys, fake):
    (tmp_path / "www").mkdir()
    out = tmp_path / "www" / "report"
    seen = []
    fake.on_execute = lambda job: seen.append((sorted(p.name for p in out.parent.iterdir()),
                                               stat.S_IMODE(job.output.parent.parent.stat().st_mode)))
    code, _ = pilot(capsys, extract(tmp_path), out)
    assert code == 0
    for output in fake.outputs:
        assert output.is_relative_to(out / "private-data")
        assert output.relative_to(out / "private-data").parts[0].startswith(STAGE_PREFIX)
    assert seen and all(names == ["report"] for names, _ in seen)   # nothing else beside the report
    assert all(mode == 0o700 for _, mode in seen)
    assert not [p for p in (out / "private-data").iterdir() if p.name.startswith(STAGE_PREFIX)]


def test_stale_staging_folders_are_swept_at_the_next_start_and_live_ones_left(first, tmp_path, capsys):
    import fcntl

    data, out = first
    stale = out / "private-data" / f"{STAGE_PREFIX}killed"
    (stale / "own" / "private-data").mkdir(parents=True)
    (stale / ".lock").write_text("", encoding="utf-8")
    (stale / "own" / "private-data" / "participants.csv").write_text("person-level", encoding="utf-8")
    legacy = tmp_path / ".report-building-abc123"   # where versions before this one staged
    legacy.mkdir()
    (legacy / "participants.csv").write_text("person-level", encoding="utf-8")
    live = out / "private-data" / f"{STAGE_PREFIX}live"
    live.mkdir()
    handle = os.open(live / ".lock", os.O_CREAT | os.O_RDWR)
    fcntl.flock(handle, fcntl.LOCK_EX)   # as a run in progress holds it
    try:
        code, lines = pilot(capsys, data, out)
    finally:
        os.close(handle)
    assert code == 0
    assert not stale.exists() and not legacy.exists() and live.is_dir()
    assert lines == ["evalkit pilot: removed 2 staging folder(s) an interrupted run left behind"]


def test_a_first_run_killed_does_not_block_the_next(tmp_path, capsys, fake):
    out = tmp_path / "report"
    (out / "private-data" / f"{STAGE_PREFIX}killed").mkdir(parents=True)
    (out / "private-data" / f"{STAGE_PREFIX}killed" / ".lock").write_text("", encoding="utf-8")
    code, lines = pilot(capsys, extract(tmp_path), out)
    assert code == 0 and (out / "index.html").is_file(), lines


# ---------------------------------------------------------------- SIGTERM

def test_sigterm_is_handled_like_ctrl_c(first, capsys, fake):
    data, out = first
    before = files(out)
    fake.on_execute = lambda job: os.kill(os.getpid(), signal.SIGTERM)

    def not_handled(signum, frame):
        raise AssertionError("evalkit left SIGTERM unhandled")

    previous = signal.signal(signal.SIGTERM, not_handled)
    try:
        code = cli.main(["pilot", "lappi", "--data", str(data), "--as-of", "2023-12-31", "--out", str(out),
                         "--no-pdf"])
        assert signal.getsignal(signal.SIGTERM) is not_handled   # given back after the command
    finally:
        signal.signal(signal.SIGTERM, previous)
    err = capsys.readouterr().err
    assert code == 143
    assert err.splitlines()[-1] == "evalkit pilot: interrupted; previous outputs left as they were"
    assert files(out) == before
