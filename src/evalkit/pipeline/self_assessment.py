"""A pilot's own self-assessment notebook, made from the chapter's template (one source of truth).

``evalkit pilot`` writes ``DIR/<pilot_id>-self-assessment.ipynb`` beside the HTML and the PDF.
It is the template ``book/templates/pilot.ipynb`` turned into a notebook that Jupyter itself can
read and run again:

- the parameters cell names the pilot's own files, copied into ``DIR/private-data/`` so that the
  folder is self-contained (paths are relative to the notebook), and writes the pilot's goals out, so
  that a pilot changes a target there and runs the notebook again to see the new verdict;
- the setup line calls :func:`evalkit.chapters.pilot.setup_notebook`, which puts the page in
  ``notebook`` output mode (:mod:`evalkit.page_output`): plain Markdown tables, inline figures;
- a Markdown line that is one catalogue placeholder whose text holds ``{glue:text}`` roles
  becomes a code cell ``chapter.say(page, "key")`` that writes the text with its numbers in it;
  headings and other text stay Markdown with their placeholders filled;
- an empty "your own analysis" section at the end shows the one call that gives the pilot's
  exact indicator frame, and says that those numbers are not for publication. Its heading cell is
  tagged ``own-analysis``: when ``evalkit pilot`` runs again into the same folder, the cells the
  pilot wrote under it are carried into the new notebook (:func:`carry_own_analysis`).
"""
from __future__ import annotations

import json
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from evalkit.chapters.method_numbers import level_text, method_numbers
from evalkit.errors import BuildError
from evalkit.i18n import has, language, t
from evalkit.params import Goal
from evalkit.pipeline.templates import PLACEHOLDER, fill
from evalkit.register.manifest import MANIFEST_NAME, read_manifest

SUFFIX = "-self-assessment.ipynb"
OWN_TAG = "own-analysis"   # the heading cell of the pilot's own section
DATA_DIR = "private-data"   # person-level extract: the name itself says it is not for publication
SETUP_LINE = re.compile(r"^page = chapter\.setup\(.*\)$", re.MULTILINE)
_WHOLE_PLACEHOLDER = re.compile(r"^\s*\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}\s*$")
_COMMENT_WIDTH = 96


def notebook_name(pilot_id: str) -> str:
    """The self-assessment notebook's file name: ``<pilot_id>-self-assessment.ipynb``."""
    return f"{pilot_id}{SUFFIX}"


@dataclass(frozen=True)
class OwnFiles:
    """The notebook's inputs, as paths relative to its folder (POSIX, so they read the same everywhere)."""

    data: str
    as_of: str
    params: str
    employers: str | None
    facts: str


def goal_entries(goals: tuple[Goal, ...] | list[Goal]) -> list[dict]:
    """Goals as a params file writes them: text, then indicator, horizon and target when set."""
    entries = []
    for goal in goals:
        entry: dict = {"text": goal.text}
        for key in ("indicator", "horizon", "target"):
            if getattr(goal, key) is not None:
                entry[key] = getattr(goal, key)
        entries.append(entry)
    return entries


