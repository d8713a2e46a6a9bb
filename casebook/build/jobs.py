"""A build's jobs on the worker pool: which edition is written where, and when.

The HTML edition needs no layout, so a worker writes it from the start while the workers
lay the PDF out chunk by chunk (pdf_chunks.py). The EPUB (its page-list) and the print
cover (its spine) need only the PDF's pages: they start as soon as the layout has settled,
the EPUB once the HTML job has also handed on the screen cover it renders.

Most books are built fast: the EPUB and the cover run while this process merges the
chunks, and the print PDF is finished in a worker while this process finishes the screen
PDF (the longer job: it keeps the structure tree). A book longer than LEAN_ABOVE
characters is built lean, so that its memory stays bounded: the pool is closed before the
merge, the two PDFs are finished one after the other, and Pagefind, which holds the whole
site in memory, indexes it last.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, Future
from pathlib import Path

log = logging.getLogger(__name__)
LEAN_ABOVE = 1_000_000  # characters: about 1,500 pages


class Jobs:
    """The editions of one build, written into ``staging`` with ``pool``'s workers."""

    def __init__(self, book, fragments, staging: Path, wanted: list[str], options):
        self.book, self.fragments, self.staging = book, fragments, staging
        self.wanted = wanted
        self.epub_extra = {"embed_fonts": True} if options.extra.get("embed_fonts") else {}
        self.lean = "pdf" in wanted and lean(book)
        self.jobs: dict[str, Future] = {}
        self.pool: Executor | None = None
        self.cache_dir: Path | None = None

    def run(self, pool: Executor, cache_dir: Path | None) -> dict[str, Path]:
        """Write the wanted editions (and the print cover with the PDF); return their paths."""
        self.pool, self.cache_dir = pool, cache_dir
        if "html" in self.wanted:
            self.jobs["html"] = pool.submit(edition, "html", self.book, self.staging,
                                            self.fragments, {"index": not self.lean}, None,
                                            cache_dir)
        if "pdf" not in self.wanted:
            if "epub" in self.wanted:
                log.info("EPUB without a print page-list: build the PDF too to get one")
                self._epub(None)
            return {name: self.jobs[name].result()[0] for name in self.wanted}
        from casebook.editions.pdf import chunks as pdf_chunks
        layout = pdf_chunks.lay_out(self.book, self.fragments, pool, cache_dir, self._settled)
        self._epub(layout.pagemap)
        written = self._finish_pdf(layout)
        del layout
        written["cover"] = self.jobs.pop("cover").result()
        written.update({name: job.result()[0] for name, job in self.jobs.items()})
        if self.lean and "html" in self.wanted:
            self._index(written["html"].parent)
        return {name: written[name] for name in (*self.wanted, "cover")}

    def _settled(self, pagemap) -> None:
        """The layout is final and the chunks are about to be merged."""
        self.jobs["cover"] = self.pool.submit(print_cover, self.book, self.staging,
                                              len(pagemap.pages), self.cache_dir)
        if self.lean or "html" not in self.jobs or self.jobs["html"].done():
            self._epub(pagemap)
        elif "epub" in self.wanted:  # a fast build's merge must not wait for the HTML job
            self.jobs["epub"] = _after(self.jobs["html"], self._submit_epub, pagemap)
        if self.lean:
            for job in self.jobs.values():
                job.result()
            self.pool.shutdown(wait=True)
            log.info("Long book: the workers are done; the PDF is merged and finished here")

    def _epub(self, pagemap) -> None:
        if "epub" in self.wanted and "epub" not in self.jobs:
            html = self.jobs.get("html")
            self.jobs["epub"] = self._submit_epub(pagemap, html.result()[1] if html else None)

    def _submit_epub(self, pagemap, cover) -> Future:
        extra = {**self.epub_extra, **({"pagemap": pagemap} if pagemap else {})}
        return self.pool.submit(edition, "epub", self.book, self.staging, self.fragments,
                                extra, cover, self.cache_dir)

    def _finish_pdf(self, layout) -> dict[str, Path]:
        from casebook.editions.pdf import edition as pdf
        args = (self.book, self.staging, layout.pagemap, layout.painted)
        if self.lean:
            return {"pdf": pdf.write_print(*args),
                    "screen": pdf.write_screen(*args, layout.paginated)}
        printed = self.pool.submit(pdf.write_print, *args)  # the screen PDF takes longer
        return {"screen": pdf.write_screen(*args, layout.paginated), "pdf": printed.result()}

    def _index(self, site: Path) -> None:
        from casebook.editions.html import search
        from casebook.editions.pdf import edition as pdf
        pdf.give_back_memory()  # Pagefind's own memory grows with the site
        search.build_index(site, expected_pages=sum(1 for _ in self.book.documents()))


def _after(html: Future, submit, pagemap) -> Future:
    """The EPUB job, submitted once the HTML job is done and has rendered the cover."""
    epub: Future = Future()

    def go(done: Future) -> None:
        try:
            job = submit(pagemap, done.result()[1])
        except BaseException as exc:  # the HTML job's error, or a pool shut down: the
            epub.set_exception(exc)   # build sees it when it asks for the EPUB
            return
        job.add_done_callback(lambda job: _pass_on(job, epub))
    html.add_done_callback(go)
    return epub


def _pass_on(job: Future, to: Future) -> None:
    error = job.exception()
    if error is not None:
        to.set_exception(error)
    else:
        to.set_result(job.result())


def lean(book) -> bool:
    """Whether the book is long enough to be built with bounded memory."""
    return book.characters() > LEAN_ABOVE


def edition(name: str, book, staging: Path, fragments, extra: dict, cover=None,
            cache_dir: Path | None = None):
    """Write one edition (in a worker); return its path and the screen cover it used
    (``cover``, if given, or the one kept in ``cache_dir``, or a new one)."""
    from casebook.editions import writer
    from casebook.editions.cover import edition as cover_pdf
    from casebook.editions.cover import screen as covers
    cover_pdf.keep_in(cache_dir)  # the screen cover is kept where the print spread is
    if cover is not None:
        covers.remember(book.meta, book.root, cover)
    path = writer(name)(book, staging, fragments, **extra)
    return path, covers.make(book.meta, book.root)


def print_cover(book, staging: Path, pages: int, cache_dir: Path | None = None) -> Path:
    """The cover spread, its spine as thick as the interior's ``pages``."""
    from casebook.editions.cover import edition as cover_pdf
    cover_pdf.keep_in(cache_dir)
    return cover_pdf.write(book, staging, pages)
