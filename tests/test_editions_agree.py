"""Editions built from different inputs are found (evalkit.checks.agreement): the sites' input
records and the PDFs' keywords compared across every published edition, and `evalkit check`
failing on them. Small hand-made editions; no book is built."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pikepdf

from conftest import run_evalkit
from evalkit.checks.agreement import check_agreement, pdf_inputs
from evalkit.editions import edition
from evalkit.pipeline import pages
from evalkit.pipeline.provenance import Provenance, inputs_record, read_inputs_record, write_inputs_record

A, B, P, Q = "a" * 64, "b" * 64, "c" * 64, "d" * 64


def prov(participants: str = A, params: str = P) -> Provenance:
    return Provenance(commit="0" * 40, modified=False, evalkit_version="0.1.0", lockfile_sha256="e" * 64,
                      params_sha256=params,
                      data_files=(("data/demo/participants.csv", participants), ("data/reported/facts.yml", B)),
                      built_at_utc=dt.datetime(2026, 12, 6, tzinfo=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))


def publish(root: Path, lang: str, site: Provenance | None, pdf: Provenance | None) -> None:
    """An edition as a build publishes it: the site with its record, the PDF with its keywords."""
    ed = edition(root, lang)
    if site is not None:
        ed.html_dir.mkdir(parents=True)
        (ed.html_dir / "index.html").write_text("<html lang='fi'></html>")
        write_inputs_record(ed.html_dir, site)
    if pdf is not None:
        ed.pdf.parent.mkdir(parents=True, exist_ok=True)
        document = pikepdf.new()
        document.add_blank_page()
        document.docinfo["/Keywords"] = pages.pdf_keywords(pdf)
        document.save(ed.pdf)


def test_the_site_record_and_the_pdf_keywords_read_back_as_the_build_wrote_them(tmp_path):
    publish(tmp_path, "fi", prov(), prov())
    ed = edition(tmp_path, "fi")
    assert read_inputs_record(ed.html_dir) == inputs_record(prov())
    assert pdf_inputs(ed.pdf) == {"params_sha256": P, "data": {"participants.csv": A, "facts.yml": B}}


def test_editions_from_the_same_inputs_agree(tmp_path):
    publish(tmp_path, "fi", prov(), prov())
    publish(tmp_path, "en", prov(), prov())
    publish(tmp_path, "sv", None, prov())   # a PDF whose site was never built still counts
    assert check_agreement([edition(tmp_path, lang) for lang in ("fi", "en", "sv")]) == []


def test_an_edition_built_from_other_data_or_parameters_is_named_with_what_differs(tmp_path):
    publish(tmp_path, "fi", prov(participants=Q), prov(participants=Q))   # rebuilt after a data change
    publish(tmp_path, "en", prov(), prov())                               # not rebuilt
    problems = check_agreement([edition(tmp_path, "fi"), edition(tmp_path, "en")])
    assert [(p.where, p.check, p.note) for p in problems] == [
        ("html-en/", "editions", False), ("pdf/report-en.pdf", "editions", False)]
    # The changed file is named once (it is not also missing).
    assert all("built from other inputs than html/ (participants.csv differ)" in p.message for p in problems)
    # Other parameters, same data: named too.
    other = tmp_path / "other"
    publish(other, "fi", prov(), prov())
    publish(other, "en", prov(params=Q), None)
    [problem] = check_agreement([edition(other, "fi"), edition(other, "en")])
    assert problem.where == "html-en/" and "(parameters differ)" in problem.message


def test_a_data_file_read_by_one_edition_only_is_named_missing_from_the_other(tmp_path):
    without_facts = dataclasses.replace(prov(), data_files=(("data/demo/participants.csv", A),))
    publish(tmp_path, "fi", prov(), prov())
    publish(tmp_path, "en", without_facts, None)
    [problem] = check_agreement([edition(tmp_path, "fi"), edition(tmp_path, "en")])
    assert problem.where == "html-en/" and "(facts.yml (missing) differ)" in problem.message


def test_a_stale_pdf_of_the_same_edition_is_found(tmp_path):
    # `evalkit build --no-pdf` after a data change leaves the old PDF published beside the new site.
    publish(tmp_path, "fi", prov(participants=Q), prov())
    [problem] = check_agreement([edition(tmp_path, "fi")])
    assert problem.where == "pdf/report.pdf"


def test_a_published_edition_without_a_record_cannot_be_trusted(tmp_path):
    publish(tmp_path, "fi", prov(), prov())
    publish(tmp_path, "en", prov(), None)
    (edition(tmp_path, "en").html_dir / "evalkit-inputs.json").unlink()
    (edition(tmp_path, "en").html_dir / "evalkit-inputs.json").mkdir()   # unreadable as well as absent
    [problem] = check_agreement([edition(tmp_path, "fi"), edition(tmp_path, "en")])
    assert problem.where == "html-en/" and problem.message.startswith("records no inputs")


def test_check_all_fails_on_editions_that_disagree(tmp_path):
    publish(tmp_path, "fi", prov(participants=Q), None)
    publish(tmp_path, "en", prov(), None)
    result = run_evalkit(tmp_path, "check", "--lang", "all", "--no-browser", "--no-pdf")
    assert result.returncode == 1
    assert "editions: html-en/: built from other inputs than html/" in result.stdout


def test_check_all_fails_while_an_edition_every_page_links_to_is_not_built(tmp_path):
    # Every page links to each of the programme's languages: with the Swedish site not built, the
    # Finnish and English sites' links to it lead nowhere. Checking one edition, it stays a note.
    publish(tmp_path, "fi", prov(), None)
    publish(tmp_path, "en", prov(), None)
    result = run_evalkit(tmp_path, "check", "--lang", "all", "--no-browser", "--no-pdf")
    unbuilt = [line for line in result.stdout.splitlines() if line.startswith("editions:") and "not built" in line]
    assert result.returncode == 1
    assert unbuilt == ["editions: html-sv/: the sv edition is not built, and every built edition links to it; "
                       "build every edition (`make report-all`) before publishing [edition-link]"]
    publish(tmp_path, "sv", prov(), None)
    result = run_evalkit(tmp_path, "check", "--lang", "all", "--no-browser", "--no-pdf")
    assert "editions: html-sv/" not in result.stdout
