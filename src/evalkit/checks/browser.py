"""Every page of a built site opened in headless Chromium, as a reader's browser shows it.

Playwright (sync API) drives Debian's chromium, found on PATH by ``find_chromium``; Playwright's own
browser builds are never installed or downloaded, so the check runs offline (CI has no network).
One browser serves all pages of a site, each page in a fresh tab. Per page: console errors and
uncaught exceptions, resources that failed to load, remote resources, images that did not render
(naturalWidth 0) or lack alt text, links to local files that do not exist, the document language,
axe-core's WCAG 2.0-2.2 A and AA rules (``evalkit.checks.axe``), and a full-page screenshot.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from evalkit.checks import Problem
from evalkit.checks.axe import axe_problems, run_axe
from evalkit.checks.site import site_pages
from evalkit.errors import EvalkitError

# Playwright already passes --headless, --no-sandbox, --hide-scrollbars, --mute-audio, --no-first-run,
# --disable-sync, --disable-component-update and --disable-background-networking; only this is ours:
# no GPU in CI containers, and software rendering keeps screenshots alike across machines.
CHROMIUM_ARGS = ("--disable-gpu",)
VIEWPORT = (1280, 900)
MAX_SCREENSHOT_HEIGHT = 12000   # px; a longer page is cut here (still enough to review it)
PAGE_TIMEOUT = 30.0             # s, to load a page
LAUNCH_TIMEOUT = 60.0           # s, for Chromium to start
SCREENSHOT_TIMEOUT = 60.0       # s; a 12000 px page takes a while in software rendering
LATE_MESSAGES_WAIT = 0.3        # s after inspection, for console messages of scripts run after load
# Chromium's error text for a request the page itself cancelled (e.g. a navigation replaced it);
# not something a reader would see as missing.
CANCELLED = "net::ERR_ABORTED"

# Run in the page after it loaded: force lazy images to load, wait for them, report what shows.
_INSPECT = """
async () => {
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener("load", done); img.addEventListener("error", done); setTimeout(done, 10000);
  })));
  return {
    images: images.map(img => ({src: img.currentSrc || img.src, alt: img.getAttribute("alt"),
                                width: img.naturalWidth})),
    links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href),
    lang: document.documentElement.lang,
  };
}
"""
_CONTENT_SIZE = "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"


def find_chromium() -> str:
    """The Chromium executable on PATH (Debian's ``chromium`` first).

    Returns
    -------
    str
        Absolute path of the executable.

    Raises
    ------
    EvalkitError
        When no Chromium is installed; the message says how to install it.
    """
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise EvalkitError("Chromium is missing: run `make system-deps` (installs Debian's chromium)")


@dataclass
class PageReport:
    """What one page showed in the browser, before it is judged by ``page_problems``.

    ``images`` holds one dict per ``<img>`` (``src``, ``alt`` or None, ``width`` = naturalWidth in
    px, 0 when nothing rendered); ``links`` the absolute ``href`` of every ``<a href>``;
    ``axe_violations`` the rules axe-core found broken (``evalkit.checks.axe.run_axe``).
    """

    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    remote_requests: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    lang: str = ""
    axe_violations: list[dict] = field(default_factory=list)
    screenshot: Path | None = None


def _first_line(text: str) -> str:
    # Playwright's messages carry a multi-line call log; one line is what a Problem shows.
    return text.strip().splitlines()[0] if text.strip() else ""


def _on_console(message: ConsoleMessage, report: PageReport) -> None:
    if message.type not in ("error", "assert"):
        return
    if message.args:
        # A script called console.error/console.assert.
        report.console_errors.append(f"console.{message.type}: {message.text}")
    else:
        # Chromium's own log (e.g. "Failed to load resource: ..."): no arguments, and its location
        # is the resource concerned.
        report.console_errors.append(f"{message.text} {message.location.get('url', '')}".strip())


def _on_page_error(error: PlaywrightError, report: PageReport) -> None:
    # The stack's first line is "TypeName: message", as the DevTools console shows it.
    text = _first_line(error.stack or "") or ": ".join(filter(None, (error.name, error.message)))
    report.console_errors.append(f"uncaught exception: {text}")


def _on_request(request: Request, report: PageReport) -> None:
    if urlsplit(request.url).scheme in ("http", "https"):
        report.remote_requests.append(request.url)


def _on_request_failed(request: Request, report: PageReport) -> None:
    if request.failure != CANCELLED:
        report.failed_requests.append(f"{request.url}: {request.failure}")


def _watch(page: Page, report: PageReport) -> None:
    page.on("console", lambda message: _on_console(message, report))
    page.on("pageerror", lambda error: _on_page_error(error, report))
    page.on("request", lambda request: _on_request(request, report))
    page.on("requestfailed", lambda request: _on_request_failed(request, report))


def _screenshot(page: Page, path: Path) -> None:
    width, height = VIEWPORT
    content_width, content_height = page.evaluate(_CONTENT_SIZE)
    clip = {"x": 0, "y": 0, "width": max(width, content_width),
            "height": min(MAX_SCREENSHOT_HEIGHT, max(height, content_height))}
    path.parent.mkdir(parents=True, exist_ok=True)
    # full_page lets the clip reach below the viewport, as a reader scrolls.
    page.screenshot(path=path, full_page=True, clip=clip, timeout=SCREENSHOT_TIMEOUT * 1000)


def visit(context: BrowserContext, url: str, screenshot: Path | None, axe_skip: tuple[str, ...] = ()) -> PageReport:
    """Open ``url`` in a fresh tab, let it load, inspect it, screenshot it, close the tab.

    Parameters
    ----------
    context
        The browser context all pages of a site share (viewport ``VIEWPORT``).
    url
        The page, usually a ``file://`` URL from ``file_url``.
    screenshot
        Where to write a PNG of the page (at most ``MAX_SCREENSHOT_HEIGHT`` px high), or None.
    axe_skip
        axe-core rules not to run (:func:`evalkit.checks.axe.run_axe`); none by default.

    Returns
    -------
    PageReport
        What the page showed. A navigation that fails outright is one console error.

    Raises
    ------
    EvalkitError
        When the page did not load within ``PAGE_TIMEOUT`` seconds.
    playwright.sync_api.Error
        When the browser failed otherwise (e.g. it crashed, or the screenshot timed out).
    """
    report = PageReport(url)
    page = context.new_page()
    _watch(page, report)
    try:
        try:
            page.goto(url, wait_until="load", timeout=PAGE_TIMEOUT * 1000)
        except PlaywrightTimeoutError:
            raise EvalkitError(f"timed out after {PAGE_TIMEOUT:.0f} s waiting for the page to load") from None
        except PlaywrightError as exc:
            report.console_errors.append(f"navigation failed: {_first_line(exc.message)}")
            return report
        try:
            found = page.evaluate(_INSPECT)
        except PlaywrightError as exc:
            report.console_errors.append(f"the page inspection script failed: {_first_line(exc.message)}")
        else:
            report.images, report.links, report.lang = found["images"], found["links"], found["lang"]
        try:
            report.axe_violations = run_axe(page, axe_skip)
        except PlaywrightError as exc:
            report.console_errors.append(f"axe-core could not run: {_first_line(exc.message)}")
        inspected = time.monotonic()
        if screenshot is not None:
            _screenshot(page, screenshot)
            report.screenshot = screenshot
        # Late messages are gathered while the screenshot is taken: wait only for what is left.
        left = LATE_MESSAGES_WAIT - (time.monotonic() - inspected)
        if left > 0:
            page.wait_for_timeout(left * 1000)
    finally:
        page.close()
    return report


def file_url(path: Path) -> str:
    """The ``file://`` URL of ``path`` (made absolute, not resolved: symlinks stay as given)."""
    return "file://" + quote(str(path.absolute()))


def _local_path(url: str) -> Path | None:
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


def page_problems(report: PageReport, where: str, lang: str,
                  optional_folders: tuple[Path, ...] = ()) -> list[Problem]:
    """What a reader would hit on one page.

    Parameters
    ----------
    report
        What the page showed in the browser (``visit``).
    where
        The page as problems name it (its path inside the site).
    lang
        The language the page must declare (``<html lang>``), e.g. ``"fi"``.
    optional_folders
        Sites of other editions; a link into one that is not built here is not counted as broken.

    Returns
    -------
    list of Problem
        One per console error, failed or remote resource, wrong language, image that did not
        render or has no alt text, broken local link, and rule axe-core found broken (a
        best-practice rule as a note); empty when the page is clean.
    """
    problems = [Problem(where, f"console error: {text}", "console") for text in report.console_errors]
    problems += [Problem(where, f"failed to load {text}", "resources") for text in report.failed_requests]
    problems += [Problem(where, f"loads a remote resource {url} (the report must work offline)",
                         "resources") for url in sorted(set(report.remote_requests))]
    if report.lang != lang:
        problems.append(Problem(where, f'document language is "{report.lang}", expected "{lang}"', "language"))
    for image in report.images:
        if not image["width"]:
            problems.append(Problem(where, f"image did not load: {image['src']}", "images"))
        if not (image["alt"] or "").strip():
            problems.append(Problem(where, f"image has no alt text: {image['src']}", "images"))
    for link in sorted(set(report.links)):
        path = _local_path(link)
        if path is None:
            continue
        exists = path.exists()
        if not exists and any(str(path).startswith(str(folder)) and not folder.exists()
                              for folder in optional_folders):
            continue
        if not exists:
            problems.append(Problem(where, f"broken link: {link}", "links"))
    return problems + axe_problems(report.axe_violations, where)


def check_in_browser(html_dir: Path, lang: str, screenshot_dir: Path | None = None,
                     optional_folders: tuple[Path, ...] = (), axe_skip: tuple[str, ...] = ()) -> list[Problem]:
    """Open every page of the site at ``html_dir`` in headless Chromium.

    Parameters
    ----------
    html_dir
        The built site; the unresolved _build/html(-en) path, so relative links to the sibling
        edition resolve as for a reader.
    lang
        The language every page must declare.
    screenshot_dir
        Where one PNG per page goes (``sub__page.png`` for ``sub/page.html``), or None for none.
    optional_folders
        Sites of other editions, which may not be built (see ``page_problems``).
    axe_skip
        axe-core rules not to run on these pages (``color-contrast`` where another edition of the
        same pages, with the same style sheets, was checked for it); none by default.

    Returns
    -------
    list of Problem
        Everything found, in page order; a page the browser could not check is one problem.

    Raises
    ------
    EvalkitError
        When Chromium is missing or does not start.
    """
    if not (html_dir / "index.html").exists():
        return [Problem(str(html_dir), "no built site here (run `evalkit build`)", "site")]
    # The root index.html only forwards to the first page, which is checked on its own.
    pages = [p for p in site_pages(html_dir) if p != html_dir / "index.html"] or [html_dir / "index.html"]
    executable = find_chromium()
    problems: list[Problem] = []
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS),
                                                 timeout=LAUNCH_TIMEOUT * 1000)
        except PlaywrightError as exc:
            raise EvalkitError(f"Chromium ({executable}) did not start: {_first_line(exc.message)}") from None
        try:
            width, height = VIEWPORT
            context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
            for page in pages:
                where = str(page.relative_to(html_dir))
                shot = screenshot_dir / (where.replace(os.sep, "__").removesuffix(".html") + ".png") \
                    if screenshot_dir else None
                try:
                    report = visit(context, file_url(page), shot, axe_skip)
                except EvalkitError as exc:
                    problems.append(Problem(where, f"the browser could not check the page: {exc}", "browser"))
                    continue
                except PlaywrightError as exc:
                    problems.append(Problem(where, "the browser could not check the page: "
                                            + _first_line(exc.message), "browser"))
                    continue
                problems += page_problems(report, where, lang, optional_folders)
        finally:
            browser.close()
    return problems
