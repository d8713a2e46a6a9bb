"""A build's jobs on the worker pool: which edition is written where, and when.

Every edition is written through the registry (``editions.writer``), with what it needs
from the others in its ``Inputs``. An edition that needs no layout (the HTML) is written by
a worker from the start while the PDF, which gives the layout, lays the book out chunk by
chunk on the same pool. Editions that need the PageMap (the EPUB's page-list) and the print
cover (its spine) start as soon as the layout has settled; the screen cover, which the
EPUB and the HTML both show, is rendered once, by the first of them, and handed on.

Most books are built fast: the EPUB and the cover run while this process merges the
chunks, and the print PDF is finished in a worker while this process finishes the screen
PDF (the longer job: it keeps the structure tree). A book longer than LEAN_ABOVE
characters is built lean, so that its memory stays bounded: the pool is closed before the
merge and what only the layout needed is let go, the two PDFs are finished one after the
other, and Pagefind, which holds the whole site in memory, indexes it last, once the
fragments are gone too.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, Future
from pathlib import Path

from casebook import editions
from casebook.editions import Inputs

log = logging.getLogger(__name__)
LEAN_ABOVE = 1_000_000  # characters: about 1,500 pages


class Jobs:
    """The editions of one build, written into ``staging`` with ``pool``'s workers."""

    def __init__(self, book, fragments, staging: Path, wanted: list[str], options):
        self.book, self.fragments, self.staging = book, fragments, staging
        self.entries = [editions.edition(name) for name in wanted]
        self.layout = next((e for e in self.entries if "pagemap" in e.gives), None)
        self.lean = self.layout is not None and lean(book)
        self.options = {"epub": {"embed_fonts": True} if options.extra.get("embed_fonts") else {},
                        "html": {"index": not self.lean  # the preview indexes later
                                 and not options.extra.get("index_later")},
                        "pdf": {"lean": self.lean,  # the preview's PDF: screen_only
                                "screen_only": bool(options.extra.get("screen_only")),
                                "on_chunks": options.on_chunks,
                                "chunk_chars": options.extra.get("chunk_chars")}}
        # the preview's PDF (screen only) has no printer to make a cover spread for
        self.cover = not options.extra.get("screen_only")
        self.jobs: dict[str, Future] = {}
        self.cover_from: str | None = None  # the job that renders the screen cover
        self.pool: Executor | None = None
        self.cache_dir: Path | None = None

    def run(self, pool: Executor, cache_dir: Path | None) -> dict[str, Path]:
        """Write the wanted editions (and the print cover with the PDF); return their paths."""
        self.pool, self.cache_dir = pool, cache_dir
        for entry in self.entries:
            if entry is not self.layout and "pagemap" not in entry.needs:
                self._submit(entry, None)
        if self.layout is None:
            for entry in self._waiting():
                log.info("%s without a print page-list: build the PDF too to get one",
                         entry.name.upper())
                self._submit(entry, None)
            return {e.name: self.jobs[e.name].result()[0] for e in self.entries}
        written = {self.layout.name: editions.writer(self.layout.name)(
            self.book, self.staging, Inputs(self.fragments, pool=pool, cache_dir=cache_dir,
                                            on_layout=self._settled,
                                            options=self.options.get(self.layout.name, {})))}
        if self.cover:
            written["cover"] = self.jobs.pop("cover").result()
        written.update({name: job.result()[0] for name, job in self.jobs.items()})
        self.fragments = None  # every edition is written: they can go before Pagefind runs
        if self.lean and "html" in self.jobs:
            self._index(written["html"].parent)
        return {name: written[name] for name in (*(e.name for e in self.entries),
                                                 *(("cover",) if self.cover else ()))}

    def _waiting(self) -> list:
        return [e for e in self.entries if "pagemap" in e.needs and e.name not in self.jobs]

    def _settled(self, pagemap) -> None:
        """The layout is final and the chunks are about to be merged."""
        if self.cover:
            self.jobs["cover"] = self.pool.submit(print_cover, self.book, self.staging,
                                                  len(pagemap.pages), self.cache_dir)
        for entry in self._waiting():
            self._submit(entry, pagemap)
        if self.lean:
            for job in self.jobs.values():
                job.result()
            self.pool.shutdown(wait=True)
            log.info("Long book: the workers are done; the PDF is merged and finished here")
            _laid_out()

    def _submit(self, entry, pagemap) -> None:
        """Submit one edition; one that shows the screen cover takes it from the job that
        renders it (a fast build's merge does not wait for that job: it chains after it), or,
        while that job runs, as an earlier build kept it (the same bytes: no wait)."""
        if "cover" not in entry.needs or self.cover_from is None:
            if "cover" in entry.needs:
                self.cover_from = entry.name
            self.jobs[entry.name] = self._job(entry, pagemap, None)
            return
        source = self.jobs[self.cover_from]
        if self.lean or source.done():
            self.jobs[entry.name] = self._job(entry, pagemap, source.result()[1])
        elif (cover := kept_cover(self.book, self.cache_dir)) is not None:
            self.jobs[entry.name] = self._job(entry, pagemap, cover)  # the same, kept: no wait
        else:
            self.jobs[entry.name] = _after(source, lambda cover: self._job(entry, pagemap, cover))

    def _job(self, entry, pagemap, cover) -> Future:
        return self.pool.submit(edition, entry.name, self.book, self.staging, self.fragments,
                                self.options.get(entry.name, {}), pagemap, cover,
                                self.cache_dir)

    def _index(self, site: Path) -> None:
        from casebook.editions.html import search
        _laid_out()  # Pagefind's own memory grows with the site
        search.build_index(site, expected_pages=sum(1 for _ in self.book.documents()),
                           book_dir=self.book.root)


