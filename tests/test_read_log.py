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


def test_reads_listings_probes_and_writes_are_recorded_apart(recording, tmp_path):
    read, written, folder = tmp_path / "params.yml", tmp_path / "figure.png", tmp_path / "regional"
    read.write_text("a: 1\n", encoding="utf-8")
    folder.mkdir()
    (tmp_path / "ignored").mkdir()
    read_log.start_recording(ignore=[str(tmp_path / "ignored")], project=str(tmp_path))
    read.read_text(encoding="utf-8")
    with open(read, "rb"):   # a second read of the same file is one entry
        pass
    written.write_bytes(b"png")
    os.listdir(folder)
    os.listdir(tmp_path / "ignored")
    try:
        open(tmp_path / "absent.csv", encoding="utf-8")
    except FileNotFoundError:
        pass
    assert not (tmp_path / "SYNTHETIC.json").exists()   # asked, not read: its appearing matters all the same
    log = json.loads(read_log.recorded())
    # Inside the project, paths are relative to it: a project copied with its build checks its own files.
    assert log["reads"] == {"params.yml": ["file", *log["reads"]["params.yml"][1:]],
                            "regional": ["folder", *log["reads"]["regional"][1:]],
                            "absent.csv": ["file", -1, -1], "SYNTHETIC.json": ["probe", -1, -1]}
    assert log["writes"] == ["figure.png"]
    assert json.loads(read_log.recorded()) == {"reads": {}, "writes": [], "made": []}   # recording stopped


def test_a_probed_file_that_is_then_read_is_recorded_as_read(recording, tmp_path):
    data = tmp_path / "participants.csv"
    data.write_text("x\n", encoding="utf-8")
    read_log.start_recording(project=str(tmp_path))
    assert data.is_file()
    data.read_bytes()
    assert json.loads(read_log.recorded())["reads"]["participants.csv"][0] == "file"


def test_a_fingerprint_holds_contents_and_notices_a_change_during_the_run(recording, tmp_path):
    kept, changed, absent = tmp_path / "kept.csv", tmp_path / "changed.csv", tmp_path / "absent.csv"
    kept.write_text("x\n", encoding="utf-8")
    changed.write_text("x\n", encoding="utf-8")
    read_log.start_recording(project=str(tmp_path))
    kept.read_bytes()
    changed.read_bytes()
    try:
        absent.read_bytes()
    except FileNotFoundError:
        pass
    log = read_log.recorded()
    changed.write_text("x, longer\n", encoding="utf-8")   # after the page read it, before the build hashed it
    prints = read_log.fingerprint(log, tmp_path)["reads"]
    import hashlib
    assert prints["kept.csv"] == hashlib.sha256(b"x\n").hexdigest()
    assert prints["changed.csv"] == read_log.CHANGED_DURING_RUN
    assert prints["absent.csv"] == read_log.MISSING
    assert read_log.changed(prints, tmp_path) == ["changed.csv"]
    absent.write_text("now here\n", encoding="utf-8")
    assert read_log.changed(prints, tmp_path) == ["absent.csv", "changed.csv"]


def test_a_project_copied_with_its_records_checks_its_own_files(recording, tmp_path):
    original, copy = tmp_path / "a", tmp_path / "b"
    (original / "params").mkdir(parents=True)
    (original / "params" / "lappi.yml").write_text("target: 0.25\n", encoding="utf-8")
    read_log.start_recording(project=str(original))
    (original / "params" / "lappi.yml").read_bytes()
    prints = read_log.fingerprint(read_log.recorded(), original)["reads"]
    shutil.copytree(original, copy)
    assert read_log.changed(prints, copy) == []
    (copy / "params" / "lappi.yml").write_text("target: 0.10\n", encoding="utf-8")
    assert read_log.changed(prints, copy) == ["lappi.yml"]
    assert read_log.changed(prints, original) == []


