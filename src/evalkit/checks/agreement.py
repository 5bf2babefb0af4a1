"""Editions that agree: every published site and PDF built from the same inputs.

An edition rebuilt after a data change while another was not shows other numbers for the same
indicator. Each build records its inputs beside the site (``evalkit-inputs.json``,
:func:`evalkit.pipeline.provenance.inputs_record`) and in the PDF's keywords (the digests of the
parameters and of every data file); this check compares them across everything published.
"""
from __future__ import annotations

import re
from pathlib import Path

from evalkit.checks import Problem
from evalkit.editions import Edition
from evalkit.pipeline.provenance import INPUTS_FILE, read_inputs_record

_PARAMS = re.compile(r"(?:^|;\s*)params sha256 ([0-9a-f]{64})")
_DATA = re.compile(r"(?:^|;\s*)([^;]+?) sha256 ([0-9a-f]{64})")


def pdf_inputs(pdf: Path) -> dict[str, object] | None:
    """The inputs a PDF was built from, read from its keywords; None when it names none.

    Returns
    -------
    dict or None
        ``{"params_sha256": ..., "data": {file name: sha256}}`` as in the site's record, but with
        each data file named by its file name only (as the keywords name it).
    """
    import pikepdf

    try:
        with pikepdf.open(pdf) as document:
            keywords = str(document.docinfo.get("/Keywords", ""))
    except (OSError, pikepdf.PdfError):
        return None
    params = _PARAMS.search(keywords)
    if params is None:
        return None
    data = {name.strip(): digest for name, digest in _DATA.findall(keywords)
            if name.strip() not in ("params", "uv.lock")}
    return {"params_sha256": params.group(1), "data": data}


def _fingerprint(record: dict[str, object]) -> tuple[str, tuple[str, ...]]:
    # Compared without file names: the PDF names a file by its name alone, the site by its path.
    data = record.get("data") if isinstance(record.get("data"), dict) else {}
    return str(record.get("params_sha256")), tuple(sorted(map(str, data.values())))


def _difference(record: dict[str, object], reference: dict[str, object]) -> str:
    """What differs, in words: the parameters and/or the data files whose digests differ."""
    parts = []
    if record.get("params_sha256") != reference.get("params_sha256"):
        parts.append("parameters")
    ours, theirs = record.get("data") or {}, reference.get("data") or {}
    # Compared by digest, so that a file read under another path is the same file; a file whose
    # contents changed is named once, not as changed and as missing.
    changed = {Path(name).name for name, digest in ours.items() if digest not in set(theirs.values())}
    missing = {Path(name).name for name, digest in theirs.items() if digest not in set(ours.values())} - changed
    parts += sorted(changed) + sorted(f"{name} (missing)" for name in missing)
    return ", ".join(parts) or "the data files"


def check_agreement(editions: list[Edition]) -> list[Problem]:
    """Whether every published site and PDF of ``editions`` was built from the same inputs.

    Parameters
    ----------
    editions
        The editions to compare; of each, the site (when built) and the PDF (when there is one).

    Returns
    -------
    list of Problem
        One per site or PDF built from other inputs than the first one found (named in the
        message, with what differs), and one per published site or PDF that records no inputs
        (built before evalkit recorded them: build it again). Empty when all agree.
    """
    published: list[tuple[str, dict[str, object] | None]] = []
    for ed in editions:
        if (ed.html_dir / "index.html").exists():
            published.append((f"{ed.html_link}/", read_inputs_record(ed.html_dir)))
        if ed.pdf.is_file():
            published.append((f"pdf/{ed.pdf_name}", pdf_inputs(ed.pdf)))
    problems = [Problem(where, f"records no inputs ({INPUTS_FILE} or the PDF's keywords): build it again "
                               "so that the editions can be compared", "editions")
                for where, record in published if record is None]
    known = [(where, record) for where, record in published if record is not None]
    if not known:
        return problems
    reference_where, reference = known[0]
    for where, record in known[1:]:
        if _fingerprint(record) != _fingerprint(reference):
            problems.append(Problem(where, f"built from other inputs than {reference_where} "
                                           f"({_difference(record, reference)} differ): its numbers may differ; "
                                           "rebuild every edition (make report-all)", "editions"))
    return problems