def copy_inputs(folder: Path, pilot_id: str, data: Path, as_of: str, employers: Path | None,
                services: tuple[str, ...], goals: tuple[Goal, ...], facts: Path) -> OwnFiles:
    """Copy the notebook's inputs into ``folder/private-data/`` and write its params file there.

    The register, the employer file and the reported facts are copied byte for byte (a name
    already taken gets ``-2``, ``-3``, ...); the params hold paths relative to ``folder``. A
    synthetic register stays marked as synthetic: the manifest entries of the copied files come
    along.

    Parameters
    ----------
    folder : Path
        The notebook's folder.
    pilot_id : str
        The pilot.
    data : Path
        Its register extract.
    as_of : str
        The extract date, ``YYYY-MM-DD``.
    employers : Path, optional
        Its employer file.
    services : tuple of str
        The pilot's services, written to the params.
    goals : tuple of Goal
        The pilot's goals, written to the params.
    facts : Path
        The programme's ``programme.yml`` (its pilots' names and budgets), copied as ``programme.yml``.

    Returns
    -------
    OwnFiles
        The copied files' paths relative to ``folder``.
    """
    target = folder / DATA_DIR
    target.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    manifest: dict = {}

    def copy(source: Path, preferred: str) -> str:
        name = _free_name(preferred, taken)
        shutil.copy2(source, target / name)
        origin = read_manifest(source.resolve().parent) or {}
        entry = (origin.get("files") or {}).get(source.name)
        if origin.get("synthetic") is True and entry is not None:
            manifest.setdefault("files", {})[name] = entry
        return f"{DATA_DIR}/{name}"

    data_name = copy(Path(data), Path(data).name)
    employers_name = copy(Path(employers), Path(employers).name) if employers else None
    facts_name = copy(Path(facts), "programme.yml")
    params_name = f"{DATA_DIR}/{_free_name(f'{pilot_id}.yml', taken)}"
    content: dict = {"pilot_id": pilot_id, "data": data_name, "as_of": as_of}
    if employers_name:
        content["employers"] = employers_name
    content["services"] = list(services)
    content["goals"] = goal_entries(goals)
    (folder / params_name).write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False),
                                      encoding="utf-8")
    if manifest:
        manifest = {"synthetic": True, "note": "copied by evalkit pilot with the self-assessment notebook",
                    **manifest}
        (target / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return OwnFiles(data_name, as_of, params_name, employers_name, facts_name)


def _free_name(preferred: str, taken: set[str]) -> str:
    """``preferred``, or ``stem-2.suffix`` and so on when a file of that name is already copied."""
    stem, dot, suffix = preferred.partition(".")
    name, number = preferred, 1
    while name.lower() in taken or name == MANIFEST_NAME:
        number += 1
        name = f"{stem}-{number}{dot}{suffix}"
    taken.add(name.lower())
    return name


def _comment(text: str) -> list[str]:
    return ["# " + line for line in textwrap.wrap(text, _COMMENT_WIDTH - 2)]


def _python(value) -> str:
    """A value as Python source: JSON's strings, numbers and lists are Python's too; None stays None."""
    return "None" if value is None else json.dumps(value, ensure_ascii=False)


def parameters_source(pilot_id: str, files: OwnFiles, goals: list[dict]) -> str:
    """The source of the notebook's parameters cell: the pilot's files and its goals, commented in the active language.

    Parameters
    ----------
    pilot_id : str
        The pilot.
    files : OwnFiles
        The notebook's inputs, relative to its folder.
    goals : list of dict
        Goals as :func:`goal_entries` writes them.

    Returns
    -------
    str
        Python source.
    """
    lines = _comment(t("notebook.params_intro"))
    for name, value in (("pilot_id", pilot_id), ("data", files.data), ("as_of", files.as_of),
                        ("employers", files.employers), ("params_file", files.params),
                        ("facts", files.facts)):
        if has(f"notebook.param.{name}"):
            lines += _comment(t(f"notebook.param.{name}"))
        lines.append(f"{name} = {_python(value)}")
    lines.append("")
    example = 0.25   # a target as a params file writes it, and as the report shows it
    lines += _comment(t("notebook.goals_comment", example=repr(example), example_percent=level_text(example),
                        horizons=method_numbers()["horizons_or"]))
    if goals:
        lines.append("goals = [")
        lines += [_goal_source(goal) for goal in goals]
        lines.append("]")
    else:
        lines.append("goals = []")
    return "\n".join(lines)


def _goal_source(goal: dict) -> str:
    """One goal as a dict literal: its text on the first line, the measure (what a pilot edits) on the next.

    So a target is easy to find.
    """
    text = f'    {{"text": {_python(goal["text"])}'
    measure = [f'"{key}": {_python(goal[key])}' for key in ("indicator", "horizon", "target") if key in goal]
    return f"{text},\n     {', '.join(measure)}}}," if measure else f"{text}}},"


# The notebook's language is that of its Markdown cells, so it is fixed, not a parameter.
SETUP_CALL = ("page = chapter.setup_notebook(pilot_id, data, as_of, params_file, employers=employers,\n"
              "                              goals=goals, facts=facts, lang={lang})")


def _say_cell(key: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(f'chapter.say(page, "{key}")')
    # JupyterLab shows the written-out text, not the call that writes it.
    cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


def _split_markdown(source: str, context: dict, template: str) -> list[nbformat.NotebookNode]:
    """One template Markdown cell as notebook cells, with a ``say`` cell for each line of glued prose.

    A line that is a placeholder whose text holds glue roles becomes a ``say`` cell; the lines
    around it stay Markdown, filled.
    """
    lang = language()
    cells: list[nbformat.NotebookNode] = []
    pending: list[str] = []

    def flush() -> None:
        text = "\n".join(pending).strip("\n")
        pending.clear()
        if text.strip():
            cells.append(nbformat.v4.new_markdown_cell(fill(text, context, lang, source=template)))

    for line in source.splitlines():
        match = _WHOLE_PLACEHOLDER.match(line)
        key = match.group(1) if match else None
        if key and not key.startswith("ctx.") and has(key, lang) and "{glue:" in str(t(key, lang)):
            flush()
            cells.append(_say_cell(key))
            continue
        for other in PLACEHOLDER.findall(line):
            if not other.startswith("ctx.") and has(other, lang) and "{glue:" in str(t(other, lang)):
                raise BuildError(f"{template}: {{{{ {other} }}}} refers to glued numbers but shares its "
                                 f"line with other text; give it a line of its own")
        pending.append(line)
    flush()
    return cells


def make_notebook(template: Path, context: dict, parameters: str) -> nbformat.NotebookNode:
    """The self-assessment notebook (not yet executed) from the chapter template, in the active language.

    See the module text for how the template's cells are turned into the notebook's.

    Parameters
    ----------
    template : Path
        The chapter template (``book/templates/pilot.ipynb``).
    context : dict
        Values for the template's ``{{ ctx.* }}`` placeholders.
    parameters : str
        Source of the parameters cell (:func:`parameters_source`).

    Returns
    -------
    nbformat.NotebookNode

    Raises
    ------
    BuildError
        When the template has no parameters cell or no ``page = chapter.setup(...)`` line, or a
        placeholder with glued numbers shares its line with other text.
    """
    source = nbformat.read(template, as_version=4)
    cells: list[nbformat.NotebookNode] = []
    seen_parameters = seen_setup = False
    for cell in source.cells:
        if cell.cell_type == "markdown":
            cells += _split_markdown(cell.source, context, template.name)
        elif "parameters" in cell.metadata.get("tags", []):
            cells.append(nbformat.v4.new_markdown_cell(t("notebook.intro")))
            cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
            seen_parameters = True
        elif SETUP_LINE.search(cell.source):
            call = SETUP_CALL.format(lang=_python(language()))
            cells.append(nbformat.v4.new_code_cell(SETUP_LINE.sub(lambda _: call, cell.source)))
            seen_setup = True
        else:
            cells.append(nbformat.v4.new_code_cell(cell.source))
    if not (seen_parameters and seen_setup):
        raise BuildError(f"{template.name}: no parameters cell or no line `page = chapter.setup(...)`; "
                         f"the self-assessment notebook is made from both")
    cells.append(nbformat.v4.new_markdown_cell(f"## {t('notebook.own_heading')}\n\n{t('notebook.own_text')}",
                                               metadata={"tags": [OWN_TAG]}))
    cells.append(nbformat.v4.new_code_cell("\n".join(
        [*_comment(t("notebook.own_code_comment")), "indicators = chapter.indicator_frame(page)"])))
    cells.append(nbformat.v4.new_code_cell(""))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def write_notebook(path: Path, template: Path, context: dict, pilot_id: str, files: OwnFiles,
                   goals: list[dict]) -> Path:
    """Write the notebook, not yet executed, to ``path`` (in the active language)."""
    notebook = make_notebook(template, context, parameters_source(pilot_id, files, goals))
    nbformat.write(notebook, path)
    return path


def own_section(notebook: nbformat.NotebookNode) -> int | None:
    """Index of the own-analysis heading cell: tagged, or (in a notebook of an older evalkit) by its heading."""
    from evalkit.i18n import LANGUAGES

    for index, cell in enumerate(notebook.cells):
        if OWN_TAG in cell.metadata.get("tags", []):
            return index
    headings = {f"## {t('notebook.own_heading', lang)}" for lang in LANGUAGES}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and cell.source.strip().split("\n")[0].strip() in headings:
            return index
    return None


def _read_pilots(path: Path) -> nbformat.NotebookNode:
    """The pilot's notebook, as it is: cells with no id (an older Jupyter, an editor) are given one quietly.

    nbformat would warn about each such file on every later run, on the pilot's terminal.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nbformat.warnings.MissingIDFieldWarning)
        return nbformat.read(path, as_version=4)


def carry_own_analysis(earlier: Path, new: Path) -> int:
    """Carry the cells the pilot wrote in ``earlier``'s own-analysis section into ``new``; return how many.

    The section of ``new`` becomes that of ``earlier``, in its order: a cell that ``new`` has
    too (same type and source) stays as ``new`` ran it; the pilot's own cells come without their
    outputs, which were computed from the earlier data. A heading the pilot edited is kept as
    edited. Nothing is written when the pilot wrote nothing there (or ``earlier`` is unreadable).

    Parameters
    ----------
    earlier : Path
        The notebook in the report folder before this run.
    new : Path
        The notebook this run made (executed); rewritten when cells are carried.

    Returns
    -------
    int
        The number of the pilot's own cells carried.
    """
    try:
        before = _read_pilots(earlier)
    except Exception:  # noqa: BLE001 - any unreadable notebook: the dated copy keeps it; nothing to carry
        return 0
    after = nbformat.read(new, as_version=4)
    start_before, start_after = own_section(before), own_section(after)
    if start_before is None or start_after is None:
        return 0
    available = {(c.cell_type, c.source): c for c in after.cells[start_after:]}
    section, carried = [], 0
    for cell in before.cells[start_before:]:
        same = available.pop((cell.cell_type, cell.source), None)
        if same is None:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            carried += 1
            same = cell
        section.append(same)
    if not carried:
        return 0
    if OWN_TAG not in section[0].metadata.get("tags", []):
        section[0].metadata["tags"] = [*section[0].metadata.get("tags", []), OWN_TAG]
    after.cells = after.cells[:start_after] + section
    nbformat.write(after, new)
    return carried


def edits_left_behind(earlier: Path, new: Path) -> int:
    """How many cells of ``earlier`` above its own-analysis section ``new`` does not have (0 if unreadable).

    Those are cells the pilot added or edited among evalkit's own, or cells evalkit writes
    otherwise this time (another language, a newer evalkit); the parameters cell, which each run
    writes from its inputs, is not counted. :func:`carry_own_analysis` carries only the own
    section, so they stay in the dated copy of ``earlier`` alone, and the pilot is told so.
    """
    try:
        before, after = _read_pilots(earlier), nbformat.read(new, as_version=4)
    except Exception:  # noqa: BLE001 - unreadable: the dated copy keeps it whole
        return 0
    end_before = own_section(before)
    end_after = own_section(after)
    ours = {(c.cell_type, c.source) for c in after.cells[:end_after]}

    def written_by_each_run(cell) -> bool:
        return bool({"parameters", "injected-parameters"} & set(cell.metadata.get("tags", [])))

    return sum(1 for c in before.cells[:end_before]
               if not written_by_each_run(c) and (c.cell_type, c.source) not in ours)
