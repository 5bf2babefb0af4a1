"""A validated input kept as a build artefact, so that a build reads and validates each file once.

A build's dozen pages each load the register; at a million rows that was the whole register read,
checked and typed a dozen times. While ``evalkit build`` runs pages it names a folder in
:data:`FOLDER_VARIABLE`; the loaders then keep what they validated there as Parquet, and a later
load of the same input reads it back instead of validating again.

An artefact is reused only for the very same input: its name is a digest of the file's bytes, of
everything that shaped the result (the extract date, the kind of file), of every file of evalkit
and of ``uv.lock``. A register changed under the same name, a code change or a changed lock file
gives another name, so a stale artefact is never read. The file's bytes are hashed on every load,
which also records the file in the page's read log (:mod:`evalkit.pipeline.read_log`): the page is
keyed on the register, not on the artefact. Loads that run at once wait for the one that
validates (a lock per artefact); a failed validation leaves no artefact, so every page reports
the same problems. Outside a build (commands, tests, a pilot's notebook) nothing is kept.

What is computed from such frames is kept the same way (:func:`cached_from`: every indicator row
published from a register, on which the small-cell rule is computed). The process remembers which
frame objects it had from which artefact (:func:`origin`), and such a frame's key is those names,
its settings, the code and the lock file: a frame filtered or built by hand has no name, and is
computed as outside a build.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import functools
import hashlib
import json
import os
import tempfile
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.paths import file_digest, project_root
from evalkit.pipeline.read_log import package_only

if TYPE_CHECKING:
    import pandas as pd

FOLDER_VARIABLE = "EVALKIT_ARTEFACTS"
# Bump when the artefact's layout changes in a way the code digest would not show.
FORMAT = 1


def folder() -> Path | None:
    """The folder artefacts are kept in during a build, or None (nothing is kept)."""
    value = os.environ.get(FOLDER_VARIABLE)
    return Path(value) if value else None


@contextmanager
def kept_in(where: Path) -> Iterator[None]:
    """Keep artefacts in ``where`` while the block runs (and in processes it starts)."""
    before = os.environ.get(FOLDER_VARIABLE)
    os.environ[FOLDER_VARIABLE] = str(where)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(FOLDER_VARIABLE, None)
        else:
            os.environ[FOLDER_VARIABLE] = before


def package_folder() -> Path:
    """The evalkit package whose code shapes the artefacts."""
    return Path(__file__).resolve().parents[1]


def lock_file() -> Path:
    """The ``uv.lock`` of the checkout the book is made from: the library versions that shape the artefacts."""
    from evalkit.paths import book_sources

    try:
        return book_sources(project_root()) / "uv.lock"
    except FileNotFoundError:
        return project_root() / "uv.lock"


@package_only
@functools.cache
def _installed() -> str:
    """What is installed, once per process: a kernel cannot swap a library it has imported."""
    from evalkit.pipeline.read_log import installed_digest

    return installed_digest()


def _shaping() -> dict:
    """Besides the file, the code and the lock: what shapes a validated frame.

    The programme's pilots (the register's allowed ``pilot_id`` values and their order) and the
    installed libraries' versions (a ``.venv`` out of step with ``uv.lock``).
    """
    from evalkit.definitions import PILOT_IDS

    return {"pilots": list(PILOT_IDS), "installed": _installed()}


def code_digest(package: Path, lock: Path) -> str:
    """SHA-256 over every file of ``package`` (names and bytes, caches aside) and ``lock``'s bytes."""
    every = hashlib.sha256()
    for file in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        every.update(f"{file.relative_to(package)}\0{file_digest(file)}\n".encode())
    every.update(file_digest(lock).encode() if lock.is_file() else b"no lock file")
    return every.hexdigest()


def artefact_name(kind: str, path: Path, settings: dict, code: str) -> str:
    """The artefact's file name: :func:`source`, then a digest of the bytes, ``settings`` and ``code``."""
    key = json.dumps({"format": FORMAT, "kind": kind, "file": file_digest(path), "settings": settings,
                      "code": code}, sort_keys=True, default=str)
    return f"{source(kind, path, settings)}-{hashlib.sha256(key.encode()).hexdigest()}.parquet"


