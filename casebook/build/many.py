"""Several books built through one Executor, their jobs interleaved on its workers.

Each book is built as on its own (pipeline.build: its lock, its staging folder, its
``dist/`` and its freshness record), by a thread of this process; all of them send their
jobs (the PDF's chunks and folio sheets, the EPUB, HTML and cover) to one Executor, so
while one book merges or finishes its PDFs in this process, the workers lay out another's
chunks. At most ``at_once`` books are in progress at a time: each holds its fragments and
its merge in this process. A book that fails is reported with its folder; the others are
still built.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from concurrent.futures import Executor, Future
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from pathlib import Path

from casebook.build import pipeline
from casebook.errors import CasebookError

log = logging.getLogger(__name__)
THREAD_PREFIX = "book:"  # the CLI's log lines name the book of a thread called so (cli/)


@dataclass
class Outcome:
    """One book's result: the editions it wrote, or the error that stopped it."""

    book_dir: Path
    written: dict[str, Path] | None = None
    error: CasebookError | None = None


class Shared(Executor):
    """One book's view of the shared Executor: ``shutdown`` waits for this book's jobs and
    leaves the Executor running for the others (a lean build shuts its pool down early)."""

    def __init__(self, pool: Executor):
        self.pool = pool
        self.futures: list[Future] = []
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = self.pool.submit(fn, *args, **kwargs)
        with self._lock:
            self.futures = [f for f in self.futures if not f.done()] + [future]
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            mine = list(self.futures)
        if cancel_futures:
            for future in mine:
                future.cancel()
        if wait:
            wait_for(mine)


def build_many(options: list[pipeline.Options], at_once: int = 2) -> list[Outcome]:
    """Build every book of ``options`` (their ``workers`` and ``executor`` are the first's)
    through one Executor, ``at_once`` books at a time; one Outcome per book, in order."""
    first = options[0]
    _check_distinct(options)
    outcomes = [Outcome(o.book_dir) for o in options]
    local = not first.executor and first.workers > 0
    if local and "pdf" in first.editions:
        _import_layout()
    with pipeline._pool(first.workers, first.executor) as pool:
        if local:  # fork the workers now, from one thread, and with WeasyPrint imported
            pool.submit(int).result()
        slots = threading.BoundedSemaphore(max(1, at_once))
        threads = []
        for one, outcome in zip(options, outcomes):
            slots.acquire()
            thread = threading.Thread(target=_one, args=(one, Shared(pool), outcome, slots),
                                      name=f"{THREAD_PREFIX}{one.book_dir}")
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
    return outcomes


def _import_layout() -> None:
    """Import WeasyPrint (as a single build's warm-up does) for the workers to inherit."""
    from casebook import native
    with native.quick_lookup():
        from casebook.editions.pdf import chunks  # noqa: F401


def _one(options: pipeline.Options, pool: Shared, outcome: Outcome, slots) -> None:
    try:
        outcome.written = pipeline.build(dataclasses.replace(options, pool=pool))
    except CasebookError as exc:
        outcome.error = exc
        log.error("%s", exc)  # the CLI names the book (the thread's name)
    except Exception as exc:  # a bug in one book's build: said with its folder, others go on
        outcome.error = CasebookError(f"the build failed: {exc!r}", options.book_dir)
        log.exception("the build of %s failed", options.book_dir)
    finally:
        slots.release()


def read_list(path: Path) -> list[Path]:
    """The book folders a list file names under ``books:``, relative to the file's folder."""
    from casebook.errors import SourceError
    from casebook.source import textfile, yamlines
    try:
        text = textfile.read_text(path, path)
    except OSError as exc:
        raise SourceError(f"cannot read the list of books ({exc.strerror})", path) from None
    data = yamlines.load(text, path)
    books = data.get("books") if isinstance(data, dict) else None
    if not isinstance(books, list) or not books:
        line = getattr(data, "key_lines", {}).get("books", getattr(data, "line", 1) or 1)
        raise SourceError("a list of books needs 'books:', a list of book folders (each "
                          "holding book.yaml), relative to this file", path, line)
    found = []
    for item, line in zip(books, books.item_lines):
        if not isinstance(item, str) or not item.strip():
            raise SourceError(f"a book is a folder name, not {item!r}", path, line)
        found.append(path.parent / item.strip())
    return found


def _check_distinct(options: list[pipeline.Options]) -> None:
    """Two books cannot share an output folder; one book given twice is one book."""
    seen: dict[Path, Path] = {}
    for one in options:
        out = one.out_dir.resolve()
        if out in seen:
            raise CasebookError(f"{one.book_dir} and {seen[out]} would both be built into "
                                f"{one.out_dir}: give each book its own output folder")
        seen[out] = one.book_dir
