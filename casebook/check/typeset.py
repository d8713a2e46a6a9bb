"""The typeset audit: what a proofreader marks on the laid-out print PDF, each finding traced back.

``audit(pdf, book)`` reads the glyph positions of the print PDF (typeset_layout.py) and runs
the rules (typeset_rules.py). Each finding has a kind (findings.TYPESET), its PDF page, the
folio printed there, the source file and approximate line of the text it is about, a short
text and a box on the page (for the visual proof, typeset_proof.py). A book accepts the kinds
its layout does not pass yet by name, like the content warnings: ``verify: {accept: [...]}``.

Lines are attributed to paragraphs and documents through the named destinations casebook
writes for every block (``<doc>--b<n>``, typeset_layout.py). A PDF without any such id (one
from another engine, unless its blocks were given them, as bench/typst_peer.py gives Typst's)
cannot say where a paragraph or a document begins: the kinds that need to know
(``BY_BLOCK``) are then not applied, reported as ``n/a`` (``Report.not_applicable``) and
warned about, never counted as 0.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from casebook import model
from casebook.check import typeset_layout as layout
from casebook.check import typeset_rules as rules
from casebook.findings import TYPESET as KINDS
from casebook.geometry import Geometry

log = logging.getLogger(__name__)
SHOWN = 3  # findings a summary spells out
# kinds that need each line's paragraph or document: not applicable to a PDF without block ids
BY_BLOCK = ("lonely-lines", "short-page", "single-char-line", "split-mark")


@dataclass(frozen=True)
class Finding:
    kind: str
    page: int          # 1-based page of the PDF
    folio: str         # the page label printed on it
    source: str        # "path:line" of the text it is about, or "-"
    text: str
    box: layout.Box    # points from the trim's top-left corner

    def __str__(self) -> str:
        return f"{self.page} ({self.folio}) {self.source}: {self.kind}: {self.text}"


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    accepted: tuple[str, ...]   # the kinds book.yaml accepts
    pages: int
    body_lines: int
    not_applicable: tuple[str, ...] = ()  # kinds the PDF's lack of block ids rules out

    @property
    def unaccepted(self) -> list[Finding]:
        return [f for f in self.findings if f.kind not in self.accepted]

    def counts(self) -> dict[str, int]:
        """Findings per kind, in the order of findings.TYPESET; kinds with none left out."""
        found = Counter(f.kind for f in self.findings)
        return {kind: found[kind] for kind in KINDS if found[kind]}

    def summary(self) -> str:
        """One line: what is wrong and where first, or that nothing unaccepted was found."""
        counts = ", ".join(f"{k} {n}" for k, n in self.counts().items())
        bad = self.unaccepted
        if bad:
            kinds = Counter(f.kind for f in bad)
            more = f" (+{len(bad) - SHOWN} more)" if len(bad) > SHOWN else ""
            return (f"{len(bad)} finding(s) not accepted ("
                    + ", ".join(f"{k} {kinds[k]}" for k in KINDS if kinds[k]) + "): "
                    + "; ".join(map(str, bad[:SHOWN])) + more)
        accepted = f"; accepted in book.yaml: {counts}" if counts else ""
        unknown = (f"; n/a without block ids: {', '.join(self.not_applicable)}"
                   if self.not_applicable else "")
        return (f"0 findings not accepted in {self.pages} pages, {self.body_lines} body "
                f"lines{accepted}{unknown}")


def audit(pdf: Path, book: model.Book) -> Report:
    """Every finding on the print PDF of ``book``, in page order."""
    sheets = layout.read(Path(pdf))
    unknown = () if _has_block_ids(sheets) else BY_BLOCK
    if unknown:
        log.warning("%s: no block ids (named destinations <doc>--b<n>): %s not applied (n/a)",
                    pdf, ", ".join(unknown))
    block = text_block(book)
    pages = [rules.Page.of(sheet, block) for sheet in sheets]
    sources = Sources(book, [line for page in pages for line in (*page.flow, *page.notes)])
    found: list[Finding] = []
    for hit, sheet in _hits(pages, block):
        kind, line, text, box = hit
        if kind in unknown:
            continue
        found.append(Finding(kind, sheet.index + 1, sheet.label,
                             sources.locate(line) if line is not None else "-", text, box))
    order = {kind: i for i, kind in enumerate(KINDS)}
    found.sort(key=lambda f: (f.page, order[f.kind], f.box[1]))
    body = sum(len(page.body) for page in pages)
    log.info("Typeset audit: %d finding(s) on %d pages, %d body lines", len(found), len(pages),
             body)
    return Report(tuple(found), tuple(k for k in book.meta.accept if k in KINDS), len(pages),
                  body, unknown)


def _has_block_ids(sheets: list[layout.Sheet]) -> bool:
    """Whether the PDF names its blocks as casebook does (``<doc>--b<n>``)."""
    return any("--" in name for sheet in sheets for _, name in sheet.anchors)


def _hits(pages: list[rules.Page], block: rules.TextBlock):
    """Every rule's hits, each with the sheet it is on."""
    body = [line for page in pages for line in page.body]
    text = [line for page in pages for line in (*page.flow, *page.notes)]
    sheets = {page.sheet.index: page.sheet for page in pages}
    for hit in rules.single_char_lines(body):
        yield hit, sheets[hit[1].page]
    for hit in rules.marks(text):
        yield hit, sheets[hit[1].page]
    for page, after in zip(pages, [*pages[1:], None]):
        right = block.right(page.sheet)
        for hit in (*rules.lonely_lines(page, block), *rules.short_page(page, after, block),
                    *rules.pause_marks([*page.flow, *page.notes], right),
                    *rules.off_grid(page, block), *rules.colour(page)):
            yield hit, page.sheet


