"""`casebook check`: validate the whole book without building and list every problem."""

from __future__ import annotations

import logging
import sys

from casebook.cli.options import book_options

NAME = "check"
HELP = "validate the whole book and list every problem"
log = logging.getLogger("casebook")


def add_arguments(p) -> None:
    book_options(p, draft=False)  # every document is checked, pending ones too


def run(args) -> int:
    from casebook.check.book import check_book
    problems = check_book(args.book, args.encoding, draft=True)
    for problem in problems:
        print(problem, file=sys.stderr)
    log.info("%d problem(s) found", len(problems))
    return max((p.exit_code for p in problems), default=0)
