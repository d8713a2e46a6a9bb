"""`casebook fix-encoding FILE...`: rewrite GB18030/GBK sources as UTF-8, keeping a backup."""

from __future__ import annotations

import logging
from pathlib import Path

NAME = "fix-encoding"
HELP = "rewrite GB18030/GBK files as UTF-8 (keeps .orig)"
log = logging.getLogger("casebook")


def add_arguments(p) -> None:
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--from", dest="source_encoding", default="gb18030", metavar="NAME",
                   help="the files' current encoding (default: gb18030)")


def run(args) -> int:
    from casebook.source import encoding
    changed = sum(encoding.fix(path, args.source_encoding) for path in args.files)
    log.info("%d file(s) converted to UTF-8", changed)
    return 0