def text_block(book: model.Book) -> rules.TextBlock:
    """The book's text block and baseline grid; the body face's metrics place the baseline."""
    ascent, descent = body_metrics(book.meta.fonts.serif.cjk)
    return rules.TextBlock.of(Geometry.of(book.meta.print), ascent, descent)


@functools.lru_cache(maxsize=4)
def body_metrics(family: str) -> tuple[float, float]:
    """The body serif's (its CJK face's) hhea ascent and descent (positive) in em, as Pango
    reads them: the layout places every baseline with them (weasy/strut.py)."""
    from fontTools.ttLib import TTFont

    from casebook.render import fonts
    found = fonts.locate(family)
    font = TTFont(str(found.path), fontNumber=found.index, lazy=True)
    em = font["head"].unitsPerEm
    return font["hhea"].ascent / em, abs(font["hhea"].descent) / em


# -- source lines -----------------------------------------------------------------------------
_IGNORED = re.compile(r"[\s*_`#>\\]")


class Sources:
    """Where a laid-out line comes from: its element's document, its text found in the file."""

    def __init__(self, book: model.Book, lines: list[layout.Line]):
        self.docs = {doc.id: doc for doc in book.documents()}
        self.parts = {part.id: part for part in book.parts}
        self.book_file = book.root / "book.yaml"
        self.before = {id(b): a.text for a, b in itertools.pairwise(lines) if a.block == b.block}

    def locate(self, line: layout.Line) -> str:
        doc_id = line.document
        if doc_id in self.parts:
            part = self.parts[doc_id]
            return f"{part.source}:{part.line}"
        doc = self.docs.get(doc_id)
        if doc is None:  # the half title, the title and copyright pages, the TOC
            return f"{self.book_file}" if doc_id else "-"
        return f"{doc.source}:{self._line(doc, line) or doc.body_line}"

    def _line(self, doc: model.Document, line: layout.Line) -> int | None:
        text, where = _normalised(doc.source)
        own = _IGNORED.sub("", line.text)
        for needle, skip in _needles(own, _IGNORED.sub("", self.before.get(id(line), ""))):
            if len(needle) >= 2:
                at = text.find(needle)
                if at >= 0:
                    return where[min(at + skip, len(where) - 1)]
        return None


def _needles(text: str, before: str) -> list[tuple[str, int]]:
    """(needle, offset of the line) to look for, most telling first; a short line after the last."""
    tail = before[-10:]
    short = [(tail + text, len(tail)), (tail, len(tail))] if len(text) < 8 and tail else []
    return short + [(text, 0), (text[:8], 0), (text[-8:], 0), (text[:-1], 0), (text[1:], 0)]


@functools.lru_cache(maxsize=512)
def _normalised(path: Path) -> tuple[str, list[int]]:
    """A file's text without whitespace and Markdown marks, and each character's line."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "", []
    chars, where = [], []
    for number, text in enumerate(raw.splitlines(), start=1):
        for char in _IGNORED.sub("", text):
            chars.append(char)
            where.append(number)
    return "".join(chars), where
