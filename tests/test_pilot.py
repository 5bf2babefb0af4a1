"""The pilot chapter and `evalkit pilot` without building a book: refusal of other pilots' rows,
inputs resolved from params, goals as published, and every chapter function run on a small
synthetic register."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from evalkit import cli
from evalkit.chapters import pilot as chapter
from evalkit.errors import EvalkitError, InputError
from evalkit.goals import MET, NO_DATA, GoalResult
from evalkit.i18n import catalogue, set_language
from evalkit.params import Goal
from evalkit.pipeline.pilot_report import MARKER, resolve_inputs

# On one worker: the chapter tests share a register whose exact suppression check takes seconds,
# and a process answers it once (evalkit.suppression keeps the answer); split, each worker paid it.
pytestmark = pytest.mark.xdist_group("pilot_chapter")

ROOT = Path(__file__).resolve().parents[1]
HEADER = ("person_id,pilot_id,service,start_date,end_date,age,sex,basis,unemployment_months,"
          "was_start,was_end,status_3m,status_6m,status_12m,cost_eur")


def person(person_id: str, pilot_id: str = "lappi") -> str:
    return (f"{person_id},{pilot_id},coaching,2022-01-10,2022-06-30,34,F,diagnosis,12,5,7,"
            "employed_open,unemployed,,1200")


def write(folder: Path, lines: list[str], name: str = "participants.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_pilot(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(["pilot", *args])
    return code, capsys.readouterr().err


# ---------------------------------------------------------------- refusal of other pilots' rows

def test_other_pilots_rows_are_refused_naming_file_line_and_pilot(tmp_path, capsys):
    data = write(tmp_path, [HEADER, person("a1"), person("a2"), person("h1", "hame"), person("a3"),
                            person("u1", "uusimaa"), person("u2", "uusimaa")])
    out = tmp_path / "report"
    code, err = run_pilot(capsys, "lappi", "--data", str(data), "--as-of", "2023-12-31",
                          "--out", str(out), "--no-pdf")
    assert code == 2
    lines = err.strip().splitlines()
    # One line per other pilot, at the line of its first row (header = line 1).
    assert len(lines) == 2, err
    assert "participants.csv: line 4: column pilot_id" in lines[0] and "hame" in lines[0]
    assert "participants.csv: line 6: column pilot_id" in lines[1] and "uusimaa" in lines[1]
    assert "2 row(s)" in lines[1]
    assert "Traceback" not in err
    assert not out.exists()


def test_a_refused_run_leaves_the_previous_report_as_it_was(tmp_path, capsys):
    out = tmp_path / "report"
    out.mkdir()
    (out / MARKER).write_text("{}", encoding="utf-8")
    (out / "index.html").write_text("previous report", encoding="utf-8")
    data = write(tmp_path, [HEADER, person("a1"), person("p1", "pirkanmaa")])
    code, _ = run_pilot(capsys, "lappi", "--data", str(data), "--as-of", "2023-12-31", "--out", str(out),
                        "--no-pdf")
    assert code == 2
    assert (out / "index.html").read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, "index.html"])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report-building-")]


def test_employers_of_other_pilots_are_refused(tmp_path, capsys):
    data = write(tmp_path, [HEADER, person("a1")])
    employers = write(tmp_path, ["pilot_id,employer_id,interested,coached,hires", "lappi,e1,1,0,0",
                                 "hame,e2,1,1,1", "lappi,e3,0,0,0"], name="employers.csv")
    code, err = run_pilot(capsys, "lappi", "--data", str(data), "--as-of", "2023-12-31", "--out",
                          str(tmp_path / "report"), "--no-pdf", "--employers", str(employers))
    assert code == 2
    assert "employers.csv: line 3: column pilot_id" in err and "hame" in err
    assert "Traceback" not in err


def test_a_folder_that_is_not_an_earlier_report_is_not_overwritten(tmp_path, capsys):
    data = write(tmp_path, [HEADER, person("a1")])
    out = tmp_path / "documents"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    code, err = run_pilot(capsys, "lappi", "--data", str(data), "--as-of", "2023-12-31", "--out", str(out),
                          "--no-pdf")
    assert code != 0 and "not empty" in err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_unknown_pilot_is_an_argument_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["pilot", "lapland", "--data", "x.csv", "--as-of", "2023-12-31", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "unknown pilot" in capsys.readouterr().err


# ---------------------------------------------------------------- params resolution

def test_without_params_the_pilots_goals_come_from_params_but_data_from_the_command_line(tmp_path):
    data = write(tmp_path, [HEADER, person("a1")])
    inputs = resolve_inputs("lappi", data, dt.date(2023, 12, 31), None, None, ROOT)
    assert inputs.data == data.resolve() and inputs.as_of == dt.date(2023, 12, 31)
    assert inputs.goals and inputs.goals[0].indicator == "employment_rate"
    assert inputs.employers is None   # the default params point at the demo employers, not the pilot's


def test_an_explicit_params_file_for_another_pilot_is_refused(tmp_path):
    with pytest.raises(InputError, match="not lappi"):
        resolve_inputs("lappi", tmp_path / "x.csv", dt.date(2023, 12, 31), ROOT / "params" / "hame.yml",
                       None, ROOT)


def test_an_explicit_params_file_brings_its_employers(tmp_path):
    params = tmp_path / "own.yml"
    params.write_text("pilot_id: lappi\ndata: own.csv\nas_of: 2023-06-30\nemployers: emp.csv\n"
                      "goals:\n- text: more in work\n  indicator: employment_rate\n  horizon: 3\n  target: 0.2\n",
                      encoding="utf-8")
    inputs = resolve_inputs("lappi", tmp_path / "x.csv", dt.date(2023, 12, 31), params, None, tmp_path)
    assert inputs.employers == (tmp_path / "emp.csv").resolve()
    assert inputs.as_of == dt.date(2023, 12, 31)      # the command line wins over the file
    assert [g.target for g in inputs.goals] == [0.2]


# The small-cell protection of parts of a whole (a hidden part takes a partner, zeros stay shown,
# partners across pilots): tests/test_suppression_complementary.py


# ---------------------------------------------------------------- goals as published

def test_a_goal_whose_result_is_hidden_gets_no_verdict_either():
    set_language("fi")
    goal = Goal(text="at least a fifth employed", indicator="employment_rate", horizon=6, target=0.2)
    hidden = chapter.published_goal(GoalResult(goal, MET, 3, 4, 0.75, 0.3, 0.95))
    assert hidden["result"] == "–" and hidden["interval"] == "–"
    assert hidden["verdict"] == catalogue("fi")["pilot.verdict.no_data"]
    shown = chapter.published_goal(GoalResult(goal, MET, 30, 60, 0.5, 0.38, 0.62))
    assert shown["verdict"] == catalogue("fi")["pilot.verdict.met"]
    assert shown["result"] == "50,0\u00a0%" and shown["target"] == "vähintään 20,0\u00a0%"
    qualitative = chapter.published_goal(GoalResult(Goal(text="employers learn"), "qualitative"))
    assert qualitative["verdict"] == catalogue("fi")["pilot.verdict.qualitative"]


def test_a_ceiling_goal_says_at_most():
    set_language("en")
    goal = Goal(text="few unemployed", indicator="share_unemployed", horizon=6, target=0.4)
    shown = chapter.published_goal(GoalResult(goal, NO_DATA, 20, 60, 1 / 3, 0.22, 0.46, lower_is_better=True))
    assert shown["target"] == "at most 40.0%"
    set_language("fi")


# ---------------------------------------------------------------- the chapter on a small register

@pytest.fixture(scope="module")
def small_register(tmp_path_factory) -> Path:
    from evalkit.synth import write_synthetic

    folder = tmp_path_factory.mktemp("synth")
    write_synthetic(folder, seed=7, size=900)
    return folder


def _run_chapter(monkeypatch, tmp_path, params_file: Path, pilot_id: str, lang: str = "fi"):
    shown: dict[str, list] = {"markdown": [], "figures": [], "glue": {}}
    monkeypatch.setattr(chapter, "markdown", shown["markdown"].append)
    monkeypatch.setattr(chapter, "glue", shown["glue"].__setitem__)

    def table(frame, caption, name=None, align=None):
        shown["markdown"].append(chapter.markdown_table(frame, caption, name, align))

    def figure(page, fig, name, caption, alt):
        import matplotlib.pyplot as plt

        shown["figures"].append((name, caption, alt))
        plt.close(fig)

    monkeypatch.setattr(chapter, "show_table", table)
    monkeypatch.setattr(chapter, "show_figure", figure)
    root = params_file.parent.parent   # the programme folder _programme wrote
    page = chapter.setup(pilot_id, str(params_file), lang, str(root), str(tmp_path), pilot_id)
    for name in ("synthetic_notice", "focus_area_table", "services_list", "flow_table", "status_figure",
                 "status_table", "rates_table", "suppression_note", "basis_table", "was_figure", "was_table",
                 "employers_section", "costs_table", "goals_table", "pooled_section"):
        getattr(chapter, name)(page)
    return page, shown


def _programme(tmp_path: Path, data: dict[str, Path], as_of: dict[str, str] | None = None,
               employers: Path | None = None) -> Path:
    """A programme folder of the project's programme.yml and reported facts, every pilot's params naming
    its register in ``data`` (a pilot not in it names a file that does not exist) and ``employers``.

    Returns the folder; each pilot's params are ``params/<pilot_id>.yml`` in it.
    """
    import shutil

    from evalkit.paths import reported_dir
    from evalkit.programme import load_programme

    root = tmp_path / "programme"
    (root / "params").mkdir(parents=True)
    shutil.copy(ROOT / "programme.yml", root / "programme.yml")
    shutil.copytree(reported_dir(ROOT), reported_dir(root))
    for pilot_id in load_programme(ROOT, check_params=False).pilot_ids:
        register = data.get(pilot_id, tmp_path / "absent" / "participants.csv")
        (root / "params" / f"{pilot_id}.yml").write_text(
            f"pilot_id: {pilot_id}\ndata: {register}\nas_of: {(as_of or {}).get(pilot_id, '2023-12-31')}\n"
            + (f"employers: {employers}\n" if employers else "")
            + "goals:\n- text: employed\n  indicator: employment_rate\n  horizon: 6\n  target: 0.25\n"
            "- text: qualitative goal\n", encoding="utf-8")
    return root


def _params(tmp_path: Path, register: Path, pilot_id: str, as_of: dict[str, str] | None = None) -> Path:
    """The params of ``pilot_id`` in a programme whose every pilot names the register folder ``register``."""
    from evalkit.programme import load_programme

    every = load_programme(ROOT, check_params=False).pilot_ids
    root = _programme(tmp_path, dict.fromkeys(every, register / "participants.csv"), as_of,
                      employers=register / "employers.csv")
    return root / "params" / f"{pilot_id}.yml"


def _table_cells(markdown_blocks: list[str]) -> list[str]:
    cells = []
    for block in markdown_blocks:
        for line in block.splitlines():
            if line.startswith("| ") and not line.startswith("| :-") and not line.startswith("| --"):
                cells += [c.strip() for c in line.strip("|").split(" | ")]
    return cells


@pytest.mark.parametrize("pilot_id", ["lappi", "uusimaa"])
def test_every_section_runs_and_no_table_shows_a_count_of_one_to_four(monkeypatch, tmp_path, small_register,
                                                                       pilot_id):
    page, shown = _run_chapter(monkeypatch, tmp_path, _params(tmp_path, small_register, pilot_id), pilot_id)
    cells = _table_cells(shown["markdown"])
    assert cells, "no tables were shown"
    small = [c for c in cells if re.fullmatch(r"[1-4]", c)]
    assert not small, small
    assert any("evalkit-synthetic" in block for block in shown["markdown"])   # demo data says so
    assert len(shown["figures"]) == 3
    for _, caption, alt in shown["figures"]:
        assert page.name in alt and len(alt) > 60


def test_every_glue_the_template_prose_refers_to_is_glued(monkeypatch, tmp_path, small_register):
    _, shown = _run_chapter(monkeypatch, tmp_path, _params(tmp_path, small_register, "pohjois-karjala"),
                            "pohjois-karjala")
    template = json.loads((ROOT / "book" / "templates" / "pilot.ipynb").read_text(encoding="utf-8"))
    keys = {k for cell in template["cells"] if cell["cell_type"] == "markdown"
            for k in re.findall(r"\{\{\s*([a-z_.]+)\s*\}\}", "".join(cell["source"]))}
    referenced = {name for key in keys if not key.startswith("ctx.")
                  for name in re.findall(r"\{glue:text\}`([a-z_0-9]+)`", str(catalogue("fi")[key]))}
    assert referenced and referenced <= set(shown["glue"]), referenced - set(shown["glue"])


def test_a_register_of_one_pilot_has_no_pooled_comparison(monkeypatch, tmp_path, small_register):
    frame = pd.read_csv(small_register / "participants.csv", dtype=str, keep_default_na=False)
    own = tmp_path / "own"
    own.mkdir()
    frame[frame["pilot_id"] == "hame"].to_csv(own / "participants.csv", index=False)
    root = _programme(tmp_path, {"hame": own / "participants.csv"})   # no other pilot's register exists
    page, shown = _run_chapter(monkeypatch, tmp_path, root / "params" / "hame.yml", "hame")
    assert not page.results.has_pooled and not page.synthetic   # a copied extract has no manifest
    assert catalogue("fi")["pilot.pooled_missing"] in shown["markdown"]
    assert len(shown["figures"]) == 2
    assert not any("evalkit-synthetic" in block for block in shown["markdown"])


def test_a_listed_pilot_without_rows_is_refused_saying_what_to_do(monkeypatch, tmp_path, small_register):
    frame = pd.read_csv(small_register / "participants.csv", dtype=str, keep_default_na=False)
    others = tmp_path / "others"
    others.mkdir()
    frame[frame["pilot_id"] != "lappi"].to_csv(others / "participants.csv", index=False)
    root = _programme(tmp_path, {"lappi": others / "participants.csv"})
    with pytest.raises(EvalkitError) as refused:
        _run_chapter(monkeypatch, tmp_path, root / "params" / "lappi.yml", "lappi")
    assert str(refused.value) == (f"{others / 'participants.csv'}: no rows of pilot lappi, which programme.yml lists; "
                                  "give its rows the pilot_id lappi, or leave the pilot out of programme.yml")


@pytest.mark.parametrize("pilot_id", ["lappi", "hame"])
def test_the_status_figures_alt_text_gives_the_employment_rate_the_rates_table_shows(monkeypatch, tmp_path,
                                                                                    small_register, pilot_id):
    # The alt text summed the drawn shares: a subsidised share hidden beside a small entrepreneur
    # share left "employed 18 %" beside a table saying 29.9 %. It now says what the table says.
    import re as regex

    page, shown = _run_chapter(monkeypatch, tmp_path, _params(tmp_path, small_register, pilot_id), pilot_id,
                               lang="en")
    [(_, _, alt)] = [figure for figure in shown["figures"] if figure[0] == f"status-{pilot_id}"]
    said = dict(regex.findall(r"(\d+) months \(followed up: [^)]*\): employed ([^,;]+)[,;]", alt))
    [table] = [block for block in shown["markdown"] if f"tbl-rates-{pilot_id}" in block]
    row = next(line for line in table.splitlines() if line.startswith("| Employment rate |"))
    cells = [cell.strip().replace("\\", "").split(" (")[0] for cell in row.strip("|").split(" | ")[1:]]
    table_says = dict(zip(("3", "6", "12"), cells))
    assert said and all(said[months] == table_says[months] for months in said), (said, table_says)


def test_the_alt_text_names_no_largest_group_where_the_hidden_ones_may_be_larger():
    from evalkit.i18n import set_language
    from evalkit.plots.pilot import _status_mix_alt

    set_language("en")
    try:
        codes = ["employed_open", "unemployed"]
        shares = pd.DataFrame({"employed_open": [0.2, 0.1], "unemployed": [0.5, float("nan")]}, index=[3, 6])
        hidden = pd.Series({3: 0.3, 6: 0.9})   # at 6 months the hidden 90 % may hold the largest group
        alt = _status_mix_alt(shares[codes], hidden, [3, 6], {3: "40", 6: "30"}, "Häme", {3: 0.2, 6: None})
    finally:
        set_language("fi")
    assert "3 months (followed up: 40): employed 20.0%, largest group unemployed (50%)." in alt
    assert "6 months (followed up: 30): employed –; the largest group is not published." in alt


def test_a_self_assessment_notebook_run_from_another_folder_says_where_to_run_it(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)   # papermill without --cwd: the kernel starts in the caller's folder
    with pytest.raises(EvalkitError) as refused:
        chapter.setup_notebook("lappi", "private-data/participants.csv", "2023-12-31", "private-data/lappi.yml",
                               facts="private-data/programme.yml")
    assert str(refused.value) == (f"private-data/programme.yml: not found in {tmp_path}; the notebook's paths are "
                                  "relative to its own folder: run it there (papermill --cwd FOLDER, or open it in "
                                  "Jupyter)")


def test_a_programme_file_that_is_not_there_is_named_once(tmp_path):
    from evalkit.programme import load_programme

    missing = tmp_path / "private-data" / "programme.yml"
    with pytest.raises(InputError) as refused:
        load_programme(missing)
    assert [str(p) for p in refused.value.problems] == [f"{missing}: file not found"]


def test_in_the_national_report_a_pilot_with_a_later_extract_is_counted_at_the_programme_s_date(
        monkeypatch, tmp_path, small_register):
    """Every page counts at the earliest extract date (the comparison's), so the pages agree and a cell
    hidden on one is hidden on all; the chapter says when its own extract is later."""
    params = _params(tmp_path, small_register, "lappi", as_of={"lappi": "2024-06-30"})
    page, shown = _run_chapter(monkeypatch, tmp_path, params, "lappi")
    assert page.results.as_of == dt.date(2023, 12, 31)   # every other pilot's date
    register = pd.read_csv(small_register / "participants.csv", parse_dates=["end_date"])
    ended = register.loc[register["pilot_id"] == "lappi", "end_date"].dropna()
    by_hand = {day: int((ended + pd.DateOffset(months=12) <= pd.Timestamp(day)).sum())
               for day in ("2023-12-31", "2024-06-30")}
    assert by_hand["2023-12-31"] != by_hand["2024-06-30"]   # the date matters for this register
    assert shown["glue"]["eligible_12"] == str(by_hand["2023-12-31"])   # under a thousand: no separator
    assert shown["glue"]["as_of_text"] == "Aineisto on poimittu 30.6.2024."
    notes = [block for block in shown["markdown"] if block.startswith(":::{note}")]
    assert len(notes) == 1 and "tilannetta pilottien aineistojen varhaisimpana poimintapäivänä, 31.12.2023, " \
        "eivätkä tämän pilotin oman poiminnan päivänä, 30.6.2024," in notes[0], notes


def test_with_a_register_per_pilot_a_chapter_hides_what_every_other_page_hides(monkeypatch, tmp_path,
                                                                                small_register):
    """The small-cell rule is computed on every pilot's people, as on the national pages and exports:
    a chapter computed on its own file alone would show partners the other pages hide."""
    from evalkit.indicators import published_indicators
    from evalkit.register import load_register
    from evalkit.suppression import suppress_complementary

    frame = pd.read_csv(small_register / "participants.csv", dtype=str, keep_default_na=False)
    files = {}
    for pilot_id, rows in frame.groupby("pilot_id"):
        (tmp_path / pilot_id).mkdir()
        files[pilot_id] = tmp_path / pilot_id / "participants.csv"
        rows.to_csv(files[pilot_id], index=False)
    root = _programme(tmp_path, files)
    whole = load_register(small_register / "participants.csv", dt.date(2023, 12, 31))
    budgets = chapter.programme_at(root).budgets
    every = suppress_complementary(published_indicators(whole, dt.date(2023, 12, 31), budgets))
    differs = []
    for pilot_id in ("hame", "lappi", "uusimaa", "pohjois-karjala"):
        page, _ = _run_chapter(monkeypatch, tmp_path, root / "params" / f"{pilot_id}.yml", pilot_id)
        shown = page.results.published.set_index(["pilot_id", "indicator", "horizon_months"])["value"]
        expected = every[every["pilot_id"].isin([pilot_id, "all"])].set_index(
            ["pilot_id", "indicator", "horizon_months"])["value"].reindex(shown.index)
        differs += [key for key in shown.index if pd.isna(shown[key]) != pd.isna(expected[key])]
    assert not differs, differs


def test_a_work_ability_change_hidden_as_a_partner_is_not_said_to_rest_on_too_few(monkeypatch, tmp_path,
                                                                                   small_register):
    import dataclasses

    page, shown = _run_chapter(monkeypatch, tmp_path, _params(tmp_path, small_register, "uusimaa"), "uusimaa")
    row = page.results.rows("uusimaa", "was_change")
    said = shown["glue"]["was_change_summary"]
    assert row["denominator"] >= 5 and said.startswith(f"Niillä {int(row['denominator'])} ")   # published
    published = page.results.published.copy()
    published.loc[(published["pilot_id"] == "uusimaa") & (published["indicator"] == "was_change"),
                  ["value", "ci_low", "ci_high"]] = float("nan")   # hidden as the partner of a small count
    page = dataclasses.replace(page, results=dataclasses.replace(page.results, published=published))
    chapter._glue_was(page)
    assert shown["glue"]["was_change_summary"] == catalogue("fi")["pilot.was_change_partner"]
    # Hidden because everybody changed alike (the mean tells each person's), or too few: said so.
    for change, key in (({"ci_low": 2.0, "ci_high": 2.0, "denominator": 8}, "was_change_same"),
                        ({"ci_low": 1.0, "ci_high": 3.0, "denominator": 3}, "was_change_hidden")):
        assert chapter._was_change_withheld(pd.Series(change)) == key
