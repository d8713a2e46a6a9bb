"""Build editions: read the book once, render fragments once, write into staging, then publish.

The editions are written by worker processes and this one (jobs.py says which does what,
and when). A build whose inputs and outputs match the record of the last one (fresh.py)
does nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from casebook import digests, editions, findings
from casebook.build import fresh, lock
from casebook.build.publish import publish
from casebook.errors import ToolError
from casebook.fsio import STAGING, libc
from casebook.source import loader as source

log = logging.getLogger(__name__)
CACHE_DIR = ".casebook-cache"
BUILD_INFO = fresh.BUILD_INFO  # what the last build in an output folder was
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class Options:
    book_dir: Path = Path(".")
    out_dir: Path = Path("dist")
    editions: tuple[str, ...] = editions.NAMES
    draft: bool = False
    cache: bool = True        # reuse pandoc's output and skip a build when nothing changed
    encoding: str | None = None
    extra: dict = field(default_factory=dict)
    force: bool = False       # build even when the last build is fresh
    workers: int = 2          # worker processes for PDF chunks and the other editions; 0: none
    executor: str | None = None  # "module:factory" giving a concurrent.futures Executor
    pool: Executor | None = None  # one shared with other books' builds (build/many.py)
    on_chunks: Callable | None = None  # given the PDF's chunks once laid out (the preview's)

    def record(self) -> dict:
        """The options that shape the output, as the freshness record keeps them."""
        extra = {key: value for key, value in sorted(self.extra.items()) if value}
        return {"encoding": self.encoding, "extra": extra}  # an option left off is no option


def build(options: Options) -> dict[str, Path]:
    """Build the requested editions; an existing out_dir is only touched when all succeed."""
    if options.workers == 0 and options.pool is None:  # lays out here: as a new process would
        from casebook.editions.pdf import document
        document.forget_parsed()
    with findings.recorded() as found:  # content warnings: the record keeps them for verify
        whole = source.load(options.book_dir, options.encoding)
        read = digests.digests(_inputs(whole))  # now: an edit during the build must not be lost
        book = whole.select(options.draft)
        with lock.hold(options.out_dir):
            written = _up_to_date(book, options, read)
            return written if written is not None else _build(whole, book, options, read,
                                                              found)


def _up_to_date(book, options: Options, read: dict[str, str]) -> dict[str, Path] | None:
    """The editions of the last build when it is still fresh, otherwise None."""
    if options.force or not options.cache:
        return None
    reason = fresh.stale_reason(options.book_dir, options.out_dir, options.record(),
                                book.draft, list(options.editions), read)
    if reason:
        log.debug("Building: %s", reason)
        return None
    info = fresh.load(options.out_dir)
    log.info("Nothing changed since the last build: the editions in %s are up to date",
             options.out_dir)
    return {name: options.out_dir / path for name, path in info["written"].items()}


def _build(whole, book, options: Options, read: dict[str, str],
           found: list) -> dict[str, Path]:
    log.info("Step 1/4: read %s", options.book_dir / source.BOOK_FILE)
    _report_pending(book)
    _report_unsigned(book)
    cache = options.book_dir / CACHE_DIR if options.cache else None
    from casebook.render import fonts
    fonts.check_glyphs(book, cache)  # what `check` knows fails the build now, not after layout
    log.info("Step 2/4: rendering Markdown with pandoc")
    from casebook.render import fragments as render
    with _meanwhile(_warm if "pdf" in options.editions else None, book):
        fragments = render.render_all(book, cache)
    images = digests.digests(Path(p) for p in fragments.images.values())  # as rendered
    out = options.out_dir
    staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=out))
    try:
        log.info("Step 3/4: writing the %s edition(s)",
                 ", ".join(e.upper() for e in options.editions))
        jobs = _jobs(book, fragments, staging, options)
        del fragments  # the jobs let them go once every edition has them (a lean build's
        written = _write_editions(jobs, options)  # Pagefind runs after: jobs.py)
        log.info("Step 4/4: publishing into %s", out)
        info = fresh.record(options.book_dir, read, images, _font_files(book),
                            options.record(), book.draft, list(options.editions))
        info["findings"] = list(found)
        info["written"] = {n: p.relative_to(staging).as_posix() for n, p in written.items()}
        names = [p.name for p in staging.iterdir()]
        publish(staging, out)
        fresh.write(out, fresh.add_outputs(info, out, names))
        return {name: out / path.relative_to(staging) for name, path in written.items()}
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _jobs(book, fragments, staging: Path, options: Options):
    """The editions to write into ``staging`` and the print cover, as jobs.py runs them."""
    from casebook.build.jobs import Jobs
    order = [e.name for e in editions.REGISTRY if e.name in options.editions]
    return Jobs(book, fragments, staging, order, options)


def _write_editions(jobs, options: Options) -> dict[str, Path]:
    """The editions and the print cover, written by the workers and this process (jobs.py)."""
    # What the build holds by now (the book, its fragments, WeasyPrint) lives until the end:
    # collections, here and in the workers forked next, need not walk it again. A process
    # that builds again (the tests, `serve`) gets it back for collection afterwards.
    gc.freeze()
    try:
        with options.pool or _pool(options.workers, options.executor) as pool:
            return jobs.run(pool, options.book_dir / CACHE_DIR if options.cache else None)
    finally:
        gc.unfreeze()


def _warm(book) -> None:
    """Import WeasyPrint and parse the PDF's stylesheets, for the workers to inherit."""
    from casebook import native
    with native.quick_lookup():
        from casebook.editions.pdf import chunks as pdf_chunks
    pdf_chunks.warm(book)


