"""Programme benchmark: the cold build of the default 8-pilot programme beside a 45-pilot one.

The 45 pilots are a programme written by `evalkit new` (a synthetic register, about 170 people a
pilot); both builds are `evalkit build --no-pdf --jobs 2` from nothing, each in a scratch folder.
Prints figures and asserts nothing.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import copy_project  # noqa: E402

PILOTS = 45


def cold_build(folder: Path, *args: str) -> float:
    env = {key: value for key, value in os.environ.items() if key != "EVALKIT_ROOT"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "evalkit.cli", "build", "--no-pdf", "--jobs", "2", *args],
                          cwd=folder, env={**env, "EVALKIT_ROOT": str(folder)}, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"build of {folder} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="evalkit-bench-programmes-") as scratch:
        project = copy_project(Path(scratch) / "default")
        eight = cold_build(project)
        many = Path(scratch) / "many"
        ids = ",".join(f"alue-{i:02d}" for i in range(1, PILOTS + 1))
        subprocess.run([sys.executable, "-m", "evalkit.cli", "new", str(many), "--pilots", ids], check=True,
                       capture_output=True)
        forty_five = cold_build(many, "--programme", str(many))
        print(f"cold build, --no-pdf --jobs 2:  8 pilots {eight:6.1f} s   {PILOTS} pilots {forty_five:6.1f} s "
              f"({forty_five / eight:.1f} x)")


if __name__ == "__main__":
    main()
