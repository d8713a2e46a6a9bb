"""Manuscript progress: cases received and pending per part, length against the original, PDF pages.

Calibration (measured on the real book, case 1 外资银行金融机构党建工作探索):

- the original prints 640 characters a page: 2,560 characters over print pages 3–6;
- this book's PDF holds about 1,000 characters on a full body page (1,003 on case 1's second page),
  and every case starts on a new page, so case 1 takes ceil(2560 / 1000) = 3 pages, as built.

A received case whose characters per original page fall outside 0.5×–1.5× of 640 is flagged
``short`` or ``long``: its text may be incomplete, or may have swallowed the next case.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import asdict, dataclass

from casebook.model import Book, Case, Document

ORIGINAL_CHARS_PER_PAGE = 640
PDF_CHARS_PER_PAGE = 1000
PART_OPENING_PAGES = 2  # a part's title page and the blank page after it, in the built PDF
SHORT, LONG = 0.5, 1.5

_MARKUP = [re.compile(p, re.M) for p in (
    r"^[ ]{0,3}:{3,}.*$",            # fenced div lines
    r"^[ ]{0,3}#{1,6}[ \t]*",         # heading markers
    r"\{[^{}\n]*\}",                  # attributes
    r"!\[[^\]\n]*\]\([^)\n]*\)",      # images
    r"\]\([^)\n]*\)",                 # link targets
    r"\[\^[^\]\n]+\]:?",              # footnote markers
    r"[*_`\\>|\[\]]",                 # emphasis, code, escapes, quotes, tables, links
)]


@dataclass(frozen=True)
class CaseRow:
    number: int
    title: str
    part: int
    source: str
    status: str               # "received" or "pending"
    chars: int
    print_page: int | None
    span: int | None          # pages in the original, up to the next document's print_page
    span_crosses_part: bool   # the span also holds the next part's opening pages
    chars_per_page: float | None
    ratio: float | None       # chars_per_page / ORIGINAL_CHARS_PER_PAGE
    flag: str                 # "", "short", "long", or "no span" for a received case
    pdf_pages: int | None     # estimated pages in the built PDF


@dataclass(frozen=True)
class PartRow:
    number: int
    title: str
    received: int
    pending: int
    chars: int
    pdf_pages: int


@dataclass(frozen=True)
class Status:
    slug: str
    parts: tuple[PartRow, ...]
    cases: tuple[CaseRow, ...]
    matter_pdf_pages: int     # front and back matter from the sources (not the generated pages)

    @property
    def received(self) -> int:
        return sum(p.received for p in self.parts)

    @property
    def pending(self) -> int:
        return sum(p.pending for p in self.parts)

    @property
    def pdf_pages(self) -> int:
        return self.matter_pdf_pages + sum(p.pdf_pages for p in self.parts)


def count_chars(markdown: str) -> int:
    """Characters a reader sees (whitespace and Markdown markup not counted), as in 字数."""
    for pattern in _MARKUP:
        markdown = pattern.sub("", markdown)
    return len(re.sub(r"\s", "", markdown))


def _next_pages(book: Book) -> dict[str, int]:
    """For each document, the print_page of the next document after it that has one."""
    docs = [d for d in book.documents() if d.print_page is not None]
    return {d.id: nxt.print_page for d, nxt in zip(docs, docs[1:])}


def _estimate(doc: Document, chars: int, span: int | None) -> int | None:
    if not doc.pending:
        return max(1, math.ceil(chars / PDF_CHARS_PER_PAGE))
    if span is None:
        return None
    return max(1, math.ceil(span * ORIGINAL_CHARS_PER_PAGE / PDF_CHARS_PER_PAGE))


def _case_row(book: Book, case: Case, nexts: dict[str, int], part_ends: set[str]) -> CaseRow:
    chars = count_chars(case.body)
    nxt = nexts.get(case.id)
    span = nxt - case.print_page if nxt is not None and case.print_page is not None else None
    density = ratio = None
    flag = ""
    if not case.pending:
        if span and span > 0:
            density = chars / span
            ratio = density / ORIGINAL_CHARS_PER_PAGE
            flag = "short" if ratio < SHORT else "long" if ratio > LONG else ""
        else:
            flag = "no span"
    return CaseRow(case.number, case.title, book.part_of(case).number, str(case.source),
                   "pending" if case.pending else "received", chars, case.print_page, span,
                   case.id in part_ends and span is not None, density, ratio, flag,
                   _estimate(case, chars, span))


def status(book: Book) -> Status:
    """The progress of a loaded book (load it with every document, pending ones included)."""
    nexts = _next_pages(book)
    part_ends = {p.cases[-1].id for p in book.parts[:-1] if p.cases}
    rows = tuple(_case_row(book, c, nexts, part_ends) for c in book.cases())
    parts = tuple(_part_row(p.number, p.title, [r for r in rows if r.part == p.number])
                  for p in book.parts)
    matter = 0
    for doc in (*book.front, *book.back):
        span = nexts.get(doc.id) - doc.print_page if doc.id in nexts and doc.print_page else None
        matter += _estimate(doc, count_chars(doc.body), span) or 1
    return Status(book.meta.slug, parts, rows, matter)


def _part_row(number: int, title: str, rows: list[CaseRow]) -> PartRow:
    received = [r for r in rows if r.status == "received"]
    return PartRow(number, title, len(received), len(rows) - len(received),
                   sum(r.chars for r in received),
                   PART_OPENING_PAGES + sum(r.pdf_pages or 1 for r in rows))


def as_json(st: Status) -> dict:
    """The status as plain data, with the calibration it used."""
    return {
        "book": st.slug,
        "calibration": {"original_chars_per_page": ORIGINAL_CHARS_PER_PAGE,
                        "pdf_chars_per_page": PDF_CHARS_PER_PAGE,
                        "part_opening_pages": PART_OPENING_PAGES,
                        "short_below": SHORT, "long_above": LONG},
        "totals": {"cases": len(st.cases), "received": st.received, "pending": st.pending,
                   "chars": sum(p.chars for p in st.parts), "pdf_pages": st.pdf_pages,
                   "matter_pdf_pages": st.matter_pdf_pages},
        "parts": [asdict(p) for p in st.parts],
        "cases": [asdict(c) for c in st.cases],
    }


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    while _width(text) > width:
        text = text[:-2] + "…"
    return text + " " * (width - _width(text))


def _grid(header: tuple, rows: list[tuple], widths: tuple) -> list[str]:
    lines = ["  ".join(_fit(str(h), w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_fit(str(c), w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return lines


def table(st: Status) -> str:
    """The terminal report: one line per part, then one per received case, then the totals."""
    parts = [(p.number, p.title, p.received, p.pending, p.chars, p.pdf_pages) for p in st.parts]
    lines = _grid(("part", "title", "received", "pending", "chars", "est. PDF pages"),
                  parts, (4, 28, 8, 7, 7, 14))
    received = [c for c in st.cases if c.status == "received"]
    rows = [(c.number, c.title, c.part, c.chars, _pages(c), c.span or "?",
             f"{c.chars_per_page:.0f}" if c.chars_per_page else "?",
             f"{c.ratio:.2f}" if c.ratio else "?", c.flag or "ok", c.pdf_pages)
            for c in received]
    lines += ["", f"received cases (original: {ORIGINAL_CHARS_PER_PAGE} chars/page; flagged "
                  f"outside {SHORT}×–{LONG}×)"]
    lines += _grid(("no.", "case", "part", "chars", "print pages", "span", "chars/page",
                    "ratio", "flag", "est. PDF pages"), rows, (4, 28, 4, 6, 11, 4, 10, 5, 7, 14))
    if any(c.span_crosses_part for c in received):
        lines.append("* the span also holds the next part's opening pages")
    lines += ["", f"{len(st.cases)} cases: {st.received} received, {st.pending} pending, in "
                  f"{len(st.parts)} parts; estimated PDF pages: {st.pdf_pages} (parts, cases, "
                  f"front and back matter; not the title, copyright and contents pages)"]
    return "\n".join(lines)


def _pages(c: CaseRow) -> str:
    if c.print_page is None:
        return "?"
    if not c.span:
        return str(c.print_page)
    return f"{c.print_page}–{c.print_page + c.span - 1}" + ("*" if c.span_crosses_part else "")


def dumps(st: Status) -> str:
    """The JSON report as text."""
    return json.dumps(as_json(st), ensure_ascii=False, indent=2) + "\n"
