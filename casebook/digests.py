"""Digests of what a build reads: files, casebook's own code and assets, installed packages.

The freshness record (build/fresh.py) and the caches of layout and covers key on them. This
module imports nothing heavy, so a build that has nothing to do stays fast.
"""

from __future__ import annotations

import hashlib
import sysconfig
from pathlib import Path
from typing import Iterable

from casebook import resources

CODE_FILES = ("package-lock.json",)  # in a checkout: the pinned npm tools
BOOK_TREES = ("templates", "styles")  # a book's own overrides


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, or a marker when it is gone."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def tree_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def code_digest() -> str:
    """casebook's code, templates, styles and static files, and the pinned npm tools."""
    digest = hashlib.sha256()
    files = resources.code_files()
    top = resources.PACKAGE.parent
    if resources.CHECKOUT is not None:
        files += [resources.CHECKOUT / name for name in CODE_FILES]
    for path in files:
        digest.update(str(path.relative_to(top)).encode() + b"\0")
        digest.update(file_digest(path).encode())
    return digest.hexdigest()


def tools_digest() -> str:
    """The installed Python distributions and their versions (pandoc ships in one)."""
    names: list[str] = []
    for key in ("purelib", "platlib"):
        site = Path(sysconfig.get_paths()[key])
        if site.is_dir():
            names += [p.name for p in site.iterdir() if p.name.endswith(".dist-info")]
    return hashlib.sha256("\n".join(sorted(set(names))).encode()).hexdigest()


def input_files(book_dir: Path, sources: Iterable[Path]) -> list[Path]:
    """Every file a build of the book reads, besides casebook's own."""
    book_dir = Path(book_dir)
    files = {Path(p) for p in sources}
    for tree in BOOK_TREES:
        files.update(tree_files(book_dir / tree))
    return sorted(files)


def digests(paths: Iterable[Path]) -> dict[str, str]:
    """The sha256 of each file, keyed by its resolved path.

    Take them as soon as a build has read its sources: an edit saved while the build runs
    then differs from the record, and the next build sees it.
    """
    return {str(Path(p).resolve()): file_digest(p) for p in paths}
