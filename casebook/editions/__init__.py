"""The edition registry, and the one interface of every edition.

An edition is a package here whose ``edition`` module has
``write(book, out_dir, inputs) -> Path``. ``inputs`` carries the rendered fragments and
what the edition takes from others, as its registry entry declares: the print layout's
PageMap (``pagemap``: the PDF gives it, the EPUB's page-list takes it) and the screen
cover image (``cover``: rendered from the cover package, taken by the EPUB and the HTML).
No edition imports another. Adding one is a package and a line in REGISTRY. Modules are
imported on first use, so that commands which build nothing stay quick.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class Edition:
    """A registered edition: where its ``write`` is, what it takes and what it gives."""

    name: str
    module: str
    needs: tuple[str, ...] = ()   # of "pagemap", "cover"
    gives: tuple[str, ...] = ()   # "pagemap": the PDF's layout


# Build order: the PDF first, its layout gives the EPUB its page-list.
REGISTRY: list[Edition] = [
    Edition("pdf", f"{__name__}.pdf.edition", gives=("pagemap",)),
    Edition("epub", f"{__name__}.epub.edition", needs=("pagemap", "cover")),
    Edition("html", f"{__name__}.html.edition", needs=("cover",)),
]
NAMES = tuple(e.name for e in REGISTRY)


@dataclass(frozen=True)
class Cover:
    """The screen cover image that the EPUB and the HTML edition show."""

    data: bytes
    media_type: str
    suffix: str
    size: tuple[int, int]
    generated: bool = True

    @property
    def name(self) -> str:
        return f"images/cover{self.suffix}"


@dataclass(frozen=True)
class Inputs:
    """What an edition's ``write`` takes besides the book and the folder."""

    fragments: Any                      # render.fragments.Fragments
    pagemap: Any = None                 # pagemap.PageMap, from the print layout
    cover: Cover | None = None          # the screen cover
    options: dict = field(default_factory=dict)  # an edition's own: embed_fonts, index, lean
    pool: Any = None                    # an Executor for an edition that splits its work
    cache_dir: Path | None = None       # where an edition may keep work between builds
    on_layout: Callable | None = None   # called with the PageMap once the layout has settled


def edition(name: str) -> Edition:
    """The registered edition called ``name``."""
    for entry in REGISTRY:
        if entry.name == name:
            return entry
    raise KeyError(name)


def writer(name: str) -> Callable:
    """The ``write(book, out_dir, inputs)`` of the edition called ``name``."""
    return importlib.import_module(edition(name).module).write
