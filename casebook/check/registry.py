"""The checks `verify` runs: each takes the built editions and returns a Result."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from casebook import model
from casebook.check import epub as epub_checks
from casebook.check import html as html_checks
from casebook.check import links, parity
from casebook.check import pdf as pdf_checks
from casebook.check import typeset as typeset_audit
from casebook.geometry import Geometry, cover_geometry, spine_width
from casebook.render import fonts

MAX_DETAILS = 3
PASS, FAIL, NA = "pass", "FAIL", "n/a"


@dataclass(frozen=True)
class Result:
    """What a check found: pass, FAIL, or n/a when there was nothing to check; and why."""

    state: str
    details: str

    @property
    def ok(self) -> bool:
        return self.state != FAIL

    @classmethod
    def of(cls, ok: bool, details: str) -> "Result":
        return cls(PASS if ok else FAIL, details)

    @classmethod
    def na(cls, reason: str) -> "Result":
        return cls(NA, reason)


@dataclass(frozen=True)
class Context:
    book: model.Book
    paths: dict[str, Path]
    sample: int | None
    work: Path
    only: tuple[Path, ...] = ()   # check just these pages (tests of a broken page)

    @property
    def site(self) -> Path:
        return self.paths["html"].parent

    def pages(self) -> list[Path]:
        """Every page of the site, or an evenly spread sample of N (index and a case first)."""
        if self.only:
            return list(self.only)
        pages = sorted(self.site.rglob("*.html"), key=lambda p: (p.name != "index.html", p))
        if not self.sample or self.sample >= len(pages):
            return pages
        step = len(pages) / self.sample
        return [pages[int(i * step)] for i in range(self.sample)]


def _summary(problems: list, clean: str) -> Result:
    if not problems:
        return Result(PASS, clean)
    more = f" (+{len(problems) - MAX_DETAILS} more)" if len(problems) > MAX_DETAILS else ""
    shown = "; ".join(map(str, problems[:MAX_DETAILS]))
    return Result(FAIL, f"{len(problems)} problem(s): {shown}{more}")


def epubcheck(ctx: Context) -> Result:
    result = parity.epubcheck(ctx.paths["epub"])
    problems = list(result.messages) if result.errors or result.warnings else []
    return _summary(problems, f"EPUBCheck {result.version}: 0 errors, 0 warnings")


def ace(ctx: Context) -> Result:
    result = epub_checks.ace(ctx.paths["epub"], ctx.work / "ace")
    return _summary(list(result.details), "Ace: 0 violations")


def vnu(ctx: Context) -> Result:
    pages = ctx.pages()
    if not pages:
        return _no_pages(ctx)
    return _summary(html_checks.vnu(pages), f"vnu: 0 errors on {len(pages)} page(s)")


def axe(ctx: Context) -> Result:
    from playwright.sync_api import sync_playwright
    pages, found = ctx.pages(), []
    if not pages:
        return _no_pages(ctx)
    with html_checks.serve(ctx.site) as base, sync_playwright() as p:
        browser = html_checks.launch_chromium(p)
        page = browser.new_page()
        for path in pages:
            page.goto(base + path.relative_to(ctx.site).as_posix())
            found += html_checks.axe(page)
        browser.close()
    return _summary(found, f"axe: 0 violations on {len(pages)} page(s)")


def _no_pages(ctx: Context) -> Result:
    return Result.na(f"no HTML pages to check in {ctx.site}")


def _geometry(ctx: Context):
    return Geometry.of(ctx.book.meta.print)


def preflight(ctx: Context) -> Result:
    problems = pdf_checks.print_preflight(ctx.paths["pdf"], _geometry(ctx), ctx.book.meta.fonts)
    return _summary(problems, "fonts embedded+subset, boxes, PDF/X-4 output intent, qpdf clean")


def cover(ctx: Context) -> Result:
    """The cover spread: the interior's preflight, and a spine as thick as the interior."""
    import pikepdf
    with pikepdf.open(ctx.paths["pdf"]) as interior:
        pages = len(interior.pages)
    geometry = cover_geometry(ctx.book.meta, pages)
    problems = pdf_checks.print_preflight(ctx.paths["cover"], geometry)
    spine = spine_width(ctx.book.meta.print, pages)
    return _summary(problems, f"spine {spine:.2f} mm for {pages} pages; fonts embedded, "
                              "boxes, PDF/X-4 output intent, qpdf clean")