def test_reads_while_importing_belong_to_every_later_page_of_the_kernel(recording, tmp_path, monkeypatch):
    """A project module stays imported in a warm kernel: the second page does not open it again."""
    (tmp_path / "regions.txt").write_text("Lappi\n", encoding="utf-8")
    (tmp_path / "ownmodule_i19.py").write_text(
        "from pathlib import Path\nNAMES = Path(__file__).with_name('regions.txt').read_text()\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    for _page in range(2):
        read_log.start_recording(project=str(tmp_path))
        import ownmodule_i19  # noqa: F401 (imported by the first page only)
        reads = json.loads(read_log.recorded())["reads"]
        assert {"ownmodule_i19.py", "regions.txt"} <= set(reads), reads
    read_log._import_reads.clear()


def test_a_page_listing_the_project_folder_depends_on_it(recording, tmp_path, monkeypatch):
    """The import system lists sys.path's folders; a page listing the project folder itself is recorded."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    read_log.start_recording(project=str(tmp_path))
    sorted(p.name for p in tmp_path.glob("*.yml"))
    assert json.loads(read_log.recorded())["reads"]["."][0] == "folder"


def test_the_library_and_the_temporary_folder_are_not_dependencies():
    import pandas

    read_log.start_recording()
    (Path(pandas.__file__).parent / "__init__.py").read_bytes()
    assert json.loads(read_log.recorded()) == {"reads": {}, "writes": [], "made": []}


def _job(tmp_path: Path, inputs=()) -> NotebookJob:
    template = tmp_path / "page.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), template)
    output = tmp_path / "out" / "page.ipynb"
    output.parent.mkdir(exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(), output)
    return NotebookJob(name="page", template=template, output=output, parameters={"root": str(tmp_path)},
                       context={}, lang="fi", inputs=tuple(inputs), deps_file=tmp_path / "deps" / "page.json")


def _record(job: NotebookJob, key: str, parts: dict, reads: dict, writes: dict | None = None) -> None:
    job.deps_file.parent.mkdir(exist_ok=True)
    job.deps_file.write_text(json.dumps({"cache_key": key, "key_parts": parts, "reads": reads,
                                         "writes": writes or {}, "output": read_log.current(str(job.output))}),
                             encoding="utf-8")


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
        assert str(facts.resolve()) in json.loads(read_log.recorded())["reads"]


def test_caches_of_evalkits_own_files_and_pure_computations_outlive_a_page(recording):
    """Refilling them on every page cost the warm kernel a large share of the notebook phase."""
    from evalkit import formatting, i18n, reported
    from evalkit.pipeline import templates
    from evalkit.register import artefact  # noqa: F401  (its cache is marked too)

    i18n.catalogue("fi")
    formatting.fmt_percent(0.5)
    templates._compiled("{{ x }}", "test")
    read_log.start_recording()
    kept = (i18n.catalogue, formatting._pattern, formatting._babel_locale, templates._compiled)
    assert all(cache.cache_info().currsize > 0 for cache in kept)
    assert reported._load_pilots_cached.cache_info().currsize == 0   # a project file: emptied
    # Every kept cache is marked as reading no project file; nothing else is kept.
    import sys
    marked = {f"{name}.{attr}" for name, module in list(sys.modules.items()) if name.startswith("evalkit")
              for attr, value in vars(module).items() if getattr(value, "evalkit_package_only", False)}
    assert marked == {"evalkit.i18n.catalogue", "evalkit.formatting._pattern", "evalkit.formatting._babel_locale",
                      "evalkit.pipeline.templates._compiled", "evalkit.register.artefact._installed"}


def test_a_figure_the_page_wrote_is_checked_like_its_notebook(tmp_path):
    figure = tmp_path / "out" / "figures" / "lappi-rates.png"
    figure.parent.mkdir(parents=True)
    figure.write_bytes(b"png")
    job = _job(tmp_path)
    key, parts = cache_key(job, "code")
    _record(job, key, parts, {}, {"out/figures/lappi-rates.png": read_log.current(str(figure))})
    assert why_run(job, key, parts) is None
    figure.write_bytes(b"another png")
    assert why_run(job, key, parts) == "its outputs were changed or removed: lappi-rates.png"
    figure.unlink()
    assert why_run(job, key, parts) == "its outputs were changed or removed: lappi-rates.png"


def test_a_page_stopped_while_running_leaves_no_record(tmp_path, monkeypatch):
    """Killed between writing a figure and its notebook, the page must run again next time."""
    from evalkit.pipeline import runner

    job = _job(tmp_path)
    key, parts = cache_key(job, "code")
    _record(job, key, parts, {})

    def killed(*args):
        raise SystemExit(143)

    monkeypatch.setattr(runner, "_run_papermill", killed)
    with pytest.raises(SystemExit):
        runner.execute_job(job, key, parts, "test")
    assert not job.deps_file.exists()
    assert why_run(job, key, parts) == "no record of what it read"


def test_a_folder_digest_follows_linked_folders_and_survives_an_unreadable_file(tmp_path, monkeypatch):
    outside = tmp_path / "mounted" / "lappi"
    outside.mkdir(parents=True)
    (outside / "participants.csv").write_text("a\n", encoding="utf-8")
    data = tmp_path / "project" / "data"
    data.mkdir(parents=True)
    (data / "lappi").symlink_to(outside, target_is_directory=True)
    (data / "loop").symlink_to(data, target_is_directory=True)   # a cycle is walked once
    (data / "kept.csv").write_text("b\n", encoding="utf-8")
    before = read_log.current(str(data))
    (outside / "participants.csv").write_text("a, changed\n", encoding="utf-8")
    linked = read_log.current(str(data))
    assert linked != before

    real_digest = read_log.digest
    monkeypatch.setattr(read_log, "digest", lambda path: (_ for _ in ()).throw(PermissionError(path))
                        if path.name == "participants.csv" else real_digest(path))
    unreadable = read_log.current(str(data))
    assert unreadable != read_log.MISSING
    (data / "kept.csv").write_text("b, changed\n", encoding="utf-8")
    assert read_log.current(str(data)) != unreadable   # the readable rest still counts file by file


def _dist_info(folder: Path, name: str, version: str) -> None:
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")


def test_the_code_key_holds_the_installed_versions_and_sees_an_install(monkeypatch, tmp_path):
    from importlib import metadata

    from evalkit.pipeline import orchestrate

    assert orchestrate.installed_digest is read_log.installed_digest   # the build's code key uses it
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    before = orchestrate.installed_digest()
    _dist_info(site, "evalkit_fake", "1.0")       # installed while the process runs
    installed = orchestrate.installed_digest()
    assert installed != before
    shutil.rmtree(site / "evalkit_fake-1.0.dist-info")
    _dist_info(site, "evalkit_fake", "2.0")       # upgraded
    upgraded = orchestrate.installed_digest()
    assert upgraded not in (before, installed)
    shutil.rmtree(site / "evalkit_fake-2.0.dist-info")
    assert orchestrate.installed_digest() == before   # removed: as it was

    def unread():
        raise AssertionError("the metadata was read again with nothing installed")

    # Asked again with no folder on the path changed, the answer is the one kept.
    monkeypatch.setattr(metadata, "distributions", unread)
    assert orchestrate.installed_digest() == before


def test_an_input_changed_while_the_build_ran_is_refused(tmp_path):
    from conftest import copy_project
    from evalkit.errors import BuildError
    from evalkit.params import load_all_params
    from evalkit.pipeline import orchestrate

    project = copy_project(tmp_path / "project")
    before = orchestrate.build_inputs(project, {}) | orchestrate.build_inputs(project, load_all_params(project))
    orchestrate._refuse_changed_inputs(project, before)   # nothing changed: no error
    register = project / "data" / "demo" / "participants.csv"
    register.write_text(register.read_text(encoding="utf-8").replace("employed_open", "unemployed", 1),
                        encoding="utf-8")
    with pytest.raises(BuildError, match=r"inputs changed while the build ran \(data\)"):
        orchestrate._refuse_changed_inputs(project, before)


def test_the_status_page_gives_the_reason_in_the_editions_language(tmp_path):
    from evalkit.i18n import set_language
    from evalkit.pipeline.pages import write_status_page
    from evalkit.pipeline.runner import JobResult, Reason

    results = [JobResult("lappi", "built", Reason("changed", "read:lappi.yml"), seconds=1.0),
               JobResult("index", "reused", Reason("unchanged"))]
    set_language("fi")
    page = write_status_page(tmp_path, results).read_text(encoding="utf-8")
    assert "| ajettu | muuttunut\\: read\\:lappi\\.yml |" in page
    assert "| uudelleenkäytetty | syötteet ennallaan |" in page
    assert str(results[1].reason) == "inputs unchanged"   # the console stays in English


def test_a_probe_that_changed_while_the_page_ran_and_the_pages_own_scratch_files(recording, tmp_path):
    """A manifest written after the page found none is a change; what the page made itself is not."""
    import tempfile

    read_log.start_recording(project=str(tmp_path))
    assert not (tmp_path / "SYNTHETIC.json").exists()     # the page shows its data as real
    with tempfile.TemporaryDirectory(dir=tmp_path) as scratch:   # and works in a folder of its own
        (Path(scratch) / "part.csv").write_text("x\n", encoding="utf-8")
        (Path(scratch) / "part.csv").read_text(encoding="utf-8")
    log = read_log.recorded()
    (tmp_path / "SYNTHETIC.json").write_text("{}", encoding="utf-8")   # written before the build hashed it
    prints = read_log.fingerprint(log, tmp_path)["reads"]
    assert prints == {"probe:SYNTHETIC.json": read_log.CHANGED_DURING_RUN}


def test_the_wrapped_stat_keeps_what_the_standard_library_asks_of_it(recording, tmp_path):
    import shutil as sh

    read_log.start_recording(project=str(tmp_path))
    (tmp_path / "target").write_text("x", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    sh.copystat(tmp_path / "link", tmp_path / "target", follow_symlinks=False)
    assert os.stat in os.supports_follow_symlinks


def test_a_shared_folder_the_page_did_not_create_is_no_output_and_hides_no_read(recording, tmp_path):
    """Pages share figures/ (mkdir exist_ok): it is not one page's output, and data/ is not made by asking."""
    (tmp_path / "figures").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "participants.csv").write_text("x\n", encoding="utf-8")
    read_log.start_recording(project=str(tmp_path))
    (tmp_path / "figures").mkdir(exist_ok=True)
    (tmp_path / "figures" / "lappi.png").write_bytes(b"png")
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "participants.csv").read_bytes()
    logged = read_log.fingerprint(read_log.recorded(), tmp_path)
    assert list(logged["writes"]) == ["figures/lappi.png"]
    assert [name for name in logged["reads"] if not name.startswith("probe:")] == ["data/participants.csv"]


