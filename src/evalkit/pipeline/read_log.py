"""What a page notebook actually read: recorded in its kernel, checked before the page is reused.

A page's cache key covers what the build knows it depends on (template, parameters, code, lock
file, the data files its params name). A hand-kept list goes stale the day a page starts reading
one more file, so the kernel also records every file and folder the page opens for reading, through
a Python audit hook (PEP 578), and the build keys the page on their contents too. The tool
tradition is make's dependency files and ninja's ``deps``: dependencies found by running, not
declared.

Two halves live here:

- in the page kernel, :func:`start_recording` (before each page) and :func:`recorded` (after it);
- in the build, :func:`fingerprint` (after a page ran) and :func:`changed_reads` (before reusing it).

Files read through C code that bypasses Python's ``open`` (Arrow reading Parquet) are not seen;
the build declares the data files for that reason. Library, system, cache and temporary files are
not recorded: the lock file and the code digest cover the libraries, and caches do not change
results.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
from pathlib import Path

from evalkit.paths import file_digest

# Where the kernel engine leaves the page's log in the executed notebook (removed before publishing).
READS_METADATA = "evalkit_reads"
# The value that never equals a digest: the file changed while the page was reading it.
CHANGED_DURING_RUN = "changed-during-run"
MISSING = "missing"
_FOLDER = "folder:"

_reads: dict[str, tuple[str, int, int]] | None = None   # path -> (kind, mtime_ns, size) at first read
_ignored: tuple[str, ...] = ()      # never recorded: the build's own outputs, the libraries, evalkit itself
_scratch: tuple[str, ...] = ()      # system, caches, scratch: not recorded unless inside the project
_project: tuple[str, ...] = ()
_hook_installed = False
_next_page = threading.local()


def ignore_for_next_page(folders: list[str]) -> None:
    """Folders whose reads the next page run from this thread does not record (the build's own outputs)."""
    _next_page.ignore = list(folders)


def ignored_for_next_page() -> list[str]:
    """What :func:`ignore_for_next_page` set on this thread (empty when nothing was)."""
    return getattr(_next_page, "ignore", [])


def _library_prefixes() -> tuple[str, ...]:
    """The interpreter's and evalkit's own files: covered by the lock file and the code digest."""
    package = Path(__file__).resolve().parents[1]
    return tuple(sorted({os.path.realpath(f) for f in (sys.prefix, sys.base_prefix, sys.exec_prefix, package)}))


def _system_prefixes() -> tuple[str, ...]:
    """Folders of the system, caches and scratch: not dependencies, unless the project itself lies there."""
    home = Path.home()
    folders = {tempfile.gettempdir(), "/usr", "/lib", "/proc", "/sys", "/dev", "/etc", "/run",
               *(str(home / name) for name in (".cache", ".config", ".local", ".ipython", ".jupyter",
                                               ".matplotlib"))}
    for variable in ("MPLCONFIGDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "IPYTHONDIR", "JUPYTER_CONFIG_DIR",
                     "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        if os.environ.get(variable):
            folders.add(os.environ[variable])
    return tuple(sorted({os.path.realpath(f) for f in folders}))


def _under(path: str, folders: tuple[str, ...]) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def _note(kind: str, path) -> None:
    if _reads is None or isinstance(path, int):
        return
    try:
        name = os.path.realpath(os.fsdecode(path if path is not None else "."))
    except (TypeError, ValueError):
        return
    if name in _reads or _under(name, _ignored) or (_under(name, _scratch) and not _under(name, _project)):
        return
    try:
        stat = os.stat(name)
        _reads[name] = (kind, stat.st_mtime_ns, stat.st_size)
    except OSError:
        _reads[name] = (kind, -1, -1)   # probed but absent: its appearing later must rebuild the page


_import_cache: tuple[tuple[str, ...], frozenset[str]] = ((), frozenset())


def _import_path() -> frozenset[str]:
    """The folders on ``sys.path``: Python's import system lists them, the page does not read them."""
    global _import_cache
    key = (os.getcwd(), *sys.path)
    if _import_cache[0] != key:
        _import_cache = (key, frozenset(os.path.realpath(p or ".") for p in sys.path))
    return _import_cache[1]


def _audit(event: str, args: tuple) -> None:
    if _reads is None:
        return
    try:
        if event == "open":
            path, mode, flags = args
            reading = ("r" in mode or "+" in mode) if isinstance(mode, str) else (
                (flags or 0) & os.O_ACCMODE in (os.O_RDONLY, os.O_RDWR))
            if reading:
                _note("file", path)
        elif event in ("os.listdir", "os.scandir"):
            path = args[0] if args else None
            if not isinstance(path, int) and os.path.realpath(os.fsdecode(path or ".")) not in _import_path():
                _note("folder", path)
    except Exception:  # an audit hook must never break the page; an unseen read means a rebuild
        pass


def start_recording(ignore: list[str] | tuple[str, ...] = (), project: str | None = None) -> None:
    """Start (or restart) recording this process's reads; ``ignore`` adds folders not to record.

    Called in the page kernel before each page. The audit hook, once added, stays for the
    kernel's life (Python cannot remove one); between pages it records into a fresh log.
    """
    global _reads, _ignored, _scratch, _project, _hook_installed
    _ignored = _library_prefixes() + tuple(os.path.realpath(f) for f in ignore)
    _scratch = _system_prefixes()
    _project = (os.path.realpath(project),) if project else ()
    _forget_cached_reads()
    _reads = {}
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True


def _forget_cached_reads() -> None:
    """Empty every ``functools`` cache of evalkit's modules (the reported facts, the catalogues).

    A page kernel serves page after page: a file an earlier page read into a cache would be
    served to the next page without an ``open``, and so missing from its record.
    """
    for name, module in list(sys.modules.items()):
        if name == "evalkit" or name.startswith("evalkit."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info"):
                    value.cache_clear()


def recorded() -> str:
    """The reads since :func:`start_recording`, as JSON ``{path: [kind, mtime_ns, size]}``; stops recording."""
    global _reads
    reads, _reads = _reads, None
    return json.dumps(reads or {}, sort_keys=True)


# --- build side -------------------------------------------------------------------------------

_digests: dict[tuple[str, int, int, int], str] = {}


def digest(path: Path) -> str:
    """SHA-256 of a file, computed once per process for a given (path, inode, mtime, size).

    A register of a gigabyte is read by many pages; the build hashes it once. The memo lives only
    as long as the process: between builds every file is hashed again.
    """
    stat = path.stat()
    signature = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    if signature not in _digests:
        _digests[signature] = file_digest(path)
    return _digests[signature]


def _folder_digest(path: Path) -> str:
    return hashlib.sha256("\n".join(sorted(os.listdir(path))).encode()).hexdigest()


def tree_digest(folder: Path, skip: tuple[Path, ...] = (), skip_suffixes: tuple[str, ...] = ()) -> str:
    """SHA-256 (hex) over every file under ``folder``: relative paths and contents.

    ``__pycache__`` folders, the folders in ``skip`` and files ending in ``skip_suffixes`` are left
    out. Every other kind of file counts: a catalogue changes the output as surely as a module does.
    """
    every = hashlib.sha256()
    skipped = tuple(s.resolve() for s in skip)
    for file in sorted(p for p in folder.rglob("*")
                       if p.is_file() and p.suffix not in skip_suffixes and "__pycache__" not in p.parts
                       and not any(p.resolve().is_relative_to(s) for s in skipped)):
        every.update(f"{file.relative_to(folder)}\0{digest(file)}\n".encode())
    return every.hexdigest()


def current(entry: str) -> str:
    """The digest of a read as it is now.

    ``entry`` is a file (its bytes), ``folder:`` and a folder (the names it lists, as a page that
    listed it saw them) or a folder without the prefix (every file under it, names and bytes: a
    declared input such as ``data/``). Absent: :data:`MISSING`.
    """
    listed = entry.startswith(_FOLDER)
    path = Path(entry[len(_FOLDER):] if listed else entry)
    try:
        if listed:
            return _folder_digest(path)
        return tree_digest(path) if path.is_dir() else digest(path)
    except OSError:
        return MISSING


def fingerprint(log: str) -> dict[str, str]:
    """Digests of what a page read, from :func:`recorded`'s JSON.

    Keys are absolute paths (``folder:`` before a folder's); they stay in the build folder, never
    in a published file. A file whose size or time differs from when it was first read has the
    value :data:`CHANGED_DURING_RUN`, which matches nothing, so the next build runs the page again.
    """
    prints = {}
    for name, (kind, mtime_ns, size) in json.loads(log or "{}").items():
        entry = (_FOLDER if kind == "folder" else "") + name
        try:
            stat = os.stat(name)
            same = (stat.st_mtime_ns, stat.st_size) == (mtime_ns, size)
        except OSError:
            same = size == -1
        prints[entry] = current(entry) if same else CHANGED_DURING_RUN
    return dict(sorted(prints.items()))


def changed_reads(prints: dict[str, str]) -> list[str]:
    """The recorded reads whose contents differ now (shown as file names, for the reason line)."""
    return sorted(Path(entry.removeprefix(_FOLDER)).name or entry
                  for entry, value in prints.items() if current(entry) != value)
