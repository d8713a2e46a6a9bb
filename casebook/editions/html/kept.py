"""The HTML edition's rendered pages, kept between builds: an edit renders only its pages.

A page is kept under a digest of everything its template can read: casebook's code and
assets, the installed packages, the book's own templates and styles, the whole Book and the
page's own context (its fragment, links, crumbs, cover...), but the documents' Markdown
bodies: casebook's templates never read them (a page shows its fragment). A book with
templates of its own might, so for it the bodies count too (an edit renders every page). A page whose key is found
is written from ``.casebook-cache/html/`` unrendered (after its own digest, checked); a
page no build used for a week is forgotten.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from pathlib import Path

from casebook import digests, model
UNUSED_FOR = 7 * 24 * 3600  # seconds
DIGEST = 32  # a kept page starts with the SHA-256 of the page


class Pages:
    """The kept pages of one book; without a ``cache_dir``, nothing is kept."""

    def __init__(self, book: model.Book, cache_dir: Path | None):
        self.dir = Path(cache_dir) / "html" if cache_dir else None
        self.used: set[str] = set()
        own = digests.tree_files(book.root / "templates")
        self.bare = _bare if not own else (lambda value: value)  # bodies count, or not
        self.base = _book_digest(book, self.bare) if self.dir else ""

    def key(self, template: str, context: dict) -> str:
        """The key of a page rendered from ``template`` with ``context`` (``book`` aside)."""
        text = repr(sorted((name, self.bare(value)) for name, value in context.items()
                           if name != "book"))
        return hashlib.sha256(f"{self.base}\0{template}\0{text}".encode()).hexdigest()

    def get(self, key: str) -> bytes | None:
        """The page kept under ``key``, if it is there whole (its own digest comes first)."""
        if self.dir is None:
            return None
        self.used.add(key)
        try:
            data = (self.dir / f"{key}.html").read_bytes()
        except OSError:
            return None
        page = data[DIGEST:]
        return page if data[:DIGEST] == hashlib.sha256(page).digest() else None

    def put(self, key: str, page: bytes) -> None:
        """Keep a page: written to a new file, renamed into place (no fsync: a page cut
        short by a crash fails its digest and is rendered again)."""
        if self.dir is None:
            return
        self.used.add(key)
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / f"{key}.html"
        tmp = path.with_name(f".{key}.{os.getpid()}.tmp")
        tmp.write_bytes(hashlib.sha256(page).digest() + page)
        os.replace(tmp, path)

    def forget_unused(self) -> None:
        """Touch the pages this build used; remove those no build used for a week."""
        if self.dir is None or not self.dir.is_dir():
            return
        old = time.time() - UNUSED_FOR
        for path in self.dir.glob("*.html"):
            try:
                if path.stem in self.used:
                    path.touch()
                elif path.stat().st_mtime < old:
                    path.unlink()
            except OSError:  # another build took it away first
                pass


def _book_digest(book: model.Book, bare) -> str:
    """casebook's code, the packages, the book's own templates and styles, and the Book
    (``bare``: without its documents' bodies)."""
    digest = hashlib.sha256(f"{digests.code_digest()}\0{digests.tools_digest()}".encode())
    for tree in digests.BOOK_TREES:
        for path in digests.tree_files(book.root / tree):
            digest.update(f"\0{path.relative_to(book.root)}\0".encode())
            digest.update(digests.file_digest(path).encode())
    digest.update(repr(bare(book)).encode())
    return digest.hexdigest()


def _bare(value):
    """A Book, Part or Document without its documents' bodies; any other value as it is."""
    if isinstance(value, model.Document):
        return dataclasses.replace(value, body="")
    if isinstance(value, model.Part):
        return dataclasses.replace(value, cases=tuple(map(_bare, value.cases)))
    if isinstance(value, model.Book):
        return dataclasses.replace(value, front=tuple(map(_bare, value.front)),
                                   parts=tuple(map(_bare, value.parts)),
                                   back=tuple(map(_bare, value.back)))
    return value
