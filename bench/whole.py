#!/usr/bin/env python3
"""The second floor: the book's own HTML and CSS laid out as one WeasyPrint document.

``prepare BOOK HTML``: render the book's fragments and write the HTML the print PDF is laid
out from, the whole book as one document, whose folios and page references WeasyPrint
counts itself (not measured). ``lay-out BOOK HTML PDF``: in one process, lay that HTML out
with the book's stylesheets and casebook's WeasyPrint patches and paint it (measured): what
the chunked layout, on the workers, is there to beat.
"""

from __future__ import annotations

import sys
from pathlib import Path

import make_book  # noqa: F401  (puts the project on sys.path)


def prepare(book_dir: Path, html: Path) -> None:
    from casebook.clock import build_time
    from casebook.editions.pdf import document as pdf
    from casebook.editions.pdf import plan as pdf_plan
    from casebook.render import fragments as render
    from casebook.source import loader as source
    book = source.load(book_dir).select(False)
    fragments = render.render_all(book, None)
    html.write_text(pdf.book_html(book, fragments, pdf_plan.whole(book), None,
                                  build_time().isoformat()), encoding="utf-8")


def lay_out(book_dir: Path, html: Path, out: Path) -> None:
    from casebook.editions.pdf import chunks
    from casebook.editions.pdf import document as pdf
    from casebook.source import loader as source
    book = source.load(book_dir).select(False)
    pdf.prepare(book, glyphs=False)
    out.write_bytes(chunks.lay_out_whole(book, html.read_text(encoding="utf-8")).pdf)


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        lay_out(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
