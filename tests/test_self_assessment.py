"""The pilot's own self-assessment notebook (issue 14): readable in Jupyter, re-runnable, the same
numbers as `evalkit indicators`.

The fast tests make the notebook from the real template without running it and check the
notebook output mode of evalkit.page_output, reading the emitted Markdown with markdown-it (CommonMark
with tables and dollar math, as Jupyter reads it): a second route to what a reader sees. The slow
tests build a real `evalkit pilot` report, copy its folder elsewhere and run the notebook there in
a fresh kernel with nbclient; expected numbers come from the `evalkit indicators` command and the
verdicts from its intervals, compared by hand with the targets.
"""
from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from evalkit import page_output
from evalkit.errors import BuildError, EvalkitError, InputError
from evalkit.i18n import catalogue, set_language, t
from evalkit.params import Goal, load_params
from evalkit.paths import pilots_file
from evalkit.pipeline import self_assessment

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "book" / "templates" / "pilot.ipynb"
CONTEXT = {"project_name": "Projekti", "region": "Uusimaa", "pilot_id": "uusimaa", "heading": "Uusimaa: Projekti",
           "project_sentence": "Uusimaa toteutti pilotin nimellä *Projekti*. "}
HETU = "131052-308T"   # a valid code: 131052308 mod 31 = 26 -> "T"
MYST = ("{{", "{glue", ":::{")
FILES = self_assessment.OwnFiles("private-data/own.csv", "2023-12-31", "private-data/uusimaa.yml", None,
                                 "private-data/programme.yml")


def jupyter_markdown() -> MarkdownIt:
    """Markdown as JupyterLab reads it: CommonMark, GFM tables and strikethrough, $ math."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(dollarmath_plugin)


def shown(text: str) -> str:
    return " ".join(text.split("\n")).strip()


def unescape(cell: str) -> str:
    """A Markdown table cell as a reader sees it (backslash escapes of punctuation removed)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", cell)


def markdown_tables(text: str) -> list[list[str]]:
    """Rows of cells (as shown) of the Markdown tables in ``text``, header first, no alignment row."""
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and not re.fullmatch(r"\|( :?-+:? \|)+", line):
            rows.append([unescape(cell) for cell in re.split(r"(?<!\\) \| ", line[2:-2])])
    return rows


# ---------------------------------------------------------------- the notebook made from the template

@pytest.fixture
def finnish():
    set_language("fi")
    yield
    set_language("fi")


def make(goals=None, template: Path = TEMPLATE):
    goals = goals if goals is not None else [{"text": "Työssä", "indicator": "employment_rate", "horizon": 6,
                                              "target": 0.3}, {"text": "Laadullinen"}]
    return self_assessment.make_notebook(template, CONTEXT,
                                         self_assessment.parameters_source("uusimaa", FILES, goals))


def test_the_template_becomes_a_notebook_with_no_syntax_jupyter_shows_raw(finnish):
    notebook = make()
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for syntax in MYST:
        assert syntax not in markdown
    assert f"## {t('pilot.flow_heading')}" in markdown and "# Uusimaa: Projekti" in markdown
    # Every template placeholder whose text holds glue roles became a say() cell, in order.
    template = nbformat.read(TEMPLATE, as_version=4)
    glued = [key for cell in template.cells if cell.cell_type == "markdown"
             for key in re.findall(r"^\{\{\s*([a-z_.]+)\s*\}\}$", cell.source, re.MULTILINE)
             if "{glue:" in str(catalogue("fi").get(key, ""))]
    said = [m.group(1) for c in notebook.cells if c.cell_type == "code"
            for m in [re.fullmatch(r'chapter\.say\(page, "([a-z_.]+)"\)', c.source)] if m]
    assert glued and said == glued
    assert "pilot.employers_text" not in said   # text without numbers stays Markdown
    assert catalogue("fi")["pilot.employers_text"] in markdown