def source(kind: str, path: Path, settings: dict) -> str:
    """What an artefact is made from, whatever its version: ``kind``, a digest of path and ``settings``.

    A new version of the same source (new bytes, new code) replaces the old one's file.
    """
    where = json.dumps([str(path.resolve()), settings], sort_keys=True, default=str)
    return f"{kind}-{hashlib.sha256(where.encode()).hexdigest()[:16]}"


def cached(kind: str, path: str | Path, settings: dict, load: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``load()``'s frame, kept as an artefact during a build and read back when it is the same.

    Parameters
    ----------
    kind : str
        What the file is (``register``, ``employers``): part of the name.
    path : str or Path
        The input file ``load`` reads.
    settings : dict
        Everything besides the file's bytes that ``load``'s result depends on (the extract date).
    load : callable
        Reads and validates the file; raises on a bad file (nothing is kept then).

    Returns
    -------
    DataFrame
        ``load()``'s result, or an equal frame read from the artefact (``attrs`` empty: the caller
        sets them).
    """
    where = folder()
    path = Path(path)
    if where is None or not path.is_file():   # nothing to key on: load() says what is wrong with the file
        return load()
    settings = {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in settings.items()}
    code = code_digest(package_folder(), lock_file()) + json.dumps(_shaping(), sort_keys=True)
    name = artefact_name(kind, path, settings, code)
    # Kept only when the file is still what was hashed: changed while it was read, it may give either version.
    return _kept(where, name, source(kind, path, settings), load,
                 still=lambda: artefact_name(kind, path, settings, code) == name)


def cached_from(kind: str, inputs: dict[str, pd.DataFrame | None], settings: dict,
                compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``compute()``'s frame made from ``inputs``, kept during a build like :func:`cached`'s.

    Kept only when every input frame is one this process had from an artefact (:func:`origin`):
    the artefact's name then stands for the input's content. Any other input (outside a build, a
    frame filtered or built by hand) is computed as if nothing were kept.

    Parameters
    ----------
    kind : str
        What the frame is (``published``): part of the name.
    inputs : dict of str to DataFrame or None
        The frames ``compute`` reads, by role; None for an input not given.
    settings : dict
        Everything else ``compute``'s result depends on (the extract date, the budgets).
    compute : callable
        Makes the frame; when it raises, nothing is kept.

    Returns
    -------
    DataFrame
        ``compute()``'s result, or an equal frame read from the artefact.
    """
    where = folder()
    origins = {role: None if frame is None else origin(frame) for role, frame in inputs.items()}
    if where is None or any(frame is not None and origins[role] is None for role, frame in inputs.items()):
        return compute()
    settings = json.loads(json.dumps(settings, sort_keys=True, default=str))
    # The same inputs at the same settings are one source; a new version of an input (its name's
    # last part) or of the code replaces that source's artefact.
    sources = {role: None if name is None else name.rsplit("-", 1)[0] for role, name in origins.items()}
    where_from = hashlib.sha256(json.dumps([sources, settings], sort_keys=True).encode()).hexdigest()[:16]
    key = json.dumps({"format": FORMAT, "kind": kind, "inputs": origins, "settings": settings,
                      "code": code_digest(package_folder(), lock_file()), "shaping": _shaping()}, sort_keys=True)
    prefix = f"{kind}-{where_from}"
    return _kept(where, f"{prefix}-{hashlib.sha256(key.encode()).hexdigest()}.parquet", prefix, compute)


