"""The report's numbers as files beside it: CSV, JSON and an Excel workbook.

Published exports follow the small-cell rule like every published table, complementary suppression
included, computed on the same complete frame as the pages (``evalkit indicators`` gives the exact
numbers to those entitled to them). Two builds from the same inputs give
byte-identical files: rows are sorted, floats are written with fixed precision, and the workbook's
timestamps (document properties and zip entries) are pinned.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.errors import BuildError
from evalkit.params import PilotParams
from evalkit.programme import current

if TYPE_CHECKING:   # imported where used: a build with nothing to do needs no pandas
    import pandas as pd

# Workbook timestamps are pinned to this moment, so the bytes depend on the numbers only.
_PINNED = dt.datetime(2000, 1, 1, 0, 0, 0)


def national_indicators(params: dict[str, PilotParams], budgets: dict[str, int]) -> pd.DataFrame:
    """Contract indicators plus the extra families for every pilot and pooled, from each pilot's data."""
    from evalkit.indicators import published_indicators
    from evalkit.pooled import load_pooled

    pooled = load_pooled(params)
    if pooled.register is None:
        raise BuildError("no pilot's register file exists: " + ", ".join(pooled.missing))
    # Every row the pages publish (end-of-service score bands and identification bases too), so the
    # small-cell rule hides the same cells here as on the pages.
    return published_indicators(pooled.register, pooled.as_of, budgets, pooled.employers)


def _published(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as published: the full small-cell rule, floats rounded, rows in a fixed order.

    The full rule hides a small count and its partner where a whole beside it would give it back.
    """
    import pandas as pd

    from evalkit.suppression import suppress_complementary

    out = suppress_complementary(frame).drop(columns="complementary")
    out["horizon_months"] = out["horizon_months"].astype("Int64")
    for column in ("value", "ci_low", "ci_high"):
        out[column] = pd.to_numeric(out[column], errors="coerce").round(6)
    return out.sort_values(["pilot_id", "horizon_months", "indicator"], na_position="first",
                           kind="stable").reset_index(drop=True)


def _pinned_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    target_bytes = io.BytesIO()
    with zipfile.ZipFile(target_bytes, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            pinned = zipfile.ZipInfo(info.filename, date_time=_PINNED.timetuple()[:6])
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" at save time
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", content)
            target.writestr(pinned, content)
    return target_bytes.getvalue()


EXPORT_NAMES = ("indicators.csv", "indicators.json", "indicators.xlsx")


def exports_key(params: dict[str, PilotParams], programme_file: Path, code: str) -> str:
    """A digest of everything the exports are made from.

    Each pilot's data files (names and bytes) and extract date, the programme (budgets, names)
    and ``code`` (evalkit, the lock file and what is installed).
    """
    import hashlib

    from evalkit.pipeline.read_log import digest as file_digest  # once per file state: it is asked twice

    def digest(path: Path | None) -> str:
        return "none" if path is None else file_digest(path) if path.is_file() else "missing"

    parts = {"code": code, "programme": digest(programme_file),
             "pilots": [[pid, str(p.data), digest(p.data), str(p.as_of), str(p.employers), digest(p.employers)]
                        for pid, p in sorted(params.items())]}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def cached_exports(params: dict[str, PilotParams], budgets: dict[str, int], folder: Path, cache: Path,
                   key: Callable[[], str]) -> list[Path]:
    """:func:`write_exports` of :func:`national_indicators` into ``folder``, or a copy of the same files.

    The last exports are kept in ``cache`` with their key (``key()``, :func:`exports_key`) and
    digests: they are copied only when the key is the same and every file still has its digest;
    anything else (another key, a file changed or missing, no record) computes them again. Two
    builds from the same inputs give byte-identical exports, so a copy is what a new computation
    would write. New exports are kept only when the key is the same after computing them as before:
    a data file changed meanwhile may have given numbers of either version.

    Returns
    -------
    list of Path
        The files in ``folder``, in :data:`EXPORT_NAMES` order.
    """
    import shutil

    from evalkit.paths import file_digest

    record_file = cache / "kept.json"
    before = key()
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        kept = record["key"] == before and all(file_digest(cache / name) == record["files"][name]
                                            for name in EXPORT_NAMES)
    except (OSError, ValueError, KeyError, TypeError):
        kept = False
    if kept:
        folder.mkdir(parents=True, exist_ok=True)
        for name in EXPORT_NAMES:
            shutil.copyfile(cache / name, folder / name)
        return [folder / name for name in EXPORT_NAMES]
    written = write_exports(national_indicators(params, budgets), folder)
    shutil.rmtree(cache, ignore_errors=True)
    if key() != before:
        return written
    cache.mkdir(parents=True)
    for path in written:
        shutil.copyfile(path, cache / path.name)
    record_file.write_text(json.dumps({"key": before, "files": {path.name: file_digest(path) for path in written}}),
                           encoding="utf-8")
    return written


def write_exports(frame: pd.DataFrame, folder: Path) -> list[Path]:
    """indicators.csv, indicators.json and indicators.xlsx (a national sheet and one per pilot)."""
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    published = _published(frame)
    csv_path, json_path, xlsx_path = (folder / name for name in EXPORT_NAMES)
    published.to_csv(csv_path, index=False, lineterminator="\n", float_format="%.6f")
    records = json.loads(published.to_json(orient="records", double_precision=6))
    json_path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    names = current().names()   # the main language's: the workbook is the same for every edition
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        published[published["pilot_id"] == "all"].to_excel(writer, sheet_name="all", index=False)
        pilots = sorted(set(published["pilot_id"]) - {"all"})
        for pilot_id, title in sheet_titles(pilots, names, taken=("all",)).items():
            sheet = published[published["pilot_id"] == pilot_id]
            sheet.to_excel(writer, sheet_name=title, index=False)
        writer.book.properties.created = _PINNED
        writer.book.properties.modified = _PINNED
        writer.book.properties.creator = "evalkit"
    xlsx_path.write_bytes(_pinned_zip(buffer.getvalue()))
    return [csv_path, json_path, xlsx_path]


# What Excel refuses in a sheet's name (and openpyxl with it); a name is at most 31 characters,
# may not begin or end with an apostrophe, and "History" is Excel's own.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
SHEET_TITLE_MAX = 31
_SHEET_ENDS = " '"   # trimmed from either end: a blank is lost on the tab, an apostrophe refused


def sheet_titles(pilot_ids: list[str], names: dict[str, str], taken: tuple[str, ...] = ()) -> dict[str, str]:
    """A valid, distinct Excel sheet name for each pilot: its name as far as Excel allows.

    Characters Excel refuses become ``-`` and the name is cut to 31 characters; a name that then
    equals one before it or one of ``taken`` (Excel compares them ignoring case) ends in `` (2)``,
    `` (3)``…, so that no pilot's sheet replaces another's.
    """
    used = {t.casefold() for t in taken} | {"history"}
    titles = {}
    for pilot_id in pilot_ids:
        base = _SHEET_FORBIDDEN.sub("-", names.get(pilot_id, pilot_id)).strip(_SHEET_ENDS) or pilot_id
        title, number = base[:SHEET_TITLE_MAX].rstrip(_SHEET_ENDS) or pilot_id[:SHEET_TITLE_MAX], 1
        while title.casefold() in used:
            number += 1
            suffix = f" ({number})"
            title = base[:SHEET_TITLE_MAX - len(suffix)].rstrip(_SHEET_ENDS) + suffix
        used.add(title.casefold())
        titles[pilot_id] = title
    return titles
