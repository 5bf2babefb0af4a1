"""Running ``evalkit`` on a hostile file under a memory cap and a time limit, as a user's machine would.

A refusal must come as one line, exit 2, within ``timeout`` seconds and ``memory`` bytes of
address space (RLIMIT_AS): a reader that expands a bomb fails with MemoryError or times out here
instead of exhausting the test machine.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIB = 1 << 30


def run_bounded(*args: str, timeout: float = 60, memory: int = GIB, cwd: Path | None = None,
                env: dict | None = None) -> subprocess.CompletedProcess:
    """``evalkit ARGS`` in a fresh interpreter whose address space is capped at ``memory``."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([sys.executable, "-m", "evalkit.cli", *args], cwd=cwd or ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=cap)


def assert_refused(done: subprocess.CompletedProcess, *words: str, lines: int = 1) -> str:
    """Exit 2 with ``lines`` lines on stderr, each plain (no traceback, no internal error); returns stderr."""
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == lines, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    return done.stderr
