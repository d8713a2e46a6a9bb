"""`casebook [all|epub|pdf|html]`: build every edition, or one, into --out."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from casebook.cli.options import book_options
from casebook.editions import NAMES as EDITIONS

NAMES = ("all", *EDITIONS)
HELP = {"all": "build all editions (the default command)",
        **{name: f"build the {name.upper()} edition" for name in EDITIONS}}
log = logging.getLogger("casebook")


def add_arguments(p) -> None:
    book_options(p, many=True)
    p.add_argument("--books", type=Path, metavar="FILE",
                   help="build the books a YAML file lists under 'books:' (folders relative "
                        "to the file), with those of --book, through one set of workers")
    p.add_argument("--books-at-once", type=int, default=2, metavar="N",
                   help="with several books: how many are in progress at a time, their jobs "
                        "interleaved on the workers (default: 2)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="where the editions go (default: DIR/dist)")
    p.add_argument("--no-cache", action="store_true",
                   help="render every document afresh instead of reusing the pandoc cache")
    p.add_argument("--embed-fonts", action="store_true",
                   help="embed subset CJK fonts in the EPUB (also book.yaml epub.embed_fonts)")
    p.add_argument("--force", action="store_true",
                   help="build even when nothing changed since the last build into --out")
    p.add_argument("-j", "--jobs", type=int, default=2, metavar="N",
                   help="worker processes for the PDF's chunks and the EPUB and HTML "
                        "editions (default: 2; 0: all in the main process)")
    p.add_argument("--executor", metavar="MODULE:FACTORY",
                   help="run those jobs on the concurrent.futures Executor that "
                        "FACTORY(max_workers=N) returns, e.g. a Dask or Ray cluster's")


def run(args) -> int:
    from casebook.build.pipeline import Options, build
    editions = tuple(EDITIONS) if args.command == "all" else (args.command,)
    books = _books(args)
    options = [Options(book_dir=book, out_dir=args.out or book / "dist",
                       editions=editions, draft=args.draft, cache=not args.no_cache,
                       encoding=args.encoding, extra={"embed_fonts": args.embed_fonts},
                       force=args.force, workers=max(0, args.jobs),
                       executor=args.executor) for book in books]
    started = time.monotonic()
    if len(options) > 1:
        return _run_many(options, args.books_at_once, started)
    written = build(options[0])
    for name, path in written.items():
        log.info("%-4s %s", name, path)
    editions = [name for name in written if name in EDITIONS]  # the cover is not one
    log.info("%d edition(s) ready in %.1f s", len(editions), time.monotonic() - started)
    return 0


def _books(args) -> list[Path]:
    """The book folders to build: each --book, then those the --books file lists."""
    books = list(args.book or [])
    if args.books is not None:
        from casebook.build.many import read_list
        books += read_list(args.books)
    books = books or [Path(".")]
    if len(books) > 1 and args.out is not None:
        from casebook.errors import CasebookError
        raise CasebookError("--out names one folder: with several books, leave it off and "
                            "each book is built into its own DIR/dist")
    return books


def _run_many(options, at_once: int, started: float) -> int:
    """Several books through one set of workers: each book's failure said with its folder."""
    from casebook.build.many import build_many
    outcomes = build_many(options, at_once)
    failed = [o for o in outcomes if o.error is not None]
    for outcome in outcomes:
        if outcome.written is not None:
            log.info("%s: %s", outcome.book_dir, ", ".join(
                str(path) for name, path in outcome.written.items() if name in EDITIONS))
    log.info("%d of %d books built in %.1f s", len(outcomes) - len(failed), len(outcomes),
             time.monotonic() - started)
    if failed:
        log.error("not built: %s", ", ".join(str(o.book_dir) for o in failed))
        return max(o.error.exit_code for o in failed)
    return 0
