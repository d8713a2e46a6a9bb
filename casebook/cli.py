"""The command line: parse arguments, configure logging, call the library, print errors."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from .build import Options, build
from .editions import EDITIONS
from .errors import CasebookError

log = logging.getLogger("casebook")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py",
                                description="Build the EPUB, PDF and HTML editions of a book.")
    p.add_argument("target", nargs="?", default="all", choices=["all", *EDITIONS],
                   help="which edition to build (default: all)")
    p.add_argument("--book", type=Path, default=Path("."), metavar="DIR",
                   help="the book project: a directory holding book.yaml (default: .)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="where the editions go (default: DIR/dist)")
    p.add_argument("--draft", action="store_true",
                   help="include 'status: pending' documents, marked 稿件待补")
    p.add_argument("--no-cache", action="store_true",
                   help="render every document afresh instead of reusing the pandoc cache")
    level = p.add_mutually_exclusive_group()
    level.add_argument("-v", "--verbose", action="store_true", help="show debug messages")
    level.add_argument("-q", "--quiet", action="store_true", help="show only warnings and errors")
    return p


def setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    log.setLevel(level)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.levelno >= logging.ERROR:
            return f"error: {text}"
        if record.levelno >= logging.WARNING:
            return f"warning: {text}"
        return text


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging(args.verbose, args.quiet)
    editions = tuple(EDITIONS) if args.target == "all" else (args.target,)
    options = Options(book_dir=args.book, out_dir=args.out or args.book / "dist",
                      editions=editions, draft=args.draft, cache=not args.no_cache)
    started = time.monotonic()
    try:
        written = build(options)
    except CasebookError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; dist/ was left as it was", file=sys.stderr)
        return 130
    for name, path in written.items():
        log.info("%-4s %s", name, path)
    log.info("Built %d edition(s) in %.1f s", len(written), time.monotonic() - started)
    return 0
