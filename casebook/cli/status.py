"""`build.py status [--json FILE]`: manuscript progress per part and per case."""

from __future__ import annotations

import sys
from pathlib import Path

NAME = "status"
HELP = "show cases received and pending per part, case lengths and estimated PDF pages"


def add_arguments(p) -> None:
    from casebook.cli.options import book_options
    book_options(p, draft=False)
    p.add_argument("--json", metavar="FILE", default=None,
                   help="write the report as JSON to FILE instead of the table ('-': stdout)")


def run(args) -> int:
    from casebook.authoring import status
    from casebook.source import loader as source
    report = status.status(source.load(args.book, args.encoding))
    if args.json == "-":
        sys.stdout.write(status.dumps(report))
    elif args.json:
        Path(args.json).write_text(status.dumps(report), encoding="utf-8")
    else:
        print(status.table(report))
    return 0