def derived(frame: pd.DataFrame, parts: list[tuple[pd.DataFrame, object]], values_changed: bool = False
            ) -> pd.DataFrame:
    """Note that ``frame`` is made only from ``parts``: each an artefact's frame and what was taken from it.

    What was taken must say it exactly (the pilots whose rows were kept, the date the rows were
    read as at), and the parts come in the order they were joined: ``frame`` then gets an
    :func:`origin` of its own, so that what is computed from it is kept too (the pooled register's
    published frame). ``values_changed``: some values were changed, not only rows taken, so
    ``frame`` is never the part itself however alike their shapes. When a part has no origin,
    neither has ``frame``. Returns ``frame``.
    """
    names = [origin(part) for part, _ in parts]
    if len(parts) == 1 and names[0] is not None and not values_changed and _shape(frame) == _shape(parts[0][0]) \
            and frame.index.equals(parts[0][0].index):
        _remember(frame, names[0])   # every row taken, in order: the very same frame (one file, all pilots)
    elif None not in names:
        what = [[name, taken] for name, (_, taken) in zip(names, parts)]
        source_part = json.dumps([[name.rsplit("-", 1)[0], taken] for name, taken in what], default=str)
        version = json.dumps(what, default=str)
        _remember(frame, f"derived-{hashlib.sha256(source_part.encode()).hexdigest()[:16]}-"
                         f"{hashlib.sha256(version.encode()).hexdigest()}")
    return frame


# id() of a frame this process had from an artefact -> (the frame, weakly; its name; its shape
# then; the arrays that held its values then)
_origins: dict[int, tuple[weakref.ref, str, tuple, tuple]] = {}


def _shape(frame: pd.DataFrame) -> tuple:
    return frame.shape, tuple(frame.columns), tuple(map(str, frame.dtypes))


def _arrays(frame: pd.DataFrame) -> tuple:
    """The index and the arrays holding ``frame``'s values (pandas' blocks; an Arrow column's immutable array)."""
    return (frame.index, *(array for block in frame._mgr.blocks
                           for array in (block.values, getattr(block.values, "_pa_array", None))))


def _freeze(frame: pd.DataFrame) -> None:
    """Make the numpy arrays under ``frame`` read-only: a value set in place raises instead of going unseen.

    A frame with a name stands for its artefact's content; a value changed in it would otherwise
    be published from the frame kept for the unchanged one. Arrow's arrays are immutable already
    (a value set replaces the array, which :func:`_arrays` notices).
    """
    import numpy as np

    for block in frame._mgr.blocks:
        values = block.values
        for array in (values, *(getattr(values, name, None) for name in ("_ndarray", "_data", "_mask"))):
            if isinstance(array, np.ndarray):
                array.flags.writeable = False


def _remember(frame: pd.DataFrame, name: str) -> None:
    _freeze(frame)
    key = id(frame)
    _origins[key] = (weakref.ref(frame, lambda _: _origins.pop(key, None)), name, _shape(frame), _arrays(frame))


def origin(frame: pd.DataFrame) -> str | None:
    """The name of the artefact ``frame`` is (as :func:`cached` or :func:`derived` gave it), or None.

    Only that very object has the name, and only as it was: a frame filtered, joined or copied
    from it has none, nor has the frame once rows or columns were dropped, added or replaced in
    place. Its numpy arrays are read-only (:func:`_freeze`), so a value cannot be set in place.
    """
    known = _origins.get(id(frame))
    if known is None or known[0]() is not frame or known[2] != _shape(frame):
        return None
    now = _arrays(frame)
    return known[1] if len(now) == len(known[3]) and all(a is b for a, b in zip(now, known[3])) else None


def _kept(where: Path, name: str, source_prefix: str, make: Callable[[], pd.DataFrame],
          still: Callable[[], bool] = lambda: True) -> pd.DataFrame:
    """The frame kept as ``where / name``, made by ``make()`` under a lock when absent.

    Nothing is kept when ``make()`` raises or when ``still()`` is false after it (its input changed).
    """
    import pandas as pd  # here: the build imports this module, and a no-op build needs no pandas

    target = where / name
    where.mkdir(parents=True, exist_ok=True)
    with open(target.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # a page making the same frame waits, then reads
        try:
            frame = pd.read_parquet(target)
        except FileNotFoundError:
            frame = make()
            if not still():
                return frame
            handle, tmp = tempfile.mkstemp(dir=where, prefix=".tmp-", suffix=".parquet")
            os.close(handle)
            try:
                frame.to_parquet(tmp, index=False)
                os.replace(tmp, target)
            finally:
                Path(tmp).unlink(missing_ok=True)
    # Older versions of this source (the register before it changed, older code) are never read again.
    for old in where.glob(f"{source_prefix}-*"):
        if old.stem != target.stem:
            old.unlink(missing_ok=True)
    _remember(frame, target.stem)
    return frame
