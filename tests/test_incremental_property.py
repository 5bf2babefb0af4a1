"""An incremental build publishes exactly what a cold build of the same inputs publishes (issue 19).

One project is built once, then changed one input kind at a time (a register extract, one pilot's
params, a fact file, a page template, a catalogue text, print.css, a module of the package, the
lock file) and rebuilt incrementally after each change. The changes are drawn by a seeded random
generator, not picked by hand.

For an input that some pages do not read, a cold build of a copy of the same sources must publish
the same site and exports, byte for byte but for the build time. Where the build ran every page
again, its pages are those of a cold build by construction (the site is always built afresh from
them), so the test asserts that instead of paying for another cold build.

The register is laid out one folder per pilot, as pilots deliver extracts: seven of the eight files
share the name ``participants.csv``. The copy's own ``src/`` is imported (``PYTHONPATH``), so a
change to the package or a catalogue in the copy is the code that runs.

The same built project then serves the checks of robust and parallel builds (issue 7): a file
rewritten with the same bytes, the status and provenance pages, a failing pilot, and the page
runner's own executor. They come last, as each changes what the project's next build would do.
"""
from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest
import yaml

from conftest import copy_project, failing_pilot_template
from evalkit.paths import file_digest
from evalkit.pipeline.orchestrate import code_digest, edition, make_jobs
from evalkit.pipeline.runner import run_jobs

pytestmark = pytest.mark.slow

SEED = 19
BUILT_AT = re.compile(rb"\d{4}\\?-\d\d\\?-\d\dT\d\d\\?:\d\d\\?:\d\dZ")   # also as Markdown escapes it
PILOTS = ("pohjois-pohjanmaa", "uusimaa", "pohjois-karjala", "etela-pohjanmaa", "lappi", "pirkanmaa",
          "pohjanmaa", "hame")


def build(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EVALKIT_ROOT": str(project), "PYTHONPATH": str(project / "src")}
    done = subprocess.run([sys.executable, "-m", "evalkit.cli", "build", "--jobs", "2", *args], cwd=project,
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def statuses(stderr: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+(\S+)\s+(built|reused|failed)\s", stderr, flags=re.MULTILINE))


# What differs between any two builds by design: which pages ran (the build status page, and the
# search index that holds its words) and Sphinx's own record of its configuration.
BY_DESIGN = ("html/.buildinfo", "html/searchindex.js", "html/national/build_status.html",
             "html/_sources/national/build_status.md")


def published(project: Path) -> dict[str, bytes]:
    """The published site and exports, file by file, with the build time and project folder blanked."""
    files = {}
    for link in ("html", "data"):
        top = (project / "_build" / link).resolve()
        for path in sorted(p for p in top.rglob("*") if p.is_file()):
            name = f"{link}/{path.relative_to(top)}"
            if name not in BY_DESIGN:
                files[name] = BUILT_AT.sub(b"BUILT", path.read_bytes()).replace(str(project).encode(), b"PROJECT")
    return files


def cold_copy(project: Path, target: Path) -> Path:
    """The project's sources as they are now (no build outputs), in ``target``."""
    ignore = shutil.ignore_patterns("_build", "__pycache__", ".pytest_cache")
    shutil.copytree(project, target, ignore=ignore, symlinks=True)
    for generated in ("book/pilots", "book/national", "book/en"):
        shutil.rmtree(target / generated, ignore_errors=True)
    return target


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))


# --- the changes, one function per input kind: each returns what it did ---------------------

def change_register(project: Path, rng: random.Random) -> str:
    pilot = rng.choice(PILOTS)
    path = project / "data" / pilot / "participants.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    column = rows[0].index(rng.choice(["status_3m", "status_6m"]))
    candidates = [i for i, row in enumerate(rows[1:], 1) if row[column] in ("unemployed", "outside_labour_force")]
    row = rng.choice(candidates)
    rows[row][column] = "employed_open"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return f"{pilot} line {row + 1}: {rows[0][column]} -> employed_open"


def change_params(project: Path, rng: random.Random, besides: str | None = None) -> str:
    pilot = rng.choice([pilot for pilot in PILOTS if pilot != besides])
    path = project / "params" / f"{pilot}.yml"
    text = path.read_text(encoding="utf-8")
    targets = list(re.finditer(r"^(\s*target:\s*)(\S+)$", text, flags=re.MULTILINE))
    match = rng.choice(targets)
    new = rng.choice([0.02, 0.05, 0.1, 0.6, 0.9])   # far from the demo results: verdicts change
    path.write_text(text[:match.start(2)] + str(new) + text[match.end(2):], encoding="utf-8")
    return f"{pilot}: target {match.group(2)} -> {new}"


def change_facts(project: Path, rng: random.Random) -> str:
    """A corrected budget: the report's fact file and programme.yml must agree, so both change."""
    path = project / "data" / "reported" / "pilots.yml"
    text = path.read_text(encoding="utf-8")
    budgets = list(re.finditer(r"^(\s*budget_eur:\s*)(\d+)$", text, flags=re.MULTILINE))
    match = rng.choice(budgets)
    new = int(match.group(2)) + rng.randint(1, 40) * 5000
    path.write_text(text[:match.start(2)] + str(new) + text[match.end(2):], encoding="utf-8")
    programme = project / "programme.yml"
    stated = programme.read_text(encoding="utf-8")
    at = list(re.finditer(r"^(\s*budget_eur:\s*)(\d+)$", stated, flags=re.MULTILINE))[budgets.index(match)]
    assert at.group(2) == match.group(2), "programme.yml lists the pilots in another order than pilots.yml"
    programme.write_text(stated[:at.start(2)] + str(new) + stated[at.end(2):], encoding="utf-8")
    return f"budget {match.group(2)} -> {new}"


def change_template(project: Path, rng: random.Random) -> str:
    path = rng.choice(sorted((project / "book" / "templates").glob("*.ipynb")))
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in notebook["cells"] if c["cell_type"] == "markdown" and "".join(c["source"]).strip()]
    cell = rng.choice(cells)
    token = f"Muutos{rng.randrange(10**6)}."
    cell["source"] = "".join(cell["source"]).rstrip() + f"\n\n{token}\n"
    path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return f"{path.name}: {token}"


