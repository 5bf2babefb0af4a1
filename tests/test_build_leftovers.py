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
    import nbformat

    from evalkit.pipeline.runner import hide_local_folders

    project = tmp_path / "programme"
    project.mkdir()
    library = f"{sys.prefix}/lib/python3.11/site-packages/pandas/core/frame.py"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[
        nbformat.v4.new_output("error", ename="InputError", evalue=f"{project}/data/participants.csv: line 2",
                               traceback=[f"File \x1b[0;32m{library}:12\x1b[0m, in f",
                                          f"File {project}/src/evalkit/chapters/pilot.py:3, in setup",
                                          f"File {Path.home()}/notes/x.py:1"]),
        nbformat.v4.new_output("stream", name="stderr", text=f"warning in {project}/book/x.md\n")])])
    hide_local_folders(notebook, project)
    outputs = notebook.cells[0].outputs
    assert outputs[0].traceback == ["File \x1b[0;32m<python>/lib/python3.11/site-packages/pandas/core/frame.py:12"
                                    "\x1b[0m, in f", "File src/evalkit/chapters/pilot.py:3, in setup",
                                    "File ~/notes/x.py:1"]
    assert outputs[0].evalue == "data/participants.csv: line 2" and outputs[1].text == "warning in book/x.md\n"
