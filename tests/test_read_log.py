"""What a page read, recorded and checked (evalkit.pipeline.read_log, runner's dependency records)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from evalkit.pipeline import read_log
from evalkit.pipeline.runner import NotebookJob, cache_key, why_run


@pytest.fixture
def recording(monkeypatch):
    """Record in this process with nothing ignored (pytest's folders are under the temporary folder)."""
    monkeypatch.setattr(read_log, "_system_prefixes", lambda: ())
    yield
    read_log.recorded()   # stop recording whatever the test did


def test_reads_and_listings_are_recorded_and_writes_are_not(recording, tmp_path):
    read, written, folder = tmp_path / "params.yml", tmp_path / "figure.png", tmp_path / "regional"
    read.write_text("a: 1\n", encoding="utf-8")
    folder.mkdir()
    read_log.start_recording(ignore=[str(tmp_path / "ignored")])
    read.read_text(encoding="utf-8")
    with open(read, "rb"):   # a second read of the same file is one entry
        pass
    written.write_bytes(b"png")
    os.listdir(folder)
    (tmp_path / "ignored").mkdir()
    os.listdir(tmp_path / "ignored")
    try:
        open(tmp_path / "absent.csv", encoding="utf-8")
    except FileNotFoundError:
        pass
    log = json.loads(read_log.recorded())
    assert sorted(log) == sorted(str(p.resolve()) for p in (read, folder, tmp_path / "absent.csv"))
    assert log[str(read.resolve())][0] == "file" and log[str(folder.resolve())][0] == "folder"
    assert log[str((tmp_path / "absent.csv").resolve())][1:] == [-1, -1]
    assert json.loads(read_log.recorded()) == {}   # recording stopped


def test_a_fingerprint_holds_contents_and_notices_a_change_during_the_run(recording, tmp_path):
    kept, changed, absent = tmp_path / "kept.csv", tmp_path / "changed.csv", tmp_path / "absent.csv"
    kept.write_text("x\n", encoding="utf-8")
    changed.write_text("x\n", encoding="utf-8")
    read_log.start_recording()
    kept.read_bytes()
    changed.read_bytes()
    try:
        absent.read_bytes()
    except FileNotFoundError:
        pass
    log = read_log.recorded()
    changed.write_text("x, longer\n", encoding="utf-8")   # after the page read it, before the build hashed it
    prints = read_log.fingerprint(log)
    import hashlib
    assert prints[str(kept.resolve())] == hashlib.sha256(b"x\n").hexdigest()
    assert prints[str(changed.resolve())] == read_log.CHANGED_DURING_RUN
    assert prints[str(absent.resolve())] == read_log.MISSING
    assert read_log.changed_reads(prints) == ["changed.csv"]
    absent.write_text("now here\n", encoding="utf-8")
    assert read_log.changed_reads(prints) == ["absent.csv", "changed.csv"]


def test_the_library_and_the_temporary_folder_are_not_dependencies():
    import pandas

    read_log.start_recording()
    (Path(pandas.__file__).parent / "__init__.py").read_bytes()
    assert json.loads(read_log.recorded()) == {}


def _job(tmp_path: Path, inputs=()) -> NotebookJob:
    template = tmp_path / "page.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), template)
    output = tmp_path / "out" / "page.ipynb"
    output.parent.mkdir(exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(), output)
    return NotebookJob(name="page", template=template, output=output, parameters={"root": str(tmp_path)},
                       context={}, lang="fi", inputs=tuple(inputs), deps_file=tmp_path / "deps" / "page.json")


def _record(job: NotebookJob, key: str, parts: dict, reads: dict) -> None:
    job.deps_file.parent.mkdir(exist_ok=True)
    job.deps_file.write_text(json.dumps({"cache_key": key, "key_parts": parts, "reads": reads,
                                         "output": read_log.current(str(job.output))}), encoding="utf-8")


def test_a_page_is_reused_only_when_its_record_its_reads_and_its_output_hold(tmp_path):
    read = tmp_path / "goals.yml"
    read.write_text("target: 0.25\n", encoding="utf-8")
    job = _job(tmp_path)
    key, parts = cache_key(job, "code")
    assert why_run(job, key, parts) == "no record of what it read"
    _record(job, key, parts, {str(read): read_log.current(str(read))})
    assert why_run(job, key, parts) is None
    read.write_text("target: 0.10\n", encoding="utf-8")
    assert why_run(job, key, parts) == "changed: read:goals.yml"
    _record(job, key, parts, {str(read): read_log.current(str(read))})
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("edited")]), job.output)
    assert why_run(job, key, parts) == "its executed notebook was changed or replaced"
    job.output.unlink()
    assert why_run(job, key, parts) == "no previous output"


def test_inputs_in_folders_of_their_own_are_keyed_apart(tmp_path):
    """Extracts delivered as data/<pilot>/participants.csv share a file name, not a key part."""
    for pilot in ("lappi", "hame"):
        (tmp_path / "data" / pilot).mkdir(parents=True)
        (tmp_path / "data" / pilot / "participants.csv").write_text(f"{pilot}\n", encoding="utf-8")
    job = _job(tmp_path, [tmp_path / "data" / p / "participants.csv" for p in ("lappi", "hame")])
    key, parts = cache_key(job, "code")
    assert {"input:data/lappi/participants.csv", "input:data/hame/participants.csv"} <= set(parts)
    _record(job, key, parts, {})
    (tmp_path / "data" / "hame" / "participants.csv").write_text("hame, changed\n", encoding="utf-8")
    key2, parts2 = cache_key(job, "code")
    assert why_run(job, key2, parts2) == "changed: input:data/hame/participants.csv"


def test_a_folder_input_changes_when_a_file_appears_in_it(tmp_path):
    (tmp_path / "data").mkdir()
    before = read_log.current(str(tmp_path / "data"))
    (tmp_path / "data" / "regional").mkdir()
    (tmp_path / "data" / "regional" / "lappi.csv").write_text("month,count\n", encoding="utf-8")
    assert read_log.current(str(tmp_path / "data")) != before


def test_a_file_an_earlier_page_cached_is_read_again_and_recorded(recording, tmp_path):
    """The warm kernel serves many pages: a cached read must not vanish from the next page's record."""
    from evalkit.reported import load_pilots

    facts = tmp_path / "pilots.yml"
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "reported" / "pilots.yml", facts)
    for _page in range(2):
        read_log.start_recording()
        load_pilots(facts)
        assert str(facts.resolve()) in json.loads(read_log.recorded())
