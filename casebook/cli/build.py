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
    book_options(p)
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
    options = Options(book_dir=args.book, out_dir=args.out or args.book / "dist",
                      editions=editions, draft=args.draft, cache=not args.no_cache,
                      encoding=args.encoding, extra={"embed_fonts": args.embed_fonts},
                      force=args.force, workers=max(0, args.jobs),
                      executor=args.executor)
    started = time.monotonic()
    written = build(options)
    for name, path in written.items():
        log.info("%-4s %s", name, path)
    editions = [name for name in written if name in EDITIONS]  # the cover is not one
    log.info("%d edition(s) ready in %.1f s", len(editions), time.monotonic() - started)
    return 0