def change_catalogue(project: Path, rng: random.Random) -> str:
    path = rng.choice([project / "src" / "evalkit" / "locales" / "fi" / f"{area}.yml"
                       for area in ("pilot", "national", "comparison")])
    catalogue = yaml.safe_load(path.read_text(encoding="utf-8"))

    def leaves(tree: dict, prefix: tuple = ()):
        for key, value in tree.items():
            if isinstance(value, dict):
                yield from leaves(value, (*prefix, key))
            elif isinstance(value, str) and " " in value and not re.search(r"[{}%`:\[\]<>|*_#]", value):
                yield (*prefix, key)

    where = rng.choice(sorted(leaves(catalogue)))
    parent = catalogue
    for key in where[:-1]:
        parent = parent[key]
    token = f"muutos{rng.randrange(10**6)}"
    parent[where[-1]] = f"{parent[where[-1]]} {token}"
    path.write_text(yaml.safe_dump(catalogue, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return f"{path.name}: {'.'.join(where)}"


def change_module(project: Path, rng: random.Random) -> str:
    package = project / "src" / "evalkit"
    path = rng.choice(sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts))
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n# a change that no page can be shown not to depend on: {rng.randrange(10**6)}\n")
    return str(path.relative_to(package))


def change_lockfile(project: Path, rng: random.Random) -> str:
    with (project / "uv.lock").open("a", encoding="utf-8") as handle:
        handle.write(f"# {rng.randrange(10**6)}\n")
    return "uv.lock"


def change_print_css(project: Path, rng: random.Random) -> str:
    path = project / "src" / "evalkit" / "pipeline" / "print.css"
    token = f"sivu{rng.randrange(10**6)}"
    text, count = re.subn(r'content: counter\(page\) "[^"]*" counter\(pages\);',
                          f'content: counter(page) " {token} " counter(pages);', path.read_text(encoding="utf-8"))
    assert count == 1
    path.write_text(text, encoding="utf-8")
    return token


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The project with one register extract per pilot folder, built once."""
    project = copy_project(tmp_path_factory.mktemp("property") / "project")
    demo = project / "data" / "demo"
    rows = list(csv.reader(io.StringIO((demo / "participants.csv").read_text(encoding="utf-8"))))
    manifest = json.loads((demo / "SYNTHETIC.json").read_text(encoding="utf-8"))
    for number, pilot in enumerate(PILOTS):
        folder = project / "data" / pilot
        if number % 2:   # delivered on another disk, linked into data/: inputs all the same
            outside = project.parent / "extracts" / pilot
            outside.mkdir(parents=True)
            folder.symlink_to(outside, target_is_directory=True)
        else:
            folder.mkdir()
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([rows[0], *(r for r in rows[1:] if r[1] == pilot)])
        (folder / "participants.csv").write_text(out.getvalue(), encoding="utf-8")
        (folder / "SYNTHETIC.json").write_text(json.dumps(
            {**manifest, "files": {"participants.csv": manifest["files"]["participants.csv"]}}), encoding="utf-8")
        params = project / "params" / f"{pilot}.yml"
        params.write_text(params.read_text(encoding="utf-8").replace(
            "data: data/demo/participants.csv", f"data: data/{pilot}/participants.csv"), encoding="utf-8")
    build(project, "--no-pdf")
    return project


def test_each_page_records_what_it_read(project):
    """The project lies in the temporary folder, as a pilot's may: its reads are recorded all the same.

    Paths inside the project are relative to it, and a linked folder is recorded under the name the
    page used, so that a link pointed elsewhere is noticed too.
    """
    deps = project / "_build" / ".page-deps" / "fi"
    index = json.loads((deps / "national" / "index.json").read_text(encoding="utf-8"))
    for pilot in ("lappi", "uusimaa"):   # a folder of its own, and a linked one
        record = json.loads((deps / "pilots" / f"{pilot}.json").read_text(encoding="utf-8"))
        # A params file as the page was given it (a view of its checked values), not its bytes.
        assert {f"data/{pilot}/participants.csv", f"params:params/{pilot}.yml"} <= set(record["reads"]), pilot
        # The synthetic-data notice depends on a manifest the page only asks about.
        assert {f"data/{pilot}/SYNTHETIC.json", f"probe:data/{pilot}/SYNTHETIC.json"} & set(record["reads"])
        assert not any(name.startswith("/") or "_build/" in name for name in record["reads"]), pilot
    assert {f"params:params/{p}.yml" for p in PILOTS} <= set(index["reads"])   # the summary counts every goal
    comparison = json.loads((deps / "national" / "comparison.json").read_text(encoding="utf-8"))
    assert {f"params-data:params/{p}.yml" for p in PILOTS} <= set(comparison["reads"])   # only where the data are
    assert not any(name.startswith("params/") or name.startswith("params:") for name in comparison["reads"])


def change_register_and_params(project: Path, rng: random.Random) -> tuple[str, str]:
    """One pilot's extract and another pilot's goal, changed together: the pilots whose pages must run."""
    register = change_register(project, rng)
    # Another pilot's params, so that each change alone must reach its own page.
    return register, change_params(project, rng, besides=register.split(" ")[0])


@pytest.mark.parametrize("change", [change_register_and_params, change_facts], ids=["register+params", "facts"])
def test_an_incremental_build_publishes_what_a_cold_build_does(project, change, tmp_path):
    """A register and another pilot's goal share one build and one cold build: the register reaches every
    pilot's page (each is computed on the pooled register). A corrected budget reaches every page (each
    reads programme.yml); the site is built from Sphinx's kept cache all the same, so it is compared
    with a cold build too."""
    what = change(project, random.Random(f"{SEED}-{change.__name__}"))
    incremental = build(project, "--no-pdf")
    assert "nothing changed" not in incremental.stderr, what
    seen = statuses(incremental.stderr)
    if change is change_facts:   # every page reads programme.yml; the site is still built on a kept cache
        assert set(seen.values()) == {"built"}, (what, seen)
    else:
        # A register reaches every pilot's chapter: each shows all pilots' pooled figures and hides
        # what the small-cell rule hides across them all (a goal alone reaches only its own: below).
        assert all(seen[pilot] == "built" for pilot in PILOTS) and seen["index"] == "built", (what, seen)
    cold = cold_copy(project, tmp_path / "cold")
    build(cold, "--no-pdf")
    assert differences(published(project), published(cold)) == [], what


def test_a_goal_alone_reaches_its_pilot_and_the_summary_and_no_page_that_reads_only_where_the_data_are(project):
    """The summary counts every goal's verdict, so a goal edit runs it; comparison and costs read only
    where the data are (the params-data view) and are reused. Outputs are compared above."""
    what = change_params(project, random.Random(f"{SEED}-goal-alone"))
    seen = statuses(build(project, "--no-pdf").stderr)
    pilot = what.split(":")[0]
    assert seen[pilot] == "built" and seen["index"] == "built", (what, seen)
    assert seen["comparison"] == "reused" and seen["costs"] == "reused", (what, seen)
    assert all(seen[other] == "reused" for other in PILOTS if other != pilot), (what, seen)


def test_a_template_change_reruns_the_pages_made_from_it_and_no_other(project):
    """A page's template is part of its key; the pages of other templates are reused."""
    what = change_template(project, random.Random(f"{SEED}-template"))
    seen = statuses(build(project, "--no-pdf").stderr)
    name = what.split(".ipynb")[0]
    pages = PILOTS if name == "pilot" else (name,)
    assert {page: seen[page] for page in pages} == dict.fromkeys(pages, "built"), (what, seen)
    assert all(status == "reused" for page, status in seen.items() if page not in pages), (what, seen)


