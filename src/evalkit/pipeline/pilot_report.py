"""``evalkit pilot``: one pilot's own report from its own register extract.

The same template as the pilot's chapter in the national book (``book/templates/pilot.ipynb``),
executed once with papermill and built by Jupyter Book as a one-page book whose root page is the
chapter, so ``DIR/index.html`` is the report itself. The same template also becomes the pilot's own
self-assessment notebook (:mod:`evalkit.pipeline.self_assessment`), executed and written to ``DIR``
with copies of its inputs in ``DIR/private-data/``. Inputs are checked before anything is built:
rows of other pilots are refused (a pilot sees only its own people). Everything is built in a
private staging folder inside ``DIR/private-data/`` and moved into place only when complete, so a
failed run leaves the previous report as it was; only what evalkit wrote and nobody changed is
replaced (:mod:`evalkit.pipeline.report_folder`).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from evalkit.book_settings import front_matter
from evalkit.chapters.method_numbers import method_numbers
from evalkit.errors import BuildError, EvalkitError, InputError, InputProblem
from evalkit.i18n import set_language, t
from evalkit.params import Goal, load_params
from evalkit.paths import book_sources, params_dir, project_root
from evalkit.pipeline import book, provenance, report_folder, self_assessment
from evalkit.pipeline.pages import footer_html, pdf_keywords
from evalkit.pipeline.print_pdf import build_pdf
from evalkit.pipeline.runner import NotebookJob, execute_job
from evalkit.programme import PROGRAMME_FILE, ProgrammePilot, current, pilot_context, programme_at
from evalkit.register.employers import other_pilot_employers

MARKER = report_folder.MARKER   # marks DIR as a pilot report and lists the files evalkit wrote there
TEMPLATE = Path("book") / "templates" / "pilot.ipynb"


@dataclass(frozen=True)
class ReportInputs:
    """Everything a pilot's report is built from, resolved (see :func:`resolve_inputs`)."""

    pilot_id: str
    data: Path
    as_of: dt.date
    employers: Path | None
    services: tuple[str, ...]
    goals: tuple[Goal, ...]
    params_source: Path | None


def resolve_inputs(pilot_id: str, data: Path, as_of: dt.date, params_file: Path | None,
                   employers: Path | None, root: Path) -> ReportInputs:
    """Resolve what a pilot's report is built from: the command line first, then the params file.

    Data and extract date come from the command line; goals and services from ``--params`` or else
    from ``params/PILOT_ID.yml`` when it exists. Employers come from ``--employers``, or from an
    explicit ``--params`` file (the default params point at the demonstration data, not at a
    pilot's own).

    Parameters
    ----------
    pilot_id : str
        The pilot.
    data : Path
        Its register extract.
    as_of : datetime.date
        The extract date.
    params_file : Path, optional
        ``--params``.
    employers : Path, optional
        ``--employers``.
    root : Path
        The project root (for ``params/``).

    Returns
    -------
    ReportInputs
        With absolute paths.

    Raises
    ------
    InputError
        When the params file is absent, invalid, or for another pilot.
    """
    source = params_file
    if source is None and (params_dir(root) / f"{pilot_id}.yml").is_file():
        source = params_dir(root) / f"{pilot_id}.yml"
    services: tuple[str, ...] = ()
    goals: tuple[Goal, ...] = ()
    if source is not None:
        if not Path(source).is_file():
            raise InputError([InputProblem(str(source), None, None, "params file not found")])
        params = load_params(Path(source), root)
        if params.pilot_id != pilot_id:
            raise InputError([InputProblem(str(source), None, "pilot_id",
                                           f"the params are for pilot {params.pilot_id}, not {pilot_id}")])
        services, goals = params.services, params.goals
        if params_file is not None and employers is None:
            employers = params.employers
    return ReportInputs(pilot_id, Path(data).resolve(), as_of,
                        Path(employers).resolve() if employers else None, services, goals,
                        Path(source).resolve() if source else None)


def check_inputs(inputs: ReportInputs) -> None:
    """Validate the register (refusing other pilots' rows) and the employer file, all problems at once."""
    from evalkit.register import load_employers, load_register

    problems: list[InputProblem] = []
    try:
        load_register(inputs.data, inputs.as_of, pilot_id=inputs.pilot_id)
    except InputError as exc:
        problems += exc.problems
    if inputs.employers is not None:
        try:
            employers = load_employers(inputs.employers)
        except InputError as exc:
            problems += exc.problems
        else:
            problems += other_pilot_employers(employers, inputs.pilot_id, inputs.employers.name)
    if problems:
        raise InputError(problems)


