"""Folio sheet pages by label and side, kept across builds and laid out on the worker pool.

A folio looks the same wherever it lands: "12" on a recto is the same drawing in every
build. So the folio sheets (pdf_folios.py) are laid out only for the labels no earlier sheet
has: once, in slices on the pool, for a clean build; for a few pages, or none, after an
edit. ``index.json`` maps each "label|side" to a sheet file and page.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from concurrent.futures import Executor, Future
from contextlib import ExitStack
from pathlib import Path

from casebook import model
from casebook.fsio import write_file

SLICE = 120  # sheet pages per job: slices spread over the workers


class Sheets:
    """The sheets of one build: known pages from ``directory``, new ones from the pool."""

    def __init__(self, book: model.Book, base: str, directory: Path | None):
        self.book, self.base, self.dir = book, base, directory
        self.index: dict[str, list] = self._read_index()
        self.data: dict[str, bytes] = {}
        self.pending: dict[str, Future] = {}
        self.used: set[str] = set()

    def prefetch(self, labels: list[str | None], pool: Executor) -> None:
        """Start laying out, on ``pool``, the sheet pages these labels need and no sheet has."""
        from casebook.editions.pdf import folios as pdf_folios
        known = {key for key in self._wanted(labels) if self._have(key)}
        missing = [key for key in self._wanted(labels) if key not in known]
        for start in range(0, len(missing), SLICE):
            pages = pdf_folios.arrange([_unkey(k) for k in missing[start:start + SLICE]])
            name = self._name(pages)
            if name not in self.pending:
                self.pending[name] = pool.submit(pdf_folios.sheet, self.book, pages)
            for number, label in enumerate(pages):
                if label is not None:
                    self.index[_key(label, number % 2 == 1)] = [name, number]

    def pages(self, labels: list[str | None], pool: Executor, stack: ExitStack) -> list:
        """Each book page's sheet page (None: no folio); the sheets stay open in ``stack``."""
        import pikepdf
        self.prefetch(labels, pool)
        opened: dict[str, pikepdf.Pdf] = {}
        out = []
        for number, label in enumerate(labels):
            if label is None:
                out.append(None)
                continue
            name, page = self.index[_key(label, number % 2 == 1)]
            if name not in opened:
                opened[name] = stack.enter_context(pikepdf.open(io.BytesIO(self._bytes(name))))
            out.append(opened[name].pages[page])
        self._write_index()
        return out

    def _wanted(self, labels: list[str | None]) -> list[str]:
        return list(dict.fromkeys(_key(label, number % 2 == 1)
                                  for number, label in enumerate(labels) if label is not None))

    def _have(self, key: str) -> bool:
        entry = self.index.get(key)
        return entry is not None and (entry[0] in self.data or entry[0] in self.pending or
                                      (self.dir is not None and self._path(entry[0]).is_file()))

    def _bytes(self, name: str) -> bytes:
        self.used.add(name)
        if name in self.pending:
            self.data[name] = self.pending.pop(name).result()
            if self.dir is not None:
                write_file(self._path(name), self.data[name])
        if name not in self.data:
            os.utime(self._path(name))  # in use: cache pruning goes by age
            self.data[name] = self._path(name).read_bytes()
        return self.data[name]

    def _name(self, pages: list[str | None]) -> str:
        text = json.dumps(pages, ensure_ascii=False)
        return hashlib.sha256(f"{self.base}\0sheet\0{text}".encode()).hexdigest()

    def _path(self, name: str) -> Path:
        return self.dir / f"{name}.pdf"

    def _read_index(self) -> dict[str, list]:
        """The pages of earlier sheets laid out with these stylesheets and this code."""
        try:
            index = json.loads((self.dir / "index.json").read_text(encoding="utf-8"))
            return dict(index["pages"]) if index.get("base") == self.base else {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}

    def _write_index(self) -> None:
        if self.dir is not None and self.dir.is_dir():
            live = {k: v for k, v in self.index.items() if v[0] in self.used or self._have(k)}
            write_file(self.dir / "index.json",
                       json.dumps({"base": self.base, "pages": live}, ensure_ascii=False).encode())


def _key(label: str, verso: bool) -> str:
    return f"{label}|{'v' if verso else 'r'}"


def _unkey(key: str) -> tuple[str, bool]:
    label, _, side = key.rpartition("|")
    return label, side == "v"
