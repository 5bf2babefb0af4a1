"""What a page notebook actually read: recorded in its kernel, checked before the page is reused.

A page's cache key covers what the build knows it depends on (template, parameters, code, lock
file, the data files its params name). A hand-kept list goes stale the day a page starts reading
one more file, so the kernel also records every file and folder the page opens for reading, through
a Python audit hook (PEP 578), and the build keys the page on their contents too. The tool
tradition is make's dependency files and ninja's ``deps``: dependencies found by running, not
declared.

Two halves live here:

- in the page kernel, :func:`start_recording` (before each page) and :func:`recorded` (after it);
- in the build, :func:`fingerprint` (after a page ran) and :func:`changed` (before reusing it).

Besides reads, the log holds the folders a page listed, the paths whose existence it asked
(``os.stat``, which raises no audit event, is wrapped in the kernel), what it read while importing
(a module stays imported in the warm kernel, and every later page depends on it too) and the files
it wrote inside the project (its figures: outputs to check, like the notebook). A file read
through a loader that keeps only its checked content (a params file, :func:`read_as`) is recorded
as that *view*: the page depends on what the loader returned, so a comment or a reordered key
changes nothing, while any changed value does. Files read through
C code that bypasses Python's ``open`` (Arrow reading Parquet) are not seen; the build declares the
data files for that reason. Library, system, cache and temporary files are not recorded: the lock
file, the installed versions and the code digest cover the libraries, and caches do not change
results.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat as stat_module
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from evalkit.paths import file_digest

# Where the kernel engine leaves the page's log in the executed notebook (removed before publishing).
READS_METADATA = "evalkit_reads"
# The value that never equals a digest: the file changed while the page was reading it.
CHANGED_DURING_RUN = "changed-during-run"
MISSING = "missing"
_FOLDER = "folder:"
_PROBE = "probe:"
# Views of a params file (evalkit.params.view_digest): everything its loader returns, or only
# where the pilot's data are. A raw read of the same file supersedes a view; the full view the data one.
VIEWS = ("params", "params-data")
_KINDS = (_FOLDER, _PROBE, *(f"{view}:" for view in VIEWS))
# How much of a path a record covers: a wider record of the same path replaces a narrower one.
_RANK = {"probe": 0, "view:params-data": 1, "view:params": 2, "file": 3, "folder": 3}

_reads: dict[str, tuple[str, int, int]] | None = None   # path -> (kind, mtime_ns, size) at first read
_writes: set[str] = set()           # files the page wrote inside the project: its outputs besides the notebook
_made: set[str] = set()             # folders the page created inside the project
_import_reads: dict[str, tuple[str, int, int]] = {}   # read while importing: every later page depends on them too
_ignored: tuple[str, ...] = ()      # never recorded: the build's own outputs, the libraries, evalkit itself
_libraries: tuple[str, ...] = ()
_scratch: tuple[str, ...] = ()      # system, caches, scratch: not recorded unless inside the project
_project: tuple[str, ...] = ()      # the project folder as given and resolved
_hook_installed = False
_next_page = threading.local()
_viewed: dict[str, str] = {}        # absolute path -> view, while a loader reads it (read_as)


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


def _during_import() -> bool:
    """True while Python's import system runs: a module being loaded, or code run at its import."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _names(path) -> tuple[str, str] | None:
    """(the path as the page named it, made absolute; the file it resolves to), or None for a descriptor.

    The record keeps the name as given: a symbolic link pointed elsewhere later is then noticed,
    since the build digests whatever the name leads to. Whether to record is decided on the target.
    """
    if isinstance(path, int):
        return None
    try:
        given = os.path.abspath(os.fsdecode(path if path is not None else "."))
        return given, os.path.realpath(given)
    except (TypeError, ValueError):
        return None


def _wanted(given: str, real: str) -> bool:
    """Record unless ignored; scratch folders only when the page named the file through the project."""
    return not _under(real, _ignored) and not _under(given, _ignored) and (
        not _under(real, _scratch) or _under(real, _project) or _under(given, _project))


