"""Kernels for the page notebooks: private IPC sockets, and one warm kernel per page thread.

Parallel papermill runs over TCP pick free ports and bind them later; two kernels starting at
once can pick the same port and one dies (papermill issue 511). IPC sockets in a folder of
their own cannot collide.

Starting a kernel and importing pandas, statsmodels and matplotlib into it costs more than most
pages' own work, so each thread that runs pages keeps one kernel, started here, and papermill
runs page after page in it through the ``evalkit-warm`` engine
(:mod:`evalkit.pipeline.page_engine`). The pages' work is done in the kernels, each a process of
its own; the threads only send cells and write notebooks (:class:`evalkit.pipeline.runner.PagePool`).
This module needs only jupyter_client, not papermill: a pool starts its kernels before papermill
is imported (a third of a second, pyarrow's file systems included), so the two overlap.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

SOCKET_PREFIX = "evalkit-kernel-"


OWNER_LOCK = "owner.lock"
_SETTLED_SECONDS = 60   # a folder younger than this may be taking its lock right now


def remove_orphaned_socket_folders(folder: str | None = None) -> list[str]:
    """Remove the socket folders of builds that died without cleaning up (SIGKILL, power loss).

    The process that makes a folder holds an exclusive lock on its ``owner.lock`` for as long as
    the kernel lives; the operating system releases it when the process ends, however it ends,
    in whatever process namespace it ran. A folder of this user whose lock can be taken, older
    than a minute, is removed; one whose lock is held, without a lock file (an older evalkit's)
    or another user's is left. Returns the folders removed.
    """
    import fcntl
    import time

    removed = []
    base = folder or tempfile.gettempdir()
    try:
        names = [n for n in os.listdir(base) if n.startswith(SOCKET_PREFIX)]
    except OSError:
        return removed
    for name in names:
        path = os.path.join(base, name)
        lock = os.path.join(path, OWNER_LOCK)
        try:
            info = os.stat(lock)
            if info.st_uid != os.getuid() or time.time() - info.st_mtime < _SETTLED_SECONDS:
                continue
            handle = os.open(lock, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue   # held: its kernel is alive
        finally:
            os.close(handle)
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.exists(path):
            removed.append(name)
    return removed


def _owned_socket_folder() -> tuple[str, int]:
    """A new private socket folder and the open lock file this process holds in it (see above)."""
    import fcntl

    folder = tempfile.mkdtemp(prefix=SOCKET_PREFIX)
    handle = os.open(os.path.join(folder, OWNER_LOCK), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(handle, fcntl.LOCK_EX)
    return folder, handle


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel talks over IPC sockets in a private temporary folder.

    The folder is removed when the kernel's resources are cleaned up (not on a restart).
    ``environment`` is added to the environment the kernel starts with, however it is started.
    """

    def __init__(self, environment: dict[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        remove_orphaned_socket_folders()
        self._socket_dir, self._owner_lock = _owned_socket_folder()
        self.transport = "ipc"
        self.ip = f"{self._socket_dir}/kernel"
        # Not /tmp/tmpXXXX.json, which a killed build would leave behind (it holds the kernel's key).
        self.connection_file = f"{self._socket_dir}/connection.json"
        self._environment = dict(environment or {})

    async def _async_pre_start_kernel(self, **kw):
        if self._environment:
            kw["env"] = {**kw.get("env", os.environ), **self._environment}
        return await super()._async_pre_start_kernel(**kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            if self._owner_lock is not None:
                os.close(self._owner_lock)
                self._owner_lock = None

    # jupyter_client binds its own method here, which would skip the override for a kernel never started.
    cleanup_resources = _async_cleanup_resources


class _WarmKernel:
    """The kernel manager and client of one thread, kept from page to page.

    ``environment`` is what its kernel starts with besides this process's environment (the
    numeric libraries' thread limits, :func:`evalkit.pipeline.runner.threads_per_worker`).
    """

    def __init__(self) -> None:
        self.km: IPCKernelManager | None = None
        self.kc = None
        self.environment: dict[str, str] = {}
        self.stopped = False

    def manager(self, kernel_name: str) -> IPCKernelManager:
        if self.stopped:   # the build is being stopped: start no kernel that nothing would end
            raise RuntimeError("the build was stopped")
        if self.km is not None and not run_sync(self.km.is_alive)():
            self.shutdown()  # died with the last page: start afresh
        if self.km is None:
            self.km = IPCKernelManager(environment=self.environment, kernel_name=kernel_name)
        return self.km

    def shutdown(self) -> None:
        km, kc, self.km, self.kc = self.km, self.kc, None, None
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            try:
                if km.has_kernel:
                    run_sync(km.shutdown_kernel)(now=True)  # now: killed at once, no shutdown request
            finally:
                run_sync(km.cleanup_resources)()

    def kill(self) -> None:
        """Stop this kernel from another thread: no new one is started, and the running one is killed.

        Only a signal is sent: the sockets and the event loop belong to the thread that uses the
        kernel, whose page then fails with a dead kernel. :meth:`shutdown` cleans up afterwards.
        """
        self.stopped = True
        km = self.km
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is not None:
            try:
                process.kill()
            except OSError:
                pass   # ended already


_local = threading.local()   # one warm kernel per thread: a thread pool as executor works too
_every: list[_WarmKernel] = []


def warm_kernel() -> _WarmKernel:
    """The warm kernel (manager and client) of the calling thread, made on first use; pages run in it."""
    if not hasattr(_local, "kernel"):
        _local.kernel = _WarmKernel()
        _every.append(_local.kernel)
    return _local.kernel


# The chapters every page imports in its first cell. A kernel started ahead of its first page
# (prestart_kernel) imports them as it starts (evalkit.chapters.warm_up), while its build is
# still starting and preparing that page; the page then finds them loaded, as every later page of
# its thread does.
WARM_IMPORTS = ("evalkit.chapters.comparison", "evalkit.chapters.national", "evalkit.chapters.pilot")
_WARM_UP = "__import__('evalkit.chapters', fromlist=['warm_up']).warm_up({project!r})"
# What nbclient gives a kernel it starts (its ``ipython_hist_file`` default): a kernel started
# here is started the same way.
_HISTORY_ARGUMENT = "--HistoryManager.hist_file=:memory:"


def prestart_kernel(kernel_name: str = "python3", cwd: str | None = None,
                    environment: dict[str, str] | None = None) -> None:
    """Start this thread's warm kernel now, warmed up as it starts (:func:`evalkit.chapters.warm_up`).

    Called by a page thread before its first page (:func:`evalkit.pipeline.runner.PagePool`), so
    that starting the kernel and importing the scientific libraries into it overlap with the
    build's own work. ``environment`` is added to this process's environment for the kernel,
    now and whenever the thread starts it again. The kernel starts in ``cwd`` (default: this
    process's folder), the folder
    its pages run in, as a kernel started for its first page would, and records what the imports
    read there (a ``matplotlibrc`` beside the project), as that page would have: every page it
    runs depends on it. It answers only once warmed up; the first page then runs in it as any
    later page does, after the reset to a fresh session. An import that fails is left for the
    page to meet; a kernel that cannot be started is left for the first page to start, and to
    fail on, as it would have.
    """
    warm = warm_kernel()
    warm.environment = dict(environment or {})
    folder = os.path.abspath(cwd or os.getcwd())
    try:
        manager = warm.manager(kernel_name)
        if not manager.has_kernel:
            run_sync(manager.start_kernel)(
                extra_arguments=[_HISTORY_ARGUMENT, f"--IPKernelApp.exec_lines={_WARM_UP.format(project=folder)}"],
                cwd=folder)
    except Exception:  # noqa: BLE001 - an optimisation only: the first page starts its kernel itself
        warm.shutdown()


def end_kernels(kernels: list[_WarmKernel]) -> None:
    """End ``kernels``, whose threads are done with them (their sockets are closed here)."""
    for kernel in kernels:
        kernel.shutdown()


@atexit.register
def shutdown_warm_kernels() -> None:
    """End every page kernel of this process, once no page runs in it (at exit; before :func:`os.execv`)."""
    end_kernels(list(_every))
