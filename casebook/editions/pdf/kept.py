"""The print PDF's converted page and form contents (editions/inks.py), kept between builds.

An edit changes a few pages; the others' press colours, and their folio forms', are taken
from here instead of being parsed and rewritten again (0.4 s for the bench book's 377
pages). One file in the PDF cache: a JSON index (key → offset, length, counts) and the
converted streams after it. Only what the last build used is kept.
"""

from __future__ import annotations

import json
from pathlib import Path

from casebook.fsio import write_file

FILE = "print-inks.bin"


class Kept(dict):
    """Converted pages by key; remembers which keys this build looked up or added."""

    def __init__(self, *args):
        super().__init__(*args)
        self.used: set[str] = set()

    def __contains__(self, key) -> bool:
        self.used.add(key)
        return super().__contains__(key)

    def __setitem__(self, key, value) -> None:
        self.used.add(key)
        super().__setitem__(key, value)


def load(cache_dir: Path | None) -> Kept | None:
    """What the last build kept (empty if nothing, or unreadable); None without a cache.
    The file's bytes are read once and cut into the pages' (no copy of the whole)."""
    if cache_dir is None:
        return None
    try:
        with memoryview((Path(cache_dir) / "pdf" / FILE).read_bytes()) as data:
            size = int.from_bytes(data[:8], "big")
            index, base = json.loads(bytes(data[8:8 + size])), 8 + size
            return Kept({key: (None if start < 0 else bytes(data[base + start:
                                                                 base + start + length]),
                               grey, colour)
                         for key, (start, length, grey, colour) in index.items()})
    except (OSError, ValueError, TypeError, AttributeError):
        return Kept()


def save(cache_dir: Path | None, kept: Kept | None) -> None:
    """Keep this build's pages (only those) for the next build: written page by page,
    never joined in memory (a long book's are tens of MB)."""
    if cache_dir is None or kept is None:
        return
    index, pages, at = {}, [], 0
    for key in sorted(kept.used):
        new, grey, colour = dict.__getitem__(kept, key)
        index[key] = [-1 if new is None else at, len(new or b""), grey, colour]
        pages.append(new or b"")
        at += len(new or b"")
    head = json.dumps(index).encode()
    write_file(Path(cache_dir) / "pdf" / FILE, [len(head).to_bytes(8, "big"), head, *pages])
