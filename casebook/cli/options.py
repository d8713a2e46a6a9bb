"""Arguments several commands share: --book, --encoding, --draft, -v/-q."""

from __future__ import annotations

import argparse
from pathlib import Path


def common(p: argparse.ArgumentParser) -> None:
    """-v and -q, on every command."""
    level = p.add_mutually_exclusive_group()
    level.add_argument("-v", "--verbose", action="store_true", help="show debug messages")
    level.add_argument("-q", "--quiet", action="store_true", help="show only warnings and errors")


def book_options(p: argparse.ArgumentParser, *, encoding: bool = True,
                 draft: bool = True, many: bool = False) -> None:
    """--book (given again for more books if ``many``: a list, None when not given), and
    unless turned off --encoding and --draft."""
    if many:
        p.add_argument("--book", type=Path, action="append", default=None, metavar="DIR",
                       help="the book project: a directory holding book.yaml (default: .); "
                            "give it again to build several books")
    else:
        p.add_argument("--book", type=Path, default=Path("."), metavar="DIR",
                       help="the book project: a directory holding book.yaml (default: .)")
    if encoding:
        p.add_argument("--encoding", metavar="NAME", default=None,
                       help="read sources that are not UTF-8 in this encoding (e.g. gb18030)")
    if draft:
        p.add_argument("--draft", action="store_true",
                       help="include 'status: pending' documents, marked 稿件待补")
