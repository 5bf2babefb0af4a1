"""axe-core, the engine most accessibility audits run, on a page already open in Chromium.

axe-core comes bundled in the PyPI package ``axe-playwright-python`` (installed from ``uv.lock``),
so nothing is fetched when a check runs. The rules run are those axe tags WCAG 2.0, 2.1 and 2.2
level A and AA, and its best-practice rules: a WCAG rule broken fails the check, a best-practice
one (such as ``region``: content outside landmarks) is reported as a note.
"""
from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from evalkit.checks import Problem

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")
BEST_PRACTICE_TAG = "best-practice"
# axe leaves its experimental rules out unless asked; label-content-name-mismatch (WCAG 2.5.3,
# a visible label that is not part of the accessible name) is one of them.
EXPERIMENTAL_TAG = "experimental"
OPTIONS = {"runOnly": {"type": "tag", "values": [*WCAG_TAGS, BEST_PRACTICE_TAG, EXPERIMENTAL_TAG]},
           "resultTypes": ["violations"],
           # No preloading of the style sheets (asked for by an experimental CSS rule): from file://
           # pages Chromium refuses axe's requests for them, each a console error.
           "preload": False}
MAX_TARGETS = 3   # elements named per rule; the count says how many there are in all


def run_axe(page: Page, skip: tuple[str, ...] = ()) -> list[dict]:
    """The rules ``page`` breaks, as axe-core reports them (its ``violations``).

    Parameters
    ----------
    page
        A loaded page; axe-core is injected into it and run on the whole document.
    skip
        Rule ids not to run (``color-contrast``), for a caller that has run them on the same pages
        otherwise; none by default.

    Returns
    -------
    list of dict
        One per rule broken: ``id``, ``impact``, ``tags``, ``help``, ``nodes`` (each with ``target``).
    """
    options = {**OPTIONS, "rules": {rule: {"enabled": False} for rule in skip}} if skip else OPTIONS
    return Axe().run(page, options=options).response["violations"]


def is_wcag(violation: dict) -> bool:
    """Whether the rule belongs to a WCAG A or AA success criterion (else it is best practice)."""
    return any(tag in WCAG_TAGS for tag in violation.get("tags", ()))


def axe_problems(violations: list[dict], where: str) -> list[Problem]:
    """One problem per rule broken on the page at ``where``; best-practice rules as notes.

    Parameters
    ----------
    violations
        axe-core's violations for the page (``run_axe``).
    where
        The page as problems name it.

    Returns
    -------
    list of Problem
        Each names the rule id (``image-alt``), its impact, axe's one-line help and the first
        elements concerned, e.g. ``axe image-alt (critical): Images must have alternative text:
        1 element: img``.
    """
    problems = []
    for violation in violations:
        targets = [" ".join(map(str, node.get("target", ()))) for node in violation.get("nodes", ())]
        shown = ", ".join(targets[:MAX_TARGETS]) + (", ..." if len(targets) > MAX_TARGETS else "")
        count = f"{len(targets)} element" + ("" if len(targets) == 1 else "s")
        wcag = is_wcag(violation)
        kind = "" if wcag else "best practice, "
        message = f"axe {violation['id']} ({kind}{violation.get('impact') or 'no impact'}): " \
                  f"{violation.get('help', '')}: {count}: {shown}"
        problems.append(Problem(where, message, "axe", note=not wcag))
    return problems
