"""The preview's PDF: built by one warm process kept for the session, its changed pages shown.

``WarmPdf`` forks a process when ``serve --pdf`` starts. It imports WeasyPrint, parses the
book's print stylesheets and lays out and paints a line in its faces once; every later
build of the PDF runs there (the ordinary ``build()``, the screen PDF alone, no print file
or cover, laid out a chunk per case so that an edit lays out its own case only),
on a pool of workers forked from it once and kept for the session (``kept_pool``, given to
the build as its executor), so a save costs only the changed work: the workers' caches of
fonts, stylesheets and WeasyPrint's own stay warm from one build to the next. After each
build it compares every page's content with the last build's and hands back the changed
pages and their text; the preview shows those pages as images (``page_png``), the text as
their alternative text. Earlier still, as soon as the edited chunk is laid out and before
the chunks are merged, it hands back that chunk's changed pages (``_Early``) as a first,
interim answer: the edit shows a second sooner, without its folio until the merged PDF
follows.
"""

from __future__ import annotations

import hashlib
import io
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from casebook.errors import CasebookError
from casebook.fsio import libc

log = logging.getLogger(__name__)
SHOWN = 8  # changed pages shown at most
WORKERS = 2  # the kept pool's
WARM_UP = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>合成预热'
           "</title></head><body><h1>合成预热</h1><p>合成预热文字，<b>粗体</b>，<i>斜体</i>。</p>"
           "<blockquote><p>合成引文。</p></blockquote></body></html>")
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_render_lock = threading.Lock()  # pdfium is not thread-safe


@dataclass(frozen=True)
class PdfBuild:
    """One build's outcome: an error, or the screen PDF and the pages it changed."""

    error: str | None = None
    seconds: float = 0.0
    screen: str = ""                       # the screen PDF's file name
    pages: int = 0
    changed: tuple[int, ...] = ()          # 0-based, at most SHOWN
    texts: tuple[str, ...] = ()            # the text of each changed page
    interim: str = ""                      # an early answer: the file the changed pages are
    #                                        in (in this order), before the merged PDF is


class WarmPdf:
    """A process kept warm for PDF builds into ``out``; ``build()`` runs one and waits."""

    def __init__(self, book_dir: Path, out: Path, draft: bool, encoding: str | None):
        context = multiprocessing.get_context("fork")  # forked before the preview's threads
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, name="preview-pdf",
                                        args=(child, (book_dir, out, draft, encoding)))
        self._process.start()
        child.close()
        self._lock = threading.Lock()

    def build(self, early=None) -> PdfBuild:
        """Build, and return the outcome; ``early(interim)`` is given the interim answer
        first, if there is one."""
        with self._lock:
            try:
                self._conn.send("build")
                while (answer := self._conn.recv()).interim:
                    if early is not None:
                        early(answer)
                return answer
            except (EOFError, OSError) as exc:
                return PdfBuild(error=f"the PDF process ended ({exc or 'no answer'}); "
                                      "restart the preview")

    def close(self) -> None:
        self._conn.close()  # the process sees the end of its pipe and leaves
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _serve(conn, args) -> None:
    """The warm process: warm up, then build whenever asked, until the pipe closes."""
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # dies with the preview
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the preview, which closes us
    book_dir, out, draft, encoding = args
    _warm(book_dir, encoding)
    pages, early = _Pages(), _Early(out, conn.send)
    while True:
        try:
            conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        conn.send(_build(book_dir, out, draft, encoding, pages, early))


def _warm(book_dir: Path, encoding: str | None) -> None:
    """Import WeasyPrint and parse the stylesheets (as a build does while pandoc runs), then
    lay out and paint a line in the book's faces (a worker's first chunk would pay for the
    fonts and WeasyPrint's caches), and fork the kept pool's workers from here."""
    from casebook import native
    from casebook.source import loader as source
    started = time.monotonic()
    with native.quick_lookup():
        from casebook.editions.pdf import chunks, document
    try:
        book = source.load(book_dir, encoding).select(False)
        document.prepare(book, glyphs=False)
        chunks.warm(book)
        chunks.lay_out_chunk(book, WARM_UP)
    except CasebookError as exc:
        log.debug("PDF warm-up skipped (the build reports it): %s", exc)
    kept_pool(WORKERS)
    log.debug("PDF process warm in %.2f s", time.monotonic() - started)


def _build(book_dir: Path, out: Path, draft: bool, encoding: str | None, pages,
           early: "_Early") -> PdfBuild:
    from casebook.build.pipeline import Options, build
    from casebook.editions.pdf.plan import ONE_CASE
    started = early.started = time.monotonic()
    try:
        # force: a rebuild follows a real change (see serve.Builder._build)
        written = build(Options(book_dir=book_dir, out_dir=out, editions=("pdf",), draft=draft,
                                encoding=encoding, force=True,
                                extra={"screen_only": True, "chunk_chars": ONE_CASE},
                                workers=WORKERS, executor=f"{__name__}:kept_pool",
                                on_chunks=early))
    except CasebookError as exc:
        return PdfBuild(error=str(exc))
    except Exception as exc:  # the preview must survive any failure and say what it was
        log.exception("preview PDF build crashed")
        return PdfBuild(error=f"{type(exc).__name__}: {exc}")
    return pages.compare(Path(written["pdf"]), time.monotonic() - started)