def test_the_parameters_and_setup_cells_name_the_pilots_own_files(finnish):
    notebook = make()
    parameters = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1
    values: dict = {}
    exec(parameters[0].source, values)   # plain Python a pilot can edit
    assert (values["data"], values["as_of"], values["employers"], values["params_file"]) == \
        ("private-data/own.csv", "2023-12-31", None, "private-data/uusimaa.yml")
    assert values["goals"][0] == {"text": "Työssä", "indicator": "employment_rate", "horizon": 6, "target": 0.3}
    setup = [c.source for c in notebook.cells if "setup_notebook" in c.source]
    assert len(setup) == 1 and 'lang="fi"' in setup[0] and "goals=goals" in setup[0]
    assert not any("chapter.setup(" in c.source for c in notebook.cells)
    # It ends with the own-analysis section: the one call, then an empty cell.
    assert notebook.cells[-3].source.startswith(f"## {t('notebook.own_heading')}")
    assert notebook.cells[-2].source.endswith("indicators = chapter.indicator_frame(page)")
    assert notebook.cells[-1].source == ""


@pytest.mark.parametrize("text", ['lainaus "x" ja \\ kenoviiva', "rivi\nrivi", "'yksi' ja {a} ja 😀", HETU[:6]])
def test_goal_texts_are_written_as_python_that_gives_them_back(finnish, text):
    goals = [{"text": text, "indicator": "share_unemployed", "horizon": 12, "target": 0.25}, {"text": text}]
    values: dict = {}
    exec(self_assessment.parameters_source("uusimaa", FILES, goals), values)
    assert values["goals"] == goals


def test_a_glued_placeholder_sharing_its_line_is_refused(finnish, tmp_path):
    template = nbformat.read(TEMPLATE, as_version=4)
    cell = next(c for c in template.cells if "{{ pilot.flow_text }}" in c.source)
    cell.source = cell.source.replace("{{ pilot.flow_text }}", "Johdanto: {{ pilot.flow_text }}")
    nbformat.write(template, tmp_path / "pilot.ipynb")
    with pytest.raises(BuildError, match="flow_text"):
        make(template=tmp_path / "pilot.ipynb")


def test_a_template_without_the_setup_line_is_refused(finnish, tmp_path):
    template = nbformat.read(TEMPLATE, as_version=4)
    for cell in template.cells:
        cell.source = cell.source.replace("page = chapter.setup(", "page = chapter.other(")
    nbformat.write(template, tmp_path / "pilot.ipynb")
    with pytest.raises(BuildError, match="setup"):
        make(template=tmp_path / "pilot.ipynb")


# ---------------------------------------------------------------- notebook output mode

@pytest.fixture
def notebook_page():
    page_output.start_page("fi", mode="notebook")
    yield
    page_output.start_page("fi")


def test_prose_writes_each_glued_value_in_literally(notebook_page):
    page_output.glue("budget", "4 000 000 €")
    page_output.glue("odd", "*a* $b$ <i>c</i>")
    text = page_output.prose("Rahoitus {glue:text}`budget`, ja {glue:text}`odd`.")
    tokens = jupyter_markdown().parseInline(text)[0].children
    assert [tok.type for tok in tokens] == ["text"]
    assert tokens[0].content == "Rahoitus 4 000 000 €, ja *a* $b$ <i>c</i>."
    with pytest.raises(EvalkitError, match="missing"):
        page_output.prose("{glue:text}`missing`")
    page_output.start_page("fi", mode="notebook")   # a new page forgets the glued values
    assert page_output.glued() == {}


