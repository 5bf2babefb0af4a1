"""Every page of a built site opened in headless Chromium, as a reader's browser shows it.

Chromium is driven over the DevTools protocol (a websocket; tornado's client, already a
dependency of Jupyter). Per page: console errors and uncaught exceptions, resources that failed
to load, images that did not render (naturalWidth 0) or lack alt text, links to local files that
do not exist, and a full-page screenshot.
"""
from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from evalkit.checks import Problem
from evalkit.checks.site import site_pages
from evalkit.errors import EvalkitError

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars",
    "--mute-audio", "--remote-debugging-port=0",
)
VIEWPORT = (1280, 900)
MAX_SCREENSHOT_HEIGHT = 12000   # px; a longer page is cut here (still enough to review it)
PAGE_TIMEOUT = 30.0

# Run in the page after it loaded: force lazy images to load, wait for them, report what shows.
_INSPECT = """
(async () => {
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener("load", done); img.addEventListener("error", done); setTimeout(done, 10000);
  })));
  return JSON.stringify({
    images: images.map(img => ({src: img.currentSrc || img.src, alt: img.getAttribute("alt"),
                                width: img.naturalWidth})),
    links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href),
    lang: document.documentElement.lang,
  });
})()
"""


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise EvalkitError("Chromium is missing: run `make system-deps` (installs Debian's chromium)")


@dataclass
class PageReport:
    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    remote_requests: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    lang: str = ""
    screenshot: Path | None = None


