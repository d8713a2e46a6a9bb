"""The one place that finds casebook's own files and tools, in a checkout or an installed wheel.

Templates, styles and static files ship inside the package (``casebook/assets``), the Lua
filters beside the renderer (``casebook/render/filters``): both are found from this file,
so a wheel installed anywhere finds them as a checkout does. A book overrides any template
or style with a file of the same name under its own ``templates/`` or ``styles/``.

The npm tools (Pagefind 1.6.0; Ace and vnu for ``verify``) are looked up in this order: a
path set in the environment (``CASEBOOK_PAGEFIND``, ``CASEBOOK_ACE``, ``CASEBOOK_VNU``), the
book's ``node_modules``, the checkout's ``node_modules``, then ``PATH``.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ASSETS = PACKAGE / "assets"
TEMPLATES = ASSETS / "templates"
STYLES = ASSETS / "styles"
STATIC = ASSETS / "static"
INIT = ASSETS / "init"  # the new book project that `casebook init` writes
FILTERS = PACKAGE / "render" / "filters"
# A checkout: the package's parent holds pyproject.toml and the npm tools' node_modules.
CHECKOUT = PACKAGE.parent if (PACKAGE.parent / "pyproject.toml").is_file() else None
# where each npm tool sits under node_modules, and the environment variable that overrides it
_NODE = {"pagefind": ("CASEBOOK_PAGEFIND", ".bin/pagefind"),
         "ace": ("CASEBOOK_ACE", ".bin/ace-cli"),
         "vnu": ("CASEBOOK_VNU", "vnu-jar/build/dist/vnu.jar")}
PAGEFIND_VERSION = "1.6.0"  # pip's 1.5.2 misses 党建 inside 党建工作; only npm's 1.6.0 is trusted
INSTALL_NODE = f"npm install pagefind@{PAGEFIND_VERSION} (run in the book's folder)"


def install_pagefind(book_dir: Path | None = None) -> str:
    """The one command that installs Pagefind where node_tool finds it for ``book_dir``."""
    if book_dir is None:
        return INSTALL_NODE
    command = f"npm install --prefix {shlex.quote(str(book_dir))} pagefind@{PAGEFIND_VERSION}"
    return command if shutil.which("npm") else (
        f"{command} (npm comes with Node.js: apt-get install nodejs npm)")


def node_tool(name: str, book_dir: Path | None = None) -> Path | None:
    """The npm tool ``name`` (pagefind, ace, vnu) as configured or installed, or None."""
    variable, rel = _NODE[name]
    if os.environ.get(variable):
        return Path(os.environ[variable])
    roots = [r for r in (book_dir, CHECKOUT) if r is not None]
    for root in roots:
        path = Path(root) / "node_modules" / rel
        if path.exists():
            return path
    found = shutil.which(Path(rel).name)
    return Path(found) if found else None


def code_files() -> list[Path]:
    """casebook's own files whose change changes what a build writes: code and assets."""
    return sorted(p for p in PACKAGE.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
