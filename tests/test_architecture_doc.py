"""docs/ARCHITECTURE.md names every module, so a new maintainer finds each one's role there."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "evalkit"


def _named_paths() -> list[str]:
    """Each module as the doc names it: 'pipeline/runner.py'; a package as its folder 'pipeline/'."""
    paths = []
    for module in sorted(PACKAGE.rglob("*.py")):
        relative = module.relative_to(PACKAGE)
        if relative.name == "__init__.py":
            if relative.parent != Path("."):
                paths.append(f"{relative.parent.as_posix()}/")
        else:
            paths.append(relative.as_posix())
    return paths


def test_every_module_and_package_is_named_in_the_architecture_doc():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [path for path in _named_paths() if f"`{path}`" not in text]
    assert not missing, f"docs/ARCHITECTURE.md does not name: {', '.join(missing)}"

