"""Kernel socket folders of a killed build are removed; a failed page kept for the preview names no local folder."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from evalkit.pipeline.kernel import SOCKET_PREFIX, remove_orphaned_socket_folders


def test_only_the_socket_folders_of_processes_that_are_gone_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    gone = int(dead.stdout)   # waited for: no longer running (a reused pid would only keep the folder)
    names = {"orphan": f"{SOCKET_PREFIX}{gone}-abc123", "alive": f"{SOCKET_PREFIX}{os.getpid()}-def456",
             "older evalkit": f"{SOCKET_PREFIX}x1y2z3", "someone else's": "pytest-of-root"}
    for name in names.values():
        (tmp_path / name).mkdir()
        (tmp_path / name / "kernel-1").write_text("")
    assert remove_orphaned_socket_folders(str(tmp_path)) == [names["orphan"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for k, n in names.items() if k != "orphan")
    assert remove_orphaned_socket_folders(str(tmp_path / "missing")) == []


def test_a_failed_page_kept_for_the_preview_names_no_local_folder(tmp_path):
    import sysconfig

    import nbformat

    from evalkit.pipeline.runner import hide_local_folders, local_paths_hidden

    project = tmp_path / "programme"
    project.mkdir()
    linked = tmp_path / "link"
    linked.symlink_to(project)   # the kernel runs in the folder as given, links unresolved
    library = f"{sysconfig.get_paths()['purelib']}/pandas/core/frame.py"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[
        nbformat.v4.new_output("error", ename="InputError", evalue=f"{project}/data/participants.csv: line 2",
                               traceback=[f"File \x1b[0;32m{library}:12\x1b[0m, in f",
                                          f"File {linked}/src/evalkit/chapters/pilot.py:3, in setup",
                                          f"File {Path.home()}/notes/x.py:1"]),
        nbformat.v4.new_output("stream", name="stderr", text=f"warning in {project}/book/x.md\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": f"not found in {project}"})])])
    hide_local_folders(notebook, linked)
    outputs = notebook.cells[0].outputs
    assert outputs[0].traceback == ["File \x1b[0;32m<site-packages>/pandas/core/frame.py:12\x1b[0m, in f",
                                    "File src/evalkit/chapters/pilot.py:3, in setup", "File ~/notes/x.py:1"]
    assert outputs[0].evalue == "data/participants.csv: line 2" and outputs[1].text == "warning in book/x.md\n"
    assert outputs[2].data["text/plain"] == "not found in ."
    # A folder whose name only begins like the project's is another folder; /usr is not Python's.
    assert local_paths_hidden(f"{project}-old/a.csv and /usr/share/fonts", project) == \
        f"{project}-old/a.csv and /usr/share/fonts"


def test_the_status_page_names_no_local_folder_of_a_failed_page(tmp_path):
    """The status page shows a failed page's error beside its kept notebook."""
    from evalkit.pipeline import runner

    project = tmp_path / "programme"
    (project / "out").mkdir(parents=True)
    job = runner.NotebookJob(name="lappi", template=project / "book" / "missing.ipynb",
                             output=project / "out" / "lappi.ipynb", parameters={}, context={}, lang="fi",
                             cwd=project, book_page=False)
    result = runner.execute_job(job, "key", {}, "forced")
    assert result.status == "failed" and "book/missing.ipynb" in result.error, result.error
    assert str(tmp_path) not in result.error