def check_out_dir(out: Path) -> None:
    """Refuse an ``--out`` that evalkit may not replace: a file, or a non-empty folder it did not write.

    Raises
    ------
    EvalkitError
        When ``out`` is a file, or a non-empty folder without an earlier pilot report's marker.
    """
    if out.exists() and not out.is_dir():
        raise EvalkitError(f"{out} exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise EvalkitError(f"{out} is not empty and holds no earlier pilot report; choose an empty or new "
                           f"folder")


def write_params(inputs: ReportInputs, target: Path) -> Path:
    """The params file the notebook reads: the command line's data and date, the goals and services."""
    content = {"pilot_id": inputs.pilot_id, "data": str(inputs.data), "as_of": inputs.as_of.isoformat(),
               "services": list(inputs.services), "goals": self_assessment.goal_entries(inputs.goals)}
    if inputs.employers is not None:
        content["employers"] = str(inputs.employers)
    target.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def write_book_files(root: Path, lang: str, stage: Path, title: str) -> tuple[Path, Path]:
    """The national configuration with the pilot report's title, and a table of contents of one page."""
    config_path = book.write_config(root, lang, stage / "_config.yml")
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["title"] = title
    # The build's provenance goes into the footer's place once the site is built (book.fill_footer).
    config.setdefault("html", {})["extra_footer"] = book.FOOTER_SLOT
    sphinx = config.get("sphinx", {}).get("config", {})
    context = sphinx.get("html_context")
    if isinstance(context, dict) and "evalkit_editions" in context:
        context["evalkit_editions"] = []   # a pilot's report has one edition: no link to another
    # Tables and figures numbered through the report, not per section.
    sphinx["numfig_secnum_depth"] = 0
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    toc = stage / "_toc.yml"
    toc.write_text("format: jb-book\nroot: index\n", encoding="utf-8")
    return config_path, toc


def _say(text: str) -> None:
    print(f"evalkit pilot: {text}", file=sys.stderr, flush=True)


def build_pilot_report(pilot_id: str, data: Path, as_of: dt.date, out: Path, pdf: bool = True,
                       params_file: Path | None = None, employers: Path | None = None,
                       lang: str = "fi", root: Path | None = None) -> Path:
    """Build a pilot's own report and self-assessment notebook into ``out`` (see the module text).

    ``out`` gets ``index.html`` (and ``report.pdf``) and the pilot's own notebook
    ``<pilot_id>-self-assessment.ipynb`` with its inputs in ``private-data/``. Everything is built
    in a staging folder in ``out/private-data/`` and moved in only when complete; files evalkit did
    not write, or that the pilot changed, are kept (one line each on stderr).

    Parameters
    ----------
    pilot_id : str
        The pilot.
    data : Path
        Its register extract (.csv, .xlsx or .parquet); rows of other pilots are refused.
    as_of : datetime.date
        The extract date.
    out : Path
        Destination folder: new, empty, or an earlier pilot report (what evalkit wrote is replaced).
    pdf : bool
        Also build ``report.pdf``.
    params_file, employers : Path, optional
        As for :func:`resolve_inputs`.
    lang : str
        Language of the report.
    root : Path, optional
        Project root; default :func:`evalkit.paths.project_root`.

    Returns
    -------
    Path
        ``out``, resolved.

    Raises
    ------
    InputError
        When the inputs are invalid.
    EvalkitError
        When ``out`` may not be replaced.
    BuildError
        When a notebook, Jupyter Book or the PDF fails; ``out`` is then unchanged.
    """
    root = root or project_root()
    set_language(lang)
    out = Path(out).resolve()
    swept = report_folder.sweep_stale(out)
    if swept:
        _say(f"removed {swept} staging folder(s) an interrupted run left behind")
    inputs = resolve_inputs(pilot_id, data, as_of, params_file, employers, root)
    check_inputs(inputs)
    check_out_dir(out)
    pilot = programme_at(root).by_id(pilot_id)
    earlier = report_folder.read_marker(out)
    with report_folder.staging(out) as stage:
        try:
            pages = stage / "pages"
            _run_notebooks(inputs, pilot, lang, root, stage, out)
            title = t("pilot.report.title", heading=pilot.heading)
            config, toc = write_book_files(root, lang, stage, title)
            prov = provenance.collect_pilot_report(
                root, inputs.pilot_id, inputs.params_source,
                [inputs.data, *([inputs.employers] if inputs.employers else [])])
            _say("building the site")
            book.jupyter_book(pages, config, toc, stage / "html-out", "html")
            finished = stage / "finished"
            shutil.move(stage / "html-out" / "_build" / "html", finished)
            book.fill_footer(finished, footer_html(prov))
            if pdf:
                _build_report_pdf(pilot, lang, title, (pages, config, toc), prov, stage, finished)
            _gather(stage / "own", finished)
        except BaseException:
            _stop_kernel()   # before the staging folder goes: the kernel may still be writing into it
            raise
        carried = _carry_own_analysis(out, finished, inputs.pilot_id)
        left = _edits_left_behind(out, finished, inputs.pilot_id)
        outcome = report_folder.move_in(finished, out, earlier, _marker(inputs, lang))
    _tell(outcome, earlier, inputs, carried, left)
    return out


