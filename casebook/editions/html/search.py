"""The HTML edition's search index: run the project's npm Pagefind 1.6.0 over the written site."""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from casebook import resources
from casebook.errors import ToolError

log = logging.getLogger(__name__)

PAGEFIND: Path | None = None  # a fixed path (tests); otherwise resources.node_tool finds it
VERSION = resources.PAGEFIND_VERSION  # pip's 1.5.2 misses 党建 inside 党建工作
INDEX_DIR = "pagefind"
# The bundled ready-made UIs: the site uses its own search.js on pagefind.js instead.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js",
          "pagefind-component-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-highlight.js")


_ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}


def pagefind_command(book_dir: Path | None = None) -> list[str]:
    """The Pagefind command (resources.node_tool finds it); a ToolError when it is missing,
    or when one outside node_modules (on PATH, or CASEBOOK_PAGEFIND) is not 1.6.0.

    npm's launcher (a Node script) runs the extended binary of npm's package for this
    platform: that binary is run directly when it is there (Node's start costs ~0.08 s)."""
    found = PAGEFIND or resources.node_tool("pagefind", book_dir)
    if found is None or not found.exists():
        install = resources.install_pagefind(book_dir)
        if found is not None and os.environ.get("CASEBOOK_PAGEFIND"):
            raise ToolError(f"Pagefind {VERSION} is missing: CASEBOOK_PAGEFIND names {found}, "
                            f"which does not exist. Point it at a Pagefind {VERSION}, or unset "
                            f"it and install Pagefind with: {install}")
        where = found or "not in node_modules nor on PATH"
        raise ToolError(f"Pagefind {VERSION} is missing ({where}); it builds the HTML search "
                        f"index. Install it with: {install}")
    arch = _ARCH.get(platform.machine().lower())
    binary = found.parents[1] / "@pagefind" / f"{sys.platform}-{arch}" / "bin"
    if arch and found.parent.name == ".bin" and (binary / "pagefind_extended").is_file():
        return [str(binary / "pagefind_extended")]
    if found.parent.name == ".bin" and shutil.which("node") is None:
        raise ToolError("Pagefind's npm launcher needs Node.js: apt-get install nodejs")
    if "node_modules" not in found.parts:  # npm's package-lock pins the version there
        _require_version(found, book_dir)
    return [str(found)]


def _require_version(found: Path, book_dir: Path | None) -> None:
    """Refuse a Pagefind that says it is not VERSION (``pagefind --version``)."""
    try:
        result = subprocess.run([str(found), "--version"], capture_output=True, text=True,
                                timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolError(f"Pagefind could not run ({exc})", found) from None
    words = result.stdout.split()
    version = words[-1] if result.returncode == 0 and words else "of an unknown version"
    if version != VERSION:
        raise ToolError(f"this is Pagefind {version}; casebook needs Pagefind {VERSION} "
                        "(other versions segment Chinese differently: PyPI's 1.5.2 finds no "
                        "党建 inside 党建工作). Install it with: "
                        f"{resources.install_pagefind(book_dir)}, or set CASEBOOK_PAGEFIND "
                        f"to a Pagefind {VERSION}", found)


def build_index(site: Path, expected_pages: int, book_dir: Path | None = None) -> Path:
    """Index every page marked ``data-pagefind-body`` under ``site``; return the index folder.
    Pagefind is looked for in ``book_dir``'s node_modules too (resources.node_tool).

    Pagefind runs at a lower priority (``nice``): it shares the machine with the PDF's
    layout, which every edition waits for."""
    nice = shutil.which("nice")
    args = ([nice, "-n", "10"] if nice else []) + pagefind_command(book_dir) + [
        "--site", str(site), "--output-subdir", INDEX_DIR]
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolError(f"Pagefind could not run ({exc})") from None
    if result.returncode != 0:
        raise ToolError(f"Pagefind failed with exit status {result.returncode}: "
                        f"{_tail(result.stderr or result.stdout)}")
    log.debug("Pagefind: %s", result.stdout)
    index = site / INDEX_DIR
    _check(index, expected_pages, result.stdout)
    for name in UNUSED:
        (index / name).unlink(missing_ok=True)
    log.info("Search index: %d page(s) indexed by Pagefind %s", expected_pages, VERSION)
    return index


def _check(index: Path, expected_pages: int, output: str) -> None:
    """Refuse an index from another Pagefind version or one that missed pages."""
    path = index / "pagefind-entry.json"
    if not path.is_file():
        raise ToolError(f"Pagefind wrote no {path}: {_tail(output)}")
    entry = json.loads(path.read_text(encoding="utf-8"))
    if entry.get("version") != VERSION:
        raise ToolError(f"Pagefind {entry.get('version')} built the index; casebook needs "
                        f"{VERSION} (other versions segment Chinese differently); run `npm ci`")
    pages = sum(lang.get("page_count", 0) for lang in entry.get("languages", {}).values())
    if pages != expected_pages:
        raise ToolError(f"Pagefind indexed {pages} page(s), expected {expected_pages}: "
                        f"{_tail(output)}")


def _tail(text: str, lines: int = 8) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])