_resolved: dict[str, str] = {}


def _note(kind: str, path) -> None:
    if _reads is None or isinstance(path, int):
        return
    try:
        given = os.path.abspath(os.fsdecode(path if path is not None else "."))
    except (TypeError, ValueError):
        return
    if given in _viewed:
        kind = f"view:{_viewed[given]}"
    known = _reads.get(given)
    if known is not None and _RANK.get(kind, 3) <= _RANK.get(known[0], 3):
        # Recorded already, as much or more (a probe is superseded by a read, a view by a raw
        # read); read again by an import, it is a dependency of every later page too.
        if given not in _import_reads and _during_import():
            _import_reads[given] = known
        return
    if given not in _resolved:   # once per page: libraries stat the same paths again and again
        _resolved[given] = os.path.realpath(given)
    if not _wanted(given, _resolved[given]):
        return
    name = given
    try:
        stat = os.stat(name) if _real_stat is None else _real_stat(name)
        entry = (kind, stat.st_mtime_ns, stat.st_size)
    except OSError:
        entry = (kind, -1, -1)   # probed but absent: its appearing later must rebuild the page
    _reads[name] = entry
    if _during_import():
        _import_reads[name] = entry


def _note_write(path) -> None:
    names = _names(path)
    # The build folder holds the build's own caches (a register's artefact, its lock), written by
    # whichever page needs them first: not that page's outputs.
    if _reads is not None and names is not None and _under(names[1], _project) \
            and not _under(names[1], _libraries) \
            and not any(_under(name, tuple(os.path.join(root, "_build") for root in _project)) for name in names):
        _writes.add(names[0])


def _note_made(path) -> None:
    """Note a folder the page creates: reads under it are the page's own.

    Only a folder that was not there counts (``mkdir(exist_ok=True)`` of ``data/`` creates nothing),
    and it is no output to check: pages share folders such as ``figures/``.
    """
    names = _names(path)
    if _reads is not None and names is not None and _under(names[1], _project) and not os.path.lexists(names[0]):
        _made.add(names[0])


_import_cache: tuple[tuple[str, ...], frozenset[str]] = ((), frozenset())


def _import_path() -> frozenset[str]:
    """The folders on ``sys.path``: Python's import system lists them when it looks for a module."""
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
            if isinstance(mode, str):
                reading, writing = "r" in mode or "+" in mode, any(c in mode for c in "wax+")
            else:
                access = (flags or 0) & os.O_ACCMODE
                reading, writing = access in (os.O_RDONLY, os.O_RDWR), access in (os.O_WRONLY, os.O_RDWR)
            if writing:
                _note_write(path)
            elif reading:
                _note("file", path)
        elif event == "os.mkdir":   # a folder the page makes is its own, and so is all it reads there
            _note_made(args[0])
        elif event in ("os.listdir", "os.scandir"):
            path = args[0] if args else None
            names = _names(path)
            # The import system lists sys.path's folders for every module it looks up; a page
            # listing the same folder itself (the project's root) is a dependency.
            if names is not None and not (names[1] in _import_path() and _during_import()):
                _note("folder", path)
    except Exception:  # an audit hook must never break the page; an unseen read means a rebuild
        pass


_real_stat = None


def _recording_stat(path, *args, **kwargs):
    """``os.stat`` that notes a probe of a path: whether a file exists decides what a page shows.

    No audit event is raised for ``stat``, so ``Path.exists`` and ``is_file`` (an optional
    ``SYNTHETIC.json`` beside an extract) would otherwise leave no trace.
    """
    result = None
    try:
        result = _real_stat(path, *args, **kwargs)
        return result
    finally:
        # IPython's display objects ask whether their text is a file name: no text with a line
        # break, or longer than a file name may be, names a file.
        if _reads is not None and not kwargs.get("dir_fd") and isinstance(path, (str, bytes, os.PathLike)) \
                and "\n" not in os.fsdecode(path) and len(os.fsencode(path)) < 4096:
            try:
                _note("probe", path)
            except Exception:  # never break the caller
                pass


