"""Markdown to HTML fragments through pandoc (cached by content), and the Jinja environment."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pypandoc

from . import apparatus, findings, images, links, model, notes, pandoc_batch, sanitize, typeset, xref
from .errors import Collector, RenderError, ToolError
from .publish import write_file

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
TEMPLATES_DIR = PROJECT_DIR / "templates"
STYLES_DIR = PROJECT_DIR / "styles"
FILTERS = (PACKAGE_DIR / "filters" / "commentary.lua",)
PANDOC_FORMAT = "markdown+east_asian_line_breaks-smart-raw_html-raw_attribute-raw_tex"
_PANDOC_LINE = re.compile(r"\bline (\d+)\b")
_HEADING = re.compile(r"<(/?)h([1-6])\b")
_BLOCK = re.compile(r"<(p|li|table|blockquote|figure|aside|dl)(?=[ >])(?![^>]*\bid=)")


@dataclass(frozen=True)
class Fragments:
    """The HTML body of every document, keyed by document id, and the images they use.

    Image ``src`` values are paths relative to the book root; ``images`` maps each one to
    its file. Editions copy the files and prefix the src as their own layout needs.
    """

    html: dict
    images: dict = field(default_factory=dict)

    def __getitem__(self, doc_id: str) -> str:
        return self.html[doc_id]


def pandoc_version() -> str:
    try:
        return pypandoc.get_pandoc_version()
    except OSError as exc:
        raise ToolError(f"pandoc is not available ({exc}); run `make book` to install "
                        "pypandoc-binary") from None


def _args(doc: model.Document) -> list[str]:
    shift = 1 if isinstance(doc, model.Case) else 0
    args = ["--wrap=none", f"--id-prefix={doc.id}--", f"--shift-heading-level-by={shift}"]
    return args + [f"--lua-filter={f}" for f in FILTERS]


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """The post-processing code that shapes a fragment is part of every cache key."""
    digest = hashlib.sha256()
    for path in sorted([*PACKAGE_DIR.glob("filters/*.lua"), *PACKAGE_DIR.glob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_key(doc: model.Document, version: str) -> str:
    digest = hashlib.sha256()
    for part in (version, _code_digest(), PANDOC_FORMAT, *_args(doc), doc.body):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _pandoc(docs: list[model.Document], workers: int = 2) -> dict[str, tuple[str, list[str]]]:
    """Run pandoc on the bodies; each one's HTML and its warnings, each with the file line."""
    results = pandoc_batch.run(docs, PANDOC_FORMAT, FILTERS, workers)
    located = {d.id: d for d in docs}
    return {key: (html, [_locate(w, located[key]) for w in warnings])
            for key, (html, warnings) in results.items()}


def _locate(warning: str, doc: model.Document) -> str:
    """Turn pandoc's 'at line N' into the line of the source file."""
    match = _PANDOC_LINE.search(warning)
    line = doc.body_line + int(match.group(1)) - 1 if match else doc.body_line
    text = warning.removeprefix("[WARNING] ")
    return f"{doc.source}:{line}: pandoc: {text}"


def render_fragment(doc: model.Document, cache_dir: Path | None, version: str) -> str:
    """One document's Markdown body as an HTML fragment (empty for pending documents)."""
    return _fragments([doc], cache_dir, version)[doc.id]


def _fragments(docs: list[model.Document], cache_dir: Path | None, version: str,
               workers: int = 2) -> dict[str, str]:
    """Fragments from the cache where they are, from batched pandoc runs where not."""
    entries: dict[str, dict] = {}
    todo = []
    for doc in docs:
        cached = cache_dir / f"{_cache_key(doc, version)}.json" if cache_dir else None
        if not doc.body.strip():
            entries[doc.id] = {"html": "", "warnings": []}
        elif cached and cached.exists():
            entries[doc.id] = json.loads(cached.read_text(encoding="utf-8"))
        else:
            todo.append((doc, cached))
    rendered = _pandoc([doc for doc, _ in todo], workers)
    for doc, cached in todo:
        entries[doc.id] = _entry(doc, *rendered[doc.id])
        if cached:
            _store(cached, entries[doc.id])
    for doc in docs:
        for warning in entries[doc.id]["warnings"]:
            findings.warn(log, "pandoc", "%s", warning)
    return {doc.id: entries[doc.id]["html"] for doc in docs}


def _entry(doc: model.Document, html: str, warnings: list[str]) -> dict:
    html = normalise_headings(sanitize.clean(html), 3 if isinstance(doc, model.Case) else 2)
    return {"html": typeset.mark_halt(number_blocks(html, doc.id)), "warnings": warnings}