def test_a_notebook_table_is_a_plain_table_under_its_numbered_caption(notebook_page):
    frame = pd.DataFrame({"Mittari": ["a", "b"], "Arvo": ["1", "<5"]})
    first = page_output.markdown_table(frame, "Eka", name="tbl-a")
    second = page_output.markdown_table(frame, "Toka")
    assert ":::" not in first + second
    assert first.startswith("**Taulukko 1.** Eka\n\n| Mittari | Arvo |")
    assert second.startswith("**Taulukko 2.** Toka")
    assert markdown_tables(first) == [["Mittari", "Arvo"], ["a", "1"], ["b", "<5"]]
    page_output.set_data_origin(synthetic=True)
    notice = page_output.synthetic_notice_markdown()
    assert notice.startswith(f"> **{t('publish.synthetic_title')}**") and ":::" not in notice
    assert t("publish.synthetic_caption") in page_output.markdown_table(frame, "Kolmas")
    page_output.start_page("fi")   # and a book page is MyST as before
    assert page_output.markdown_table(frame, "Eka").startswith(":::{table} Eka")


def test_free_text_in_a_notebook_table_is_shown_as_written(notebook_page):
    from test_free_text import HOSTILE

    frame = pd.DataFrame({"Tavoite": HOSTILE, "Arvio": ["ok"] * len(HOSTILE)})
    tokens = jupyter_markdown().parse(page_output.markdown_table(frame, "Tavoitteet"))
    cells = [tok for tok in tokens if tok.type == "inline"]
    kinds = {child.type for tok in cells for child in tok.children}
    assert kinds == {"text", "strong_open", "strong_close"}, kinds   # strong: the caption's label only
    texts = ["".join(child.content for child in tok.children) for tok in cells][3::2]
    assert texts == [shown(text) for text in HOSTILE]


def test_unescaped_the_same_texts_would_be_markup_in_jupyter():
    # The check above can fail: raw, Jupyter's Markdown makes emphasis, math, HTML and links of them.
    from test_free_text import HOSTILE

    kinds = {child.type for tok in jupyter_markdown().parse("\n\n".join(HOSTILE)) if tok.type == "inline"
             for child in tok.children}
    assert {"em_open", "math_inline", "html_inline", "link_open"} <= kinds


# ---------------------------------------------------------------- inputs copied beside the notebook

def test_copied_inputs_keep_their_bytes_and_synthetic_marking(finnish, tmp_path):
    from evalkit.register import is_synthetic
    from evalkit.synth import write_synthetic

    write_synthetic(tmp_path / "synth", seed=3, size=120)
    work_goal = Goal(text="Työssä", indicator="employment_rate", horizon=6, target=0.25)
    real = tmp_path / "real"
    real.mkdir()
    shutil.copy(tmp_path / "synth" / "employers.csv", real / "participants.csv")   # same name, no manifest
    folder = tmp_path / "out"
    files = self_assessment.copy_inputs(folder, "lappi", tmp_path / "synth" / "participants.csv", "2023-12-31",
                                        real / "participants.csv", ("Ohjaus",), (work_goal,), pilots_file(ROOT))
    assert files.data == "private-data/participants.csv" and files.employers == "private-data/participants-2.csv"
    assert (folder / files.data).read_bytes() == (tmp_path / "synth" / "participants.csv").read_bytes()
    assert is_synthetic(folder / files.data)             # invented data stays marked as such
    assert not is_synthetic(folder / files.employers)    # a file without a manifest is not
    params = load_params(folder / files.params, folder)
    assert params.data == (folder / files.data).resolve() and params.employers == (folder / files.employers).resolve()
    assert params.goals == (work_goal,) and params.services == ("Ohjaus",)


