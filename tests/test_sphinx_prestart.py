"""Sphinx's process started before the pages have run (evalkit.pipeline.book.prestart).

It builds only with the arguments it is given once it said it was ready, never lingers after the
build or an interrupted wait, and a build never depends on it: when it is gone or ends before it
is ready, a new process builds as before. That it builds the same site as a new process is shown
with the tiny book of tests/test_site_cache.py.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile

import pytest

from evalkit.pipeline import book
from evalkit.pipeline.sphinx_main import READY


@pytest.fixture(autouse=True)
def _none_left():
    yield
    book.stop_prestarted()


def _fake(code: str) -> subprocess.Popen:
    """A process in the place of a prestarted Sphinx: ``code`` runs in it, its errors go to a file."""
    errors = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=errors, text=True)
    book._prestarted["html"] = (process, errors)
    return process


@pytest.fixture
def no_new_process(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a new Sphinx process was started beside the waiting one")

    monkeypatch.setattr(book.subprocess, "run", refuse)


@pytest.fixture
def new_processes(monkeypatch):
    started = []

    def new_process(command, **kwargs):
        started.append(command)
        return subprocess.CompletedProcess(command, 0, "built", "")

    monkeypatch.setattr(book.subprocess, "run", new_process)
    return started


def _arguments(tmp_path):
    return [tmp_path / "src", tmp_path / "c.yml", tmp_path / "t.yml", tmp_path / "out", "html"]


def test_a_waiting_process_imports_says_it_is_ready_and_given_no_sources_builds_nothing(tmp_path):
    done = subprocess.run([sys.executable, "-m", "evalkit.pipeline.sphinx_main", "--wait"], input="",
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == f"{READY}\n" and list(tmp_path.iterdir()) == []


def test_the_ready_process_is_given_the_arguments_and_no_other_is_started(tmp_path, no_new_process):
    _fake(f"import sys, json; print({READY!r}, flush=True); print(json.loads(sys.stdin.readline())); "
          "print('a warning', file=sys.stderr)")
    book.jupyter_book(*_arguments(tmp_path))
    log = (tmp_path / "out" / "jupyter-book-html.log").read_text(encoding="utf-8")
    assert repr([str(a) for a in _arguments(tmp_path)]) in log and "a warning" in log
    assert book._prestarted == {}


def test_a_ready_process_that_failed_fails_the_build(tmp_path, no_new_process):
    _fake(f"import sys; print({READY!r}, flush=True); sys.stdin.readline(); print('WARNING: broken'); sys.exit(1)")
    with pytest.raises(book.BuildError, match="WARNING: broken"):
        book.jupyter_book(*_arguments(tmp_path))


@pytest.mark.parametrize("code", ["import sys; sys.exit(3)",                     # ended before it was needed
                                  "import time, sys; time.sleep(0.5); sys.exit(3)",   # while the build waits
                                  "print('something else', flush=True)"])         # not a Sphinx waiting
def test_a_process_that_ends_before_it_is_ready_is_replaced_by_a_new_one(tmp_path, new_processes, code):
    process = _fake(code)
    book.jupyter_book(*_arguments(tmp_path))
    assert len(new_processes) == 1 and new_processes[0][1:3] == ["-m", "evalkit.pipeline.sphinx_main"]
    assert new_processes[0][3:] == [str(a) for a in _arguments(tmp_path)]
    assert process.returncode is not None and book._prestarted == {}


def test_an_interrupted_wait_ends_the_process(tmp_path, monkeypatch):
    process = _fake(f"import sys, time; print({READY!r}, flush=True); sys.stdin.readline(); time.sleep(60)")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(process, "communicate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        book.jupyter_book(*_arguments(tmp_path))
    monkeypatch.undo()
    assert process.wait(timeout=10) is not None and book._prestarted == {}


def test_every_process_started_early_is_ended_with_the_build_however_it_ends():
    with pytest.raises(RuntimeError, match="the build failed"):
        with book.prestarted(("html", "singlehtml")):
            waiting = {builder: process for builder, (process, _) in book._prestarted.items()}
            assert set(waiting) == {"html", "singlehtml"}
            raise RuntimeError("the build failed")
    assert book._prestarted == {}
    assert all(process.returncode is not None for process in waiting.values())


def test_a_process_that_cannot_be_started_is_not_there(monkeypatch):
    def no_process(*args, **kwargs):
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(book.subprocess, "Popen", no_process)
    book.prestart("html")
    assert book._prestarted == {}