def _store(path: Path, entry: dict) -> None:
    write_file(path, json.dumps(entry, ensure_ascii=False).encode())


def render_all(book: model.Book, cache_dir: Path | None = None, workers: int = 2) -> Fragments:
    """Render every document of the book: pandoc runs in ``workers`` batched processes."""
    docs = list(book.documents())
    html = _fragments(docs, cache_dir, pandoc_version(), workers)
    errors, found = Collector(), {}
    for doc in docs:
        html[doc.id] = apparatus.prepare(book, doc, links.resolve(
            doc, images.resolve(book, doc, html[doc.id], errors, found)), errors)
    errors.raise_if_any()
    return Fragments(apparatus.finish(book, html), dict(sorted(found.items())))


def normalise_headings(html: str, top: int) -> str:
    """Make section headings a real hierarchy: none above ``top``, none skipping a level."""
    levels: list[int] = []

    def open_tag(match: re.Match) -> str:
        wanted = int(match.group(2))
        level = max(top, min(wanted, (levels[-1] + 1) if levels else top))
        levels.append(level)
        return f"<h{level}"
    opened = iter([])

    def close_tag(match: re.Match) -> str:
        return f"</h{next(opened)}"
    html = re.sub(r"<(h)([1-6])\b", open_tag, html)
    opened = iter(levels)
    return re.sub(r"</h[1-6]\b", close_tag, html)


def number_blocks(html: str, prefix: str) -> str:
    """Give every block without an id a stable one (``<doc>--b<n>``), for page-lists and links."""
    counter = iter(range(1, 1_000_000))
    return _BLOCK.sub(lambda m: f'<{m.group(1)} id="{prefix}--b{next(counter)}"', html)


def shift_headings(html: str, by: int) -> str:
    """Move every heading level in a fragment by ``by`` (clamped to h1–h6)."""
    def repl(match: re.Match) -> str:
        return f"<{match.group(1)}h{min(6, max(1, int(match.group(2)) + by))}"
    return _HEADING.sub(repl, html)


_ENVIRONMENTS: dict[tuple[str, ...], jinja2.Environment] = {}


def environment(book: model.Book) -> jinja2.Environment:
    """The Jinja environment: the book's own templates/ first, then casebook's.

    One per template path in a process: compiled templates are kept, and reloaded when
    their file changes (Jinja checks the mtime).
    """
    dirs = [book.root / "templates"] if (book.root / "templates").is_dir() else []
    if TEMPLATES_DIR not in dirs:
        dirs.append(TEMPLATES_DIR)
    key = tuple(str(d.resolve()) for d in dirs)
    if key not in _ENVIRONMENTS:
        _ENVIRONMENTS[key] = _new_environment(dirs)
    return _ENVIRONMENTS[key]


def _new_environment(dirs: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=jinja2.select_autoescape(["html", "xhtml", "j2"], default=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.globals.update(PENDING_LABEL=model.PENDING_LABEL, Case=model.Case, Part=model.Part,
                       Matter=model.Matter)
    from .draftmark import label as draft_mark  # 草稿 · build date, for --draft builds
    env.globals["draft_mark"] = draft_mark
    env.filters["print_notes"] = notes.for_print  # the PDF's page-foot notes (notes.py)
    env.filters["print_folios"] = xref.with_folios  # page references of a chunked PDF
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between processes in Jinja's own per-user temp folder, and
    checked against each template's source (every build process compiled them anew). None,
    with a note, where that folder cannot be made safely: templates are then compiled."""
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError) as exc:
        log.info("Templates are compiled in every process: no bytecode cache (%s)", exc)
        return None


def render_template(env: jinja2.Environment, name: str, **context) -> str:
    """Render a template; template mistakes become errors naming the template and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"template error: {exc.message}", exc.filename or name,
                          exc.lineno) from None
    except jinja2.TemplateError as exc:
        raise RenderError(f"template error in {name}: {exc}", _template_path(env, name),
                          _template_line(exc)) from None


def _template_path(env: jinja2.Environment, name: str) -> str:
    try:
        return env.get_template(name).filename or name
    except jinja2.TemplateError:
        return name


def _template_line(exc: Exception) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith((".j2", ".html", ".xhtml")):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def style(name: str, book: model.Book | None = None) -> str:
    """The text of a stylesheet: the book's own ``styles/<name>`` if it has one, else casebook's."""
    own = book.root / "styles" / name if book is not None else None
    return ((own if own and own.is_file() else STYLES_DIR / name)).read_text(encoding="utf-8")