class DevTools:
    """A Chromium process and one websocket to it; commands are sent to page sessions."""

    def __init__(self, executable: str | None = None):
        self.executable = executable or find_chromium()
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future] = {}
        self.listeners: dict[str, list[dict]] = {}

    async def __aenter__(self) -> "DevTools":
        from tornado.websocket import websocket_connect

        self.profile = tempfile.mkdtemp(prefix="evalkit-chromium-")
        self.process = await asyncio.create_subprocess_exec(
            self.executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        url = await asyncio.wait_for(self._devtools_url(), timeout=60)
        self.stderr_drain = asyncio.ensure_future(self._drain())
        self.socket = await websocket_connect(url, max_message_size=512 * 1024 * 1024)
        self.reader = asyncio.ensure_future(self._read())
        return self

    async def _devtools_url(self) -> str:
        seen = []
        while True:
            line = await self.process.stderr.readline()
            if not line:
                raise EvalkitError("Chromium exited before it opened DevTools: "
                                   + " ".join(seen[-3:])[:300])
            text = line.decode(errors="replace").strip()
            seen.append(text)
            match = re.search(r"DevTools listening on (ws://\S+)", text)
            if match:
                return match.group(1)

    async def _drain(self) -> None:
        while await self.process.stderr.readline():
            pass

    async def _read(self) -> None:
        while True:
            message = await self.socket.read_message()
            if message is None:
                for future in self.pending.values():
                    if not future.done():
                        future.set_exception(EvalkitError("Chromium closed the DevTools connection"))
                return
            data = json.loads(message)
            if "id" in data and data["id"] in self.pending:
                future = self.pending.pop(data["id"])
                if "error" in data:
                    future.set_exception(EvalkitError(f"DevTools: {data['error'].get('message')}"))
                else:
                    future.set_result(data.get("result", {}))
            elif "method" in data:
                self.listeners.setdefault(data.get("sessionId", ""), []).append(data)

    async def send(self, method: str, params: dict | None = None, session: str | None = None,
                   timeout: float = PAGE_TIMEOUT) -> dict:
        message_id = next(self.ids)
        message = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        future = asyncio.get_running_loop().create_future()
        self.pending[message_id] = future
        await self.socket.write_message(json.dumps(message))
        return await asyncio.wait_for(future, timeout)

    async def wait_for_event(self, session: str, method: str, timeout: float = PAGE_TIMEOUT) -> dict:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for event in self.listeners.get(session, []):
                if event["method"] == method:
                    return event
            await asyncio.sleep(0.05)
        raise EvalkitError(f"timed out after {timeout:.0f} s waiting for {method}")

    async def __aexit__(self, *exc) -> None:
        self.reader.cancel()
        try:
            self.socket.close()
        except Exception:  # the browser may be gone already
            pass
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()
        self.stderr_drain.cancel()
        shutil.rmtree(self.profile, ignore_errors=True)

    async def visit(self, url: str, screenshot: Path | None) -> PageReport:
        """Open ``url`` in a fresh tab, let it load, inspect it, screenshot it, close the tab."""
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        session = (await self.send("Target.attachToTarget",
                                   {"targetId": target["targetId"], "flatten": True}))["sessionId"]
        report = PageReport(url)
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                await self.send(f"{domain}.enable", session=session)
            width, height = VIEWPORT
            await self.send("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                            session=session)
            navigated = await self.send("Page.navigate", {"url": url}, session=session)
            if navigated.get("errorText"):
                report.console_errors.append(f"navigation failed: {navigated['errorText']}")
                return report
            await self.wait_for_event(session, "Page.loadEventFired")
            evaluated = await self.send("Runtime.evaluate", {"expression": _INSPECT, "awaitPromise": True,
                                                             "returnByValue": True}, session=session)
            if "exceptionDetails" in evaluated:
                report.console_errors.append("the page inspection script failed: "
                                             + evaluated["exceptionDetails"].get("text", ""))
            else:
                found = json.loads(evaluated["result"]["value"])
                report.images, report.links, report.lang = found["images"], found["links"], found["lang"]
            await asyncio.sleep(0.3)   # late console messages (scripts run after load)
            if screenshot is not None:
                metrics = await self.send("Page.getLayoutMetrics", session=session)
                size = metrics.get("cssContentSize") or metrics["contentSize"]
                clip = {"x": 0, "y": 0, "width": max(width, int(size["width"])),
                        "height": min(MAX_SCREENSHOT_HEIGHT, max(height, int(size["height"]))), "scale": 1}
                shot = await self.send("Page.captureScreenshot",
                                       {"format": "png", "captureBeyondViewport": True, "clip": clip},
                                       session=session, timeout=60)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                screenshot.write_bytes(base64.b64decode(shot["data"]))
                report.screenshot = screenshot
            _collect_events(self.listeners.pop(session, []), report)
        finally:
            await self.send("Target.closeTarget", {"targetId": target["targetId"]})
        return report


def _collect_events(events: list[dict], report: PageReport) -> None:
    urls = {}
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = (details.get("exception") or {}).get("description") or details.get("text", "")
            report.console_errors.append(f"uncaught exception: {text.splitlines()[0] if text else ''}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            report.console_errors.append(f"console.{params['type']}: {args}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            report.console_errors.append(f"{entry.get('text', '')} {entry.get('url', '')}".strip())
        elif method == "Network.requestWillBeSent":
            request_url = params["request"]["url"]
            urls[params["requestId"]] = request_url
            if urlsplit(request_url).scheme in ("http", "https"):
                report.remote_requests.append(request_url)
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            report.failed_requests.append(f"{urls.get(params['requestId'], '?')}: {params.get('errorText')}")


def file_url(path: Path) -> str:
    from urllib.parse import quote

    return "file://" + quote(str(path.absolute()))


def _local_path(url: str) -> Path | None:
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


def page_problems(report: PageReport, where: str, lang: str,
                  optional_folders: tuple[Path, ...] = ()) -> list[Problem]:
    """What a reader would hit on one page. Links into ``optional_folders`` (another edition that
    is not built here) are not counted as broken."""
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
    return problems


async def _check_pages(html_dir: Path, pages: list[Path], lang: str, screenshot_dir: Path | None,
                       optional_folders: tuple[Path, ...]) -> list[Problem]:
    problems: list[Problem] = []
    async with DevTools() as browser:
        for page in pages:
            where = str(page.relative_to(html_dir))
            shot = screenshot_dir / (where.replace(os.sep, "__").removesuffix(".html") + ".png") \
                if screenshot_dir else None
            try:
                report = await browser.visit(file_url(page), shot)
            except (EvalkitError, asyncio.TimeoutError) as exc:
                problems.append(Problem(where, f"the browser could not check the page: {exc}", "browser"))
                continue
            problems += page_problems(report, where, lang, optional_folders)
    return problems


def check_in_browser(html_dir: Path, lang: str, screenshot_dir: Path | None = None,
                     optional_folders: tuple[Path, ...] = ()) -> list[Problem]:
    """Open every page of the site at ``html_dir`` in headless Chromium; screenshots (one PNG per
    page) go to ``screenshot_dir`` when given. ``html_dir`` should be the unresolved
    _build/html(-en) path, so relative links to the sibling edition resolve as for a reader."""
    if not (html_dir / "index.html").exists():
        return [Problem(str(html_dir), "no built site here (run `evalkit build`)", "site")]
    # The root index.html only forwards to the first page, which is checked on its own.
    pages = [p for p in site_pages(html_dir) if p != html_dir / "index.html"] or [html_dir / "index.html"]
    return asyncio.run(_check_pages(html_dir, pages, lang, screenshot_dir, optional_folders))
