"""The ``evalkit-warm`` papermill engine: every page of a page thread runs in its one warm kernel.

The kernel is started and kept by :mod:`evalkit.pipeline.kernel`. Before every page it is reset
to a fresh session: the user namespace is emptied, the execution count starts again at 1,
figures are closed and the working folder is set, so a page's output does not depend on the
pages before it (tests/test_kernel_reuse.py compares with fresh kernels). Imported modules stay
loaded: that is the saving. After the last cell the kernel says what the page read
(:mod:`evalkit.pipeline.read_log`).
"""
from __future__ import annotations

import ast
import os

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from evalkit.pipeline import read_log
from evalkit.pipeline.kernel import warm_kernel
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
            warm_kernel().kc = self.kc
            reset = _RESET.format(cwd=kwargs.get("cwd") or os.getcwd(), ignore=read_log.ignored_for_next_page())
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
    """papermill engine that runs every notebook of a thread in that thread's one kernel, reset before each."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None,
                                 kernel_cwd=None, **kwargs):
        """Execute ``nb_man``'s notebook in this thread's warm kernel (started on first use or after it died).

        The arguments are those of papermill's ``NBClientEngine.execute_managed_notebook``, and
        ``kernel_cwd``, the folder the page runs in (default: this process's folder). papermill's
        own ``cwd`` would change this process's folder, which the other page threads share.
        """
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                             kernel_name=kernel_name, log=logger, log_output=log_output,
                             stdout_file=stdout_file, stderr_file=stderr_file)
        warm = warm_kernel()
        client = _WarmClient(nb_man, km=warm.manager(kernel_name), **final)
        client.kc = warm.kc
        return client.execute(cwd=kernel_cwd or os.getcwd())


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
