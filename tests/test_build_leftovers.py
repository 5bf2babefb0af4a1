"""Kernel socket folders of a killed build are removed; a failed page kept for the preview names no local folder."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from evalkit.pipeline.kernel import SOCKET_PREFIX, remove_orphaned_socket_folders


def test_only_the_socket_folders_whose_owner_is_gone_are_removed(tmp_path):
    from evalkit.pipeline.kernel import OWNER_LOCK

    names = {"orphan": f"{SOCKET_PREFIX}orphan", "held": f"{SOCKET_PREFIX}held", "young": f"{SOCKET_PREFIX}young",
             "older evalkit": f"{SOCKET_PREFIX}nolock", "someone else's": "pytest-of-root"}
    for kind, name in names.items():
        (tmp_path / name).mkdir()
        if kind in ("orphan", "held", "young"):
            (tmp_path / name / OWNER_LOCK).write_text("")
            if kind != "young":
                os.utime(tmp_path / name / OWNER_LOCK, (0, 1_000_000_000))   # long settled
    # A live build's lock, held by another process as a build's kernel manager holds it.
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, os, sys, time\n"
                               f"h = os.open({str(tmp_path / names['held'] / OWNER_LOCK)!r}, os.O_RDWR)\n"
                               "fcntl.flock(h, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert remove_orphaned_socket_folders(str(tmp_path)) == [names["orphan"]]
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for k, n in names.items() if k != "orphan")
    finally:
        holder.kill()
        holder.wait()
    # Its owner killed, the lock is free: the next build removes the folder.
    assert remove_orphaned_socket_folders(str(tmp_path)) == [names["held"]]
    assert remove_orphaned_socket_folders(str(tmp_path / "missing")) == []


def test_a_kernel_keeps_its_connection_file_in_its_own_folder_and_removes_both():
    from jupyter_core.utils import run_sync

    from evalkit.pipeline.kernel import IPCKernelManager

    manager = IPCKernelManager()
    folder = manager._socket_dir
    assert os.path.dirname(manager.connection_file) == folder   # not /tmp/tmpXXXX.json, left by a killed build
    run_sync(manager.cleanup_resources)()
    assert not os.path.exists(folder)


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
