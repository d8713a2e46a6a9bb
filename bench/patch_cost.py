#!/usr/bin/env python3
"""What casebook's layout patches cost: the bench book's chunks laid out with fewer and fewer.

Usage: ``bench/patch_cost.py [--book DIR] [--runs N]``. Each variant runs in a process of its
own: it renders the bench book's fragments, warms up on one chunk, then lays out every chunk
of the print PDF once (layout only, ``document.render_document``: the painting does not
depend on the patches) and reports the CPU seconds, the pages, and how many pages WeasyPrint
made (page fill makes a short page again with another setting). The variants, each without
what the one before kept:

- ``shipped``: every patch, as a build lays out;
- ``no page fill``: fill.py off (a short page is not set again);
- ``no 单字成行``: lastline.py off too (a paragraph ending in one character is not set again);
- ``no composer``: none of weasy.typesetting's patches (grid, strut, line-end marks);
- ``no CJK justification``: justify.py's two wrappers put back to WeasyPrint's own.

The leader patch only runs on the table of contents; it was measured when it was written
(bench/RESULTS.md, sixth round).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import make_book
from make_book import ROOT

VARIANTS = ("shipped", "no page fill", "no 单字成行", "no composer", "no CJK justification")


def _switch_off(variant: str) -> None:
    """Turn off, in this process, the patches ``variant`` and the variants before it drop."""
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    from casebook.editions import weasy
    from casebook.editions.weasy import fill, justify, lastline
    weasy.install()
    drop = VARIANTS[1:VARIANTS.index(variant) + 1]
    if "no page fill" in drop:
        fill.activate = lambda on: None
    if "no 单字成行" in drop:
        lastline.activate = lambda on: None
    if "no composer" in drop:
        weasy.typesetting = lambda *args, **kwargs: contextlib.nullcontext()
    if "no CJK justification" in drop:
        inline.count_expandable_spaces = justify._installed["count_expandable_spaces"]
        line_break.Layout.set_text = justify._installed["set_text"]


def measure(book_dir: Path, variant: str) -> dict:
    """One variant, in this process: CPU seconds, pages, pages made."""
    from casebook.editions.pdf import chunks as pdf_chunks
    from casebook.editions.pdf import document as pdf
    from casebook.editions.pdf import plan as pdf_plan
    from casebook.editions.pdf.folios import CHUNK_STYLE
    from casebook.editions.weasy import fill
    from casebook.render import fragments as render
    from casebook.source import loader as source
    _switch_off(variant)
    book = source.load(book_dir).select(False)
    fragments = render.render_all(book, None)
    pdf.prepare(book)
    pdf_chunks.warm(book)
    html_of = pdf_chunks._Htmls(book, fragments)
    htmls = [html_of(chunk, {}) for chunk in pdf_plan.plan(book)]
    pdf.render_document(book, htmls[0], (CHUNK_STYLE,))  # the caches a worker builds first
    made = [0]
    real = fill._installed["make_page"]  # WeasyPrint's own, which fill.py calls for each try

    def counted(*args, **kwargs):
        made[0] += 1
        return real(*args, **kwargs)
    fill._installed["make_page"] = counted
    start, pages = time.process_time(), 0
    for html in htmls:
        pages += len(pdf.render_document(book, html, (CHUNK_STYLE,)).pages)
    return {"variant": variant, "cpu_s": time.process_time() - start, "pages": pages,
            "made": made[0]}


def _run(book: Path, variant: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--book", str(book), "--variant", variant],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


def table(results: dict[str, list[dict]]) -> str:
    lines = ["| variant | pages | pages made | layout CPU s (median) | ms a page | "
             "its patch costs, ms a page |", "|---|---:|---:|---:|---:|---:|"]
    per_page = {v: statistics.median(r["cpu_s"] for r in rs) / rs[0]["pages"] * 1000
                for v, rs in results.items()}
    for i, (variant, rs) in enumerate(results.items()):
        after = list(per_page.values())[i + 1] if i + 1 < len(per_page) else None
        cost = f"{per_page[variant] - after:.1f}" if after is not None else ""
        lines.append(f"| {variant} | {rs[0]['pages']} | {rs[0]['made']} | "
                     f"{statistics.median(r['cpu_s'] for r in rs):.2f} | "
                     f"{per_page[variant]:.1f} | {cost} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, help="a bench book already made")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(measure(args.book, args.variant), ensure_ascii=False))
        return
    book = args.book or make_book.make(ROOT / "bench" / "out" / "book")
    results = {v: [_run(book, v) for _ in range(args.runs)] for v in VARIANTS}
    print(table(results))


if __name__ == "__main__":
    main()