def _stop_kernel() -> None:
    from evalkit.pipeline.kernel import shutdown_warm_kernels

    shutdown_warm_kernels()


def _edits_left_behind(out: Path, finished: Path, pilot_id: str) -> int:
    name = self_assessment.notebook_name(pilot_id)
    if not (out / name).is_file():
        return 0
    return self_assessment.edits_left_behind(out / name, finished / name)


def _carry_own_analysis(out: Path, finished: Path, pilot_id: str) -> int:
    name = self_assessment.notebook_name(pilot_id)
    if not (out / name).is_file():
        return 0
    return self_assessment.carry_own_analysis(out / name, finished / name)


def _marker(inputs: ReportInputs, lang: str) -> dict:
    """What the report was built from, as the folder may carry it: file names, never a home folder."""
    from evalkit.shown import shown

    def named(path: Path | None) -> str | None:
        return shown(Path(path).name) if path else None

    return {"pilot_id": inputs.pilot_id, "data": named(inputs.data), "as_of": inputs.as_of.isoformat(),
            "lang": lang, "params": named(inputs.params_source), "employers": named(inputs.employers),
            "notebook": self_assessment.notebook_name(inputs.pilot_id)}


def _shown(rel: str) -> str:
    """A path as it may be printed: never an identity code, even in a name the pilot chose."""
    from evalkit.register.hetu import contains_hetu

    return "(a file whose name is not shown)" if contains_hetu(rel) else rel


def _params_shown(inputs: ReportInputs) -> str:
    if inputs.params_source is None:
        return "no params file"
    with contextlib.suppress(ValueError):
        return _shown(str(inputs.params_source.relative_to(Path.cwd())))
    return _shown(str(inputs.params_source))


def _tell(outcome: report_folder.Outcome, earlier: report_folder.Earlier, inputs: ReportInputs,
          carried: int, left: int = 0) -> None:
    """One line per file the pilot changed and evalkit kept, and one line for the pilot's own files."""
    notebook = self_assessment.notebook_name(inputs.pilot_id)
    params = f"{self_assessment.DATA_DIR}/{inputs.pilot_id}.yml"
    reasons = {"changed": "you changed it since evalkit wrote it",
               "unknown": "an older evalkit wrote it without recording digests, so it may hold your changes",
               "own": "yours: evalkit did not write it before and writes a file of that name now"}
    for rel, dated, why in outcome.dated:
        line = f"kept {_shown(rel)} as {_shown(dated)}: {reasons[why]}"
        if rel == notebook and carried:
            line += f"; your {carried} own-analysis cell(s) are carried into the new notebook: run them again"
        if rel == notebook and left:
            # Not "your edits": another --lang or a newer evalkit changes evalkit's own cells too.
            line += (f"; {left} cell(s) above the own analysis differ from this run's notebook and are not "
                     f"carried: if you added or changed them, they are in {_shown(dated)} only")
        elif rel == params:
            line += f"; the new report's goals come from {_params_shown(inputs)} (give --params FILE to use yours)"
        _say(line)
    if carried and notebook not in {rel for rel, _, _ in outcome.dated}:
        _say(f"carried your {carried} own-analysis cell(s) into the new {notebook}: run them again")
    for rel in outcome.left:
        _say(f"kept {_shown(rel)} as it is: {reasons['changed' if earlier.files is not None else 'unknown']}; "
             "this run did not write it")
    if outcome.own:
        names = [_shown(rel) for rel in outcome.own]
        listed = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        _say(f"kept your own file(s), not written by evalkit: {listed}")


