"""Shared fixtures: a throwaway copy of the project, so tests never touch the developer's _build."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# `make test` runs two workers on two cores: a numeric library's second thread in each worker only
# contends with the other worker (six in-process statistics modules on two workers, examples fixed
# by --hypothesis-seed=0: 46.7 s with the default threads, 26.8 s with one). Set before numpy is
# first imported, so OpenBLAS reads it; a limit the user set stays. Builds a test starts inherit it
# as a user's limit, as their kernels' own share is one too.
if "numpy" not in sys.modules:
    for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_variable, "1")

ROOT = Path(__file__).resolve().parents[1]
EVALKIT = [sys.executable, "-m", "evalkit.cli"]


def copy_project(target: Path) -> Path:
    """Copy the files git knows about (tracked, or new and not ignored) into ``target``."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    return target


def artefact_sandbox(tmp_path: Path, monkeypatch) -> tuple[Path, Path, Path, Path]:
    """Artefacts kept away from the checkout: a copy of the demo data, a fake package and lock file.

    Returns (data folder, package folder, lock file, the folder a build would keep artefacts in);
    no build is running (``EVALKIT_ARTEFACTS`` unset) until a test says so.
    """
    from evalkit.register import artefact

    data = tmp_path / "data"
    data.mkdir()
    for name in ("participants.csv", "employers.csv", "SYNTHETIC.json"):
        shutil.copy(ROOT / "data" / "demo" / name, data / name)
    package = tmp_path / "package"
    package.mkdir()
    (package / "module.py").write_text("x = 1\n")
    lock = tmp_path / "uv.lock"
    lock.write_text("version = 1\n")
    monkeypatch.setattr(artefact, "package_folder", lambda: package)
    monkeypatch.setattr(artefact, "lock_file", lambda: lock)
    monkeypatch.delenv(artefact.FOLDER_VARIABLE, raising=False)
    return data, package, lock, tmp_path / "_build" / "artefacts"


def run_evalkit(project: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "EVALKIT_ROOT": str(project)}
    return subprocess.run([*EVALKIT, *args], cwd=project, env=env, capture_output=True, text=True,
                          timeout=timeout)


@contextlib.contextmanager
def failing_pilot_template(project: Path, pilot_id: str, message: str):
    """The pilot template raises ``message`` for one pilot while the block runs, then is restored."""
    import nbformat

    template = project / "book" / "templates" / "pilot.ipynb"
    original = template.read_bytes()
    notebook = nbformat.read(template, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(
        f'if pilot_id == "{pilot_id}":\n    raise RuntimeError("{message}")'))
    nbformat.write(notebook, template)
    try:
        yield
    finally:
        template.write_bytes(original)


def in_page_kernel(expression: str):
    """The value of ``expression`` in the calling page thread's warm kernel (None when it has none).

    Submit it to a page pool (``pool.submit(in_page_kernel, "...")``): the kernel, not the thread,
    is where a page's environment and imports are.
    """
    from jupyter_core.utils import run_sync

    from evalkit.pipeline.kernel import warm_kernel

    manager = warm_kernel().km
    if manager is None or not manager.has_kernel:
        return None
    client = manager.client()
    client.start_channels()
    try:
        run_sync(client.wait_for_ready)(timeout=60)
        reply = run_sync(client.execute_interactive)("", user_expressions={"value": expression}, timeout=60)
    finally:
        client.stop_channels()
    return eval(reply["content"]["user_expressions"]["value"]["data"]["text/plain"])  # noqa: S307


def evalkit_processes(project: Path, wait: float = 0.0) -> list[str]:
    """Processes started for ``project`` (their environment names it as EVALKIT_ROOT), other
    than this test process: builds, page kernels, Jupyter Book. Waits up to ``wait`` seconds
    for them to end (a kernel notices its parent is gone within a second), then lists the rest.
    """
    import time

    marker = f"EVALKIT_ROOT={project}".encode()
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if marker not in (entry / "environ").read_bytes().split(b"\0"):
                    continue
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue  # ended meanwhile, or not ours to read
            if parent == os.getpid() and "multiprocessing.resource_tracker" in command:
                continue  # this test process's own helper, shared by all its process pools
            found.append(f"{entry.name}: {command[:120]}")
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.25)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test` runs two workers): tests that share a built book run on
    one worker, so each book is built once; everything else is spread over both."""
    for item in items:
        if "built_editions" in item.fixturenames:
            item.add_marker(pytest.mark.xdist_group("editions"))
        elif item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))  # module-scoped builds


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


# --- Every edition built once per test session (issue 8: browser, PDF and accessibility tests) ---
@pytest.fixture(scope="session")
def built_editions(tmp_path_factory) -> Path:
    """A scratch copy of the project with the Finnish, Swedish and English editions built (site and
    PDF), side by side in _build/html, _build/html-sv and _build/html-en as they are published."""
    project = copy_project(tmp_path_factory.mktemp("editions") / "project")
    for lang in ("fi", "sv", "en"):
        result = run_evalkit(project, "build", "--jobs", "2", "--lang", lang)
        assert result.returncode == 0, f"build --lang {lang} failed:\n{result.stderr[-3000:]}"
    return project