def test_an_identity_code_in_the_notebooks_goals_is_refused_naming_the_key(tmp_path):
    params = tmp_path / "lappi.yml"
    params.write_text("pilot_id: lappi\ndata: own.csv\nas_of: 2023-12-31\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_params(params, tmp_path, {"goals": [{"text": "ok"}, {"text": f"Tavoite {HETU}"}]},
                    overrides_label="the notebook's parameters")
    message = str(caught.value)
    assert message == ("the notebook's parameters: column goals[1].text: holds a Finnish personal identity "
                       "code (henkilötunnus); no text that reaches the report may hold one (the value is not shown)")
    params.write_text(f"pilot_id: lappi\ndata: own.csv\nas_of: 2023-12-31\nservices:\n- Ohjaus {HETU}\n",
                      encoding="utf-8")
    with pytest.raises(InputError) as caught:   # the copied params file is checked as well
        load_params(params, tmp_path, {"goals": []}, overrides_label="the notebook's parameters")
    assert f"{params}: line 5: column services[0]: holds" in str(caught.value) and HETU not in str(caught.value)


def test_a_bad_target_in_the_notebooks_goals_names_the_parameters(tmp_path):
    params = tmp_path / "lappi.yml"
    params.write_text("pilot_id: lappi\ndata: own.csv\nas_of: 2023-12-31\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"the notebook's parameters: column goals\[0\]\.target: 25 is outside"):
        load_params(params, tmp_path, {"goals": [{"text": "x", "indicator": "employment_rate", "horizon": 6,
                                                  "target": 25}]}, overrides_label="the notebook's parameters")


# ---------------------------------------------------------------- evalkit lab

def test_evalkit_lab_finds_the_notebook_or_says_what_is_missing(tmp_path, monkeypatch):
    from evalkit.commands import lab

    with pytest.raises(EvalkitError, match="holds no"):
        lab.find_notebook(tmp_path)
    (tmp_path / "lappi-self-assessment.ipynb").write_text("{}", encoding="utf-8")
    assert lab.find_notebook(tmp_path) == (tmp_path / "lappi-self-assessment.ipynb").resolve()
    (tmp_path / "hame-self-assessment.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(EvalkitError, match="2 self-assessment notebooks"):
        lab.find_notebook(tmp_path)
    monkeypatch.setattr(lab.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(EvalkitError, match="uv sync --group lab"):
        lab.lab_command(tmp_path / "hame-self-assessment.ipynb")


# ---------------------------------------------------------------- a real report, run again elsewhere

PILOT = "uusimaa"   # large enough in a 900-row register that its rates are shown
AS_OF = "2023-12-31"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """`evalkit pilot` on one pilot's own extract and employer file (HTML only); the report
    folder copied to another place, as a pilot would; `evalkit indicators` on the same files."""
    from conftest import copy_project, run_evalkit
    from evalkit.synth import write_synthetic

    base = tmp_path_factory.mktemp("self-assessment")
    project = copy_project(base / "project")
    write_synthetic(base / "synth", seed=11, size=900)
    own = base / "own"
    own.mkdir()
    for name in ("participants.csv", "employers.csv"):
        frame = pd.read_csv(base / "synth" / name, dtype=str, keep_default_na=False)
        frame[frame["pilot_id"] == PILOT].to_csv(own / name, index=False)
    out = base / "report"
    built = run_evalkit(project, "pilot", PILOT, "--data", str(own / "participants.csv"), "--as-of", AS_OF,
                        "--employers", str(own / "employers.csv"), "--out", str(out), "--no-pdf")
    assert built.returncode == 0, built.stderr[-3000:]
    numbers = run_evalkit(project, "indicators", "--data", str(own / "participants.csv"), "--as-of", AS_OF,
                          "--all", "--employers", str(own / "employers.csv"))
    assert numbers.returncode == 0, numbers.stderr[-2000:]
    moved = base / "elsewhere" / "copy"
    shutil.copytree(out, moved)
    return {"base": base, "project": project, "own": own, "out": out, "moved": moved, "cli": numbers.stdout,
            "params": yaml.safe_load((project / "params" / f"{PILOT}.yml").read_text(encoding="utf-8"))}


def notebook_path(folder: Path) -> Path:
    return folder / f"{PILOT}-self-assessment.ipynb"


def run_fresh(folder: Path, extra_parameters: str = "", extra_cells: tuple[str, ...] = (),
              allow_errors: bool = False):
    """The folder's notebook run top to bottom in a new kernel whose working folder is ``folder``
    (as JupyterLab runs it), with lines added to its parameters cell; nothing of the project's
    environment is passed on."""
    from nbclient import NotebookClient

    notebook = nbformat.read(notebook_path(folder), as_version=4)
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    parameters.source += "\n" + extra_parameters
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in extra_cells]
    saved = os.environ.pop("EVALKIT_ROOT", None)
    try:
        NotebookClient(notebook, kernel_name="python3", timeout=600, allow_errors=allow_errors,
                       resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        if saved is not None:
            os.environ["EVALKIT_ROOT"] = saved
    return notebook


def texts_shown(notebook) -> list[str]:
    """Everything a reader of the notebook sees as text: Markdown cells and every text output."""
    shown_texts = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            shown_texts += [str(v) for k, v in output.get("data", {}).items() if k.startswith("text/")]
            shown_texts += [output.get("text", ""), *output.get("traceback", [])]
    return shown_texts


def table_after(notebook, caption: str) -> list[list[str]]:
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown", "")
            if caption in unescape(text):
                return markdown_tables(text)
    raise AssertionError(f"no table captioned {caption!r}")


def cli_frame(report) -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(report["cli"]), dtype={"horizon_months": "Int64"})
    return frame[frame["pilot_id"] == PILOT]


def cli_row(frame: pd.DataFrame, indicator: str, horizon=None) -> pd.Series:
    chosen = frame[frame["indicator"] == indicator]
    chosen = chosen[chosen["horizon_months"].isna()] if horizon is None else chosen[chosen["horizon_months"] == horizon]
    assert len(chosen) == 1, (indicator, horizon)
    return chosen.iloc[0]


def expected_verdict(row: pd.Series, target: float) -> str:
    """By hand from the command's interval: met when it lies wholly above the target, not met
    when wholly below, else not yet clear (these goals' indicators are more-is-better)."""
    key = "met" if row["ci_low"] > target else "not_met" if row["ci_high"] < target else "unclear"
    return t(f"pilot.verdict.{key}", "fi")


def rates_and_verdicts(notebook, report) -> tuple[dict, list[str]]:
    set_language("fi")
    rates = {row[0]: row[1:] for row in table_after(notebook, t("pilot.rates_caption", pilot="Uusimaa"))[1:]}
    goals = table_after(notebook, t("pilot.goals_caption", pilot="Uusimaa"))[1:]
    return rates, [row[-1] for row in goals]


@pytest.mark.slow
def test_the_report_folder_holds_the_executed_notebook_and_its_inputs(report):
    notebook = nbformat.read(notebook_path(report["out"]), as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code" and c.source]
    assert all(c.get("execution_count") for c in code[:-1])   # executed, all but the own-analysis cell
    figures = [o.data for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(figures) == 2 and all("Uusimaa" in f["text/plain"] for f in figures)   # inline, alt as text
    said = [o.data for c in code if c.source.startswith("chapter.say(") for o in c.outputs]
    assert said and all(d["text/plain"] == d["text/markdown"] for d in said)
    sources = "\n".join(c.source for c in notebook.cells)
    assert str(report["base"]) not in sources   # no absolute path: it runs wherever it is copied
    for name in ("participants.csv", "employers.csv", "programme.yml", f"{PILOT}.yml"):
        assert (report["out"] / "private-data" / name).is_file()
    assert (report["out"] / "index.html").is_file()


@pytest.mark.slow
def test_a_reader_sees_no_placeholder_role_or_directive(report):
    notebook = nbformat.read(notebook_path(report["out"]), as_version=4)
    seen = "\n".join(texts_shown(notebook))
    for syntax in MYST:
        assert syntax not in seen, syntax
    assert not any(o.output_type == "error" for c in notebook.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_run_again_elsewhere_it_states_the_numbers_of_evalkit_indicators(report):
    notebook = run_fresh(report["moved"], extra_cells=("indicators.to_csv('frame.csv', index=False)",))
    frame = cli_frame(report)
    rates, verdicts = rates_and_verdicts(notebook, report)
    from evalkit.formatting import fmt_interval, fmt_percent

    set_language("fi")
    for indicator in ("employment_rate", "positive_exit_rate"):
        label = t(f"pilot.indicator.{indicator}")
        for column, months in enumerate((3, 6, 12)):
            row = cli_row(frame, indicator, months)
            assert row["denominator"] >= 5 and row["numerator"] >= 5   # shown, not hidden
            expected = f"{fmt_percent(row['value'])} ({fmt_interval(row['ci_low'], row['ci_high'])})"
            assert rates[label][column] == expected, (indicator, months)
    goals = report["params"]["goals"]
    expected = [expected_verdict(cli_row(frame, g["indicator"], g.get("horizon")), g["target"])
                if "indicator" in g else t("pilot.verdict.qualitative") for g in goals]
    assert verdicts == expected
    # The notebook as evalkit pilot wrote it, and the HTML beside it, state the same.
    written = nbformat.read(notebook_path(report["out"]), as_version=4)
    assert rates_and_verdicts(written, report) == (rates, verdicts)
    from test_pilot_build import Tables

    parser = Tables()
    parser.feed((report["out"] / "index.html").read_text(encoding="utf-8"))
    assert {row[0]: row[1:] for row in parser.tables[f"tbl-rates-{PILOT}"][1:]} == rates
    assert [row[-1] for row in parser.tables[f"tbl-goals-{PILOT}"][1:]] == verdicts
    # The own-analysis frame is exactly what the command prints.
    exact = pd.read_csv(report["moved"] / "frame.csv", dtype={"horizon_months": "Int64"})
    printed = pd.read_csv(io.StringIO(report["cli"]), dtype={"horizon_months": "Int64"})
    pd.testing.assert_frame_equal(exact, printed)


@pytest.mark.slow
def test_changing_a_goal_in_the_parameters_cell_changes_the_verdict(report):
    row = cli_row(cli_frame(report), "employment_rate", 6)
    assert report["params"]["goals"][0]["indicator"] == "employment_rate"
    below, above = float(row["ci_low"]) - 0.05, float(row["ci_high"]) + 0.05
    _, met = rates_and_verdicts(run_fresh(report["moved"], f'goals[0]["target"] = {below}'), report)
    _, not_met = rates_and_verdicts(run_fresh(report["moved"], f'goals[0]["target"] = {above}'), report)
    assert (met[0], not_met[0]) == (t("pilot.verdict.met", "fi"), t("pilot.verdict.not_met", "fi"))
    assert met[1:] == not_met[1:]


@pytest.mark.slow
def test_goals_none_reads_the_edited_params_file(report, tmp_path):
    folder = tmp_path / "again"
    shutil.copytree(report["moved"], folder)
    params_file = folder / "private-data" / f"{PILOT}.yml"
    params = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    row = cli_row(cli_frame(report), "employment_rate", 6)
    params["goals"] = [{"text": "Kaikki työssä", "indicator": "employment_rate", "horizon": 6,
                        "target": round(float(row["ci_high"]) + 0.05, 3)}]
    params_file.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    goals = table_after(run_fresh(folder, "goals = None"), t("pilot.goals_caption", "fi", pilot="Uusimaa"))
    assert [row[0] for row in goals[1:]] == ["Kaikki työssä"]
    assert goals[1][-1] == t("pilot.verdict.not_met", "fi")


@pytest.mark.slow
def test_an_identity_code_in_the_params_stops_the_notebook_without_showing_it(report, tmp_path):
    folder = tmp_path / "again"
    shutil.copytree(report["moved"], folder)
    params_file = folder / "private-data" / f"{PILOT}.yml"
    params_file.write_text(params_file.read_text(encoding="utf-8").replace(
        "- TyöDesign-työhönvalmennus", f"- Ohjaus {HETU}"), encoding="utf-8")
    notebook = run_fresh(folder, f'goals[0]["text"] = "Tavoite {HETU}"', allow_errors=True)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors, "the notebook ran on"
    lines = errors[0]["traceback"]
    assert any("the notebook's parameters: column goals[0].text: holds a Finnish personal identity code" in line
               for line in lines), lines
    assert any("column services[0]: holds a Finnish personal identity code" in line for line in lines), lines
    assert len(lines) == 2   # one line per problem, no traceback
    outputs = "\n".join(texts_shown(notebook)[sum(c.cell_type == "markdown" for c in notebook.cells):])
    assert HETU not in outputs
    # Nothing after the failed setup ran: no table, no figure.
    assert not any(o.get("data", {}).get("image/png") for c in notebook.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_a_failing_notebook_leaves_the_earlier_report_as_it_was(report, tmp_path, monkeypatch):
    import datetime as dt

    from evalkit.pipeline import pilot_report

    earlier = tmp_path / "report"
    shutil.copytree(report["out"], earlier)
    before = {p.relative_to(earlier): p.read_bytes() for p in earlier.rglob("*") if p.is_file()}
    make_notebook = self_assessment.make_notebook

    def failing(*args, **kwargs):
        notebook = make_notebook(*args, **kwargs)
        notebook.cells.append(nbformat.v4.new_code_cell('raise RuntimeError("broken notebook")'))
        return notebook

    monkeypatch.setattr(self_assessment, "make_notebook", failing)
    with pytest.raises(BuildError, match="the self-assessment notebook failed at cell .*broken notebook"):
        pilot_report.build_pilot_report(PILOT, report["own"] / "participants.csv", dt.date.fromisoformat(AS_OF),
                                        earlier, pdf=False, root=report["project"])
    after = {p.relative_to(earlier): p.read_bytes() for p in earlier.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report-building-")]


def test_edits_above_the_own_analysis_are_counted_as_left_behind(tmp_path):
    from evalkit.pipeline.self_assessment import OWN_TAG, edits_left_behind

    def notebook(*cells) -> nbformat.NotebookNode:
        book = nbformat.v4.new_notebook()
        book.cells = list(cells)
        return book

    parameters = nbformat.v4.new_code_cell("data = 'a.csv'", metadata={"tags": ["parameters"]})
    heading = nbformat.v4.new_markdown_cell("## Oma analyysi", metadata={"tags": [OWN_TAG]})
    new = notebook(parameters, nbformat.v4.new_markdown_cell("## Asiakasvirta"),
                   nbformat.v4.new_code_cell("chapter.flow_table(page)"), heading)
    # The pilot's copy: another data file (written by each run, not an edit), a note of its own, an
    # edited call, and a cell in its own section (carried, so not left behind).
    earlier = notebook(nbformat.v4.new_code_cell("data = 'b.csv'", metadata={"tags": ["parameters"]}),
                       nbformat.v4.new_markdown_cell("## Asiakasvirta"), nbformat.v4.new_markdown_cell("Huom!"),
                       nbformat.v4.new_code_cell("chapter.flow_table(page)  # tarkistettu"), heading,
                       nbformat.v4.new_code_cell("x = 1"))
    nbformat.write(new, tmp_path / "new.ipynb")
    nbformat.write(earlier, tmp_path / "earlier.ipynb")
    assert edits_left_behind(tmp_path / "earlier.ipynb", tmp_path / "new.ipynb") == 2
    assert edits_left_behind(tmp_path / "new.ipynb", tmp_path / "new.ipynb") == 0
    (tmp_path / "broken.ipynb").write_text("{", encoding="utf-8")
    assert edits_left_behind(tmp_path / "broken.ipynb", tmp_path / "new.ipynb") == 0
