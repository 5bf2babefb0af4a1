"""Pages that share a warm kernel (evalkit.pipeline.page_engine) cannot see each other's variables:
what one page defined or imported is gone when the next page starts in the same kernel."""
from __future__ import annotations

import nbformat
import pytest

from evalkit.pipeline.runner import NotebookJob, run_jobs

pytestmark = pytest.mark.slow

NAMES = ("secret_of_first", "first_import", "first_function", "lang")


def _template(path, *sources):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    notebook.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(notebook, path)
    return path


def test_a_page_cannot_see_the_variables_of_the_page_before_it_in_the_same_kernel(tmp_path):
    first = _template(tmp_path / "first.ipynb", "lang = 'xx'",
                      "secret_of_first = 42\nimport json as first_import\ndef first_function():\n    pass\n"
                      "import os\nprint('pid', os.getpid())")
    second = _template(tmp_path / "second.ipynb", "lang = 'xx'",
                       f"import os\nprint('pid', os.getpid())\nprint('seen', sorted(n for n in {NAMES!r} "
                       "if n in globals()))")
    jobs = [NotebookJob(name=name, template=template, output=tmp_path / "out" / f"{name}.ipynb",
                        parameters={"lang": "fi"}, context={}, lang="fi", cwd=tmp_path, book_page=False)
            for name, template in (("first", first), ("second", second))]
    results = run_jobs(jobs, "code", parallel=1, force=True)   # one thread: one kernel, in this order
    assert [r.status for r in results] == ["built", "built"], [r.error for r in results]

    def printed(name):
        notebook = nbformat.read(tmp_path / "out" / f"{name}.ipynb", as_version=4)
        return "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                       for output in cell.get("outputs", []))
    first_out, second_out = printed("first"), printed("second")
    # The same kernel process ran both pages (else this test would prove nothing) ...
    assert first_out.split()[1] == second_out.split()[1]
    # ... and the second saw only its own parameter.
    assert "seen ['lang']" in second_out


def test_pages_running_at_once_each_run_in_their_own_folder_and_leave_this_processs_alone(tmp_path):
    # Pages run in threads of this process, each with its own kernel (runner.PagePool). papermill
    # would change the whole process's folder for a page; here the kernels are told their own.
    import os
    import threading
    import time

    folders = {name: tmp_path / f"project-{name}" for name in ("one", "two")}
    for name, folder in folders.items():
        folder.mkdir()
        (folder / "marker.txt").write_text(name, encoding="utf-8")
    template = _template(tmp_path / "page.ipynb", "lang = 'xx'",
                         "import os, time\ntime.sleep(1.5)\nprint(os.getcwd(), open('marker.txt').read())")
    jobs = [NotebookJob(name=name, template=template, output=tmp_path / "out" / name / "page.ipynb",
                        parameters={"lang": "fi"}, context={}, lang="fi", cwd=folder, book_page=False)
            for name, folder in folders.items()]
    ours = os.getcwd()
    seen, results = set(), []
    running = threading.Thread(target=lambda: results.extend(run_jobs(jobs, "code", parallel=2, force=True)))
    running.start()
    while running.is_alive():
        seen.add(os.getcwd())
        time.sleep(0.005)
    assert [r.status for r in results] == ["built", "built"], [r.error for r in results]
    assert seen == {ours}
    for name, folder in folders.items():
        notebook = nbformat.read(tmp_path / "out" / name / "page.ipynb", as_version=4)
        assert notebook.cells[-1].outputs[0]["text"].split() == [str(folder), name]


def test_a_stopped_pool_kills_the_running_pages_kernels_and_starts_no_page_left(tmp_path, monkeypatch):
    # Ctrl-C or SIGTERM during the pages (runner.stop_workers): the pages running fail at once,
    # the queued ones never begin, and no kernel is left behind.
    import time

    from conftest import evalkit_processes
    from evalkit.pipeline.runner import default_executor, execute_job

    monkeypatch.setenv("EVALKIT_ROOT", str(tmp_path))   # marks the kernels as this test's
    template = _template(tmp_path / "page.ipynb", "lang = 'xx'", "import time\ntime.sleep(120)")
    jobs = [NotebookJob(name=f"page{i}", template=template, output=tmp_path / "out" / f"page{i}.ipynb",
                        parameters={"lang": "fi"}, context={}, lang="fi", cwd=tmp_path, book_page=False)
            for i in range(4)]
    pool = default_executor(2, cwd=tmp_path)
    futures = [pool.submit(execute_job, job, "key", {}, "test") for job in jobs]
    deadline = time.monotonic() + 60
    while not all(f.running() for f in futures[:2]) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(5)   # the kernels have warmed up and the two pages sleep in them
    assert not any(f.done() for f in futures)
    started = time.monotonic()
    pool.stop()
    assert time.monotonic() - started < 30
    assert [f.result().status for f in futures[:2]] == ["failed", "failed"]
    assert all("DeadKernel" in f.result().error or "died" in f.result().error for f in futures[:2]), \
        [f.result().error for f in futures[:2]]
    assert all(f.cancelled() for f in futures[2:])
    assert evalkit_processes(tmp_path, wait=10) == []
