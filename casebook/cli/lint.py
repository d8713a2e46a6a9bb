"""`build.py lint [--fix] [FILE...]`: the Chinese copy lint over the book's Markdown."""

from __future__ import annotations

import logging
from pathlib import Path

NAME = "lint"
HELP = "check the Chinese copy (punctuation, quotes, spaces, digits); --fix applies safe fixes"
log = logging.getLogger("casebook")


def add_arguments(p) -> None:
    p.add_argument("files", nargs="*", type=Path, metavar="FILE",
                   help="lint only these Markdown files (default: every source of the book)")
    from casebook.cli.options import book_options
    book_options(p, draft=False)
    p.add_argument("--fix", action="store_true",
                   help="apply the safe fixes, rewriting files atomically; report the rest")


def run(args) -> int:
    from casebook.authoring.lint import lint_book
    report = lint_book(args.book, args.files or None, fix=args.fix, encoding=args.encoding)
    for finding in report.findings:
        print(finding)
    if args.fix:
        log.info("%d fix(es) applied in %d file(s)", report.fixed, len(report.fixed_files))
    log.info("%d finding(s) in %d file(s)", len(report.findings), report.files)
    return 1 if report.findings else 0
