"""Markdown to HTML fragments through pandoc, cached by content, with the book's apparatus."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import pypandoc

from casebook import findings, model, resources
from casebook.errors import Collector, ToolError
from casebook.fsio import write_file
from casebook.render import (
    alerts,
    apparatus,
    breaks,
    images,
    links,
    mathsvg,
    pandoc_batch,
    rawhtml,
    sanitize,
    typeset,
)
from casebook.source import spots

log = logging.getLogger(__name__)

FILTERS = tuple(resources.FILTERS / name for name in ("rawhtml.lua", "commentary.lua",
                                                       "alerts.lua"))  # rawhtml.lua first
PANDOC_FORMAT = ("markdown+east_asian_line_breaks-smart-raw_attribute-raw_tex-native_divs"
                 "-native_spans")  # raw HTML: rawhtml.lua keeps a few tags, rawhtml.py warns
_PANDOC_LINE = re.compile(r"\bline (\d+)\b")
_QUOTED = re.compile(r"'([^']+)'")
_HEADING = re.compile(r"<(/?)h([1-6])\b")
_ID = re.compile(r'\bid="([^"]+)"')
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
    for path in sorted([*resources.FILTERS.glob("*.lua"), *Path(__file__).parent.glob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_key(doc: model.Document, version: str) -> str:
    digest = hashlib.sha256()
    for part in (version, _code_digest(), PANDOC_FORMAT, *_args(doc), doc.body):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _pandoc(docs: list[model.Document], workers: int = 2) -> dict[str, tuple[str, list[str]]]:
    """Run pandoc on the bodies; each one's HTML and pandoc's warnings as it wrote them."""
    docs = [dataclasses.replace(d, body=alerts.prepare(d.body)) for d in docs]
    return pandoc_batch.run(docs, PANDOC_FORMAT, FILTERS, workers)


def _locate(warning: str, doc: model.Document) -> str:
    """Turn pandoc's 'at line N' into the line of the source file.

    Inside a quotation or a list pandoc counts lines from the nested block ('_chunk line
    N'); such a warning is placed by the definition or text it names instead.
    """
    match = _PANDOC_LINE.search(warning)
    if match and "_chunk" not in warning:
        line = doc.body_line + int(match.group(1)) - 1
    else:
        line = _named_line(warning, spots.of(doc.body, doc.body_line))
    text = warning.removeprefix("[WARNING] ")
    return f"{doc.source}:{line}: pandoc: {text}"


def _named_line(warning: str, found: spots.Spots) -> int:
    """The line of the definition (or text) a pandoc warning names, else the body's first."""
    name = _QUOTED.search(warning)
    if not name:
        return found.first_line
    key = name.group(1)
    note = "note" in warning.lower()
    label = re.escape(key[1:-1] if key.startswith("[") and key.endswith("]") else key)
    caret = r"\^" if note else ""
    lines = found.definitions(rf"^[ \t>]*\[{caret}{label}\]:")
    if lines:
        return lines[1] if warning.startswith(("[WARNING] Duplicate", "Duplicate")) \
            and len(lines) > 1 else lines[0]
    return found.search(key) or found.first_line


def _fragments(docs: list[model.Document], cache_dir: Path | None, version: str,
               workers: int = 2, errors: Collector | None = None) -> dict[str, str]:
    """Fragments from the cache where they are, from batched pandoc runs where not; a
    formula pandoc cannot read is an error (in ``errors``) at its line."""
    errors = errors if errors is not None else Collector()
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
    for doc in docs:  # kept as pandoc wrote them: the same body may sit at another line
        for warning in dict.fromkeys(entries[doc.id]["warnings"]):
            tex = mathsvg.unread(warning)
            if tex is not None:
                errors.add(f"formula ${tex}$ is not TeX math pandoc can read: "
                           f"{_math_reason(warning)}", doc.source, mathsvg.line_of(doc, tex))
            else:
                findings.warn(log, "pandoc", "%s", _locate(warning, doc))
        rawhtml.report(doc)
    return {doc.id: entries[doc.id]["html"] for doc in docs}


def _math_reason(warning: str) -> str:
    """pandoc's reason, on the lines after the formula it repeats ("unexpected eof")."""
    lines = warning.split("\n")
    reason = [line for line in lines[3:] if line.strip() and not line.startswith("expecting")]
    return " ".join(reason) or "pandoc renders it as TeX source"


def _entry(doc: model.Document, html: str, warnings: list[str]) -> dict:
    html = normalise_headings(sanitize.clean(html), 3 if isinstance(doc, model.Case) else 2)
    html = breaks.insert(number_blocks(html, doc.id))
    return {"html": typeset.join_connectors(typeset.mark_halt(html)), "warnings": warnings}


def _store(path: Path, entry: dict) -> None:
    write_file(path, json.dumps(entry, ensure_ascii=False).encode())


def render_all(book: model.Book, cache_dir: Path | None = None, workers: int = 2) -> Fragments:
    """Render every document of the book: pandoc runs in ``workers`` batched processes."""
    docs = list(book.documents())
    errors, found = Collector(), {}
    html = _fragments(docs, cache_dir, pandoc_version(), workers, errors)
    mathsvg.check(book, html, errors)
    ids = frozenset(i for fragment in html.values() for i in _ID.findall(fragment))
    for doc in docs:
        html[doc.id] = apparatus.prepare(book, doc, links.resolve(
            doc, images.resolve(book, doc, html[doc.id], errors, found)), errors, ids)
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




