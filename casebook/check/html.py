"""Validators for the HTML edition: the Nu HTML Checker (vnu-jar) and axe-core in Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from casebook import resources
from casebook.errors import ToolError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
VNU_JAR = (resources.node_tool("vnu") or Path("node_modules") / "vnu-jar" / "build"
           / "dist" / "vnu.jar")


@dataclass(frozen=True)
class Finding:
    """One validator message: where, what, and which rule or message type."""

    where: str
    message: str
    kind: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.message}"


def vnu(files: list[Path]) -> list[Finding]:
    """The errors the Nu HTML Checker finds in ``files`` (one JVM for all of them)."""
    if not VNU_JAR.is_file():
        raise ToolError(f"the Nu HTML Checker is missing: {VNU_JAR}; run `make book` (npm ci)")
    if shutil.which("java") is None:
        raise ToolError("the Nu HTML Checker needs Java; install default-jre-headless")
    if not files:
        return []
    args = ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
            *map(str, files)]
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        raise ToolError(f"vnu did not finish within 600 s on {len(files)} page(s); "
                        "use --sample N") from None
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except (ValueError, KeyError):
        raise ToolError(f"vnu gave no JSON report (exit {result.returncode}): "
                        f"{(result.stderr or result.stdout)[-500:]}") from None
    return [Finding(f"{m.get('url', '?')}:{m.get('lastLine', '?')}", m.get("message", ""),
                    m.get("type", "error")) for m in messages]


def axe(page) -> list[Finding]:
    """The axe-core violations on a Playwright page, one Finding per failing node."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        raise ToolError("axe-playwright-python is missing; run `make verify-deps`") from None
    results = Axe().run(page)
    return [Finding(f"{page.url} {', '.join(map(str, node['target']))}", v["help"], v["id"])
            for v in results.response["violations"] for node in v["nodes"]]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the stdlib's signature
        pass


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` over HTTP on a free local port in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def launch_chromium(playwright):
    """Debian's Chromium under Playwright, with the flags every casebook test uses."""
    if not shutil.which(CHROMIUM):
        raise ToolError(f"{CHROMIUM} is missing: run `make verify-deps`, which installs chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
