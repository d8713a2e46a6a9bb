"""Images in fragments: resolve each src against its Markdown file, refuse missing or escaping ones."""

from __future__ import annotations

import html as htmllib
import logging
import re
from pathlib import Path

from casebook import findings, model
from casebook.errors import Collector, SourceError
from casebook.source import spots

log = logging.getLogger(__name__)
_IMG = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')
_TAG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'\bsrc="([^"]+)"')
_ALT = re.compile(r'\balt="([^"]*)"')
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}


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
    """Rewrite every local img src to its path relative to the book root (``found`` collects them).

    An image without alt text builds with a warning (``missing-alt``: `verify` fails on it)
    and an empty ``alt=""``, so that every edition stays valid HTML; a missing, remote, escaping or unreadable file is an error. Both are placed at the
    image's own line (spots.py).
    """
    root = book.root.resolve()
    where = spots.of(doc.body, doc.body_line).cursor("image")

    def repl(match: re.Match) -> str:
        tag = match.group(0)
        src, alt = _SRC.search(tag), _ALT.search(tag)
        alt_text = htmllib.unescape(alt.group(1)) if alt else ""
        line = where.take(src.group(1) if src else None, alt_text,
                          needle=src.group(1) if src else f"![{alt_text}]")
        name = src.group(1).rsplit("/", 1)[-1] if src else ""
        if not alt_text.strip():
            findings.warn(log, "missing-alt", "%s:%d: image '%s' has no alt text; write what "
                          "it shows between the brackets, ![说明](%s)", doc.source, line, name,
                          name)
        if src is None:
            errors.add("an image here has an address that is not allowed (a script, data or "
                       "unsafe URL); put the image file in the book and link it relatively",
                       doc.source, line, SourceError)
            return tag
        problem, rel = _check(doc, root, src.group(1))
        if problem:
            errors.add(problem, doc.source, line, SourceError)
            return tag
        found[rel] = root / rel
        tag = tag[:src.start(1)] + rel + tag[src.end(1):]
        return tag if alt else tag.replace("<img", '<img alt=""', 1)  # valid HTML; warned above
    return _TAG.sub(repl, html)


def _check(doc: model.Document, root: Path, src: str) -> tuple[str, str]:
    """What is wrong with an image address (or ''), and its path relative to the book root."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
        return f"image '{src}' is remote; put the file in the book and link it relatively", ""
    path = (doc.source.resolve().parent / src).resolve()
    if not path.is_relative_to(root):
        return f"image '{src}' points outside the book directory", ""
    if not path.is_file():
        return f"image '{src}' does not exist (looked for {path})", ""
    if path.suffix.lower() not in MEDIA_TYPES:
        return f"image '{src}' is not PNG, JPEG, GIF, SVG or WebP", ""
    broken = _unreadable(path)
    if broken:
        return f"image '{src}' cannot be read ({broken}); export it again", ""
    return "", path.relative_to(root).as_posix()


def prefix_src(html: str, prefix: str) -> str:
    """Prefix every local (book-relative) img src, for pages that sit below the output root."""
    def repl(match: re.Match) -> str:
        src = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
            return match.group(0)
        return match.group(1) + prefix + src + match.group(3)
    return _IMG.sub(repl, html)
