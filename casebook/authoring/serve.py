"""Live preview: build the HTML edition, serve it on 127.0.0.1, rebuild and reload on change.

The preview builds into ``<book>/.casebook-preview`` with the ordinary ``build()`` (its pandoc
cache makes a rebuild re-render only the documents that changed). Pages are served from
there; the reload script is added to HTML responses as they are sent, never to the files,
and the page's Content-Security-Policy is widened to let that one same-origin script run.
The script listens to ``/__casebook/events`` (Server-Sent Events): after a good build the
page reloads, after a failed one it shows the error as an overlay over the last good page.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import signal
import threading
import time
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from casebook import resources
from casebook.authoring.preview_pdf import PdfBuild, WarmPdf, page_png
from casebook.build.pipeline import Options, build
from casebook.errors import CasebookError
from casebook.render.templates import STYLES_DIR, TEMPLATES_DIR

log = logging.getLogger(__name__)
PREVIEW_DIR = ".casebook-preview"
PREFIX = "/__casebook/"
ASSETS = {"reload.js": (resources.STATIC / "preview" / "reload.js",
                        "text/javascript; charset=utf-8"),
          "preview.css": (STYLES_DIR / "preview.css", "text/css; charset=utf-8"),
          "waiting.html": (resources.STATIC / "preview" / "waiting.html",
                           "text/html; charset=utf-8"),
          "pdf.js": (resources.STATIC / "preview" / "pdf.js", "text/javascript; charset=utf-8"),
          "pdf/": (resources.STATIC / "preview" / "pdf.html", "text/html; charset=utf-8")}
_CSP_SCRIPT = re.compile(r"script-src [^;\"]*")
_HEAD_END = re.compile(r"</head>", re.I)
KEEPALIVE = 15.0  # seconds between SSE comments, so a closed tab ends its thread


@dataclass(frozen=True)
class ServeOptions:
    book_dir: Path = Path(".")
    port: int = 8000
    pdf: bool = False
    draft: bool = False
    encoding: str | None = None
    out_dir: Path | None = None
    host: str = "127.0.0.1"

    @property
    def out(self) -> Path:
        return self.out_dir or self.book_dir / PREVIEW_DIR


class State:
    """The outcome of the last build, shared by the builder and every open page."""

    def __init__(self) -> None:
        self.generation = 0  # good builds so far
        self.error: str | None = None
        self.pdf = PdfBuild()  # the last good PDF build, if any
        self.pdf_generation = 0
        self.changed = threading.Condition()

    def snapshot(self) -> dict:
        with self.changed:
            return self._now()

    def record(self, error: str | None) -> None:
        with self.changed:
            if error is None:
                self.generation += 1
            self.error = error
            self.changed.notify_all()

    def record_pdf(self, built: PdfBuild) -> None:
        """A PDF build's outcome; an interim one keeps the last PDF file to download."""
        with self.changed:
            if built.interim:
                built = dataclasses.replace(built, screen=self.pdf.screen, pages=self.pdf.pages)
            self.pdf_generation += 1
            self.pdf, self.error = built, None
            self.changed.notify_all()

    def pdf_changes(self) -> dict:
        """The last PDF build, for the PDF page (pdf.js)."""
        with self.changed:
            return {"generation": self.pdf_generation, **dataclasses.asdict(self.pdf)}

    def wait(self, seen: dict, timeout: float) -> dict:
        """The state once it differs from ``seen``, or after ``timeout`` seconds."""
        with self.changed:
            self.changed.wait_for(lambda: self._now() != seen, timeout)
            return self._now()

    def _now(self) -> dict:
        return {"generation": self.generation, "error": self.error, "pdf": self.pdf_generation}


