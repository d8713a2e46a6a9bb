"""Build editions: read the book once, render fragments once, write into staging, then publish."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import lock, render, source
from .publish import publish
from .editions import EDITIONS, pdf

log = logging.getLogger(__name__)
CACHE_DIR = ".casebook-cache"
BUILD_INFO = ".casebook-build.json"  # what the last build in an output folder was


@dataclass(frozen=True)
class Options:
    book_dir: Path = Path(".")
    out_dir: Path = Path("dist")
    editions: tuple[str, ...] = ("pdf", "epub", "html")  # EPUB after PDF: it uses the layout
    draft: bool = False
    cache: bool = True
    encoding: str | None = None
    extra: dict = field(default_factory=dict)


def build(options: Options) -> dict[str, Path]:
    """Build the requested editions; an existing out_dir is only touched when all succeed."""
    book = source.load(options.book_dir, options.encoding).select(options.draft)
    with lock.hold(options.out_dir):
        return _build(book, options)


def _build(book, options: Options) -> dict[str, Path]:
    steps = len(options.editions) + 2
    log.info("Step 1/%d: read %s", steps, options.book_dir / source.BOOK_FILE)
    _report_pending(book)
    log.info("Step 2/%d: rendering Markdown with pandoc", steps)
    cache = options.book_dir / CACHE_DIR if options.cache else None
    fragments = render.render_all(book, cache)
    out = options.out_dir
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        written = {}
        extras = _layout_extras(book, fragments, options.editions)
        if options.extra.get("embed_fonts"):  # --embed-fonts; book.yaml epub.embed_fonts too
            extras.setdefault("epub", {})["embed_fonts"] = True
        for number, name in enumerate(options.editions, start=3):
            log.info("Step %d/%d: writing the %s edition", number, steps, name.upper())
            written[name] = EDITIONS[name](book, staging, fragments, **extras.get(name, {}))
        (staging / BUILD_INFO).write_text(json.dumps({"draft": book.draft,
                                                      "editions": list(written)}))
        publish(staging, out)
        return {name: out / path.relative_to(staging) for name, path in written.items()}
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _layout_extras(book, fragments, editions) -> dict[str, dict]:
    """Lay the print edition out once; the PDF writes it, the EPUB takes its PageMap.

    Without the PDF there is no print layout, so an EPUB built alone has no page-list.
    """
    if "pdf" not in editions:
        if "epub" in editions:
            log.info("EPUB without a print page-list: build the PDF too to get one")
        return {}
    layout = pdf.lay_out(book, fragments)
    return {"pdf": {"layout": layout}, "epub": {"pagemap": layout.pagemap}}


def _report_pending(book) -> None:
    if book.pending_omitted:
        log.warning("%d document(s) are 'status: pending' and left out; build with --draft "
                    "to include them marked 稿件待补", book.pending_omitted)
    elif book.draft:
        pending = sum(d.pending for d in book.documents())
        log.info("Draft build: %d pending document(s) included, marked 稿件待补", pending)

