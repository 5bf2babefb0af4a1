"""Kernel socket folders left by a build that was killed are removed by the next build's kernels."""
from __future__ import annotations

import os
import subprocess
import sys

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