def screen(ctx: Context) -> Result:
    problems = pdf_checks.screen_preflight(ctx.paths["screen"], _geometry(ctx),
                                           ctx.book.meta.fonts)
    return _summary(problems, "PDF/UA-1 identified and tagged, links described")


def bookmarks(ctx: Context) -> Result:
    got, want = parity.pdf_outline(ctx.paths["pdf"]), parity.book_toc(ctx.book)
    if not got and not want:
        return Result.na("the book's TOC is empty and the PDF has no bookmarks")
    return _summary(_toc_diff("PDF outline", got, want), f"{len(want)} bookmarks = TOC")


def _toc_diff(name: str, got: list, want: list) -> list[str]:
    if got == want:
        return []
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return [f"{name} entry {i + 1} is {g}, book.yaml has {w}"]
    return [f"{name} has {len(got)} entries, book.yaml {len(want)}"]


def toc_parity(ctx: Context) -> Result:
    want, epub = parity.book_toc(ctx.book), ctx.paths["epub"]
    if not want:
        return Result.na("the book's TOC is empty: no entries to compare")
    sources = {"EPUB nav": parity.epub_nav_toc(epub), "EPUB NCX": parity.epub_ncx_toc(epub),
               "PDF outline": parity.pdf_outline(ctx.paths["pdf"]),
               "PDF printed TOC": parity.pdf_printed_toc(ctx.paths["pdf"], ctx.book),
               "HTML index": parity.html_index_toc(ctx.paths["html"])}
    problems = [p for name, got in sources.items() for p in _toc_diff(name, got, want)]
    problems += _targets(ctx)
    return _summary(problems, f"{len(want)} entries identical in 6 places; every entry "
                              "leads to its own title")


def _targets(ctx: Context) -> list[str]:
    """Every TOC entry's target shows its title: EPUB nav, HTML index and PDF outline."""
    problems = []
    with zipfile.ZipFile(ctx.paths["epub"]) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        for a in nav.xpath("//x:nav[@ops:type='toc']//x:a", namespaces=parity.NS):
            name, _, frag = ("EPUB/" + a.get("href")).partition("#")
            text = parity.squeeze("".join(etree.fromstring(z.read(name)).itertext()))
            if parity.squeeze("".join(a.itertext())).split("（")[0] not in text:
                problems.append(f"EPUB nav entry {a.get('href')} does not show its title")
    for a in lxml_html.parse(str(ctx.paths["html"])).xpath("//nav[@id='toc']//a"):
        page = lxml_html.parse(str(ctx.site / a.get("href")))
        if a.text_content().split("（")[0].strip() not in page.xpath("string(//h1)"):
            problems.append(f"HTML index entry {a.get('href')} leads to another page")
    for level, title, page in pdf_checks.outline_targets(ctx.paths["pdf"]):
        text = parity.squeeze(parity.pdf_text(ctx.paths["pdf"], page, page))
        if parity.squeeze(title).split("（")[0] not in text:
            problems.append(f"PDF bookmark '{title}' points to page {page}, without its title")
    return problems


NO_PREFACE = ("the book has no preface (no front matter of type preface, or titled "
              "序言, 序, 前言 or 代序 without a type)")


def preface_parity(ctx: Context) -> Result:
    preface = ctx.book.preface()
    if preface is None:
        return Result.na(NO_PREFACE)
    texts = {"EPUB": parity.epub_document_text(ctx.paths["epub"], preface.id),
             "PDF": parity.pdf_document_text(ctx.paths["pdf"], ctx.book, preface.id),
             "HTML": parity.html_document_text(
                 ctx.site / "front" / f"{preface.source.stem}.html", preface.id)}
    norm = {k: parity.normalise(v) for k, v in texts.items()}
    problems = [f"{k} differs from EPUB" for k in ("PDF", "HTML") if norm[k] != norm["EPUB"]]
    if not problems and not norm["EPUB"]:
        return Result.na(f"the preface {preface.source} has no text in any edition")
    return _summary(problems, f"{len(norm['EPUB'])} characters identical in 3 editions")


