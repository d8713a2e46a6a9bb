"""The print PDF laid out in chunks, in parallel, each reused while its HTML is unchanged.

Each chunk (pdf_plan.py) is laid out and painted on its own by a worker, through the
standard ``concurrent.futures`` Executor interface. A chunk's folios are drawn invisibly
(styles/pdf-chunk.css) and stamped on the merged PDF from a folio sheet (pdf_folios.py),
so a chunk's pages do not depend on where it lands; page references across chunks (TOC,
cross-references, indexes) print folios given as data. Those folios come from the merged
PageMap, so the layout repeats until no chunk's HTML changes: a clean build lays the TOC
and the indexes out twice, an edit lays out the chunks it changed. While chunks lay out,
this process copies those done into the merge (pdf_merge.Ahead). Chunks are cached in
``.casebook-cache/pdf/`` by their HTML, stylesheets, code, tools and fonts (pdf_store.py).
A short book (``pdf_plan.WHOLE_BELOW``) is one document, laid out by one worker, and
cached the same way.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from casebook import model
from casebook.clock import build_time
from casebook.editions import weasy
from casebook.editions.common import PAINTED_AT, set_dates, toc_tree
from casebook.editions.pdf import document as pdf
from casebook.editions.pdf import folios as pdf_folios
from casebook.editions.pdf import plan as pdf_plan
from casebook.editions.pdf import sheets as pdf_sheets
from casebook.editions.pdf.folios import CHUNK_STYLE
from casebook.editions.pdf.store import Laid, Store
from casebook.editions.weasy import pages as weasy_pages
from casebook.editions.weasy import progress as pdf_progress
from casebook.errors import RenderError
from casebook.pagemap import PageMap
from casebook.progress import bar as progress_bar
from casebook.render import fonts
from casebook.render.fragments import Fragments

log = logging.getLogger(__name__)
MAX_ROUNDS = 5
HOLD_CHUNKS = 64  # a merge of this many chunks or fewer keeps them all open until it is saved
CHUNK_CREATED = PAINTED_AT  # the merged PDF gets the build's own dates (set_dates)
PLACEHOLDER = "0"  # the folio of a page reference before the first round has placed it
_HREF = re.compile(r'href="#([^"]+)"')


def lay_out(book: model.Book, fragments: Fragments, pool: Executor,
            cache_dir: Path | None = None, settled=None, laid_out=None,
            limit: int | None = None) -> pdf.Layout:
    """Lay out and paint the book chunk by chunk on ``pool``; merge into one painted Layout.

    ``settled(pagemap)`` is called once the PageMap is final and the pool has no more
    layout work, before the merge: work that needs only the pages (the EPUB's page-list,
    the cover's spine) can start then. ``laid_out(placed, fonts_dir)`` is called once the
    layout has settled, with each chunk as ``Placed`` and the folder of kept font subsets (the
    preview shows the pages an edit changed from there, early.pages_pdf, before the merged
    PDF is written). ``limit``: the characters of a chunk (pdf_plan.plan).
    """
    settled = settled or (lambda pagemap: None)
    plan = pdf_plan.plan(book, limit)
    pdf.prepare(book, glyphs=len(plan) == 1)  # a chunked book's while its chunks lay out
    store = Store(book, cache_dir)
    if len(plan) == 1:
        layout = _whole(book, fragments, pool, store)
        settled(layout.pagemap)
        return layout
    sheets = pdf_sheets.Sheets(book, store.base, store.dir / "folios" if store.dir else None)
    folios, versos = store.last()
    chunks = [chunk.on(left=chunk.name in versos) for chunk in plan]
    html_of = _Htmls(book, fragments)
    with _ahead(len(chunks)) as ahead:  # the chunks' HTML: _rounds lets it go when settled
        chunks, pagemap, painted = _rounds(book, (html_of, folios), chunks,
                                           [html_of(c, folios) for c in chunks], pool,
                                           store, sheets, ahead, (settled, laid_out))
    store.memory.clear()
    pdf.give_back_memory()
    store.keep(pagemap.labels(), [c.name for c in chunks if c.start_left])
    return pdf.Layout(pagemap, painted, paginated=True)


def _rounds(book, text, chunks, htmls, pool, store, sheets, ahead, calls):
    """Lay out in rounds until every chunk prints the folios it shows; merge. Returns the
    chunks as placed, the PageMap and the merged PDF. ``calls``: lay_out's ``settled`` and
    ``laid_out``."""
    html_of, folios = text
    settled, laid_out = calls
    meanwhile = lambda: _meanwhile(book, store)  # noqa: E731
    for round_ in range(1, MAX_ROUNDS + 1):
        chunks, htmls, laid = _lay_out_all(book, (html_of, folios), chunks, htmls, pool,
                                           store, meanwhile, ahead)
        blanks, pagemap, shown = _assemble(book, chunks, laid)
        # the folio sheets these pages need: laid out behind a next round's chunks, if any
        meanwhile = functools.partial(sheets.prefetch, _labels(pagemap, shown), pool)
        chunks = _sides(chunks, blanks, laid)
        folios = pagemap.labels()
        again = [html_of(c, folios) for c in chunks]
        if again == htmls:
            break
        moved = [c.name for c, a, b in zip(chunks, again, htmls) if a != b]
        log.info("Chunked layout: %d chunk(s) print folios that moved or start on the other "
                 "side; round %d", len(moved), round_ + 1)
        log.debug("Chunks to lay out again: %s", ", ".join(moved))
        htmls = again
    else:
        raise RenderError(f"the chunked PDF layout did not settle in {MAX_ROUNDS} rounds")
    del htmls, again  # the book's HTML (tens of MB for a long book): not needed to merge
    html_of.last.clear()
    if laid_out is not None:
        laid_out(placed(chunks, blanks, laid), store.fonts_dir())
    if ahead is not None:  # a long book subsets its faces one by one, in the merge: less memory
        from casebook.editions.pdf import subset as pdf_subset
        pdf_subset.prefetch([one.glyphs for one in laid], store.fonts_dir())
    with ExitStack() as stack:
        folio_pages = sheets.pages(_labels(pagemap, shown), pool, stack)
        settled(pagemap)  # after the last job of the layout: the pool is free from here
        painted = _merge(book, laid, blanks, pagemap, folio_pages, store, ahead)
    return chunks, pagemap, painted


def warm(book: model.Book) -> None:
    """Import WeasyPrint, install its patches and parse the stylesheets chunks (or a short
    book) are laid out with: workers forked after this inherit them instead of each doing
    it again, whatever job they start with (a folio sheet, the cover)."""
    weasy.install()
    extra = () if len(pdf_plan.plan(book)) == 1 else (CHUNK_STYLE,)
    pdf.parsed(book, extra)


def _whole(book: model.Book, fragments: Fragments, pool: Executor, store: Store) -> pdf.Layout:
    """A short book: one document, whose folios and page references WeasyPrint counts."""
    html = pdf.book_html(book, fragments, pdf_plan.whole(book), None, CHUNK_CREATED)
    laid = store.get(html)
    log.info("Laying out the PDF as one document%s", " (unchanged)" if laid else "")
    if laid is None:
        laid = store.put(html, pool.submit(lay_out_whole, book, html).result())
    pagemap = PageMap.from_anchors([list(a) for a in laid.anchors], pdf.body_start(book),
                                   list(laid.splits))
    store.keep({}, [])
    return pdf.Layout(pagemap, _dated(laid.pdf))


def lay_out_whole(book: model.Book, html: str) -> Laid:
    """Lay out and paint a whole short book (in a worker)."""
    weasy.install()
    with pdf_progress.laying_out():
        document = pdf.render_document(book, html)
    painted = pdf.paint(book, document)
    return Laid(painted, tuple(tuple(page.anchors) for page in document.pages), (),
                splits=tuple(weasy_pages.splits(document.pages)))


def _dated(painted: bytes) -> bytes:
    import pikepdf
    with pikepdf.open(io.BytesIO(painted)) as opened:
        set_dates(opened, build_time())
        out = io.BytesIO()
        opened.save(out, deterministic_id=True)
    return out.getvalue()


def _labels(pagemap: PageMap, shown: list[bool]) -> list[str | None]:
    """Each page's folio as printed, or None where the design prints none."""
    return [page.label if show else None for page, show in zip(pagemap.pages, shown)]


def lay_out_chunk(book: model.Book, html: str) -> Laid:
    """Lay out and paint one chunk (in a worker): links may lead into other chunks."""
    from casebook.editions.pdf import merge as pdf_merge
    from casebook.editions.weasy import fontmark, links
    weasy.install()  # the build checked the fonts before it handed out the chunks
    document = pdf.render_document(book, html, (CHUNK_STYLE,))
    with links.external(set(_HREF.findall(html))), fontmark.marking():
        painted = document.write_pdf(pdf_variant="pdf/x-4", pdf_tags=True,
                                     output_intent=pdf.PAINT_INTENT,
                                     pdf_identifier=book.meta.slug.encode())
    painted, ids, glyphs = pdf_merge.prepare(painted)
    laid = Laid(painted, tuple(tuple(page.anchors) for page in document.pages),
                tuple(pdf_folios.shown(document)), ids, glyphs,
                tuple(weasy_pages.splits(document.pages)))
    del document
    pdf.give_back_memory()  # a worker keeps what it has until the build ends
    return laid


class _Folios(dict):
    """Folios by anchor; one not known yet prints as 0 until the next round knows it.

    A chunk must never count pages with ``target-counter()``: it would count in the chunk.
    ``used`` records each folio the chunk's HTML printed.
    """

    def __init__(self, *args):
        super().__init__(*args)
        self.used: dict[str, str] = {}

    def __bool__(self) -> bool:
        return True

    def __contains__(self, anchor) -> bool:
        return True

    def __getitem__(self, anchor: str) -> str:
        self.used[anchor] = value = super().__getitem__(anchor)
        return value

    def __missing__(self, anchor: str) -> str:
        return PLACEHOLDER

    def get(self, anchor, default=None):
        return self[anchor]


class _Htmls:
    """Each chunk's HTML, rendered again only when it moves to the other side or a folio
    it prints changes: a round's check costs no rendering for a chunk with no page refs."""

    def __init__(self, book: model.Book, fragments: Fragments):
        self.book, self.fragments = book, fragments
        self.tree = toc_tree(book)  # the same for every chunk: made once
        self.last: dict[pdf_plan.Chunk, tuple[str, dict[str, str]]] = {}

    def provisional(self, chunk: pdf_plan.Chunk) -> bool:
        """Whether the chunk's last HTML printed a folio not known yet (PLACEHOLDER)."""
        return PLACEHOLDER in self.last.get(chunk, (None, {}))[1].values()

    def __call__(self, chunk: pdf_plan.Chunk, folios: dict[str, str]) -> str:
        html, used = self.last.get(chunk, (None, {}))
        if html is None or any(_Folios(folios)[a] != label for a, label in used.items()):
            seen = _Folios(folios)
            html = pdf.book_html(self.book, self.fragments, chunk, seen, CHUNK_CREATED,
                                 self.tree)
            self.last[chunk] = (html, seen.used)
        return html


def _meanwhile(book: model.Book, store: Store) -> None:
    """The build's own work while the first chunks lay out: the glyph check, and the imports
    the merge needs (they would otherwise wait until the layout is done)."""
    fonts.check_glyphs(book, store.dir)
    from casebook.editions.pdf import fontshare, merge, post, subset  # noqa: F401


@contextmanager
def _ahead(chunks: int):
    """A merge begun while the chunks lay out, for a book of few chunks (it holds them open),
    or None."""
    if chunks > HOLD_CHUNKS:
        yield None
        return
    from casebook.editions.pdf import merge as pdf_merge
    ahead = pdf_merge.Ahead()
    try:
        yield ahead
    finally:
        ahead.close()


def _lay_out_all(book: model.Book, text: tuple["_Htmls", dict], chunks: list,
                 htmls: list[str], pool: Executor, store: Store, meanwhile=None,
                 ahead=None):
    """Every chunk, from the cache or laid out on the pool, longest first.

    A chunk that continues a part waits for the chunks before it in that part: then the
    side it starts on is known, and it is laid out once, on that side. ``text`` is the
    chunks' HTML (``_Htmls``) and the folios it prints. Returns the chunks as placed, their HTML,
    and each one laid out. ``meanwhile`` runs here once the first chunks are handed out;
    then, while chunks lay out, ``ahead`` (pdf_merge.Ahead) takes those laid out.
    """
    chunks, htmls = list(chunks), list(htmls)
    laid: dict[int, Laid] = {}
    jobs: dict[Future, int] = {}
    waiting, submitted = set(range(len(chunks))), 0
    log.info("Laying out the PDF: %d chunk(s)", len(chunks))
    bar = progress_bar(None, "PDF chunks", "chunk")
    try:
        while waiting or jobs:
            for i in sorted(_ready(chunks, waiting, laid), key=lambda i: -len(htmls[i])):
                waiting.discard(i)
                chunks[i], htmls[i] = _placed(book, text, chunks, htmls, laid, i)
                if (hit := store.get(htmls[i])) is not None:
                    laid[i] = hit
                else:
                    jobs[pool.submit(lay_out_chunk, book, htmls[i])] = i
                    submitted += 1
                    bar.total = submitted
                    bar.refresh()
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
            if ahead is not None and jobs:  # not a chunk whose folios a next round will fix
                ahead.take({i: one.pdf for i, one in laid.items()
                            if not text[0].provisional(chunks[i])})
            if not jobs:
                continue
            done, _ = wait(jobs, return_when=FIRST_COMPLETED)
            for job in done:
                i = jobs.pop(job)
                laid[i] = store.put(htmls[i], job.result())
                bar.update()
    finally:
        bar.close()
    log.info("Laid out %d PDF chunk(s); %d unchanged", submitted, len(chunks) - submitted)
    return chunks, htmls, [laid[i] for i in range(len(chunks))]


def _ready(chunks: list, waiting: set[int], laid: dict) -> list[int]:
    """Waiting chunks that can be placed: all but those whose part's earlier chunks are out."""
    return [i for i in waiting if chunks[i].opens_recto or (i - 1) in laid]


def _placed(book, text, chunks: list, htmls: list[str], laid: dict, i: int):
    """Chunk ``i`` on the side the pages of its part before it leave it on, and its HTML."""
    if chunks[i].opens_recto:
        return chunks[i], htmls[i]
    before, j = 0, i - 1
    while True:
        before += len(laid[j].anchors)
        if chunks[j].opens_recto:
            break
        j -= 1
    placed = chunks[i].on(left=before % 2 == 1)
    if placed == chunks[i]:
        return chunks[i], htmls[i]
    return placed, text[0](placed, text[1])


def _assemble(book: model.Book, chunks, laid: list[Laid]):
    """Blank versos before chunks that open on a recto, the PageMap, and the folio pages."""
    blanks, anchors, shown, splits = [], [], [], []
    for chunk, one in zip(chunks, laid):
        blanks.append(1 if chunk.opens_recto and len(anchors) % 2 else 0)
        anchors += [[]] * blanks[-1] + [list(a) for a in one.anchors]
        shown += [False] * blanks[-1] + list(one.shown)
        splits += [None] * blanks[-1] + list(one.splits or [None] * len(one.anchors))
    return blanks, PageMap.from_anchors(anchors, pdf.body_start(book), splits), shown


@dataclass(frozen=True)
class Placed:
    """A chunk as laid out: its name, the index of its first page in the book, its PDF
    (painted, before the folios are stamped)."""

    name: str
    first: int
    pdf: bytes


def placed(chunks, blanks: list[int], laid: list[Laid]) -> list[Placed]:
    """Each chunk with the index its first page has in the merged book."""
    found, start = [], 0
    for chunk, blank, one in zip(chunks, blanks, laid):
        start += blank
        found.append(Placed(chunk.name, start, one.pdf))
        start += len(one.anchors)
    return found


def _sides(chunks, blanks: list[int], laid: list[Laid]):
    """Each chunk placed on the side its first page falls on in the merged book."""
    placed, start = [], 0
    for chunk, blank, one in zip(chunks, blanks, laid):
        start += blank
        placed.append(chunk.on(left=start % 2 == 1))
        start += len(one.anchors)
    return placed


def _merge(book: model.Book, laid: list[Laid], blanks: list[int], pagemap: PageMap,
           folio_pages: list, store: Store, ahead=None) -> bytes:
    """Merge the chunks, stamp the folios, share the font subsets, date the result."""
    import pikepdf

    from casebook.editions.pdf import fontshare as pdf_fontshare
    from casebook.editions.pdf import merge as pdf_merge
    log.info("Merging %d chunks (%d pages)", len(laid), len(pagemap.pages))
    chunks, ids = [one.pdf for one in laid], [one.ids for one in laid]
    with ExitStack() as held:
        merged = (ahead.merge(chunks, blanks, ids) if ahead is not None
                  else pdf_merge.merge(chunks, blanks, ids, None))
        held.callback(merged.close)
        stamped = pdf_folios.stamp_pages(merged, folio_pages)
        stats = pdf_fontshare.share(merged, store.fonts_dir())
        log.debug("Folios stamped on %d pages; fonts shared: %s", stamped, stats)
        set_dates(merged, build_time())
        out = io.BytesIO()
        merged.save(out, deterministic_id=True,  # object streams: thousands of destinations
                    object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