@pytest.mark.parametrize("change", [change_catalogue, change_module, change_lockfile],
                         ids=["catalogue", "module", "lockfile"])
def test_a_code_change_changes_every_pages_key(project, change, tmp_path):
    """Every page runs again after a change to code, catalogue or lock file: each is in every page's key.

    Checked on the keys (one build for the three kinds would not tell them apart); the build test
    below shows that a changed key runs every page and remakes the site.
    """
    copy = cold_copy(project, tmp_path / "copy")
    before = subprocess.run([sys.executable, "-c", "from pathlib import Path; from evalkit.pipeline.orchestrate "
                             f"import code_digest; print(code_digest(Path({str(copy)!r})))"],
                            env={**os.environ, "PYTHONPATH": str(copy / "src")}, capture_output=True, text=True,
                            check=True).stdout
    what = change(copy, random.Random(f"{SEED}-{change.__name__}"))
    after = subprocess.run([sys.executable, "-c", "from pathlib import Path; from evalkit.pipeline.orchestrate "
                            f"import code_digest; print(code_digest(Path({str(copy)!r})))"],
                           env={**os.environ, "PYTHONPATH": str(copy / "src")}, capture_output=True, text=True,
                           check=True).stdout
    assert before.strip() and before != after, what


def test_a_lock_file_change_rebuilds_every_page_and_the_site(project):
    what = change_lockfile(project, random.Random(f"{SEED}-build"))
    result = build(project, "--no-pdf")
    assert set(statuses(result.stderr).values()) == {"built"}, what
    assert "nothing changed" not in result.stderr, what


