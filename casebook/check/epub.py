"""EPUB checks beyond EPUBCheck: Ace by DAISY and the page-list."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from casebook import resources
from casebook.check.parity import NS, squeeze
from casebook.errors import ToolError

ACE = resources.node_tool("ace") or Path("node_modules/.bin/ace-cli")
CHROMIUM = Path("/usr/bin/chromium")
CALIBRE_ENV = {"QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}


# -- Ace by DAISY -----------------------------------------------------------------------------
@dataclass(frozen=True)
class AceResult:
    outcome: str                 # "pass" or "fail", as Ace reports it
    violations: Counter          # (rule, impact) -> how many times
    details: tuple[str, ...]     # one line per violation: rule, impact, file, description

    @property
    def count(self) -> int:
        return sum(self.violations.values())


class AceRun:
    """One Ace run in the background (start several, then collect each result)."""

    def __init__(self, epub: Path, report_dir: Path):
        for needed, how in ((ACE, "run `make book` (npm installs @daisy/ace)"),
                            (CHROMIUM, "apt-get install chromium")):
            if not needed.exists():
                raise ToolError(f"Ace needs {needed}, which is missing; {how}")
        self.report_dir = report_dir
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM)}
        self.process = subprocess.Popen(
            [str(ACE), "-s", "-f", "-o", str(report_dir), str(epub)], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)  # its own process group: Chromium goes with it

    def result(self, timeout: float = 900) -> AceResult:
        try:
            out, err = self.process.communicate(timeout=timeout)
        except BaseException as exc:  # a timeout, or Ctrl-C: Ace's group is not the terminal's
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.communicate()
            if not isinstance(exc, subprocess.TimeoutExpired):
                raise
            raise ToolError(f"Ace did not finish within {timeout:.0f} s (a long EPUB: "
                            "check it with `--skip ace` and run Ace on its own)") from None
        report = self.report_dir / "report.json"
        if self.process.returncode != 0 or not report.exists():
            raise ToolError(f"Ace failed (exit {self.process.returncode}): {err or out}")
        return read_ace_report(report)


def ace(epub: Path, report_dir: Path) -> AceResult:
    """Run Ace on one EPUB and read its report."""
    return AceRun(epub, report_dir).result()


def read_ace_report(path: Path) -> AceResult:
    report = json.loads(path.read_text(encoding="utf-8"))
    counts: Counter = Counter()
    details = []
    for subject in report.get("assertions", []):
        for item in subject.get("assertions", []):
            test = item["earl:test"]
            key = (test["dct:title"], test["earl:impact"])
            counts[key] += 1
            details.append(f"{key[0]} ({key[1]}) in {subject['earl:testSubject']['url']}: "
                           f"{item['earl:result']['dct:description']}")
    return AceResult(report["earl:result"]["earl:outcome"], counts, tuple(details))


# -- page-list --------------------------------------------------------------------------------
def _read(epub: Path, name: str) -> bytes:
    with zipfile.ZipFile(epub) as z:
        return z.read(f"EPUB/{name}")


def page_list(epub: Path) -> list[tuple[str, str]]:
    """The nav's page-list: (label, href relative to the OPF) in order."""
    nav = etree.fromstring(_read(epub, "nav.xhtml"))
    found = nav.xpath("//x:nav[@ops:type='page-list']", namespaces=NS)
    if not found:
        return []
    return [(squeeze("".join(a.itertext())), a.get("href"))
            for a in found[0].xpath(".//x:a", namespaces=NS)]


