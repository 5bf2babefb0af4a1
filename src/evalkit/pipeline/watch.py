"""Build the site again whenever an input changes, with the page kernels and Sphinx kept warm.

The edit loop: a pilot changes a goal in its params file, an evaluator a text of the book, and
wants to see the page. Each build here is an ordinary ``evalkit build --no-pdf``
(:func:`evalkit.pipeline.orchestrate.build`): the same keys decide which pages run, the same
records what they read, the same refusal of an input that changed while it ran. What is kept
between builds is only what costs time to start:

- the page threads and their kernels, with the scientific libraries imported. A kernel is reset
  before every page as between two pages of one build, and every cache of evalkit that may hold
  a project file is emptied then (:func:`evalkit.pipeline.read_log.start_recording`);
- a Sphinx process with its modules imported, waiting for the next build's sources
  (:func:`evalkit.pipeline.book.prestart`);
- this process, with its imports and its digests of unchanged files.

Kernels and this process run the code they imported when they started. So before every build the
code digest (evalkit's files, what is installed, the lock file: the pages' own code key) is
compared with the one they started with; when it differs, this process starts again from nothing
(:func:`os.execv`), as if the command were typed anew.

A change is noticed by polling the time, size, inode and change time of every input file (the
ones :func:`evalkit.pipeline.orchestrate.build_inputs` digests), then confirmed by their bytes.
A change the poll misses is never published wrong; it is only not built until the next change,
or the next ``evalkit build``. A change while a build runs makes that build refuse to publish,
and the next poll builds again.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from evalkit.errors import EvalkitError, InputError
from evalkit.pipeline import book, orchestrate, runner
from evalkit.pipeline.read_log import digest, files_under, import_folders, skipped_names
from evalkit.register import artefact
from evalkit.shown import shown

POLL_SECONDS = 0.25
SETTLE_SECONDS = 0.1


class Restart(Exception):
    """The code changed since this process started: start again from nothing."""


def watched_files(root: Path, params: dict) -> list[Path]:
    """Every file a build takes as input: those under :func:`~evalkit.pipeline.orchestrate.input_locations`."""
    skipped = skipped_names(orchestrate.input_skipped(root))
    files = []
    for path in orchestrate.input_locations(root, params).values():
        files += [file for _, file in files_under(path, skipped)] if path.is_dir() else [path]
    return files


def input_state(files: list[Path]) -> tuple:
    """What the files are now (inode, size, modification and change time; None when absent), and ``sys.path``.

    Installing, upgrading or removing a library changes a folder on ``sys.path``, so its folders
    are compared too (:func:`evalkit.pipeline.read_log.import_folders`).
    """
    stats = []
    for path in files:
        try:
            info = path.stat()
            stats.append((str(path), info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
        except OSError:
            stats.append((str(path), None))
    return (tuple(stats), import_folders())


def input_contents(files: list[Path]) -> tuple:
    """The files' bytes (SHA-256; None when unreadable) and ``sys.path``'s folders.

    A build touches the book's sources whose bytes its site has not seen (so that Sphinx reads
    them again): their times change, not their bytes, and no build follows from that alone.
    Hashed once per file state (:func:`evalkit.pipeline.read_log.digest`).
    """
    contents = []
    for path in files:
        try:
            contents.append((str(path), digest(path)))
        except OSError:
            contents.append((str(path), None))
    return (tuple(contents), import_folders())


def _params(root: Path) -> dict:
    """The project's params, for the data files they name outside ``data/`` (none while they cannot be read)."""
    from evalkit.params import load_all_params

    try:
        return load_all_params(root)
    except EvalkitError:
        return {}


def _say(message: str) -> None:
    print(f"evalkit watch: {message}", file=sys.stderr, flush=True)


def _report(exc: EvalkitError) -> None:
    """A failed build's error, one line per problem, as the command line shows it."""
    lines = [str(p) for p in exc.problems] if isinstance(exc, InputError) else [str(exc)]
    for line in lines:
        print(f"evalkit: {shown(line)}", file=sys.stderr, flush=True)


