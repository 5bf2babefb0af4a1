"""Run notebook jobs with papermill: only those whose inputs changed, in parallel, keeping going.

A job's cache key hashes what its output is known to depend on: the template, the parameters and
page context, the bytes of every declared input file, evalkit's own files, the installed libraries
and the lockfile. When the page has run, what its kernel actually read and wrote is recorded too
(:mod:`evalkit.pipeline.read_log`). Both go into the job's dependency record in the build folder,
beside a digest of the executed notebook; a job is reused only when its key, every recorded read,
every file it wrote and its notebook are all as recorded. Anything missing or unreadable means
the page runs again.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import nbformat

from evalkit.paths import file_digest
from evalkit.pipeline import read_log
from evalkit.pipeline.read_log import READS_METADATA

KEY_VERSION = "evalkit-nb-2"


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to render from a template and execute: what goes in and where it goes."""

    name: str                       # e.g. "lappi" or "index"
    template: Path
    output: Path                    # the executed notebook
    parameters: dict[str, Any]
    context: dict[str, Any]
    lang: str
    inputs: tuple[Path, ...] = ()   # data and fact files whose bytes the output depends on
    failed_dir: Path | None = None  # where a failed notebook is kept for inspection
    cwd: Path | None = None         # the kernel's working folder (default: the ``root`` parameter)
    book_page: bool = True          # a page of a book: its parameters cell is hidden from readers
    deps_file: Path | None = None   # the dependency record (build folder); None: never reused
    ignore_reads: tuple[Path, ...] = ()   # folders of the build's own outputs, not dependencies


class Reason(str):
    """Why a page runs or is reused: English text for the console, a code and details for the report.

    The build status page shows it in the edition's language (catalogue key ``build.reason.<code>``,
    with ``{detail}``, the names of what changed).
    """

    TEXTS = {"no_output": "no previous output", "no_record": "no record of what it read",
             "changed": "changed: {detail}", "key_changed": "key changed",
             "notebook_changed": "its executed notebook was changed or replaced",
             "outputs_changed": "its outputs were changed or removed: {detail}",
             "unchanged": "inputs unchanged", "forced": "forced", "worker_failed": "page run failed"}

    def __new__(cls, code: str, detail: str = "") -> Reason:
        """The reason ``code`` (a key of ``TEXTS``), with ``detail`` in its text."""
        reason = super().__new__(cls, cls.TEXTS[code].format(detail=detail))
        reason.code, reason.detail = code, detail
        return reason

    def __reduce__(self):
        return (Reason, (self.code, self.detail))


@dataclass
class JobResult:
    """What became of one job: built, reused or failed, why, how long it took, and where it failed."""

    name: str
    status: str                     # "built", "reused" or "failed"
    reason: str
    seconds: float = 0.0
    failed_cell: int | None = None
    failed_source: str | None = None
    error: str | None = None
    kept_notebook: str | None = None
    fingerprint: str = ""           # the key and everything the page read: changes when the output may


def cache_key(job: NotebookJob, code_digest: str) -> tuple[str, dict[str, str]]:
    """The job's key, and the part digests it was made from (to explain a re-run)."""
    parts = {
        "version": KEY_VERSION,
        "template": file_digest(job.template),
        "parameters": hashlib.sha256(json.dumps(
            {"p": job.parameters, "c": job.context, "lang": job.lang}, sort_keys=True, default=str
        ).encode()).hexdigest(),
        "code": code_digest,
    }
    for path in job.inputs:
        # The whole path: extracts in folders of their own often share a file name.
        parts[f"input:{input_label(path, job)}"] = read_log.current(str(Path(path).resolve()))
    key = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return key, parts


def input_label(path: Path, job: NotebookJob) -> str:
    """An input as the build's messages name it: relative to the project, else its file name."""
    resolved = Path(path).resolve()
    root = Path(job.cwd if job.cwd is not None else job.parameters.get("root", ".")).resolve()
    try:
        return str(resolved.relative_to(root))
    except ValueError:
        return f"{resolved.name} ({hashlib.sha256(str(resolved).encode()).hexdigest()[:8]})"


