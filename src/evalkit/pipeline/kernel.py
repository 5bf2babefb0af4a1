"""Kernels for the page notebooks: private IPC sockets, and one warm kernel per worker process.

Parallel papermill runs over TCP pick free ports and bind them later; two kernels starting at
once can pick the same port and one dies (papermill issue 511). IPC sockets in a folder of
their own cannot collide.

Starting a kernel and importing pandas, statsmodels and matplotlib into it costs more than most
pages' own work, so each worker process keeps one kernel and papermill runs page after page in
it through the ``evalkit-warm`` engine. Before every page the kernel is reset to a fresh
session: the user namespace is emptied, the execution count starts again at 1, figures are
closed and the working folder is set, so a page's output does not depend on the pages before it
(tests/test_kernel_reuse.py compares with fresh kernels). Imported modules stay loaded: that is
the saving.
"""
from __future__ import annotations

import ast
import atexit
import os
import shutil
import tempfile
import threading

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from evalkit.pipeline import read_log
from evalkit.pipeline.read_log import READS_METADATA

ENGINE_NAME = "evalkit-warm"

# Run silently before each page. reset(new_session=True) empties the namespace and restarts the
# execution count, so the executed notebook is the same whichever pages ran before it. Recording
# starts before matplotlib is first imported, in the page's folder: what the import reads there
# (a matplotlibrc) is then a dependency of this page and of every later one.
_RESET = """\
get_ipython().reset(new_session=True, aggressive=False)
import os as _os
_os.chdir({cwd!r})
import evalkit.pipeline.read_log as _read_log
_read_log.start_recording({ignore!r}, project={cwd!r})
import matplotlib.pyplot as _plt
_plt.close("all")
del _os, _plt, _read_log
"""
# Run silently after the page's last cell: what the page read (evalkit.pipeline.read_log).
_READS = "__import__('evalkit.pipeline.read_log', fromlist=['recorded']).recorded()"


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel talks over IPC sockets in a private temporary folder.

    The folder is removed when the kernel's resources are cleaned up (not on a restart).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._socket_dir = tempfile.mkdtemp(prefix="evalkit-kernel-")
        self.transport = "ipc"
        self.ip = f"{self._socket_dir}/kernel"

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._socket_dir, ignore_errors=True)


class _WarmKernel:
    """The kernel manager and client of this process (thread), kept from page to page."""

    def __init__(self) -> None:
        self.km: IPCKernelManager | None = None
        self.kc = None

    def manager(self, kernel_name: str) -> IPCKernelManager:
        if self.km is not None and not run_sync(self.km.is_alive)():
            self.shutdown()  # died with the last page: start afresh
        if self.km is None:
            self.km = IPCKernelManager(kernel_name=kernel_name)
        return self.km

    def shutdown(self) -> None:
        km, kc, self.km, self.kc = self.km, self.kc, None, None
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            try:
                if km.has_kernel:
                    run_sync(km.shutdown_kernel)(now=True)  # now: no interrupt, no shutdown chatter
            finally:
                run_sync(km.cleanup_resources)()


_local = threading.local()   # one warm kernel per thread: a thread pool as executor works too
_every: list[_WarmKernel] = []


def _current() -> _WarmKernel:
    if not hasattr(_local, "kernel"):
        _local.kernel = _WarmKernel()
        _every.append(_local.kernel)
    return _local.kernel


# The chapters every page imports in its first cell. A kernel started ahead of its first page
# (prestart_kernel) imports them as it starts (evalkit.chapters.warm_up), while its worker is
# still starting and preparing that page; the page then finds them loaded, as every later page of
# a worker does.
WARM_IMPORTS = ("evalkit.chapters.comparison", "evalkit.chapters.national", "evalkit.chapters.pilot")
_WARM_UP = "__import__('evalkit.chapters', fromlist=['warm_up']).warm_up({project!r})"
# What nbclient gives a kernel it starts (its ``ipython_hist_file`` default): a kernel started
# here is started the same way.
_HISTORY_ARGUMENT = "--HistoryManager.hist_file=:memory:"


