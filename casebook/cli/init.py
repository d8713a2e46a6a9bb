"""`casebook init DIR`: start a new book project (example text, labelled) in a new or empty folder."""

from __future__ import annotations

import logging
from pathlib import Path

NAME = "init"
HELP = "start a new book project in DIR, a new or empty folder"
log = logging.getLogger("casebook")


def add_arguments(p) -> None:
    p.add_argument("dir", type=Path, metavar="DIR",
                   help="the new book's folder: made if missing, refused unless empty")


def run(args) -> int:
    from casebook.authoring import init
    written = init.create(args.dir)
    log.info("Created a new book project in %s (%d files; all text in it is 示例文本, "
             "example text to replace):", args.dir, len(written))
    for rel in written:
        log.info("  %s", rel.as_posix())
    book = str(args.dir)
    log.info("Next: casebook all --book %s   (builds the EPUB, PDF and HTML into %s)",
             book, Path(book) / "dist")
    return 0