def _params_project(tmp_path: Path) -> Path:
    """A project holding the default programme and Lappi's params (tests.params_text.GOOD)."""
    from tests.params_text import GOOD

    root = Path(__file__).resolve().parents[1]
    shutil.copy(root / "programme.yml", tmp_path / "programme.yml")
    shutil.copytree(root / "data" / "reported", tmp_path / "data" / "reported")
    shutil.copytree(root / "params", tmp_path / "params")
    (tmp_path / "data" / "demo").mkdir()
    (tmp_path / "data" / "demo" / "participants.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "params" / "lappi.yml").write_text(GOOD, encoding="utf-8")
    return tmp_path


# tests.params_text.GOOD with a comment and its keys in another order: the same params.
REORDERED = """\
# edited by hand
as_of: 2023-12-31
goals:
- indicator: employment_rate
  text: Vähintään 25 % on työssä
  target: 0.25
  horizon: 6
- text: Työnantajien tieto vahvistuu
data: data/demo/participants.csv
services: [Työkykykoordinaattorin ohjaus]
pilot_id: lappi
"""


def _edited(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_page_depends_on_the_params_it_was_given_not_on_their_bytes(recording, tmp_path):
    from evalkit.params import load_data_sources, load_params

    project = _params_project(tmp_path)
    params = project / "params" / "lappi.yml"
    read_log.start_recording(project=str(project))
    load_params(params, project)
    prints = read_log.fingerprint(read_log.recorded(), project)["reads"]
    assert "params:params/lappi.yml" in prints and "params/lappi.yml" not in prints
    params.write_text(REORDERED, encoding="utf-8")   # a comment, another key order: nothing to run again
    assert read_log.changed(prints, project) == []
    _edited(params, "target: 0.25", "target: 0.3")   # any value given to the page runs it again
    assert read_log.changed(prints, project) == ["lappi.yml"]
    _edited(params, "target: 0.3", "target: [")        # and a file that no longer loads
    assert read_log.changed(prints, project) == ["lappi.yml"]

    # A page given only where the data are does not run again for a goal, but does for the date.
    _edited(params, "target: [", "target: 0.25")
    read_log.start_recording(project=str(project))
    assert load_data_sources(project)["lappi"].as_of.isoformat() == "2023-12-31"
    prints = read_log.fingerprint(read_log.recorded(), project)["reads"]
    assert "params-data:params/lappi.yml" in prints
    assert not any(entry.startswith("params:") or entry == "params/lappi.yml" for entry in prints)
    _edited(params, "target: 0.25", "target: 0.3")
    _edited(params, "- text: Työnantajien tieto vahvistuu", "- text: Toinen tavoite")
    assert read_log.changed(prints, project) == []
    _edited(params, "as_of: 2023-12-31", "as_of: 2023-11-30")
    assert read_log.changed(prints, project) == ["lappi.yml"]


def test_a_raw_read_of_a_params_file_is_a_dependency_on_its_bytes(recording, tmp_path):
    from evalkit.params import load_params

    project = _params_project(tmp_path)
    params = project / "params" / "lappi.yml"
    read_log.start_recording(project=str(project))
    load_params(params, project)
    params.read_text(encoding="utf-8")   # a page that shows the file as written
    load_params(params, project)          # a later view does not narrow it again
    prints = read_log.fingerprint(read_log.recorded(), project)["reads"]
    assert "params/lappi.yml" in prints and not any(entry.startswith("params:") for entry in prints)
    params.write_text(params.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    assert read_log.changed(prints, project) == ["lappi.yml"]
