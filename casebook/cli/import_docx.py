"""`build.py import manuscript.docx [--part N]`: Word manuscript → case files in book.yaml."""

from __future__ import annotations

from pathlib import Path

NAME = "import"
HELP = "turn a Word manuscript (.docx) into case files, split at Heading 1, added to part N"


def add_arguments(p) -> None:
    p.add_argument("docx", type=Path, metavar="MANUSCRIPT", help="the .docx file to import")
    p.add_argument("--part", type=int, default=None, metavar="N",
                   help="the part (1-based) the cases go into (default: the last part)")
    from casebook.cli.options import book_options
    book_options(p, encoding=False, draft=False)


def run(args) -> int:
    from casebook.authoring import docx_import
    docx_import.import_docx(args.docx, args.book, args.part)
    return 0
