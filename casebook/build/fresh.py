"""Is the build in an output folder still fresh? A record of everything a build read and wrote.

A build writes ``.casebook-build.json`` next to its editions. Besides the mode and the
editions, it records a digest of every input the build read (book.yaml, every listed
document, the images, the book's own templates/ and styles/, cover and ICC files), of
casebook's own code, templates and styles, of the installed packages and the fonts, of
the options; and the size and mtime of every file it wrote. A later build with the same
record has nothing to do. This module imports nothing heavy, so that check stays fast.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Iterable

from casebook.digests import BOOK_TREES, code_digest, file_digest, tools_digest
from casebook.digests import tree_files as _tree_files

log = logging.getLogger(__name__)

BUILD_INFO = ".casebook-build.json"
ENV_KEYS = ("SOURCE_DATE_EPOCH",)
RECORD_KEYS = {"book", "sources", "findings", "draft", "editions", "options", "env", "code",
               "tools", "trees", "inputs", "fonts", "outputs", "written"}


def _stat(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def record(book_dir: Path, sources: dict[str, str], images: dict[str, str],
           fonts: Iterable[Path], options: dict, draft: bool, editions: list[str]) -> dict:
    """What a build read, and how: the book's folder, its ``sources`` (book.yaml, every
    listed document, the book's own trees; from :func:`digests`) and ``images``. The
    outputs are added by :func:`add_outputs`."""
    book_dir = Path(book_dir).resolve()
    return {"book": str(book_dir), "sources": dict(sorted(sources.items())),
            "draft": draft, "editions": editions, "options": options,
            "env": {k: os.environ.get(k, "") for k in ENV_KEYS},
            "code": code_digest(), "tools": tools_digest(),
            "trees": {t: [str(p) for p in _tree_files(book_dir / t)] for t in BOOK_TREES},
            "inputs": dict(sorted({**sources, **images}.items())),
            "fonts": {str(p): _stat(Path(p)) for p in fonts}}


def add_outputs(info: dict, out: Path, names: Iterable[str]) -> dict:
    """Record the size and mtime of every file under the published top-level ``names``."""
    out = Path(out)
    files: dict[str, list[int]] = {}
    for name in names:
        top = out / name
        for path in ([top] if top.is_file() else _tree_files(top)):
            files[path.relative_to(out).as_posix()] = _stat(path)
    return {**info, "outputs": files}


def write(out: Path, info: dict) -> None:
    """Write the record atomically, after the editions it describes are published."""
    from casebook.fsio import write_file
    write_file(Path(out) / BUILD_INFO, json.dumps(info, ensure_ascii=False, indent=1).encode())


def load(out: Path) -> dict | None:
    try:
        return json.loads((Path(out) / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def stale_reason(book_dir: Path, out: Path, options: dict, draft: bool,
                 editions: list[str], sources: dict[str, str] | None = None) -> str | None:
    """Why the editions in ``out`` must be rebuilt, or None when they are fresh.

    ``sources`` are the digests of the files the book lists now (:func:`digests`): another
    set of documents, or any other digest, is a rebuild, as is a record of another folder.
    """
    info = load(out)
    if not isinstance(info, dict) or not RECORD_KEYS <= set(info):
        return "no usable record of an earlier build"
    try:
        return (_other_book(Path(book_dir), info, sources)
                or _stale(Path(book_dir), Path(out), info, options, draft, editions))
    except (AttributeError, TypeError, ValueError):  # a record edited by hand, or damaged
        return "the record of the earlier build is damaged"


def _other_book(book_dir: Path, info: dict, sources: dict[str, str] | None) -> str | None:
    """The record is of another book's folder, or of another set of documents."""
    if info["book"] != str(book_dir.resolve()):
        return f"the last build into this folder was of another book ({info['book']})"
    if sources is None:
        return None
    if set(sources) != set(info["sources"]):
        added = sorted(set(sources) - set(info["sources"]))
        gone = sorted(set(info["sources"]) - set(sources))
        return f"the book's files differ (added: {added[:3]}, removed: {gone[:3]})"
    changed = [p for p, digest in sources.items() if info["sources"][p] != digest]
    return f"{changed[0]} changed" if changed else None


def _stale(book_dir: Path, out: Path, info: dict, options: dict, draft: bool,
           editions: list[str]) -> str | None:
    if info["draft"] != draft or info["editions"] != editions or info["options"] != options:
        return "the mode, the editions or the options differ"
    if info["env"] != {k: os.environ.get(k, "") for k in ENV_KEYS}:
        return "SOURCE_DATE_EPOCH differs"
    return (_changed_inputs(book_dir.resolve(), info) or _changed_outputs(out, info)
            or _changed_code(info))


def _changed_inputs(book_dir: Path, info: dict) -> str | None:
    for path, digest in info["inputs"].items():
        if file_digest(Path(path)) != digest:
            return f"{path} changed"
    for tree, listed in info["trees"].items():
        if [str(p) for p in _tree_files(book_dir / tree)] != listed:
            return f"files were added to or removed from {book_dir / tree}"
    for path, stat in info["fonts"].items():
        if not Path(path).exists() or _stat(Path(path)) != stat:
            return f"font {path} changed"
    return None


def _changed_outputs(out: Path, info: dict) -> str | None:
    for name, stat in info["outputs"].items():
        path = out / name
        if not path.is_file() or _stat(path) != stat:
            return f"{path} was changed or removed since it was built"
    return None


def _changed_code(info: dict) -> str | None:
    if info["code"] != code_digest():
        return "casebook's code, templates or styles changed"
    if info["tools"] != tools_digest():
        return "installed packages changed"
    return None
