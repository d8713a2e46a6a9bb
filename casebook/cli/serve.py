"""`build.py serve [--port 8000] [--pdf]`: live preview of the HTML edition while editing."""

from __future__ import annotations

from pathlib import Path

NAME = "serve"
HELP = "serve the HTML edition on 127.0.0.1, rebuild on every change, reload the open page"


def add_arguments(p) -> None:
    from casebook.cli.options import book_options
    book_options(p)
    p.add_argument("--port", type=int, default=8000, metavar="PORT",
                   help="the port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    p.add_argument("--pdf", action="store_true",
                   help="also rebuild the PDF on every change, for proofing")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="where the preview editions go (default: DIR/.casebook-preview)")


def run(args) -> int:
    from casebook.authoring import serve
    options = serve.ServeOptions(book_dir=args.book, port=args.port, pdf=args.pdf,
                                 draft=args.draft, encoding=args.encoding, out_dir=args.out)
    serve.serve(options)
    return 0
