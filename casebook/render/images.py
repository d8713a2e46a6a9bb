"""Images in fragments: resolve each src against its Markdown file, refuse missing or escaping ones."""

from __future__ import annotations

import re
from pathlib import Path

from casebook import model
from casebook.errors import Collector, SourceError

_IMG = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')
_NO_SRC = re.compile(r'<img\b(?![^>]*\bsrc=)[^>]*>')
_ALT = re.compile(r'\balt="([^"]*)"')
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}


def _line_of(doc: model.Document, src: str) -> int:
    for offset, line in enumerate(doc.body.split("\n")):
        if src in line:
            return doc.body_line + offset
    return doc.body_line


def _unreadable(path: Path) -> str | None:
    """Why a raster image cannot be decoded, or None (SVG is left to the renderers)."""
    if path.suffix.lower() == ".svg":
        return None
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return str(exc) or type(exc).__name__
    return None


def resolve(book: model.Book, doc: model.Document, html: str, errors: Collector,
            found: dict[str, Path]) -> str:
    """Rewrite every local img src to its path relative to the book root (``found`` collects them)."""
    root = book.root.resolve()

    def repl(match: re.Match) -> str:
        src = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
            errors.add(f"image '{src}' is remote; put the file in the book and link it "
                       "relatively", doc.source, _line_of(doc, src), SourceError)
            return match.group(0)
        path = (doc.source.resolve().parent / src).resolve()
        if not path.is_relative_to(root):
            errors.add(f"image '{src}' points outside the book directory", doc.source,
                       _line_of(doc, src), SourceError)
        elif not path.is_file():
            errors.add(f"image '{src}' does not exist (looked for {path})", doc.source,
                       _line_of(doc, src), SourceError)
        elif path.suffix.lower() not in MEDIA_TYPES:
            errors.add(f"image '{src}' is not PNG, JPEG, GIF, SVG or WebP", doc.source,
                       _line_of(doc, src), SourceError)
        elif (broken := _unreadable(path)):
            errors.add(f"image '{src}' cannot be read ({broken}); export it again",
                       doc.source, _line_of(doc, src), SourceError)
        else:
            rel = path.relative_to(root).as_posix()
            found[rel] = path
            return match.group(1) + rel + match.group(3)
        return match.group(0)
    for tag in _NO_SRC.findall(html):
        alt = _ALT.search(tag)
        where = _line_of(doc, f"![{alt.group(1)}]" if alt else "![")
        errors.add("an image here has an address that is not allowed (a script, data or "
                   "unsafe URL); put the image file in the book and link it relatively",
                   doc.source, where, SourceError)
    return _IMG.sub(repl, html)


def prefix_src(html: str, prefix: str) -> str:
    """Prefix every local (book-relative) img src, for pages that sit below the output root."""
    def repl(match: re.Match) -> str:
        src = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
            return match.group(0)
        return match.group(1) + prefix + src + match.group(3)
    return _IMG.sub(repl, html)