def test_an_edit_of_the_print_style_sheet_changes_the_sites_key_and_no_pages_key(project, tmp_path):
    """Only the PDF reads print.css: every edit of it must change the site's key, which makes the
    site and the PDF again, and leave the pages' key, so that no page runs again.

    An edit used to be seen only through git's "modified" flag, so a second edit (or the first, in a
    folder without git, as here) left the old PDF published. That a changed site key makes the PDF
    again, with the new style sheet, is shown by the kill test's PDF phase (tests/test_build.py)
    and by the PDF checks of every edition (tests/test_pdf.py); here the keys, without a build.
    """
    copy = cold_copy(project, tmp_path / "copy")
    script = ("import json; from pathlib import Path; from evalkit.params import load_all_params; "
              "from evalkit.pipeline import provenance; "
              "from evalkit.pipeline.orchestrate import _site_key, code_digest; "
              f"root = Path({str(copy)!r}); params = load_all_params(root); "
              "prov = provenance.collect(root, params); "
              "print(json.dumps([code_digest(root), _site_key(root, 'fi', [], prov, params)]))")

    def keys() -> list[str]:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONPATH": str(copy / "src"), "EVALKIT_ROOT": str(copy)})
        return json.loads(done.stdout)

    seen = [keys()]
    for edit in ("first", "second"):
        token = change_print_css(copy, random.Random(f"{SEED}-css-{edit}"))
        seen.append(keys())
        assert seen[-1][0] == seen[0][0], token                             # no page runs again
        assert seen[-1][1] not in [site for _, site in seen[:-1]], token    # the site and PDF are made again


def test_a_deleted_or_altered_published_file_is_rebuilt(project):
    build(project, "--no-pdf")   # settle
    page = project / "_build" / "html" / "pilots" / "lappi.html"
    original = BUILT_AT.sub(b"BUILT", page.read_bytes())
    page.unlink()
    first = build(project, "--no-pdf")
    assert "nothing changed" not in first.stderr
    assert BUILT_AT.sub(b"BUILT", page.read_bytes()) == original
    page.write_bytes(page.read_bytes().replace(b"<body", b"<body data-x='1'", 1))
    second = build(project, "--no-pdf")
    assert "nothing changed" not in second.stderr
    assert BUILT_AT.sub(b"BUILT", page.read_bytes()) == original
    (project / "book" / "pilots" / "hame.ipynb").write_text("{}", encoding="utf-8")  # an executed page spoilt
    third = build(project, "--no-pdf")
    assert statuses(third.stderr)["hame"] == "built"
    assert "nothing changed" in build(project, "--no-pdf").stderr


# --- Robust and parallel builds (issue 7), on the same project once the changes above are built ---

