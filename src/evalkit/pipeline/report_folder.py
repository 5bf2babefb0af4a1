"""A pilot's report folder (``evalkit pilot --out DIR``): what evalkit wrote there, where it stages, what it keeps.

The folder is the pilot's workplace too: the README invites it to change the notebook and
``private-data/<pilot>.yml`` and to keep its own files there. So evalkit replaces only what it
wrote. The marker ``.evalkit-pilot.json`` lists every file evalkit wrote with its SHA-256; on a
rerun a file is replaced only when it is still as evalkit wrote it. A file evalkit did not write
is left alone; one the pilot changed is kept under a dated name (``NAME.2026-12-06T1412.ipynb``)
before the new one takes its place. A marker of an older evalkit has no digests, so nothing it
covers can be proven unchanged: a differing file is kept the same way.

The new report is built in a staging folder inside ``DIR/private-data/`` (the area that is never
published, see the README), so a copy of the person-level register cannot be published with the
folder that holds ``DIR``. It is on the same file system as ``DIR``, so each file moves into place
with one rename. A staging folder holds a lock while its run lives; one whose lock is free (its
run was killed) is removed at the next start, as are the hidden folders older versions staged in
beside ``DIR``.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from evalkit.paths import file_digest

MARKER = ".evalkit-pilot.json"   # marks DIR as a pilot report and lists what evalkit wrote there
MARKER_FORMAT = 2                # 1 (no "format" key): no list of files
PRIVATE = "private-data"
STAGE_PREFIX = ".evalkit-building-"
_LOCK = ".lock"
_UNLOCKED_GRACE = 60.0           # seconds a staging folder may lack its lock (just being made)


# ---------------------------------------------------------------- the marker

@dataclass(frozen=True)
class Earlier:
    """What the marker of an earlier report says evalkit wrote: ``files`` (path to digest), or None when unknown."""

    files: dict[str, str] | None


def read_marker(out: Path) -> Earlier:
    """The earlier report's record: no files when there is no marker, unknown (None) for an older marker."""
    path = out / MARKER
    if not path.is_file():
        return Earlier({})
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Earlier(None)
    files = content.get("files") if isinstance(content, dict) else None
    if not isinstance(files, dict) or content.get("format") != MARKER_FORMAT:
        return Earlier(None)
    return Earlier({str(k): str(v) for k, v in files.items()})


