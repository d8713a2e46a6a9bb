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
    """What the last build kept (empty if nothing, or unreadable); None without a cache."""
    if cache_dir is None:
        return None
    try:
        data = (Path(cache_dir) / "pdf" / FILE).read_bytes()
        size = int.from_bytes(data[:8], "big")
        index, blob = json.loads(data[8:8 + size]), data[8 + size:]
        return Kept({key: (None if start < 0 else blob[start:start + length], grey, colour)
                     for key, (start, length, grey, colour) in index.items()})
    except (OSError, ValueError, TypeError, AttributeError):
        return Kept()


def save(cache_dir: Path | None, kept: Kept | None) -> None:
    """Keep this build's pages (only those) for the next build."""
    if cache_dir is None or kept is None:
        return
    index, blob = {}, bytearray()
    for key in sorted(kept.used):
        new, grey, colour = dict.__getitem__(kept, key)
        index[key] = [-1 if new is None else len(blob), len(new or b""), grey, colour]
        blob += new or b""
    head = json.dumps(index).encode()
    write_file(Path(cache_dir) / "pdf" / FILE, len(head).to_bytes(8, "big") + head + blob)