class Builder:
    """Runs one HTML build at a time and records its outcome; the PDF follows in the background.

    The PDF is built in a warm process kept for the session (preview_pdf.WarmPdf) into its
    own folder (``<out>/pdf``, with its own build lock), driven by a worker thread, so a slow
    PDF never delays the HTML preview; changes made while it runs are folded into one more
    PDF build.
    """

    def __init__(self, options: ServeOptions, state: State):
        self.options, self.state = options, state
        self.pdf_wanted = threading.Event()
        self.warm_pdf: WarmPdf | None = None
        if options.pdf:  # forked before any thread of the preview starts
            self.warm_pdf = WarmPdf(options.book_dir, options.out / "pdf", options.draft,
                                    options.encoding)
            threading.Thread(target=self._pdf_worker, name="preview-pdf", daemon=True).start()

    def _build(self) -> None:
        # force: a rebuild follows a real change, and the freshness record (read after the
        # sources were) could take an edit saved during the last build for one it built
        # index_later: the page reloads first; Pagefind indexes the site after (_index)
        build(Options(book_dir=self.options.book_dir, out_dir=self.options.out,
                      editions=("html",), draft=self.options.draft,
                      encoding=self.options.encoding, force=True,
                      extra={"index_later": True}))

    def _index(self) -> None:
        """The search index of the site just published (the next build waits for it)."""
        from casebook.editions.html import search
        from casebook.source import loader as source
        started = time.monotonic()
        book = source.load(self.options.book_dir, self.options.encoding).select(
            self.options.draft)
        search.build_index(self.options.out / "html",
                           expected_pages=sum(1 for _ in book.documents()), book_dir=book.root)
        log.info("Preview search index rebuilt in %.2f s", time.monotonic() - started)

    def warm(self) -> None:
        """Import the HTML edition and render the cover here, once: the build's forked
        workers inherit both instead of paying ~1 s for them on every rebuild."""
        from casebook.editions.cover import screen as cover
        from casebook.editions.html import edition as html  # noqa: F401 (for the forked workers)
        from casebook.source import loader as source
        try:
            book = source.load(self.options.book_dir, self.options.encoding)
            cover.make(book.meta, book.root)
        except CasebookError as exc:
            log.debug("warm-up skipped (the build reports it): %s", exc)

    def rebuild(self) -> bool:
        started = time.monotonic()
        self.pdf_wanted.set()  # the PDF starts at once, beside the HTML, in its own process
        try:
            self._build()
        except CasebookError as exc:
            log.error("preview build failed:\n%s", exc)
            self.state.record(str(exc))
            return False
        except Exception as exc:  # the preview must survive any failure and say what it was
            log.exception("preview build crashed")
            self.state.record(f"{type(exc).__name__}: {exc}")
            return False
        log.info("Preview rebuilt in %.2f s", time.monotonic() - started)
        self.state.record(None)
        try:
            self._index()
        except CasebookError as exc:  # the pages are good: say so, but keep them shown
            log.error("preview search index failed: %s", exc)
        return True

    def _pdf_worker(self) -> None:
        while True:
            self.pdf_wanted.wait()
            self.pdf_wanted.clear()
            self._pdf()

    def _pdf(self) -> None:
        """One PDF build, in the warm process (it shares no lock with the HTML)."""
        built = self.warm_pdf.build(early=self._early)
        if built.error:
            log.error("preview PDF failed:\n%s", built.error)
            self.state.record(built.error)
            return
        self.state.record_pdf(built)
        log.info("Preview PDF rebuilt in %.2f s (%d page(s) changed): %spdf/",
                 built.seconds, len(built.changed), PREFIX)

    def _early(self, built: PdfBuild) -> None:
        """The pages the edit changed, laid out and not yet merged: shown at once."""
        self.state.record_pdf(built)
        log.info("Preview PDF: %d changed page(s) shown %.2f s into the build, before the "
                 "merge", len(built.changed), built.seconds)

    def close(self) -> None:
        if self.warm_pdf is not None:
            self.warm_pdf.close()


def _stop_on_ctrl_c(stop: threading.Event) -> None:
    """Ctrl-C sets ``stop`` before it interrupts: one that lands inside a build (whose error
    handling may take the interrupt for a failed build) still ends the watch loop."""
    if threading.current_thread() is not threading.main_thread():
        return

    def interrupted(signum, frame):
        stop.set()
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, interrupted)


def watched(book_dir: Path) -> list[Path]:
    """Where a change triggers a rebuild: sources, book.yaml, images, templates, styles."""
    candidates = [book_dir / "source", book_dir / "book.yaml", book_dir / "templates",
                  book_dir / "styles", book_dir / "images", TEMPLATES_DIR, STYLES_DIR]
    found: list[Path] = []
    for path in candidates:
        if path.exists() and path.resolve() not in found:
            found.append(path.resolve())
    return found


def watch(builder: Builder, book_dir: Path, stop: threading.Event) -> None:
    """Build once the watcher runs, then after every batch of changes, until ``stop`` is set.

    Building only once the watcher is up means an edit saved during a build is never missed.
    An editor that saves book.yaml by renaming a new file over it replaces the watched inode,
    so after a change to book.yaml the watch starts again on the new file (and builds again).
    """
    import watchfiles
    while not stop.is_set():
        started = False
        for changes in watchfiles.watch(*watched(book_dir), stop_event=stop, step=30,
                                        rust_timeout=100, yield_on_timeout=True,
                                        raise_interrupt=True):
            if not started:  # the first yield comes after 0.1 s of watching
                started = True
                builder.rebuild()
                continue
            if not changes:
                continue
            names = sorted({Path(p).name for _, p in changes})
            log.info("Changed: %s", ", ".join(names[:5]) + (" …" if len(names) > 5 else ""))
            if "book.yaml" in names:
                builder.warm()  # a new cover, perhaps; the restarted watch builds
                break
            builder.rebuild()


