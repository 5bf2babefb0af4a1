"""Pages the build writes itself from what it did: the build status and the provenance appendix."""
from __future__ import annotations

import html
import shutil
from pathlib import Path

from evalkit.i18n import t
from evalkit.page_output import literal, rows_table
from evalkit.pipeline.provenance import Provenance
from evalkit.pipeline.runner import JobResult, Reason
from evalkit.shown import shown

STATUS_PAGE = "build_status"
PROVENANCE_PAGE = "provenance"
GENERATED_PAGES = (STATUS_PAGE, PROVENANCE_PAGE)


def _breakable(digest: str) -> str:
    """A hash in groups of 16, so that a PDF table can wrap it instead of running off the page."""
    return " ".join(digest[i:i + 16] for i in range(0, len(digest), 16))


def write_status_page(folder: Path, results: list[JobResult]) -> Path:
    """Write the build status page: one table row per page with its status, reason, time and failure.

    A failed page's kept notebook is copied beside the page and linked for download.

    Parameters
    ----------
    folder : Path
        The book's source folder; created when absent.
    results : list of JobResult
        One per page notebook, in the order to show.

    Returns
    -------
    Path
        The written ``build_status.md``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for r in results:
        failure = ""
        if r.status == "failed":
            failure = literal(t("build.failed_detail", cell="–" if r.failed_cell is None else r.failed_cell,
                                error=shown(r.error or "")))
            if r.kept_notebook:
                kept = folder / f"failed-{r.name}.ipynb.json"
                shutil.copy2(r.kept_notebook, kept)
                failure += f" ({{download}}`{t('build.kept_notebook')} <{kept.name}>`)"
        rows.append((
            r.name,
            t(f"build.status_{r.status}"),
            # Names files a page read: never an identity code.
            shown(t(f"build.reason.{r.reason.code}", detail=r.reason.detail) if isinstance(r.reason, Reason)
                  else r.reason),
            f"{r.seconds:.1f}" if r.status == "built" else "",
            failure,
        ))
    columns = [t(f"build.col_{name}") for name in ("page", "status", "reason", "seconds", "failure")]
    summary = t("build.some_failed") if any(r.status == "failed" for r in results) else t("build.all_ok")
    # Written by the build's own process, which imports no pandas for it (rows_table).
    text = (f"# {t('build.status_heading')}\n\n{t('build.status_intro')}\n\n{summary}\n\n"
            + rows_table(columns, rows, t("build.status_caption"), name="tbl-build-status",
                         align=["l", "l", "l", "r", "l"],
                         markup=(t("build.col_failure"),)))   # the error in it is escaped above
    path = folder / f"{STATUS_PAGE}.md"
    path.write_text(text, encoding="utf-8")
    return path


def write_provenance_page(folder: Path, prov: Provenance, exports: list[Path]) -> Path:
    """Write the provenance appendix: code version, lock file, params and data digests, build time, exports.

    Parameters
    ----------
    folder : Path
        The book's source folder; created when absent.
    prov : Provenance
        What the build was made from.
    exports : list of Path
        Exported files (indicator tables), copied into ``folder/data`` and linked for download.

    Returns
    -------
    Path
        The written ``provenance.md``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    code = _breakable(prov.commit) + (f" {t('build.modified_note')}" if prov.modified else "")
    items = [(t("build.item_code"), code),
             (t("build.item_evalkit"), prov.evalkit_version),
             (t("build.item_lockfile"), _breakable(prov.lockfile_sha256)),
             (t("build.item_params"), _breakable(prov.params_sha256)),
             (t("build.item_built"), prov.built_at_utc)]
    data = [(name, _breakable(digest)) for name, digest in prov.data_files]
    links = []
    for path in exports:
        local = folder / "data" / path.name
        local.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, local)
        links.append(f"- {{download}}`{path.name} <data/{path.name}>`")
    text = (f"# {t('build.provenance_heading')}\n\n{t('build.provenance_intro')}\n\n"
            + rows_table([t("build.col_item"), t("build.col_value")], items, t("build.provenance_caption"),
                         name="tbl-provenance", align=["l", "l"])
            + "\n" + rows_table([t("build.col_file"), t("build.col_sha256")], data, t("build.data_caption"),
                                name="tbl-data-hashes", align=["l", "l"])
            + (f"\n## {t('build.exports_heading')}\n\n{t('build.exports_intro')}\n\n" + "\n".join(links) + "\n"
               if links else ""))
    path = folder / f"{PROVENANCE_PAGE}.md"
    path.write_text(text, encoding="utf-8")
    return path


def footer_html(prov: Provenance) -> str:
    """The provenance line at the foot of every page, as escaped HTML (digests shortened to 12 characters)."""
    data = ", ".join(f"{Path(name).name} {digest[:12]}" for name, digest in prov.data_files)
    text = t("build.footer", built=prov.built_at_utc, code=prov.code_version, version=prov.evalkit_version,
             lock=prov.lockfile_sha256[:12], params=prov.params_sha256[:12], data=data)
    return f'<p class="evalkit-provenance">{html.escape(text)}</p>'


def pdf_keywords(prov: Provenance) -> str:
    """The provenance in full (whole digests) for the PDF's keywords metadata."""
    data = "; ".join(f"{Path(name).name} sha256 {digest}" for name, digest in prov.data_files)
    return (f"built {prov.built_at_utc}; code {prov.code_version}; evalkit {prov.evalkit_version}; "
            f"uv.lock sha256 {prov.lockfile_sha256}; params sha256 {prov.params_sha256}; {data}")
