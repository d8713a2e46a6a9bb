"""Is the build in an output folder still fresh? A record of everything a build read and wrote.

A build writes ``.casebook-build.json`` next to its editions. Besides the mode and the
editions, it records a digest of every input the build read (book.yaml, every listed
document, the images, the book's own templates/ and styles/, cover and ICC files), of
casebook's own code, templates and styles, of the installed packages and the fonts, of
the options; and the size and mtime of every file it wrote. A later build with the same
record has nothing to do. This module imports nothing heavy, so that check stays fast.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sysconfig
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

BUILD_INFO = ".casebook-build.json"
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
CODE_TREES = ("casebook", "templates", "styles", "static")
CODE_FILES = ("package-lock.json",)
BOOK_TREES = ("templates", "styles")  # a book's own overrides
ENV_KEYS = ("SOURCE_DATE_EPOCH",)
RECORD_KEYS = {"book", "sources", "findings", "draft", "editions", "options", "env", "code",
               "tools", "trees", "inputs", "fonts", "outputs", "written"}


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, or a marker when it is gone."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _tree_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def code_digest() -> str:
    """casebook's code, templates, styles and static files, and the pinned npm tools."""
    digest = hashlib.sha256()
    files = [p for tree in CODE_TREES for p in _tree_files(PROJECT_DIR / tree)]
    files += [PROJECT_DIR / name for name in CODE_FILES]
    for path in files:
        digest.update(str(path.relative_to(PROJECT_DIR)).encode() + b"\0")
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


def _stat(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def input_files(book_dir: Path, sources: Iterable[Path]) -> list[Path]:
    """Every file a build of the book reads, besides casebook's own."""
    book_dir = Path(book_dir)
    files = {Path(p) for p in sources}
    for tree in BOOK_TREES:
        files.update(_tree_files(book_dir / tree))
    return sorted(files)


def digests(paths: Iterable[Path]) -> dict[str, str]:
    """The sha256 of each file, keyed by its resolved path.

    Take them as soon as a build has read its sources: an edit saved while the build runs
    then differs from the record, and the next build sees it.
    """
    return {str(Path(p).resolve()): file_digest(p) for p in paths}


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
    from .publish import write_file
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