def _laid_out() -> None:
    """This process lays out no more: what only the layout needed goes, and the memory
    freed goes back to the system (document.give_back_memory)."""
    from casebook.editions.pdf import document
    document.give_back_memory(done=True)


def _after(first: Future, submit) -> Future:
    """A job submitted once ``first`` is done, given the screen cover ``first`` rendered."""
    then: Future = Future()

    def go(done: Future) -> None:
        try:
            job = submit(done.result()[1])
        except BaseException as exc:  # the first job's error, or a pool shut down: the
            then.set_exception(exc)   # build sees it when it asks for this job's result
            return
        job.add_done_callback(lambda job: _pass_on(job, then))
    first.add_done_callback(go)
    return then


def _pass_on(job: Future, to: Future) -> None:
    error = job.exception()
    if error is not None:
        to.set_exception(error)
    else:
        to.set_result(job.result())


def lean(book) -> bool:
    """Whether the book is long enough to be built with bounded memory."""
    return book.characters() > LEAN_ABOVE


def edition(name: str, book, staging: Path, fragments, options: dict, pagemap=None,
            cover=None, cache_dir: Path | None = None):
    """Write one edition (in a worker) through the registry; return its path and the screen
    cover it was given (``cover``) or rendered (kept in ``cache_dir`` between builds)."""
    entry = editions.edition(name)
    if "cover" in entry.needs and cover is None:
        cover = screen_cover(book, cache_dir)
    inputs = Inputs(fragments, pagemap=pagemap if "pagemap" in entry.needs else None,
                    cover=cover, options=options, cache_dir=cache_dir)
    return editions.writer(name)(book, staging, inputs), cover


def screen_cover(book, cache_dir: Path | None = None):
    """The screen cover, rendered from the cover templates or kept from an earlier build."""
    from casebook.editions.cover import screen
    return screen.make(book.meta, book.root, cache_dir)  # kept where the print spread is


def kept_cover(book, cache_dir: Path | None):
    """The screen cover an earlier build kept, or None (nothing is rendered)."""
    from casebook.editions.cover import screen
    return screen.kept(book.meta, book.root, cache_dir)


def print_cover(book, staging: Path, pages: int, cache_dir: Path | None = None) -> Path:
    """The cover spread, its spine as thick as the interior's ``pages``."""
    from casebook.editions.cover import edition as cover_pdf
    return cover_pdf.write(book, staging, pages, cache_dir)