class _Early:
    """The interim answer: the pages of the chunks laid out again whose content changed,
    written to ``INTERIM`` in the PDF's folder and sent before the merge.

    Each chunk's page digests are kept by its name; the first build only records them."""

    def __init__(self, out: Path, send) -> None:
        self.out, self.send, self.started = out, send, 0.0
        self.chunks: dict[str, tuple[bytes, list[str]]] = {}  # name: (PDF digest, pages')

    def __call__(self, placed, fonts_dir: Path | None) -> None:
        try:
            self._show(placed, fonts_dir)
        except Exception:  # an early look must never fail the build: the merged PDF follows
            log.warning("The early pages could not be shown; the merged PDF follows",
                        exc_info=True)

    def _show(self, placed, fonts_dir: Path | None) -> None:
        import pikepdf
        first_build = not self.chunks
        changed: list[tuple[int, bytes, int]] = []  # (book page, chunk PDF, its page)
        for chunk in placed:
            digest = hashlib.sha256(chunk.pdf).digest()
            if self.chunks.get(chunk.name, (None,))[0] == digest:
                continue
            with pikepdf.open(io.BytesIO(chunk.pdf)) as pdf:
                now = [_content_digest(page) for page in pdf.pages]
            before = self.chunks.get(chunk.name, (None, []))[1]
            self.chunks[chunk.name] = (digest, now)
            changed += [(chunk.first + i, chunk.pdf, i) for i, d in enumerate(now)
                        if i >= len(before) or before[i] != d]
        if first_build or not changed:
            return
        changed = changed[:SHOWN]
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / INTERIM
        from casebook.editions.pdf import early
        tmp = path.with_suffix(".tmp")  # a preview's, rewritten at every edit: no fsync
        tmp.write_bytes(early.pages_pdf([(data, index) for _, data, index in changed],
                                        fonts_dir))
        os.replace(tmp, path)
        self.send(PdfBuild(seconds=time.monotonic() - self.started, interim=path.name,
                           changed=tuple(page for page, _, _ in changed),
                           texts=tuple(page_text(path, list(range(len(changed)))))))


INTERIM = ".preview-early.pdf"  # in the preview's PDF folder: the early answer's pages


class _KeptPool(ProcessPoolExecutor):
    """A pool whose workers outlive each build (``shutdown`` keeps them) until ``close``."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None  # the next build takes the same workers, warm

    def close(self) -> None:
        super().shutdown(wait=True, cancel_futures=True)


_pool: _KeptPool | None = None


def kept_pool(max_workers: int) -> _KeptPool:
    """The warm process's pool, forked once (again only if a worker died)."""
    global _pool
    if _pool is None or getattr(_pool, "_broken", False):
        if _pool is not None:
            log.warning("A PDF worker of the preview died; starting new ones")
            _pool.close()
        _pool = _KeptPool(max_workers=max_workers, initializer=_worker_start,
                          initargs=(os.getpid(),),
                          mp_context=multiprocessing.get_context("fork"))
    return _pool


def _worker_start(parent: int) -> None:
    """A worker dies with the warm process, and holds no build's lock (it outlives builds)."""
    from casebook.build import lock
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
    lock.forget_inherited()


class _Pages:
    """Each page's content digest in the last build, to find the pages a build changed."""

    def __init__(self) -> None:
        self.last: list[str] | None = None

    def compare(self, screen: Path, seconds: float) -> PdfBuild:
        digests = page_digests(screen)
        last, self.last = self.last, digests
        if last is None:
            changed: list[int] = []
        else:
            changed = [i for i, d in enumerate(digests) if i >= len(last) or last[i] != d]
        changed = changed[:SHOWN]
        return PdfBuild(seconds=seconds, screen=screen.name, pages=len(digests),
                        changed=tuple(changed), texts=tuple(page_text(screen, changed)))


def page_digests(path: Path) -> list[str]:
    """The SHA-256 of each page's content streams (0.07 s for 377 pages)."""
    import pikepdf
    with pikepdf.open(path) as pdf:
        return [_content_digest(page) for page in pdf.pages]


def _content_digest(page) -> str:
    import pikepdf
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    data = b"".join(s.read_bytes() for s in streams if s is not None)
    return hashlib.sha256(data).hexdigest()


def page_text(path: Path, indices: list[int]) -> list[str]:
    """The text of some pages, as pdfium reads it."""
    import pypdfium2
    with _render_lock:
        document = pypdfium2.PdfDocument(str(path))
        try:
            texts = []
            for i in indices:
                page = document[i]
                text = page.get_textpage()
                texts.append(text.get_text_range())
                text.close()
                page.close()
            return texts
        finally:
            document.close()


def page_png(path: Path, index: int, scale: float = 1.5) -> bytes:
    """One page as a greyscale PNG (about 0.05 s)."""
    import pypdfium2
    with _render_lock:
        document = pypdfium2.PdfDocument(str(path))
        try:
            if not 0 <= index < len(document):
                raise IndexError(index)
            page = document[index]
            image = page.render(scale=scale, grayscale=True).to_pil()
            page.close()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()
