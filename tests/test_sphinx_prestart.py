"""Sphinx's process started before the pages have run (evalkit.pipeline.book.prestart).

It builds only with the arguments it is given, never lingers after the build, and a build never
depends on it: when it is gone, a new process builds as before. That it builds the same site as a
new process is shown with the tiny book of tests/test_site_cache.py.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from evalkit.pipeline import book


@pytest.fixture(autouse=True)
def _none_left():
    yield
    book.stop_prestarted()


def _fake(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_a_waiting_process_given_no_sources_builds_nothing_and_ends(tmp_path):
    record = tmp_path / "modules.json"
    record.write_text('["no_such_module_anywhere", 42, "sphinx.errors"', encoding="utf-8")   # broken JSON
    done = subprocess.run([sys.executable, "-m", "evalkit.pipeline.sphinx_main", "--wait", str(record)],
                          input="", capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == "" and list(tmp_path.iterdir()) == [record]
    record.write_text('["no_such_module_anywhere", 42]', encoding="utf-8")   # a name that fails, not a name
    done = subprocess.run([sys.executable, "-m", "evalkit.pipeline.sphinx_main", "--wait", str(record)],
                          input="", capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0 and list(tmp_path.iterdir()) == [record]


def test_the_waiting_process_is_given_the_arguments_and_no_other_is_started(tmp_path, monkeypatch):
    def no_new_process(*args, **kwargs):
        raise AssertionError("a new Sphinx process was started beside the waiting one")

    monkeypatch.setattr(book.subprocess, "run", no_new_process)
    book._prestarted["html"] = _fake("import sys, json; print(json.loads(sys.stdin.readline()))")
    book.jupyter_book(tmp_path / "src", tmp_path / "c.yml", tmp_path / "t.yml", tmp_path / "out", "html")
    log = (tmp_path / "out" / "jupyter-book-html.log").read_text(encoding="utf-8")
    assert json.dumps([str(tmp_path / "src"), str(tmp_path / "c.yml"), str(tmp_path / "t.yml"),
                       str(tmp_path / "out"), "html"]).replace('"', "'") in log
    assert book._prestarted == {}


def test_a_waiting_process_that_failed_fails_the_build(tmp_path):
    book._prestarted["html"] = _fake("import sys; sys.stdin.readline(); print('WARNING: broken'); sys.exit(1)")
    with pytest.raises(book.BuildError, match="WARNING: broken"):
        book.jupyter_book(tmp_path, tmp_path / "c.yml", tmp_path / "t.yml", tmp_path / "out", "html")


def test_a_process_that_ended_before_it_was_needed_is_replaced_by_a_new_one(tmp_path, monkeypatch):
    started = []

    def new_process(command, **kwargs):
        started.append(command)
        return subprocess.CompletedProcess(command, 0, "built", "")

    monkeypatch.setattr(book.subprocess, "run", new_process)
    ended = _fake("import sys; sys.exit(3)")
    ended.wait()
    book._prestarted["html"] = ended
    book.jupyter_book(tmp_path, tmp_path / "c.yml", tmp_path / "t.yml", tmp_path / "out", "html")
    assert len(started) == 1 and started[0][1:3] == ["-m", "evalkit.pipeline.sphinx_main"]
    assert started[0][3:] == [str(tmp_path), str(tmp_path / "c.yml"), str(tmp_path / "t.yml"),
                              str(tmp_path / "out"), "html"]


def test_every_process_started_early_is_ended_with_the_build_however_it_ends(tmp_path):
    with pytest.raises(RuntimeError, match="the build failed"):
        with book.prestarted(tmp_path, "fi", ("html", "singlehtml")):
            waiting = dict(book._prestarted)
            assert set(waiting) == {"html", "singlehtml"}
            raise RuntimeError("the build failed")
    assert book._prestarted == {}
    assert all(process.returncode is not None for process in waiting.values())