@contextlib.contextmanager
def read_as(view: str, path) -> Iterator[None]:
    """Record what the block reads of ``path`` as ``view`` of it, not as its bytes.

    For a loader that returns only a file's checked content (``evalkit.params``): the page then
    depends on that content, whose digest the build computes again with
    :func:`evalkit.params.view_digest`. An enclosing ``read_as`` of the same path wins (a loader
    of the data part that calls the full loader has seen only the data part returned).
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}")
    given = os.path.abspath(os.fsdecode(path))
    ours = given not in _viewed
    if ours:
        _viewed[given] = view
    try:
        yield
    finally:
        if ours:
            _viewed.pop(given, None)


def start_recording(ignore: list[str] | tuple[str, ...] = (), project: str | None = None) -> None:
    """Start (or restart) recording this process's reads; ``ignore`` adds folders not to record.

    Called in the page kernel before each page. The audit hook, once added, stays for the
    kernel's life (Python cannot remove one); between pages it records into a fresh log, which
    starts with what earlier pages read while importing (a module stays imported, unread again).
    """
    global _reads, _ignored, _libraries, _scratch, _project, _hook_installed, _real_stat
    _libraries = _library_prefixes()
    _ignored = _libraries + tuple(os.path.realpath(f) for f in ignore)
    _scratch = _system_prefixes()
    _project = tuple({os.path.abspath(project), os.path.realpath(project)}) if project else ()
    _forget_cached_reads()
    _writes.clear()
    _made.clear()
    _resolved.clear()
    _reads = {name: entry for name, entry in _import_reads.items() if _wanted(name, os.path.realpath(name))}
    if not _hook_installed:
        sys.addaudithook(_audit)
        _real_stat = os.stat
        os.stat = _recording_stat
        # shutil and pathlib ask these sets what os.stat accepts (copystat with follow_symlinks=False).
        for supported in (os.supports_follow_symlinks, os.supports_dir_fd, os.supports_fd):
            if _real_stat in supported:
                supported.add(_recording_stat)
        _hook_installed = True


def package_only(cached):
    """Mark a ``functools`` cache whose values depend on no project file: it outlives a page.

    For caches of evalkit's own files (the catalogues), of the libraries' data or of pure
    computations: what they read is covered by the code digest, the installed versions and the
    lock file, and a page kernel cannot change any of them. Every other cache of evalkit is emptied
    before each page (:func:`start_recording`).
    """
    cached.evalkit_package_only = True
    return cached


def _forget_cached_reads() -> None:
    """Empty every ``functools`` cache of evalkit's modules but :func:`package_only` ones (the reported facts).

    A page kernel serves page after page: a file an earlier page read into a cache would be
    served to the next page without an ``open``, and so missing from its record.
    """
    for name, module in list(sys.modules.items()):
        if name == "evalkit" or name.startswith("evalkit."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info") \
                        and not getattr(value, "evalkit_package_only", False):
                    value.cache_clear()


def _relative(name: str) -> str:
    """A path inside the project relative to it (a project copied with its build stays valid)."""
    for root in _project:
        if _under(name, (root,)):
            return os.path.relpath(name, root)
    return name


def recorded() -> str:
    """What the page did since :func:`start_recording`, as JSON; stops recording.

    ``{"reads": {path: [kind, mtime_ns, size]}, "writes": [path, ...], "made": [folder, ...]}``; kind is ``file``,
    ``folder`` (listed) or ``probe`` (its existence asked). Paths inside the project are relative
    to it.
    """
    global _reads
    reads, _reads = _reads or {}, None
    writes = sorted(_relative(name) for name in _writes)
    made = sorted(_relative(name) for name in _made)
    _writes.clear()
    _made.clear()
    return json.dumps({"reads": {_relative(name): entry for name, entry in reads.items()}, "writes": writes,
                       "made": made}, sort_keys=True)


# --- build side -------------------------------------------------------------------------------

_digests: dict[tuple[str, int, int, int, int], str] = {}


def digest(path: Path) -> str:
    """SHA-256 of a file, computed once per process for a given (path, inode, mtime, size, ctime).

    A register of a gigabyte is read by many pages; the build hashes it once. The memo lives only
    as long as the process: between builds every file is hashed again. Anything but a regular file
    (``/dev/zero``, a named pipe) raises :class:`OSError` unread: a read that is then
    :data:`MISSING`, and the page that reads it runs and refuses it.
    """
    stat = path.stat()
    if not stat_module.S_ISREG(stat.st_mode):   # a device or a pipe: reading it may never end
        raise OSError(f"{path} is not a regular file")
    # ctime too: a same-size rewrite that keeps the modification time (cp -p, rsync -t) still changes it.
    signature = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns)
    if signature not in _digests:
        _digests[signature] = file_digest(path)
    return _digests[signature]


def installed_digest() -> str:
    """SHA-256 of the name and version of every distribution the running interpreter can import.

    Reading every distribution's metadata costs a sixth of a second, and a build asks five times.
    The answer is kept while no folder on ``sys.path`` changes: installing, removing or upgrading
    a distribution adds or removes its ``.dist-info`` folder, which changes the folder's time.
    """
    from importlib.metadata import distributions

    folders = import_folders()
    if folders not in _installed:
        listed = sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions())
        _installed.clear()
        _installed[folders] = hashlib.sha256("\n".join(listed).encode()).hexdigest()
    return _installed[folders]


_installed: dict[tuple, str] = {}


def import_folders() -> tuple:
    """Inode, modification and change time of every folder on ``sys.path``, as they are now.

    Installing, upgrading or removing a distribution adds or removes its ``.dist-info`` folder,
    which changes its folder's times.
    """
    return tuple(_folder_signature(entry) for entry in sys.path)


def _folder_signature(entry: str) -> tuple:
    try:   # the unwrapped stat: in a page kernel, sys.path's folders are no dependency of the page
        stat = (os.stat if _real_stat is None else _real_stat)(entry or ".")
    except OSError:
        return (entry, None)
    return (entry, os.path.abspath(entry or "."), stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)


def _folder_digest(path: Path) -> str:
    return hashlib.sha256("\n".join(sorted(os.listdir(path))).encode()).hexdigest()


def files_under(folder: Path, skip: tuple[str, ...]) -> list[tuple[str, Path]]:
    """(relative name, path) of every file under ``folder``, following symbolic links to folders.

    A folder linked in (``data/lappi -> /mnt/extracts/lappi``) holds inputs as much as a real one.
    A link that leads back to a folder already walked is not followed twice.
    """
    found, seen = [], set()
    for current, folders, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(current)
        if real in seen or "__pycache__" in Path(current).parts or _under(real, skip) \
                or _under(os.path.abspath(current), skip):
            folders[:] = []
            continue
        seen.add(real)
        folders.sort()
        found += [(os.path.relpath(os.path.join(current, f), folder), Path(current, f)) for f in files]
    return sorted(found)


def skipped_names(skip: tuple[Path, ...]) -> tuple[str, ...]:
    """Folders to skip as :func:`files_under` takes them: each as given and as it resolves."""
    return tuple(sorted({str(s.resolve()) for s in skip} | {os.path.abspath(s) for s in skip}))


def tree_digest(folder: Path, skip: tuple[Path, ...] = (), skip_suffixes: tuple[str, ...] = ()) -> str:
    """SHA-256 (hex) over every file under ``folder``: relative paths and contents.

    ``__pycache__`` folders, the folders in ``skip`` and files ending in ``skip_suffixes`` are left
    out. Every other kind of file counts: a catalogue changes the output as surely as a module does.
    Linked folders are followed. A file that cannot be read counts by its size and time, so that
    the rest of the folder is still compared file by file.
    """
    every = hashlib.sha256()
    for name, file in files_under(folder, skipped_names(skip)):
        if file.suffix in skip_suffixes:
            continue
        try:
            value = digest(file)
        except OSError:
            try:
                stat = file.stat()
                value = f"unreadable:{stat.st_size}:{stat.st_mtime_ns}"
            except OSError:
                value = MISSING   # a dangling link
        every.update(f"{name}\0{value}\n".encode())
    return every.hexdigest()


def _path(entry: str, base: Path | None) -> Path:
    name = entry.split(":", 1)[1] if entry.startswith(_KINDS) else entry
    return Path(name) if base is None or os.path.isabs(name) else Path(base) / name


def current(entry: str, base: Path | None = None) -> str:
    """The digest of a read as it is now.

    ``entry`` is a file (its bytes), ``folder:`` and a folder (the names it lists, as a page that
    listed it saw them), ``probe:`` and a path (whether it is a file, a folder or absent) or a
    folder without a prefix (every file under it, names and bytes: a declared input such as
    ``data/``). A relative entry is taken from ``base``. Absent: :data:`MISSING`.
    """
    path = _path(entry, base)
    try:
        if entry.startswith(_FOLDER):
            return _folder_digest(path)
        if entry.startswith(_PROBE):
            return "folder" if path.is_dir() else "file" if path.exists() else MISSING
        view = entry.split(":", 1)[0]
        if view in VIEWS:
            return _view_digest(view, path, base)
        return tree_digest(path) if path.is_dir() else digest(path)
    except OSError:
        return MISSING


_view_digests: dict[tuple, str] = {}


def _view_digest(view: str, path: Path, base: Path | None) -> str:
    """:func:`evalkit.params.view_digest`, once per process for a given file state and project."""
    from evalkit.params import view_digest

    stat = path.stat()   # absent: OSError, MISSING
    signature = (view, str(path), str(base), stat.st_ino, stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns)
    if signature not in _view_digests:
        _view_digests[signature] = view_digest(view, path, base if base is not None else Path.cwd())
    return _view_digests[signature]


def fingerprint(log: str, base: Path | None = None) -> dict[str, dict[str, str]]:
    """Digests of what a page read and wrote, from :func:`recorded`'s JSON.

    Returns ``{"reads": {entry: digest}, "writes": {path: digest}}``. Read entries are prefixed
    by their kind (``folder:``, ``probe:``; none for a file); paths inside the project are relative
    to ``base``. They stay in the build folder, never in a published file. A file whose size or
    time differs from when it was first read has the value :data:`CHANGED_DURING_RUN`, which
    matches nothing, so the next build runs the page again.
    """
    logged = json.loads(log or "{}")
    written = set(logged.get("writes", [])) | set(logged.get("made", []))
    prints = {}
    for name, (kind, mtime_ns, size) in logged.get("reads", {}).items():
        if any(name == own or name.startswith(own.rstrip("/") + "/") for own in written):
            continue   # the page's own output (a scratch or cache file it wrote and read back)
        prefix = kind.removeprefix("view:") + ":" if kind.startswith("view:") else \
            {"folder": _FOLDER, "probe": _PROBE}.get(kind, "")
        entry = prefix + name
        if kind == "probe":
            now = current(entry, base)
            # Absent when asked and there now, or the reverse: the page saw another state.
            prints[entry] = now if (size == -1) == (now == MISSING) else CHANGED_DURING_RUN
            continue
        try:
            stat = os.stat(_path(name, base))
            same = (stat.st_mtime_ns, stat.st_size) == (mtime_ns, size)
        except OSError:
            same = size == -1
        prints[entry] = current(entry, base) if same else CHANGED_DURING_RUN
    writes = {name: current(name, base) for name in logged.get("writes", [])}
    return {"reads": dict(sorted(prints.items())), "writes": dict(sorted(writes.items()))}


def changed(prints: dict[str, str], base: Path | None = None) -> list[str]:
    """The recorded entries whose contents differ now (shown as file names, for the reason line)."""
    return sorted(_path(entry, None).name or entry
                  for entry, value in prints.items() if current(entry, base) != value)
