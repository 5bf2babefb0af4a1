"""`evalkit watch`: the site built again after each change, by kernels kept warm, never with old code."""
from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from conftest import evalkit_processes
from evalkit.pipeline import orchestrate, watch


def test_a_changed_code_digest_restarts_the_watch_before_anything_is_built(project, monkeypatch):
    digests = iter(["code as started", "code as edited"])
    monkeypatch.setattr(orchestrate, "build", lambda *a, **k: pytest.fail("built with code it did not start with"))
    with pytest.raises(watch.Restart):
        watch.watch(project, "fi", 1, code_digest=lambda root: next(digests))


def test_a_build_whose_code_is_not_the_kernels_runs_nothing(project, monkeypatch):
    # The code changed after the kernels imported it but before the build read its digest.
    from evalkit.errors import BuildError

    monkeypatch.setenv("EVALKIT_ROOT", str(project))
    monkeypatch.setattr(orchestrate, "run_jobs", lambda *a, **k: pytest.fail("pages ran"))
    with pytest.raises(BuildError, match="changed since the page kernels started"):
        orchestrate.build(project, "fi", pdf=False, kernels_code="the code the kernels imported")


def test_a_build_refused_for_a_change_while_it_ran_is_built_again_even_when_the_files_went_back(
        project, monkeypatch):
    # An editor's swap file appears while a build runs (refused: inputs changed) and is gone
    # again: the files are those of the refused build, which published nothing.
    params = project / "params" / "lappi.yml"
    calls = []

    def build(*args, **kwargs):
        calls.append(params.read_text(encoding="utf-8"))
        if len(calls) == 1:
            swap = project / "params" / ".lappi.yml.swp"
            swap.write_text("x", encoding="utf-8")
            swap.unlink()
            raise orchestrate.InputsChanged("inputs changed while the build ran (params)")

    monkeypatch.setattr(orchestrate, "build", build)
    monkeypatch.setattr(watch, "_warm_pool", lambda parallel, root: None)
    monkeypatch.setattr(watch.book, "prestart", lambda builder: None)
    finished = threading.Event()
    thread = threading.Thread(target=lambda: (watch.watch(project, "fi", 1, max_builds=2,
                                                          code_digest=lambda root: "same"), finished.set()),
                              daemon=True)
    thread.start()
    assert finished.wait(timeout=30), "no build after the failed one"
    assert len(calls) == 2


def test_the_watchs_kernels_keep_the_builds_artefacts(project, monkeypatch):
    # A build's own kernels start inside its artefact folder's context; the watch's outlive builds.
    from conftest import in_page_kernel
    from evalkit.register.artefact import FOLDER_VARIABLE

    monkeypatch.delenv(FOLDER_VARIABLE, raising=False)
    seen = []
    monkeypatch.setattr(orchestrate, "build", lambda *a, executor, **k: seen.append(
        executor.submit(in_page_kernel, f"__import__('os').environ.get({FOLDER_VARIABLE!r})").result()))
    monkeypatch.setattr(watch.book, "prestart", lambda builder: None)
    watch.watch(project, "fi", 1, max_builds=1, code_digest=lambda root: "same")
    assert seen == [str(project / "_build" / "artefacts")]
    assert FOLDER_VARIABLE not in os.environ


def test_times_without_bytes_are_no_change_but_bytes_are(tmp_path):
    path = tmp_path / "lappi.yml"
    path.write_text("target: 0.3\n", encoding="utf-8")
    before = watch.input_state([path]), watch.input_contents([path])
    os.utime(path, ns=(1, 1))   # touched, as a build touches a source its site has not seen
    assert watch.input_state([path]) != before[0] and watch.input_contents([path]) == before[1]
    path.write_text("target: 0.4\n", encoding="utf-8")
    assert watch.input_contents([path]) != before[1]


@pytest.mark.slow
def test_a_saved_goal_is_published_by_the_next_build_and_the_watch_leaves_nothing_running(tmp_path):
    from evalkit.scaffold import new_programme

    folder = new_programme(tmp_path / "ohjelma", ["alfa", "beta"])
    env = {**os.environ, "EVALKIT_ROOT": str(folder)}
    watching = subprocess.Popen(
        [sys.executable, "-m", "evalkit.cli", "watch", "--programme", str(folder), "--jobs", "1", "--max-builds", "2"],
        cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    built = threading.Event()

    def read() -> None:
        for line in watching.stderr:
            lines.append(line)
            if "waiting for changes" in line:
                built.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert built.wait(timeout=600), "".join(lines[-30:])
        page = folder / "_build" / "html" / "pilots" / "alfa.html"
        assert "Tavoite 7 prosenttia" not in page.read_text(encoding="utf-8")
        params = folder / "params" / "alfa.yml"
        text = params.read_text(encoding="utf-8")
        params.write_text(text.replace('"Vähintään 30 % on työssä kuusi kuukautta palvelun jälkeen"',
                                       '"Tavoite 7 prosenttia"').replace("target: 0.3", "target: 0.07"),
                          encoding="utf-8")
        assert watching.wait(timeout=600) == 0, "".join(lines[-30:])
    finally:
        if watching.poll() is None:
            watching.kill()
    reader.join(timeout=10)
    output = "".join(lines)
    assert output.count("waiting for changes") == 2 and "failed" not in output
    assert "alfa" in output.split("waiting for changes")[1]   # the second build ran the pilot's page
    assert "Tavoite 7 prosenttia" in page.read_text(encoding="utf-8")
    assert evalkit_processes(folder, wait=10) == []


@pytest.mark.parametrize("command", ["build", "watch"])
@pytest.mark.parametrize("jobs, words", [("0", "0 pages at once would run nothing"),
                                         ("-3", "-3 pages at once would run nothing"),
                                         ("two", "'two' is not a whole number")])
def test_jobs_below_one_is_an_argument_error(command, jobs, words, capsys):
    from evalkit import cli

    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, f"--jobs={jobs}"])
    assert exit_info.value.code == 2
    assert words in capsys.readouterr().err