@contextlib.contextmanager
def _meanwhile(fn, *args):
    """Run ``fn(*args)`` on a thread while the block runs (pandoc's processes leave this one
    mostly waiting); the thread is joined, and its error raised, before the block is left.
    The workers fork after it, so they inherit what it loaded; and only once the thread
    has really ended (``_gone``)."""
    if fn is None:
        yield
        return
    error: list[BaseException] = []

    def run() -> None:
        try:
            fn(*args)
        except BaseException as exc:  # raised again in this thread, below
            error.append(exc)
    thread = threading.Thread(target=run, name=fn.__name__, daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
        _gone(thread)
    if error:
        raise error[0]


def _gone(thread: threading.Thread, seconds: float = 5.0) -> None:
    """Wait until the system thread behind a joined ``thread`` has ended.

    ``join`` returns before the thread's C-level exit has run the destructors of its
    thread-local data, and GLib's (the thread used Pango) take GLib's slice allocator's
    lock. A worker forked in that moment inherits the lock held by a thread it does not
    have, and hangs at its first allocation: seen as a build that never ended, its worker
    waiting in ``g_slice_alloc`` for good."""
    task = Path(f"/proc/self/task/{thread.native_id}")
    deadline = time.monotonic() + seconds
    while task.exists() and time.monotonic() < deadline:
        time.sleep(0.0005)


class _InProcess:
    """The pool's interface, running each job at once: for ``workers=0``."""

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # handed back through result(), as a pool would
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True) -> None:
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


def _pool(workers: int, executor: str | None = None):
    """Worker processes forked now, while this process is still small, or a configured
    Executor (Dask's ``Client.get_executor()``, say): ``module:factory``, called with
    ``max_workers``."""
    if executor:
        return _configured(executor, workers)
    if workers <= 0:
        return _InProcess()
    return ProcessPoolExecutor(max_workers=workers, initializer=_worker_start,
                               initargs=(os.getpid(),),
                               mp_context=multiprocessing.get_context("fork"))


def _configured(spec: str, workers: int):
    import importlib
    module, _, name = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module), name or "executor")
    except (ImportError, AttributeError, ValueError) as exc:
        raise ToolError(f"--executor {spec}: cannot load it ({exc}); give module:factory, "
                        "a callable that returns a concurrent.futures Executor") from None
    log.info("Jobs go to the executor from %s", spec)
    from casebook.build.dated import Dated  # its workers have their own environment
    return Dated(factory(max_workers=max(1, workers)))


def _worker_start(parent: int) -> None:
    """A worker dies with its build: a killed build must not leave workers holding memory."""
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the line above
        os._exit(1)
    lock.forget_inherited()


def _inputs(whole) -> list[Path]:
    """The files a build reads besides images: book.yaml, all listed documents, meta's files."""
    files = [whole.root / source.BOOK_FILE, *(d.source for d in whole.documents())]
    files += _meta_paths(whole.meta)
    return digests.input_files(whole.root, files)


def _meta_paths(value) -> list[Path]:
    """Files named anywhere in the book's metadata (cover image, ICC profile, ...)."""
    if isinstance(value, Path):
        return [value] if value.is_file() else []
    if dataclasses.is_dataclass(value):
        return [p for f in dataclasses.fields(value) for p in _meta_paths(getattr(value, f.name))]
    if isinstance(value, (tuple, list)):
        return [p for item in value for p in _meta_paths(item)]
    return []


def _font_files(book) -> list[Path]:
    """Every declared face's file, and the cover's."""
    from casebook.render import fontstack, fonts
    return sorted({*(fonts.locate(family).path for family in fonts.DECLARED),
                   *fontstack.font_files(book.meta.fonts)})


def _report_unsigned(book) -> None:
    from casebook.source.bodycheck import unsigned_in_book
    for finding in unsigned_in_book(book):  # a draft builds; verify fails on it
        findings.warn(log, "unsigned-commentary", "%s", finding)


def _report_pending(book) -> None:
    if book.pending_omitted:
        findings.warn(log, "pending", "%s: %d document(s) are 'status: pending' and left out; "
                      "build with --draft to include them marked 稿件待补",
                      book.root / source.BOOK_FILE, book.pending_omitted)
    elif book.draft:
        pending = sum(d.pending for d in book.documents())
        log.info("Draft build: %d pending document(s) included, marked 稿件待补", pending)