def test_a_data_file_rewritten_with_the_same_bytes_reruns_nothing(project):
    """What a page depends on is keyed by content, not time."""
    data = project / "data" / "demo" / "employers.csv"
    data.write_bytes(data.read_bytes())  # new modification time, same content: keys hash bytes
    assert set(statuses(build(project, "--no-pdf").stderr).values()) == {"reused"}


def test_status_and_provenance_pages_say_what_happened(project):
    html = project / "_build" / "html" / "national"
    status = (html / "build_status.html").read_text(encoding="utf-8")
    for pilot in ("lappi", "uusimaa", "hame"):
        assert pilot in status
    provenance = (html / "provenance.html").read_text(encoding="utf-8").replace(" ", "")
    assert file_digest(project / "data" / "lappi" / "participants.csv") in provenance  # shown in groups of 16
    assert file_digest(project / "uv.lock") in provenance
    # and every page's footer carries the short hashes
    lappi = (project / "_build" / "html" / "pilots" / "lappi.html").read_text(encoding="utf-8")
    assert file_digest(project / "uv.lock")[:12] in lappi


def test_a_failing_pilot_does_not_stop_the_others(project):
    """One page fails late (hame: a broken cell), one in its first cells (lappi: its register is
    missing, so none of the numbers its text refers to exist): the others are built, each failure
    is one short line, and the preview shows both."""
    params = project / "params" / "lappi.yml"
    original = params.read_text(encoding="utf-8")
    assert "data: data/lappi/participants.csv" in original
    params.write_text(original.replace("data: data/lappi/participants.csv", "data: data/puuttuu.csv"), encoding="utf-8")
    env = {**os.environ, "EVALKIT_ROOT": str(project), "PYTHONPATH": str(project / "src")}
    try:
        with failing_pilot_template(project, "hame", "broken on purpose"):
            result = subprocess.run([sys.executable, "-m", "evalkit.cli", "build", "--no-pdf", "--jobs", "2"],
                                    cwd=project, env=env, capture_output=True, text=True, timeout=900)
    finally:
        params.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    seen = statuses(result.stderr)
    assert seen["hame"] == "failed" and seen["lappi"] == "failed"
    assert all(seen[p] == "built" for p in PILOTS if p not in ("hame", "lappi")), seen
    lappi = next(line for line in result.stderr.splitlines() if line.strip().startswith("lappi "))
    assert "puuttuu.csv: file not found" in lappi and "Traceback" not in result.stderr
    assert "\x1b" not in result.stderr and "\\n" not in result.stderr and "no failure preview" not in result.stderr
    assert result.stderr.rstrip().endswith("html-failed/index.html")
    preview = project / "_build" / "html-failed" / "national" / "build_status.html"
    assert preview.is_file()
    text = preview.read_text(encoding="utf-8")
    assert "hame" in text and "broken on purpose" in text and "puuttuu.csv" in text


class CountingExecutor(ProcessPoolExecutor):
    """Any concurrent.futures.Executor will do; this one proves the runner used the one it got."""

    submitted = 0

    def submit(self, *args, **kwargs):
        CountingExecutor.submitted += 1
        return super().submit(*args, **kwargs)


def test_runner_uses_the_executor_it_is_given_and_never_fails_spuriously_in_parallel(project, monkeypatch):
    """A forced run of five pilots, four at a time: no kernel start-up race (papermill #511).

    Four kernels start at once, the race (over TCP two could pick the same port; each kernel here
    has IPC sockets in a folder of its own, so none can); one worker then runs a fifth page in the
    kernel it kept. More pages would only repeat that reuse, which test_kernel_reuse checks.
    """
    jobs = [j for j in make_jobs(project, edition(project, "fi"), project / "_build")
            if j.output.parent.name == "pilots"][:5]
    assert len(jobs) == 5
    digest = code_digest(project)
    monkeypatch.setenv("EVALKIT_ROOT", str(project))
    with CountingExecutor(max_workers=4, mp_context=get_context("spawn")) as executor:
        results = run_jobs(jobs, digest, executor=executor, force=True)
    assert [(r.name, r.error) for r in results if r.status != "built"] == []
    assert CountingExecutor.submitted == 5


def test_a_pilot_chapter_depends_on_every_pilots_register(project):
    """A chapter is computed on the pooled register, and Arrow reads a Parquet register unseen by the
    read log: every pilot's register is among each chapter's declared inputs."""
    jobs = {j.name: j for j in make_jobs(project, edition(project, "fi"), project / "_build")}
    registers = {(project / "data" / pilot / "participants.csv") for pilot in PILOTS}
    for pilot in PILOTS:
        assert registers <= {Path(p) for p in jobs[pilot].inputs}, pilot
