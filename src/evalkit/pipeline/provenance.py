"""What a build was made from: code version, data hashes, parameters, lockfile, build time."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from evalkit import __version__
from evalkit.params import PilotParams
from evalkit.paths import file_digest, reported_dir
from evalkit.shown import published_path


@dataclass(frozen=True)
class Provenance:
    """What one build was made from; digests are SHA-256 hex, ``built_at_utc`` ISO 8601 with ``Z``."""

    commit: str
    modified: bool
    evalkit_version: str
    lockfile_sha256: str
    params_sha256: str
    # (path relative to the project, or only the file's name for a file outside it; sha256)
    data_files: tuple[tuple[str, str], ...]
    built_at_utc: str

    @property
    def code_version(self) -> str:
        """The commit's first 12 characters, with ``+modified`` when tracked files had changes."""
        return f"{self.commit[:12]}{'+modified' if self.modified else ''}"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def code_root() -> Path | None:
    """The evalkit checkout this code runs from (its ``pyproject.toml`` beside ``src/``), or None when installed.

    A programme folder (``--programme DIR``) holds data, not code: the commit and the lockfile a
    build states are those of the evalkit that built it.
    """
    candidate = Path(__file__).resolve().parents[3]
    return candidate if (candidate / "pyproject.toml").is_file() and (candidate / "src" / "evalkit").is_dir() else None


def collect(root: Path, params: dict[str, PilotParams], now: dt.datetime | None = None) -> Provenance:
    """Collect the provenance of a build of the project at ``root``.

    Parameters
    ----------
    root : Path
        The programme's folder (the project itself for the default programme). The commit and the
        lockfile are those of the evalkit checkout that runs (:func:`code_root`), else of ``root``;
        without git the commit is ``unknown``.
    params : dict of str to PilotParams
        Every pilot's params: their files are hashed together (by pilot id, in order) with the
        programme's ``programme.yml`` and ``data/recommendations.yml``, and the data and employer
        files they name are hashed one by one, with every file in ``data/reported/``.
    now : datetime.datetime, optional
        The build time; default the current time. Converted to UTC.

    Returns
    -------
    Provenance
        A file that does not exist (``uv.lock`` or a data file) has the digest ``missing``. A data
        file is named relative to ``root``, or by its name alone when it lies outside (never by a
        home folder or a user name: :func:`evalkit.shown.published_path`).
    """
    data = sorted({p.data for p in params.values()} | {p.employers for p in params.values() if p.employers}
                  | set(reported_dir(root).glob("*")))
    return _collected(root, [(pilot_id, params[pilot_id].source) for pilot_id in sorted(params)], data, now)


def collect_pilot_report(root: Path, pilot_id: str, params_file: Path | None, data_files: list[Path],
                         now: dt.datetime | None = None) -> Provenance:
    """The provenance of a pilot's own report: its params file (if any), ``programme.yml`` and its extract.

    As :func:`collect`, for one pilot: ``data_files`` are the register extract and the employers'
    file it was built from, named by their names alone when they lie outside ``root``.
    """
    params = [(pilot_id, params_file)] if params_file is not None else []
    return _collected(root, params, sorted(set(data_files)), now)


def _collected(root: Path, params: list[tuple[str, Path]], data: list[Path], now: dt.datetime | None) -> Provenance:
    code = code_root() or root
    commit = _git(code, "rev-parse", "HEAD") or "unknown"
    status = _git(code, "status", "--porcelain", "--untracked-files=no")
    params_digest = hashlib.sha256()
    for pilot_id, source in params:
        params_digest.update(pilot_id.encode())
        params_digest.update(file_digest(source).encode())
    # The programme's own settings are parameters too: a budget changes the costs, a recommendation
    # the text. Each is named in the digest so that no two files' contents can stand for each other.
    for setting in (root / "programme.yml", root / "data" / "recommendations.yml"):
        if setting.is_file():
            params_digest.update(setting.name.encode())
            params_digest.update(file_digest(setting).encode())
    lock = code / "uv.lock"
    moment = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    return Provenance(
        commit=commit,
        modified=bool(status) if status is not None else False,
        evalkit_version=__version__,
        lockfile_sha256=file_digest(lock) if lock.exists() else "missing",
        params_sha256=params_digest.hexdigest(),
        data_files=tuple((published_path(p, root), file_digest(p) if p.exists() else "missing") for p in data),
        built_at_utc=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


# Beside each published site: the inputs it was built from, for `evalkit check` to compare editions.
INPUTS_FILE = "evalkit-inputs.json"


def inputs_record(prov: Provenance) -> dict[str, object]:
    """What makes the numbers of a build: the parameters' digest and each data file's digest.

    Two editions whose records differ may show different numbers for the same indicator. The
    PDF's keywords (:func:`evalkit.pipeline.pages.pdf_keywords`) carry the same digests.
    """
    return {"params_sha256": prov.params_sha256, "data": dict(prov.data_files)}


def write_inputs_record(site: Path, prov: Provenance) -> Path:
    """Write :func:`inputs_record` into the built ``site`` folder (published with it, atomically)."""
    path = site / INPUTS_FILE
    path.write_text(json.dumps(inputs_record(prov), indent=1, sort_keys=True), encoding="utf-8")
    return path


def read_inputs_record(site: Path) -> dict[str, object] | None:
    """The inputs record of a published site, or None when it has none (or it is unreadable)."""
    try:
        record = json.loads((site / INPUTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None
