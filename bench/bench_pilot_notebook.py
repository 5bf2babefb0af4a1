"""Time one pilot chapter on the demonstration register: the chapter's own work in this process
(setup reads and computes once, then every table and figure), and the whole notebook run by
papermill in a fresh kernel as `evalkit build` runs it (kernel start and imports included).

The national build runs eight of these; the target is a few seconds per notebook on this machine.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PILOTS = ("lappi", "pirkanmaa")   # the smallest and the largest pilot
SECTIONS = ("synthetic_notice", "focus_area_table", "services_list", "flow_table", "status_figure",
            "status_table", "rates_table", "suppression_note", "basis_table", "was_figure", "was_table",
            "employers_section", "costs_table", "goals_table", "pooled_section")


def in_process(pilot_id: str, folder: Path) -> tuple[float, float]:
    from evalkit import page_output
    from evalkit.chapters import pilot as chapter

    page_output.markdown = lambda *args, **kwargs: None   # show_figure still draws and saves the PNG
    chapter.markdown = chapter.glue = lambda *args, **kwargs: None
    chapter.show_table = lambda *args, **kwargs: None
    started = time.perf_counter()
    page = chapter.setup(pilot_id, str(ROOT / "params" / f"{pilot_id}.yml"), "fi", str(ROOT), str(folder), pilot_id)
    after_setup = time.perf_counter()
    for name in SECTIONS:
        getattr(chapter, name)(page)
    return after_setup - started, time.perf_counter() - after_setup


def notebook(pilot_id: str, folder: Path) -> float:
    from evalkit.pipeline.runner import NotebookJob, execute_job
    from evalkit.programme import pilot_context, programme_at

    job = NotebookJob(name=pilot_id, template=ROOT / "book" / "templates" / "pilot.ipynb",
                      output=folder / f"{pilot_id}.ipynb",
                      parameters={"pilot_id": pilot_id, "params_file": str(ROOT / "params" / f"{pilot_id}.yml"),
                                  "lang": "fi", "root": str(ROOT), "page_dir": str(folder), "page_name": pilot_id},
                      context=pilot_context(programme_at(ROOT).by_id(pilot_id)),
                      lang="fi")
    started = time.perf_counter()
    result = execute_job(job, "", {}, "bench")
    if result.status != "built":
        sys.exit(f"{pilot_id}: notebook failed: {result.error}")
    return time.perf_counter() - started


def main() -> None:
    if not (ROOT / "data" / "demo" / "participants.csv").is_file():
        print("no data/demo/participants.csv: run `evalkit synth --seed 2021 --out data/demo` first")
        return
    with tempfile.TemporaryDirectory() as tmp:
        for pilot_id in PILOTS:
            setup, sections = in_process(pilot_id, Path(tmp))
            print(f"{pilot_id:<10} in process: setup {setup:5.2f} s, tables and figures {sections:5.2f} s")
        for pilot_id in PILOTS:
            print(f"{pilot_id:<10} papermill notebook (fresh kernel): {notebook(pilot_id, Path(tmp)):5.2f} s")


if __name__ == "__main__":
    main()