def _record(job: NotebookJob) -> dict[str, Any] | None:
    if job.deps_file is None:
        return None
    try:
        record = json.loads(job.deps_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _project_base(job: NotebookJob) -> Path:
    """The folder the page's kernel ran in: the read log's relative paths start there."""
    return Path(job.cwd if job.cwd is not None else job.parameters.get("root", "."))


def fingerprint_of(key: str, reads: dict[str, str]) -> str:
    """What a page's output was made from: its key and the digests of everything it read."""
    return hashlib.sha256(json.dumps([key, reads], sort_keys=True).encode()).hexdigest()


def why_run(job: NotebookJob, key: str, parts: dict[str, str]) -> Reason | None:
    """None when the stored output can be reused; else the reason it must run.

    Reuse needs the output notebook as it was written, a dependency record with the same key,
    and every file and folder the page read unchanged since.
    """
    if not job.output.is_file():
        return Reason("no_output")
    record = _record(job)
    if record is None or not isinstance(record.get("reads"), dict) or not isinstance(record.get("writes"), dict):
        return Reason("no_record")
    if record.get("cache_key") != key:
        old = record.get("key_parts", {})
        changed = sorted(name for name in set(parts) | set(old) if parts.get(name) != old.get(name))
        return Reason("changed", ", ".join(changed)) if changed else Reason("key_changed")
    if read_log.current(str(job.output)) != record.get("output"):
        return Reason("notebook_changed")
    base = _project_base(job)
    written = read_log.changed(record["writes"], base)
    if written:
        return Reason("outputs_changed", ", ".join(written))
    changed = read_log.changed(record["reads"], base)
    return Reason("changed", ", ".join(f"read:{name}" for name in changed)) if changed else None


def reused_fingerprint(job: NotebookJob, key: str) -> str:
    """The fingerprint of a reused page, from its dependency record."""
    return fingerprint_of(key, (_record(job) or {}).get("reads", {}))


def execute_job(job: NotebookJob, key: str, parts: dict[str, str], reason: str) -> JobResult:
    """Render the template and execute it in this thread's warm kernel; runs in a page thread.

    The page's dependency record is removed first and written again, with the key, what the page
    read and wrote and the executed notebook's digest, only when every cell ran; the executed
    notebook then replaces ``job.output``. A book page gets its parameter cells hidden, and
    papermill's timing metadata is removed. A failure is caught and reported in the result, never
    raised; the failed notebook is kept in ``job.failed_dir`` when one is given.

    Parameters
    ----------
    job : NotebookJob
    key : str
        The job's cache key (:func:`cache_key`), stored in its dependency record.
    parts : dict of str to str
        The digests the key was made from, stored beside it.
    reason : str
        Why the job runs, carried into the result.

    Returns
    -------
    JobResult
        ``built`` (with its :func:`fingerprint_of`) or ``failed``.
    """
    from evalkit.pipeline.templates import render

    started = time.monotonic()
    folder = job.output.parent.absolute()
    folder.mkdir(parents=True, exist_ok=True)
    handle, tmp_in = tempfile.mkstemp(suffix=".ipynb", dir=folder, prefix=".in-")
    os.close(handle)
    tmp_out = folder / f".out-{os.getpid()}-{threading.get_ident()}-{job.output.name}"
    result = JobResult(job.name, "built", reason, fingerprint=key)
    if job.deps_file is not None:
        # From here on the old outputs may be half replaced (a figure written, the notebook not
        # yet): without a record, a killed run is run again next time.
        job.deps_file.unlink(missing_ok=True)
    try:
        notebook = render(job.template, job.context, job.lang)
        if job.book_page:
            _page_defaults(notebook, job)
        nbformat.write(notebook, tmp_in)
        read_log.ignore_for_next_page([str(job.output.parent), *map(str, job.ignore_reads)])
        _run_papermill(job, Path(tmp_in), tmp_out, result)
    except Exception as exc:  # kernel died, template error: still this job's failure only
        result.status = "failed"
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        Path(tmp_in).unlink(missing_ok=True)
    result.seconds = round(time.monotonic() - started, 2)
    if result.status == "failed":
        # The status page shows these beside the kept notebook.
        if result.error:
            result.error = local_paths_hidden(result.error, _project_base(job))
        if result.failed_source:
            result.failed_source = local_paths_hidden(result.failed_source, _project_base(job))
        _keep_failed(job, tmp_out, result)
    else:
        result.fingerprint = _publish_executed(job, tmp_out, key, parts)
    return result


def _run_papermill(job: NotebookJob, tmp_in: Path, tmp_out: Path, result: JobResult) -> None:
    """Execute the rendered notebook in this thread's warm kernel; a failing cell marks ``result``.

    papermill is given no working folder: it would change this whole process's folder while the
    page runs, under every other thread's feet. The kernel is told its folder instead
    (``kernel_cwd``, :mod:`evalkit.pipeline.page_engine`).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from evalkit.pipeline.page_engine import ENGINE_NAME

    try:
        papermill.execute_notebook(
            str(tmp_in), str(tmp_out), parameters=job.parameters,
            kernel_cwd=os.path.abspath(job.cwd if job.cwd is not None else job.parameters.get("root", ".")),
            kernel_name="python3", progress_bar=False, log_output=False, engine_name=ENGINE_NAME,
            # One write at the end: saving after every cell costs more than a small page.
            request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as exc:
        result.status = "failed"
        result.failed_cell = exc.cell_index
        result.error = f"{exc.ename}: {exc.evalue}".strip()
        result.failed_source = (exc.source or "").strip().splitlines()[0][:120] if exc.source else ""


def _keep_failed(job: NotebookJob, tmp_out: Path, result: JobResult) -> None:
    """Move a failed run's notebook into ``job.failed_dir`` for inspection (or drop it)."""
    if tmp_out.exists() and job.failed_dir is not None:
        job.failed_dir.mkdir(parents=True, exist_ok=True)
        kept = job.failed_dir / job.output.name
        # A failed page's notebook is offered for download on the status page: no read log (absolute
        # paths) and the same publishable parameters as a page that ran.
        failed = nbformat.read(tmp_out, as_version=4)
        failed.metadata.pop(READS_METADATA, None)
        if job.book_page:
            _publishable_parameters(failed, job)
        hide_local_folders(failed, _project_base(job))
        nbformat.write(failed, tmp_out)
        os.replace(tmp_out, kept)
        result.kept_notebook = str(kept)
    tmp_out.unlink(missing_ok=True)


def local_paths_hidden(text: str, project: Path) -> str:
    """``text`` naming no local folder: the failure preview and its status page show it.

    A traceback names every file it passes through by its absolute path: the project's files
    become relative to ``project`` (as given and with its links resolved), the Python library's
    and the installed packages' read ``<stdlib>`` and ``<site-packages>``, and the rest of the
    home folder ``~``. A path elsewhere (``/srv``, ``/mnt``) is left: it names no person's folder.
    """
    import sysconfig

    paths = sysconfig.get_paths()
    folders = {os.path.abspath(project): "", str(Path(project).resolve()): "",
               paths["purelib"]: "<site-packages>", paths["platlib"]: "<site-packages>",
               paths["stdlib"]: "<stdlib>", paths["platstdlib"]: "<stdlib>", str(Path.home()): "~"}
    import re

    for folder, shown in sorted(folders.items(), key=lambda item: len(item[0]), reverse=True):  # longest first
        if folder != os.sep:
            text = text.replace(folder + os.sep, shown + os.sep if shown else "")
            text = re.sub(re.escape(folder) + r"(?![\w.\-])", shown or ".", text)   # the folder itself
    return text


def hide_local_folders(notebook, project: Path) -> None:
    """Name no local folder in ``notebook``'s outputs (:func:`local_paths_hidden`)."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [local_paths_hidden(line, project) for line in output.get("traceback", [])]
                output["evalue"] = local_paths_hidden(output.get("evalue", ""), project)
            elif output.get("output_type") == "stream":
                output["text"] = local_paths_hidden(output.get("text", ""), project)
            for kind, value in output.get("data", {}).items():   # display_data, execute_result
                if kind.startswith("text/") and isinstance(value, str):
                    output["data"][kind] = local_paths_hidden(value, project)


def _publish_executed(job: NotebookJob, tmp_out: Path, key: str, parts: dict[str, str]) -> str:
    """Replace ``job.output`` with the executed notebook, free of per-run metadata; record its dependencies.

    Returns the page's fingerprint (:func:`fingerprint_of`).
    """
    executed = nbformat.read(tmp_out, as_version=4)
    log = executed.metadata.pop(READS_METADATA, None)
    if job.book_page:
        _hide_parameter_cells(executed)
        _publishable_parameters(executed, job)
    executed.metadata.pop("papermill", None)  # timings differ per run; keep outputs reproducible
    for cell in executed.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"   # papermill draws a random id: same inputs, same notebook
    nbformat.write(executed, tmp_out)
    if job.deps_file is None:   # never reused (a pilot's own report): nothing to record or hash
        os.replace(tmp_out, job.output)
        return key
    done = read_log.fingerprint(log, _project_base(job)) if isinstance(log, str) else None
    os.replace(tmp_out, job.output)
    if done is not None:
        job.deps_file.parent.mkdir(parents=True, exist_ok=True)
        record = {"cache_key": key, "key_parts": parts, **done, "output": read_log.current(str(job.output))}
        staged = job.deps_file.with_name(f".{job.deps_file.name}.{os.getpid()}")
        staged.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(staged, job.deps_file)
    return fingerprint_of(key, done["reads"] if done else {})


def _publishable_parameters(notebook, job: NotebookJob) -> None:
    """Rewrite papermill's injected parameters cell so that the published notebook names no local folder.

    Jupyter Book publishes each page's notebook as a download (``_sources/*.ipynb``). An absolute
    path among the parameters is written relative to the job's working folder, or as its name
    alone when it lies outside (:func:`evalkit.shown.published_path`): never a home folder or a
    user name. An identity code in any text parameter reads ``<identity code>``. The national
    pages are given relative parameters already, so the cell still runs from the project folder.
    """
    from papermill.translators import translate_parameters

    published = _published_parameters(job)
    if published == job.parameters:
        return
    for cell in notebook.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = translate_parameters("python3", "python", published, "Parameters")


def _published_parameters(job: NotebookJob) -> dict:
    """The job's parameters as a published notebook may name them (:func:`_publishable_parameters`)."""
    from evalkit.shown import hide_identity_codes, published_path

    base = job.cwd if job.cwd is not None else Path(str(job.parameters.get("root", ".")))
    return {name: (published_path(value, base) if os.path.isabs(value) else hide_identity_codes(value))
            if isinstance(value, str) else value
            for name, value in job.parameters.items()}


def _page_defaults(notebook, job: NotebookJob) -> None:
    """Write this page's own values into the template's default parameters cell.

    The template's defaults are one pilot's (``pilot_id = "lappi"``): in a downloaded notebook of
    another pilot they read as that pilot's, above papermill's cell that sets the right ones. The
    names the defaults cell sets and the page is not given keep their default.
    """
    from papermill.translators import translate_parameters

    given = _published_parameters(job)
    for cell in notebook.cells:
        if "parameters" in cell.metadata.get("tags", []):
            kept = [line for line in cell.source.splitlines()
                    if "=" in line and line.split("=", 1)[0].strip() not in given]
            cell.source = translate_parameters("python3", "python", given, "Parameters of this page").rstrip() + \
                ("\n" + "\n".join(kept) if kept else "")
            return


def _hide_parameter_cells(notebook) -> None:
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            cell.metadata["tags"] = sorted(set(tags) | {"remove-cell"})


# Thread pools of numeric libraries: OpenBLAS (numpy, statsmodels), OpenMP, MKL, and Arrow, which
# sizes its pool from OMP_NUM_THREADS.
THREAD_LIMIT_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class PagePool(ThreadPoolExecutor):
    """Threads that run pages, each with one warm kernel, started with the thread and ended with the pool.

    A page's work is done in its kernel, a process of its own: a thread only renders the notebook,
    sends its cells and writes what comes back, so threads share this process as well as worker
    processes did, without each starting an interpreter and importing papermill (the notebook
    phase took 13.2-14.2 s with spawned workers, 12.8-13.1 s with threads). Nothing a page runs
    changes this process: papermill is given no working folder to change into (the kernel is
    told its own, :mod:`evalkit.pipeline.page_engine`), and what a page must not record is kept
    per thread (:func:`evalkit.pipeline.read_log.ignore_for_next_page`).

    Each thread starts its kernel as it starts (:func:`evalkit.pipeline.kernel.prestart_kernel`),
    in ``cwd``, the folder the pages run in, with the numeric libraries limited to ``threads``
    threads (a limit the user set is kept). :meth:`shutdown` ends the kernels once the threads
    have finished; :meth:`stop` ends them at once, failing the pages that run in them.
    """

    def __init__(self, workers: int, cwd: str | None = None, threads: int = 1) -> None:
        self._kernels: list = []
        environment = {name: os.environ.get(name, str(threads)) for name in THREAD_LIMIT_VARIABLES}
        super().__init__(max_workers=max(1, workers), thread_name_prefix="evalkit-page",
                         initializer=self._start_kernel, initargs=(cwd, environment))

    _first_import = threading.Lock()

    def _start_kernel(self, cwd: str | None, environment: dict[str, str]) -> None:
        from evalkit.pipeline.kernel import prestart_kernel, warm_kernel

        self._kernels.append(warm_kernel())
        prestart_kernel(cwd=cwd, environment=environment)
        # papermill and nbclient while the kernel starts, one thread at a time: two threads
        # importing the same modules at once may see one half-initialised.
        with PagePool._first_import:
            import evalkit.pipeline.page_engine  # noqa: F401

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Shut the threads down as :class:`~concurrent.futures.ThreadPoolExecutor` does; then end the kernels.

        Without ``wait`` the kernels are killed at once (:meth:`stop`).
        """
        if not wait:
            self.stop()
            return
        super().shutdown(wait=True, cancel_futures=cancel_futures)
        self._end_kernels()

    def stop(self) -> None:
        """Interrupted: end every kernel now, so that the running pages fail at once; then wait for the threads.

        Those pages' "kernel died" is not said: the build is being stopped, and says so itself.
        """
        import logging

        quiet = logging.getLogger("papermill")   # nbclient logs through papermill's logger
        was = quiet.disabled
        quiet.disabled = True
        try:
            super().shutdown(wait=False, cancel_futures=True)   # no page not yet begun will begin
            for kernel in list(self._kernels):
                kernel.kill()   # a signal only: each kernel's sockets are its thread's
            super().shutdown(wait=True)
            self._end_kernels()
        finally:
            quiet.disabled = was

    def _end_kernels(self) -> None:
        """End the kernels once their threads are done."""
        from evalkit.pipeline.kernel import end_kernels

        kernels, self._kernels = list(self._kernels), []
        end_kernels(kernels)


def default_executor(jobs: int, cwd: Path | str | None = None) -> PagePool:
    """A :class:`PagePool` of ``jobs`` (at least one) threads, each with its own warm kernel.

    ``cwd`` is the folder the pages will run in (their ``root``): each thread's kernel starts
    there, as it would for its first page.
    """
    workers = max(1, jobs)
    return PagePool(workers, None if cwd is None else str(cwd), threads_per_worker(workers))


def threads_per_worker(workers: int, cores: int | None = None) -> int:
    """Numeric threads each page kernel may use so that all kernels together fill the cores once.

    Each library sizes its pool to every core by default; with two kernels on two cores that is
    four busy threads, and OpenBLAS's spinning threads then take turns with the other kernel's
    work. The notebook phase took 17 s this way and 12.6 s with one thread each (``make bench``).
    joblib's loky workers limit their inner threads the same way.
    """
    cores = cores or os.cpu_count() or 1
    return max(1, cores // max(1, workers))


def die_with_parent(parent_pid: int | None = None) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (PR_SET_PDEATHSIG).

    For a process started from the build's main thread (a Sphinx build): a build killed with
    SIGKILL gets no chance to stop it; without this it would run on as an orphan. Page kernels
    need none: ipykernel polls its parent's pid and ends when the build has gone.
    """
    import ctypes
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # not Linux: an orphan only writes into the build's own temporary files
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # the parent died before the request was made


def run_jobs(jobs: Iterable[NotebookJob], code_digest: str, executor: Executor | None = None,
             parallel: int = 1, force: bool = False,
             on_done: Callable[[JobResult], None] | None = None,
             timings: Path | None = None) -> list[JobResult]:
    """Run what needs running (all jobs when ``force``), reuse the rest; never stop at a failure.

    Parameters
    ----------
    jobs : iterable of NotebookJob
        Job names must be unique.
    code_digest : str
        Digest of evalkit's own source and the installed libraries (``orchestrate.code_digest``),
        part of every cache key.
    executor : concurrent.futures.Executor, optional
        Any executor (a dask.distributed client's executor fans out over a cluster); by default
        a :class:`PagePool` of ``parallel`` threads (no more than there are jobs to run).
    parallel : int
        Workers of the default pool.
    force : bool
        Run every job, even when its stored output could be reused.
    on_done : callable, optional
        Called with each result as soon as it is known.
    timings : Path, optional
        JSON file of each job's seconds in earlier runs: jobs are started longest first (jobs
        never timed before come first of all), so that no long page is left running alone at the
        end, and the file is updated with this run's times.

    Returns
    -------
    list of JobResult
        In the order of ``jobs``.
    """
    results: dict[str, JobResult] = {}
    pending = []
    jobs = list(jobs)
    for job in jobs:
        key, parts = cache_key(job, code_digest)
        reason = Reason("forced") if force else why_run(job, key, parts)
        if reason is None:
            results[job.name] = JobResult(job.name, "reused", Reason("unchanged"),
                                          fingerprint=reused_fingerprint(job, key))
            if on_done:
                on_done(results[job.name])
        else:
            pending.append((job, key, parts, reason))
    if pending:
        seconds = _read_timings(timings)
        pending.sort(key=lambda item: -seconds.get(item[0].name, float("inf")))  # stable: ties keep order
        own = executor is None
        pool = executor or default_executor(min(parallel, len(pending)), cwd=_project_base(pending[0][0]))
        try:
            futures = {pool.submit(execute_job, *item): item[0] for item in pending}
            for future in _as_completed(futures):
                job = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # not the page's failure: the run around it failed
                    result = JobResult(job.name, "failed", Reason("worker_failed"),
                                       error=f"{type(exc).__name__}: {exc}")
                results[job.name] = result
                if on_done:
                    on_done(result)
        except BaseException:
            if own:
                stop_workers(pool)
            raise
        finally:
            if own:
                pool.shutdown(wait=True, cancel_futures=True)
        if timings is not None:
            seconds.update({r.name: r.seconds for r in results.values() if r.status == "built"})
            timings.parent.mkdir(parents=True, exist_ok=True)
            timings.write_text(json.dumps(seconds, indent=1, sort_keys=True), encoding="utf-8")
    return [results[job.name] for job in jobs]


def _read_timings(path: Path | None) -> dict[str, float]:
    try:
        stored = json.loads(path.read_text(encoding="utf-8")) if path is not None else {}
    except (OSError, ValueError):
        return {}
    return ({str(k): float(v) for k, v in stored.items() if isinstance(v, (int, float))}
            if isinstance(stored, dict) else {})


def stop_workers(pool: Executor) -> None:
    """Interrupted: end the pool's page kernels or worker processes now, not after their pages."""
    if isinstance(pool, PagePool):
        pool.stop()
        return
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _as_completed(futures):
    from concurrent.futures import as_completed

    return as_completed(futures)