def watch(root: Path, lang: str, parallel: int, max_builds: int | None = None,
          code_digest: Callable[[Path], str] = orchestrate.code_digest) -> int:
    """Build the site of edition ``lang``, then again after every change of its inputs, until interrupted.

    Parameters
    ----------
    root : Path
        The project folder.
    lang : str
        The edition.
    parallel : int
        Page threads, each with one kernel kept from build to build.
    max_builds : int, optional
        Stop after this many builds (for scripts and tests); default: until Ctrl-C.
    code_digest : callable
        The code digest of ``root`` (:func:`evalkit.pipeline.orchestrate.code_digest`).

    Returns
    -------
    int
        The number of builds that failed.

    Raises
    ------
    Restart
        The code digest is no longer the one this process started with; nothing was built with
        the new code. The caller starts the command again in a new process.
    """
    started_with = code_digest(root)
    pool = None
    builds = failed = 0
    seen = built_from = None
    building = False
    params = _params(root)
    _say(f"watching {shown(str(root))}; Ctrl-C stops")
    # Kernels take the build's artefact folder from the environment they start in, as a build's
    # own kernels do (evalkit.register.artefact.kept_in).
    with artefact.kept_in(root / "_build" / "artefacts"):
        try:
            while max_builds is None or builds < max_builds:
                files = watched_files(root, params)
                now = input_state(files)
                if now == seen:
                    time.sleep(POLL_SECONDS)
                    continue
                # An editor may save in steps (truncate, then write): build once the files hold still.
                while True:
                    time.sleep(SETTLE_SECONDS)
                    settled = input_state(files)
                    if settled == now:
                        break
                    now = settled
                seen = now
                contents = input_contents(files)
                if contents == built_from:
                    continue   # times changed, bytes did not (a build touched a source)
                built_from = contents
                if code_digest(root) != started_with:
                    raise Restart()
                if pool is None:
                    pool = _warm_pool(parallel, root)
                began = time.monotonic()
                building = True
                try:
                    orchestrate.build(root, lang=lang, parallel=parallel, pdf=False, executor=pool,
                                      kernels_code=started_with)
                    _say(f"built in {time.monotonic() - began:.1f} s; waiting for changes")
                except orchestrate.InputsChanged as exc:
                    _report(exc)   # files saved while it ran: build them as they are now
                    _say("building again")
                    seen = built_from = None
                except EvalkitError as exc:
                    failed += 1
                    built_from = None   # not built: the next change, even back to these files, builds
                    _report(exc)
                    _say("the build failed; the published site is unchanged; waiting for changes")
                building = False
                builds += 1
                if code_digest(root) != started_with:   # changed while the kernels started or the build ran
                    raise Restart()
                params = _params(root)
                if getattr(pool, "_broken", False):   # a thread's start failed: the next build starts new ones
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = None
                book.prestart("html")   # imported and waiting for the next build
        except BaseException:   # interrupted, or the code changed
            book.stop_prestarted()
            if pool is not None and building:   # pages running: end their kernels now
                runner.stop_workers(pool)
            elif pool is not None:   # idle: the pool ends its kernels
                pool.shutdown(wait=True, cancel_futures=True)
            raise
        book.stop_prestarted()
        if pool is not None:   # done: the pool ends its kernels
            pool.shutdown(wait=True, cancel_futures=True)
        return failed


def _warm_pool(parallel: int, root: Path):
    """The page threads, every one started now, so that each kernel is warm before the first page.

    A thread pool starts a thread when a task finds none idle: ``parallel`` tasks given at once
    start them all, each starting its kernel in ``root``, where the pages run
    (:class:`evalkit.pipeline.runner.PagePool`).
    """
    pool = runner.default_executor(parallel, cwd=root)
    for future in [pool.submit(os.getpid) for _ in range(max(1, parallel))]:
        future.result()
    return pool


def restart_command() -> None:
    """Start this command again in this process's place, as it was typed (the code changed).

    Every page kernel is ended first: no exit handler runs on :func:`os.execv`, and a kernel that
    watches for its parent's end would wait on this same process for ever.
    """
    from evalkit.pipeline.kernel import shutdown_warm_kernels

    shutdown_warm_kernels()
    _say("the code changed; starting again")
    os.execv(sys.executable, [sys.executable, "-m", "evalkit.cli", *sys.argv[1:]])