def _run_notebooks(inputs: ReportInputs, pilot: ProgrammePilot, lang: str, root: Path, stage: Path, out: Path) -> None:
    """Run the report notebook into ``stage/pages`` and the self-assessment notebook into ``stage/own``."""
    pilot_id = inputs.pilot_id
    pages = stage / "pages"
    params_path = write_params(inputs, stage / "params.yml")
    job = NotebookJob(
        name=pilot_id, template=book_sources(root) / TEMPLATE, output=pages / "index.ipynb",
        parameters={"pilot_id": pilot_id, "params_file": str(params_path), "lang": lang,
                    "root": str(root), "page_dir": str(pages), "page_name": "index"},
        context=pilot_context(pilot),
        lang=lang)
    _say(f"running the {pilot_id} notebook")
    _run(job, "the report notebook", out)
    own = stage / "own"
    _say("running the self-assessment notebook")
    _run(self_assessment_job(inputs, root, lang, job.context, own, stage), "the self-assessment notebook", out)


def _build_report_pdf(pilot: ProgrammePilot, lang: str, title: str, book_files: tuple[Path, Path, Path],
                      prov: provenance.Provenance, stage: Path, finished: Path) -> None:
    """Build the one-page book as single HTML and print it, with its front matter, to ``report.pdf``.

    Its pages carry ``prov`` in their footers and its metadata in its keywords, as the national PDF's do.
    """
    pages, config, toc = book_files
    programme = current()
    _say("building the PDF")
    book.jupyter_book(pages, config, toc, stage / "pdf-out", "singlehtml")
    single = stage / "pdf-out" / "_build" / "singlehtml"
    book.fill_footer(single, footer_html(prov))
    front = front_matter(
        lang, prov.built_at_utc, title=title, keywords=pdf_keywords(prov),
        subtitle=t(programme.publication_text("pilot_subject"), horizons=method_numbers()["horizons_and"]),
        publisher=t(programme.publication_text("pilot_publisher"), region=pilot.name, project=pilot.project_name,
                    heading=pilot.heading),
        summary_sections=(t("pilot.goals_heading"),), contents_depth=2)
    build_pdf(single / "index.html", finished / "report.pdf",
              front, say=_say)


def _gather(own: Path, finished: Path) -> None:
    """Move the own notebook and its data beside the report."""
    for item in own.iterdir():
        shutil.move(item, finished / item.name)


def _run(job: NotebookJob, what: str, out: Path) -> None:
    result = execute_job(job, "", {}, "evalkit pilot")
    if result.status == "failed":
        cell = f" at cell {result.failed_cell}" if result.failed_cell is not None else ""
        from evalkit.shown import shown

        raise BuildError(f"{what} failed{cell}: {shown(result.error or '')}; {out} is unchanged")


def self_assessment_job(inputs: ReportInputs, root: Path, lang: str, context: dict, own: Path,
                        stage: Path) -> NotebookJob:
    """The job that runs the pilot's own notebook where it will live, in ``own``.

    Its inputs are copied into ``own/private-data/`` first. Paths in it are relative to its
    folder, so it runs the same after the folder is moved.
    """
    files = self_assessment.copy_inputs(own, inputs.pilot_id, inputs.data, inputs.as_of.isoformat(),
                                        inputs.employers, inputs.services, inputs.goals,
                                        root / PROGRAMME_FILE)
    template = self_assessment.write_notebook(
        stage / "self-assessment-template.ipynb", book_sources(root) / TEMPLATE, context, inputs.pilot_id, files,
        self_assessment.goal_entries(inputs.goals))
    return NotebookJob(name=f"{inputs.pilot_id}-self-assessment", template=template,
                       output=own / self_assessment.notebook_name(inputs.pilot_id), parameters={},
                       context=context, lang=lang, cwd=own, book_page=False)
