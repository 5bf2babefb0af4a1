"""A kernel manager that talks to its kernel over Unix sockets in a private folder.

Parallel papermill runs over TCP pick free ports and bind them later; two kernels starting at
once can pick the same port and one dies (papermill issue 511). IPC sockets in a folder of
their own cannot collide.
"""
from __future__ import annotations

import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager


class IPCKernelManager(AsyncKernelManager):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._socket_dir = tempfile.mkdtemp(prefix="evalkit-kernel-")
        self.transport = "ipc"
        self.ip = f"{self._socket_dir}/kernel"

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
