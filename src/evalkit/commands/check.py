"""Check the built report as a reader gets it: the site's files, the site in a browser, and the PDF.

Every page of the site (language, heading order, table headers, link text, alt text, links and
images, the link to the other edition), every page again in headless Chromium (console errors,
images that do not load; a screenshot of each page under _build/screenshots/<lang>/), and the PDF
(tagged PDF/UA-1: metadata, language, headings, tables, figures' alt text, bookmarks, fonts,
nothing untagged; chapter titles and project names in the text, print resolution, nothing off the
page). Every page also goes through axe-core's WCAG 2.0-2.2 A and AA rules (best-practice findings are
notes). With `--lang all`, the published sites and PDFs must all have been built from the same inputs
(parameters and data files), or the editions could show different numbers, and every language of
the programme must be built, as every page links to each. Prints one line per
problem; exits 1 when there is any. Build first: `make report-all` (or `evalkit build --lang L`).
`--report DIR` checks a pilot's own report (`evalkit pilot --out DIR`) the same way, axe-core included.
"""
from __future__ import annotations

import sys
from pathlib import Path

from evalkit.checks import Problem, failures
from evalkit.editions import edition, published_languages
from evalkit.i18n import LANGUAGES
from evalkit.paths import project_root

NAME = "check"
HELP = "check the built site and PDF (accessibility, links, browser, PDF metadata)"
PROGRAMME = True   # takes --programme DIR (evalkit.cli)


def add_arguments(parser) -> None:
    """Declare the command's options on its argparse ``parser``."""
    parser.add_argument("--lang", choices=[*LANGUAGES, "all"], default="all",
                        help="edition to check (default: every edition that is built)")
    parser.add_argument("--no-browser", action="store_true", help="skip the headless Chromium checks")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF checks")
    parser.add_argument("--report", metavar="DIR",
                        help="check a pilot's own report (the folder `evalkit pilot --out DIR` wrote) instead")


def check_report(folder: Path, browser: bool = True) -> list[Problem]:
    """The checks of a pilot's own report folder: its pages as files and in Chromium with axe-core.

    The language is the one its front page declares; ``browser`` False skips Chromium.

    Returns
    -------
    list of Problem
    """
    from evalkit.checks.site import check_site, parse_page

    front = folder / "index.html"
    if not front.is_file():
        return [Problem(str(folder), "no pilot report here (run `evalkit pilot ... --out DIR`)", "site")]
    lang = parse_page(front).lang or ""
    if lang not in LANGUAGES:
        return [Problem("index.html", f'document language is "{lang}", expected one of {", ".join(LANGUAGES)}',
                        "language")]
    problems = check_site(folder, lang)
    if browser:
        from evalkit.checks.browser import check_in_browser

        problems += check_in_browser(folder, lang)
    return problems


def unbuilt_edition_message(lang: str) -> str:
    """Why a programme language without a built site stops publication (``check --lang all``)."""
    return (f"the {lang} edition is not built, and every built edition links to it; build every "
            "edition (`make report-all`) before publishing")


def check_edition(root, lang: str, browser: bool = True, pdf: bool = True) -> list[Problem]:
    """Every check of one edition; the problems found (notes included).

    Parameters
    ----------
    root : Path
        The project root.
    lang : str
        The edition's language.
    browser : bool
        Also check the site in headless Chromium (when the site is built).
    pdf : bool
        Also check the edition's PDF.

    Returns
    -------
    list of Problem
    """
    from evalkit.checks.site import check_site

    ed = edition(root, lang)
    others = {other.lang: other.html_dir for other in ed.others()}
    problems = check_site(ed.html_dir, lang, others)
    if browser and (ed.html_dir / "index.html").exists():
        from evalkit.checks.browser import check_in_browser

        problems += check_in_browser(ed.html_dir, lang, root / "_build" / "screenshots" / lang,
                                     tuple(others.values()))
    if pdf:
        from evalkit.checks.expected import expected_pdf
        from evalkit.checks.pdf import check_pdf

        problems += check_pdf(ed.pdf, expected_pdf(root, lang))
    return problems


def run(args) -> int:
    """Check the chosen edition (or every built one) and print its problems.

    Returns
    -------
    int
        0 when no check failed (notes do not count), 1 otherwise or when nothing is built.
    """
    if args.report:
        problems = sorted(set(check_report(Path(args.report), browser=not args.no_browser)))
        for problem in problems:
            print(f"report: {problem}")
        print(f"evalkit check: report: {len(failures(problems))} problem(s)", file=sys.stderr)
        return 1 if failures(problems) else 0
    root = project_root()
    if args.lang == "all":
        langs = [lang for lang in LANGUAGES if (edition(root, lang).html_dir / "index.html").exists()]
        if not langs:
            print("evalkit check: nothing is built yet; run `make report` first", file=sys.stderr)
            return 1
    else:
        langs = [args.lang]
    from evalkit.checks.agreement import check_agreement

    failed = 0
    # Every published site and PDF (a PDF may outlive its edition's site), or the chosen edition's.
    agreement = check_agreement([edition(root, lang) for lang in (LANGUAGES if args.lang == "all" else langs)])
    for problem in agreement:
        print(f"editions: {problem}")
    failed += len(failures(agreement))
    if args.lang == "all":
        # Checking what is to be published: every built edition links to each of the programme's
        # languages, so one not built is a dead link on every page (checking one edition, a note).
        missing = [lang for lang in published_languages(root) if lang not in langs]
        for lang in missing:
            unbuilt = Problem(f"{edition(root, lang).html_link}/", unbuilt_edition_message(lang), "edition-link")
            print(f"editions: {unbuilt}")
        failed += len(missing)
    for lang in langs:
        problems = sorted(set(check_edition(root, lang, browser=not args.no_browser, pdf=not args.no_pdf)))
        for problem in problems:
            print(f"{lang}: {problem}")
        failed += len(failures(problems))
        print(f"evalkit check: {lang}: {len(failures(problems))} problem(s)", file=sys.stderr)
    return 1 if failed else 0
