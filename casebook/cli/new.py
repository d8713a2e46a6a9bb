"""`build.py new "标题" --part N [--unit 单位]`: start a case file and list it in book.yaml."""

from __future__ import annotations

NAME = "new"
HELP = "create a pending case file from the template and add it to the end of part N"


def add_arguments(p) -> None:
    p.add_argument("title", metavar="TITLE", help="the case's title (Chinese)")
    p.add_argument("--part", type=int, required=True, metavar="N",
                   help="the part (1-based, as listed in book.yaml) the case goes into")
    p.add_argument("--unit", default="", metavar="UNIT", help="the contributing organisation")
    from casebook.cli.options import book_options
    book_options(p, encoding=False, draft=False)


def run(args) -> int:
    from casebook.authoring import newcase
    newcase.create(args.book, args.title, args.part, args.unit)
    return 0
