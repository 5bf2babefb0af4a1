"""A real `evalkit pilot` stopped mid-run (issue 19): Ctrl-C in the notebook phase ends with one line
and no traceback, SIGTERM cleans up like Ctrl-C, and after SIGKILL the only copy of the register left
is inside the report folder's private-data/, removed by the next run.

Each run is a subprocess in a session of its own, signalled as a terminal (Ctrl-C: the whole
process group) or a service manager would; its stderr is read line by line to signal it in the
notebook phase. One small pilot (its rows of the demonstration register), no PDF.
"""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time

import pandas as pd
import pytest

from conftest import EVALKIT, copy_project, evalkit_processes, run_evalkit
from evalkit.pipeline.report_folder import STAGE_PREFIX

pytestmark = pytest.mark.slow
NOTEBOOK_PHASE = "running the lappi notebook"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    base = tmp_path_factory.mktemp("pilot-interrupt")
    project = copy_project(base / "project")
    everyone = pd.read_csv(project / "data" / "demo" / "participants.csv", dtype=str, keep_default_na=False)
    everyone[everyone["pilot_id"] == "lappi"].to_csv(base / "lappi.csv", index=False)
    return project, base


def start(project, base, out):
    process = subprocess.Popen(
        [*EVALKIT, "pilot", "lappi", "--data", str(base / "lappi.csv"), "--as-of", "2023-12-31", "--out", str(out),
         "--no-pdf"], cwd=project, env={**os.environ, "EVALKIT_ROOT": str(project)}, stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL, text=True, start_new_session=True,
        # As from a terminal: a suite started in the background (`make test &`) ignores SIGINT, and
        # a child inherits that; Python then never turns Ctrl-C into KeyboardInterrupt.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    return process, lines


def signal_in_notebook_phase(project, base, out, sig, to_group: bool) -> tuple[int, str]:
    """Start a run, signal it a moment after its first notebook starts, and return its exit code and stderr."""
    process, lines = start(project, base, out)
    seen = []
    deadline = time.monotonic() + 120
    while not any(NOTEBOOK_PHASE in line for line in seen):
        assert time.monotonic() < deadline, seen
        seen.append(lines.get(timeout=120))
    time.sleep(2)   # the kernel is up and running cells
    assert process.poll() is None, "the run ended before it was signalled"
    if to_group:
        os.killpg(process.pid, sig)
    else:
        process.send_signal(sig)
    code = process.wait(timeout=120)
    time.sleep(0.5)
    while not lines.empty():
        seen.append(lines.get())
    return code, "".join(seen)


def staging_anywhere(base) -> list[str]:
    return sorted(str(p) for p in base.rglob("*") if p.is_dir() and
                  (p.name.startswith(STAGE_PREFIX) or "-building-" in p.name))


def test_ctrl_c_in_the_notebook_phase_is_one_line_and_leaves_nothing(project):
    project, base = project
    out = base / "interrupted"
    code, err = signal_in_notebook_phase(project, base, out, signal.SIGINT, to_group=True)
    assert code == 130, err
    assert "Traceback" not in err and "DeadKernelError" not in err, err
    assert err.strip().splitlines()[-1] == "evalkit pilot: interrupted; previous outputs left as they were"
    assert not out.exists() and not staging_anywhere(base)
    assert evalkit_processes(project, wait=10) == []


def test_sigterm_cleans_up_like_ctrl_c(project):
    project, base = project
    out = base / "terminated"
    code, err = signal_in_notebook_phase(project, base, out, signal.SIGTERM, to_group=False)
    assert code == 143, err
    assert "Traceback" not in err, err
    assert err.strip().splitlines()[-1] == "evalkit pilot: interrupted; previous outputs left as they were"
    assert not out.exists() and not staging_anywhere(base)
    assert evalkit_processes(project, wait=10) == []


def test_after_sigkill_the_copy_left_is_private_and_the_next_run_sweeps_it(project):
    project, base = project
    (base / "www").mkdir()
    out = base / "www" / "report"
    code, err = signal_in_notebook_phase(project, base, out, signal.SIGKILL, to_group=False)
    assert code == -signal.SIGKILL, err
    assert list((base / "www").iterdir()) == [out]   # nothing beside the report folder
    left = staging_anywhere(base)
    assert len(left) == 1 and left[0].startswith(str(out / "private-data" / STAGE_PREFIX)), left
    assert oct(os.stat(left[0]).st_mode & 0o777) == oct(0o700)
    assert evalkit_processes(project, wait=10) == []   # the kernel followed its parent
    again = run_evalkit(project, "pilot", "lappi", "--data", str(base / "lappi.csv"), "--as-of", "2023-12-31",
                        "--out", str(out), "--no-pdf")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "removed 1 staging folder(s) an interrupted run left behind" in again.stderr
    assert not staging_anywhere(base)
    assert (out / "index.html").is_file() and (out / "lappi-self-assessment.ipynb").is_file()