def prestart_kernel(kernel_name: str = "python3", cwd: str | None = None) -> None:
    """Start this thread's warm kernel now, warmed up as it starts (:func:`evalkit.chapters.warm_up`).

    Called by a worker before its first page (:func:`evalkit.pipeline.runner.start_worker`), so
    that starting the kernel and importing the scientific libraries into it overlap with the
    worker's own start. The kernel starts in ``cwd`` (default: this process's folder), the folder
    its pages run in, as a kernel started for its first page would, and records what the imports
    read there (a ``matplotlibrc`` beside the project), as that page would have: every page it
    runs depends on it. It answers only once warmed up; the first page then runs in it as any
    later page does, after the reset to a fresh session. An import that fails is left for the
    page to meet; a kernel that cannot be started is left for the first page to start, and to
    fail on, as it would have.
    """
    warm = _current()
    folder = os.path.abspath(cwd or os.getcwd())
    try:
        manager = warm.manager(kernel_name)
        if not manager.has_kernel:
            run_sync(manager.start_kernel)(
                extra_arguments=[_HISTORY_ARGUMENT, f"--IPKernelApp.exec_lines={_WARM_UP.format(project=folder)}"],
                cwd=folder)
    except Exception:  # noqa: BLE001 - an optimisation only: the first page starts its kernel itself
        warm.shutdown()


@atexit.register
def shutdown_warm_kernels() -> None:
    """End every page kernel of this process (a build that ran pages in its own process calls this)."""
    for kernel in _every:
        kernel.shutdown()


class _WarmClient(PapermillNotebookClient):
    """papermill's client, resetting the reused kernel to a fresh session before the first cell."""

    def execute(self, **kwargs):
        try:
            return self._execute(**kwargs)
        except KeyboardInterrupt:
            _abandon_loop_tasks()
            raise

    def _execute(self, **kwargs):
        self.reset_execution_trackers()
        with self.setup_kernel(**kwargs):
            _current().kc = self.kc
            reset = _RESET.format(cwd=os.getcwd(), ignore=read_log.ignored_for_next_page())
            reply = self.wait_for_reply(self.kc.execute(reset, silent=True, store_history=False))
            if reply is None or reply["content"].get("status") != "ok":
                raise RuntimeError("the page kernel could not be reset to a fresh session")
            self.papermill_execute_cells()
            self.nb.metadata[READS_METADATA] = self._reads()
            info_msg = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
            self.set_widgets_metadata()
        return self.nb

    def _reads(self) -> str | None:
        """The page's reads as JSON, or None when the kernel could not say (the page then always re-runs)."""
        reply = self.wait_for_reply(self.kc.execute("", silent=True, store_history=False,
                                                    user_expressions={"reads": _READS}))
        try:
            value = reply["content"]["user_expressions"]["reads"]["data"]["text/plain"]
            return ast.literal_eval(value)
        except (TypeError, KeyError, ValueError, SyntaxError):
            return None


def _abandon_loop_tasks() -> None:
    """Stop reporting errors of this thread's event loop's tasks: the interrupted run waits for none.

    Interrupted mid-cell, the cell's task is left pending and ends, when the kernel is shut down,
    with nbclient's ``DeadKernelError``, which asyncio would print as a traceback at exit.
    """
    from jupyter_core.utils import ensure_event_loop

    ensure_event_loop().set_exception_handler(lambda loop, context: None)


class WarmKernelEngine(NBClientEngine):
    """papermill engine that runs every notebook of this process in the same, reset, kernel."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
        """Execute ``nb_man``'s notebook in this thread's warm kernel (started on first use or after it died).

        The arguments are those of papermill's ``NBClientEngine.execute_managed_notebook``.
        """
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                             kernel_name=kernel_name, log=logger, log_output=log_output,
                             stdout_file=stdout_file, stderr_file=stderr_file)
        warm = _current()
        client = _WarmClient(nb_man, km=warm.manager(kernel_name), **final)
        client.kc = warm.kc
        return client.execute(cwd=os.getcwd())


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
