"""Images for the EPUB: WebP is not an EPUB core media type, so each WebP figure ships as a PNG."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from casebook.render.fragments import Fragments

log = logging.getLogger(__name__)
CONVERT = {".webp": ".png"}


def for_epub(fragments: Fragments) -> Fragments:
    """The fragments with every WebP image renamed to the PNG the EPUB will carry."""
    renames = {}
    for rel in fragments.images:
        suffix = Path(rel).suffix.lower()
        if suffix in CONVERT:
            new = rel[: -len(suffix)] + CONVERT[suffix]
            renames[rel] = new if new not in fragments.images else rel + CONVERT[suffix]
    if not renames:
        return fragments
    pattern = re.compile(r'(<img\b[^>]*?\bsrc=")(' + "|".join(map(re.escape, renames)) + ')"')
    html = {key: pattern.sub(lambda m: f'{m.group(1)}{renames[m.group(2)]}"', text)
            for key, text in fragments.html.items()}
    images = {renames.get(rel, rel): path for rel, path in fragments.images.items()}
    log.info("EPUB: %d WebP image(s) converted to PNG", len(renames))
    return Fragments(html, dict(sorted(images.items())))


def payload(rel: str, path: Path) -> bytes:
    """The bytes the EPUB stores at ``rel``: the file itself, or a PNG made from a WebP."""
    if Path(rel).suffix.lower() == path.suffix.lower():
        return path.read_bytes()
    from PIL import Image
    with Image.open(path) as image:
        out = io.BytesIO()
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
        image.convert(mode).save(out, format="PNG", optimize=True)
        return out.getvalue()