def epub_links(ctx: Context) -> Result:
    count, problems = links.epub_links(ctx.paths["epub"])
    if not count:
        return Result.na("the EPUB has no internal links")
    return _summary(problems, f"{count} internal links, every one resolves")


def html_links(ctx: Context) -> Result:
    count, problems = links.html_links(ctx.site)
    if not count:
        return Result.na("the site has no internal links")
    return _summary(problems, f"{count} internal links, every one resolves")


def pdf_links(ctx: Context) -> Result:
    """The screen PDF carries the live links (PDF/X forbids them in the print PDF)."""
    count = links.pdf_link_count(ctx.paths["screen"])
    if not count and not ctx.book.toc():
        return Result.na("the book's TOC is empty and the screen PDF has no links")
    problems = links.pdf_link_problems(ctx.paths["screen"])
    if not count:
        problems.append("the screen PDF has no links at all (its TOC should link)")
    return _summary(problems, f"{count} links in the screen PDF, each with a destination")


def page_list(ctx: Context) -> Result:
    entries = epub_checks.page_list(ctx.paths["epub"])
    labels = pdf_checks.page_labels(ctx.paths["pdf"])
    problems = [f"page-list entry '{label}' is not a page of the PDF"
                for label, _ in entries if label not in labels]
    if not entries:
        problems.append("the EPUB has no page-list")
    if len(entries) > len(labels):
        problems.append(f"{len(entries)} page-list entries for {len(labels)} PDF pages")
    order = [labels.index(label) for label, _ in entries if label in labels]
    if order != sorted(order):
        problems.append("page-list entries are out of the PDF's order")
    return _summary(problems, f"{len(entries)} entries for {len(labels)} PDF pages")


def kinsoku(ctx: Context) -> Result:
    lines = pdf_checks.line_boxes(ctx.paths["pdf"])
    if not lines:
        return Result.na("the PDF has no lines of text")
    found = pdf_checks.kinsoku_lines(lines)
    led = pdf_checks.after_drawing(ctx.paths["pdf"], [f for f in found if f.text[0] in
                                                      pdf_checks.LINE_START_FORBIDDEN])
    found = [line for line in found if line not in led or line.text[-1] in
             pdf_checks.LINE_END_FORBIDDEN]
    return _summary([f"page {line.page}: {line.text!r}" for line in found],
                    f"0 避头尾 violations in {len(lines)} lines")


def typeset(ctx: Context) -> Result:
    """The typeset audit (check/typeset.py): every finding of a kind book.yaml does not accept."""
    report = typeset_audit.audit(ctx.paths["pdf"], ctx.book)
    if not report.body_lines:
        return Result.na("the print PDF has no body text")
    return Result.of(not report.unaccepted, report.summary())


def glyphs(ctx: Context) -> Result:
    fonts.check_glyphs(ctx.book)
    return _summary(pdf_checks.font_problems(ctx.paths["pdf"], ctx.book.meta.fonts),
                    "0 missing glyphs; only the declared fonts embedded")


CHECKS = [
    ("epubcheck", "epub", epubcheck), ("ace", "epub", ace),
    ("vnu", "html", vnu), ("axe", "html", axe),
    ("preflight", "pdf", preflight), ("preflight", "cover pdf", cover),
    ("bookmarks", "pdf", bookmarks),
    ("pdf/ua", "screen pdf", screen),
    ("toc-parity", "all", toc_parity), ("preface-parity", "all", preface_parity),
    ("links", "epub", epub_links), ("links", "html", html_links), ("links", "screen pdf", pdf_links),
    ("page-list", "epub+pdf", page_list), ("kinsoku", "pdf", kinsoku),
    ("typeset", "pdf", typeset),
    ("glyphs", "pdf", glyphs),
]