class Handler(SimpleHTTPRequestHandler):
    """Serves the preview site, the preview assets and the event stream."""

    def __init__(self, *args, options: ServeOptions, state: State, **kwargs):
        self.options, self.state = options, state
        super().__init__(*args, directory=str(options.out / "html"), **kwargs)

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        log.debug("%s %s", self.address_string(), format % args)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == PREFIX + "events":
            return self._events()
        if path.startswith(PREFIX + "pdf/") and path.removeprefix(PREFIX) not in ASSETS:
            return self._pdf(path.removeprefix(PREFIX + "pdf/"))
        if path.startswith(PREFIX) and path.removeprefix(PREFIX) in ASSETS:
            file, kind = ASSETS[path.removeprefix(PREFIX)]
            return self._send(file.read_bytes(), kind)
        target = Path(self.translate_path(path))
        if target.is_dir():
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            return self._send(inject(target.read_text(encoding="utf-8"),
                                     self.state.snapshot()["generation"]).encode(),
                              "text/html; charset=utf-8")
        if not (self.options.out / "html").is_dir():
            return self._waiting()
        return super().do_GET()

    def _send(self, body: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _waiting(self) -> None:
        page = ASSETS["waiting.html"][0].read_text(encoding="utf-8")
        self._send(inject(page, self.state.snapshot()["generation"]).encode(),
                   "text/html; charset=utf-8", HTTPStatus.SERVICE_UNAVAILABLE)

    def _pdf(self, name: str) -> None:
        if name == "changes.json":
            return self._send(json.dumps(self.state.pdf_changes(), ensure_ascii=False).encode(),
                              "application/json; charset=utf-8")
        if name.startswith("page/") and name.endswith(".png"):
            return self._page(name.removeprefix("page/").removesuffix(".png"))
        file = self.options.out / "pdf" / name
        if "/" in name or not name.endswith(".pdf") or not file.is_file():
            return self.send_error(HTTPStatus.NOT_FOUND, "no such PDF (serve with --pdf)")
        self._send(file.read_bytes(), "application/pdf")

    def _page(self, number: str) -> None:
        """A page of the PDF as an image; one an interim build changed from its own file."""
        built = self.state.pdf_changes()
        screen, index = built["screen"], int(number) if number.isdigit() else -1
        if built["interim"] and index in built["changed"]:
            screen, index = built["interim"], built["changed"].index(index)
        if not screen:
            return self.send_error(HTTPStatus.NOT_FOUND, "no PDF yet (serve with --pdf)")
        try:
            png = page_png(self.options.out / "pdf" / screen, index)
        except (ValueError, IndexError, OSError):
            return self.send_error(HTTPStatus.NOT_FOUND, "no such page")
        self._send(png, "image/png")

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen = self.state.snapshot()
        try:
            self._event(seen)
            while True:
                now = self.state.wait(seen, KEEPALIVE)
                if now == seen:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                seen = now
                self._event(seen)
        except (BrokenPipeError, ConnectionResetError):
            return

    def _event(self, state: dict) -> None:
        self.wfile.write(f"data: {json.dumps(state, ensure_ascii=False)}\n\n".encode())
        self.wfile.flush()


def inject(page: str, generation: int) -> str:
    """A served page with the reload script added (and allowed by its CSP)."""
    page = _CSP_SCRIPT.sub("script-src 'self'", page, count=1)
    tag = (f'<script src="{PREFIX}reload.js" data-generation="{generation}" defer>'
           "</script>\n")
    match = _HEAD_END.search(page)
    if not match:
        return tag + page
    return page[:match.start()] + tag + page[match.start():]


def start_server(options: ServeOptions, state: State) -> ThreadingHTTPServer:
    handler = partial(Handler, options=options, state=state)
    server = ThreadingHTTPServer((options.host, options.port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="preview-http", daemon=True).start()
    return server


def serve(options: ServeOptions) -> None:
    """Build, serve and watch until interrupted (Ctrl-C)."""
    state = State()
    builder = Builder(options, state)
    try:
        server = start_server(options, state)
    except OSError as exc:
        raise CasebookError(f"cannot listen on {options.host}:{options.port} ({exc.strerror});"
                            " choose another --port") from None
    host, port = server.server_address[:2]
    log.info("Preview: http://%s:%d/ (building into %s; Ctrl-C stops)", host, port,
             options.out)
    stop = threading.Event()
    _stop_on_ctrl_c(stop)
    try:  # Ctrl-C while warming up stops the server too
        builder.warm()
        watch(builder, options.book_dir, stop)
    except KeyboardInterrupt:
        log.info("Preview stopped")
    finally:
        stop.set()
        server.shutdown()
        builder.close()