def written_files(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (POSIX path relative to it) with its SHA-256; staging and marker left out."""
    return {rel: file_digest(folder / rel) for rel in _file_list(folder)}


def _file_list(folder: Path) -> list[str]:
    files = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not _staging_part(rel) and rel.as_posix() != MARKER:
            files.append(rel.as_posix())
    return files


def _staging_part(rel: Path) -> bool:
    return any(part.startswith(STAGE_PREFIX) for part in rel.parts)


# ---------------------------------------------------------------- staging

@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A private (0700) staging folder in ``out/private-data/``, locked while this run lives.

    Removed at the end, with ``out`` and ``out/private-data`` when this run made them and they
    are empty again: a failed first run leaves nothing.
    """
    made = [d for d in (out, out / PRIVATE) if not d.exists()]
    (out / PRIVATE).mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=out / PRIVATE))
    lock = os.open(stage / _LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        os.close(lock)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()


def sweep_stale(out: Path) -> int:
    """Remove staging folders of runs that were killed; return how many.

    Those in ``out/private-data/`` whose lock no live run holds, and the hidden
    ``.OUT-building-*`` folders beside ``out`` that versions before this one staged in.
    """
    swept = 0
    private = out / PRIVATE
    if private.is_dir():
        for stage in private.glob(f"{STAGE_PREFIX}*"):
            if stage.is_dir() and _abandoned(stage):
                shutil.rmtree(stage, ignore_errors=True)
                swept += 1
        with contextlib.suppress(OSError):
            private.rmdir()   # only when empty: this run makes it again
    if out.parent.is_dir():
        for stage in out.parent.glob(f".{out.name}-building-*"):
            if stage.is_dir():
                shutil.rmtree(stage, ignore_errors=True)
                swept += 1
    return swept


def _abandoned(stage: Path) -> bool:
    try:
        lock = os.open(stage / _LOCK, os.O_RDWR)
    except FileNotFoundError:
        with contextlib.suppress(OSError):
            return time.time() - stage.stat().st_mtime > _UNLOCKED_GRACE
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False   # a live run holds it
    finally:
        os.close(lock)
    return True


# ---------------------------------------------------------------- moving a finished report in

@dataclass
class Outcome:
    """What a move into ``out`` kept: changed files under dated names, changed files left in place, the pilot's own."""

    dated: list[tuple[str, str, str]] = field(default_factory=list)   # (path, dated path, why: see below)
    left: list[str] = field(default_factory=list)                # changed by the pilot, not written this time
    own: list[str] = field(default_factory=list)                 # never written by evalkit (folders end with /)


def dated_name(rel: str, out: Path, stamp: str) -> str:
    """``rel`` with ``stamp`` before its suffix (``a/b.STAMP.ipynb``), numbered when taken: never an existing file."""
    path = Path(rel)
    number = 1
    while True:
        tag = stamp if number == 1 else f"{stamp}-{number}"
        candidate = path.with_name(f"{path.stem}.{tag}{path.suffix}")
        if not (out / candidate).exists():
            return candidate.as_posix()
        number += 1


def move_in(finished: Path, out: Path, earlier: Earlier, marker: dict, now: dt.datetime | None = None) -> Outcome:
    """Move the files of ``finished`` into ``out``, replacing only what evalkit wrote and nobody changed.

    A file at a path the new report writes is replaced when its digest is the one the marker
    recorded (or it equals the new file); otherwise it is renamed to a dated name first. A file
    the marker lists that this report does not write is removed when unchanged, else left. Other
    files are the pilot's and are not touched. The marker, with the new digests, is written last.

    Parameters
    ----------
    finished : Path
        The complete new report, on the same file system as ``out``.
    out : Path
        The report folder (it exists).
    earlier : Earlier
        :func:`read_marker` of ``out`` before the run.
    marker : dict
        What the marker says about the run (pilot, inputs); ``files`` and ``format`` are added.
    now : datetime.datetime, optional
        For the dated names; default the local time.

    Returns
    -------
    Outcome
    """
    stamp = (now or dt.datetime.now()).strftime("%Y-%m-%dT%H%M")
    new = written_files(finished)
    old = earlier.files if earlier.files is not None else {}
    present = set(_file_list(out))   # the pilot's own files are listed, not read
    digests = {rel: file_digest(out / rel) for rel in present & (set(new) | set(old))}
    outcome = Outcome()

    def ours_unchanged(rel: str) -> bool:
        return earlier.files is not None and old.get(rel) == digests[rel]

    for rel in sorted(set(new) & present):
        if digests[rel] != new[rel] and not ours_unchanged(rel):
            dated = dated_name(rel, out, stamp)
            os.replace(out / rel, out / dated)
            why = "unknown" if earlier.files is None else "changed" if rel in old else "own"
            outcome.dated.append((rel, dated, why))
    for rel in sorted(set(old) - set(new)):
        if rel not in present:
            continue
        if ours_unchanged(rel):
            (out / rel).unlink()
            _prune_empty(out / rel, out)
        else:
            outcome.left.append(rel)
    for rel in new:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(finished / rel, out / rel)
    known = set(new) | set(old) | {d for _, d, _ in outcome.dated}
    outcome.own = _own_entries(sorted(present - known - set(outcome.left)), known)
    tmp = out / f"{MARKER}.tmp"
    tmp.write_text(json.dumps({**marker, "format": MARKER_FORMAT, "files": new}, indent=1), encoding="utf-8")
    os.replace(tmp, out / MARKER)
    return outcome


def _prune_empty(path: Path, out: Path) -> None:
    """Remove the folders above ``path`` that are empty now, up to ``out`` (and ``private-data``) exclusive."""
    folder = path.parent
    while folder != out and folder != out / PRIVATE:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _own_entries(own: list[str], known: set[str]) -> list[str]:
    """The pilot's own files, a folder that holds nothing of evalkit's named once (with a trailing /)."""
    ours_in = {Path(rel).parents[i].as_posix() for rel in known for i in range(len(Path(rel).parents) - 1)}
    entries: list[str] = []
    for rel in own:
        parts = Path(rel).parts
        top = next((i for i in range(1, len(parts)) if "/".join(parts[:i]) not in ours_in), None)
        entry = "/".join(parts[:top]) + "/" if top is not None else rel
        if entry not in entries:
            entries.append(entry)
    return entries
