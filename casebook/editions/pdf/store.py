"""Laid-out PDF chunks and what the layout needs of them, kept on disk between builds."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from casebook import digests, model
from casebook.editions.pdf import document as pdf
from casebook.editions.pdf.folios import CHUNK_STYLE, SHEET_STYLE
from casebook.fsio import write_file
from casebook.render import fontstack

UNUSED_FOR = 7 * 24 * 3600  # seconds after which the cache forgets a chunk no build used


@dataclass(frozen=True)
class Laid:
    """One chunk laid out and painted: the PDF, each page's anchors, which pages show a
    folio, its structure elements' IDs and its marked faces' glyphs (for the merge)."""

    pdf: bytes
    anchors: tuple[tuple[str, ...], ...]
    shown: tuple[bool, ...]
    ids: frozenset[bytes] = frozenset()
    glyphs: tuple = ()


class Store:
    """Laid-out chunks and folio sheets on disk, keyed by everything that shapes them."""

    def __init__(self, book: model.Book, cache_dir: Path | None):
        self.book = book
        self.dir = cache_dir / "pdf" if cache_dir else None
        self.used: set[str] = set()
        self.memory: dict[str, Laid] = {}  # this build's chunks, for its later rounds
        self.base = hashlib.sha256("\0".join([
            *pdf.stylesheet_texts(book, (CHUNK_STYLE, SHEET_STYLE)), digests.code_digest(),
            digests.tools_digest(), book.meta.print.output_intent, book.meta.slug,
            *(json.dumps([str(p), p.stat().st_mtime_ns])
              for p in fontstack.font_files(book.meta.fonts)),
        ]).encode()).hexdigest()

    def _key(self, text: str) -> str:
        key = hashlib.sha256((self.base + "\0" + text).encode()).hexdigest()
        self.used.add(key)
        return key

    def get(self, html: str) -> Laid | None:
        key = self._key(html)
        if key in self.memory or self.dir is None:
            return self.memory.get(key)
        meta, data = self.dir / f"{key}.json", self.dir / f"{key}.pdf"
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            os.utime(data)
            return Laid(data.read_bytes(), tuple(map(tuple, info["anchors"])),
                        tuple(info["shown"]), frozenset(i.encode("latin-1") for i in info["ids"]),
                        tuple((*face[:5], tuple(face[5]), face[6]) for face in info["glyphs"]))
        except (OSError, ValueError, KeyError):
            return None

    def put(self, html: str, laid: Laid) -> Laid:
        key = self._key(html)
        self.memory[key] = laid
        if self.dir is not None:
            write_file(self.dir / f"{key}.pdf", laid.pdf)
            write_file(self.dir / f"{key}.json", json.dumps(
                {"anchors": laid.anchors, "shown": laid.shown,
                 "ids": sorted(i.decode("latin-1") for i in laid.ids),
                 "glyphs": laid.glyphs}).encode())
        return laid

    def fonts_dir(self) -> Path | None:
        return self.dir / "fonts" if self.dir else None

    def last(self) -> tuple[dict[str, str], set[str]]:
        """The last build's folios and the chunks it started on a verso: most chunks then
        print the right ones, on the right side, at once."""
        try:
            last = json.loads(self._folios_file().read_text(encoding="utf-8"))
            return dict(last["folios"]), set(last["versos"])
        except (OSError, ValueError, TypeError, KeyError):
            return {}, set()

    def _folios_file(self) -> Path:
        return self.dir / ("folios-draft.json" if self.book.draft else "folios.json")

    def keep(self, folios: dict[str, str], versos: list[str]) -> None:
        """Remember the folios and sides; forget chunks and sheets no build used for a week."""
        if self.dir is None or not self.dir.is_dir():
            return
        write_file(self._folios_file(), json.dumps({"folios": folios, "versos": versos},
                                                ensure_ascii=False).encode())
        old = time.time() - UNUSED_FOR
        for path in self.dir.glob("*.pdf"):
            if path.stem not in self.used and path.stat().st_mtime < old:
                path.unlink(missing_ok=True)
                path.with_suffix(".json").unlink(missing_ok=True)
        for path in (*self.dir.glob("fonts/*.font"), *self.dir.glob("folios/*.pdf")):
            if path.stat().st_mtime < old:
                path.unlink(missing_ok=True)
