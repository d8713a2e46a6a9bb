"""A few pages of laid-out chunks as one PDF a viewer can show before the merge: the preview's."""

from __future__ import annotations

import io
from contextlib import ExitStack
from pathlib import Path

import pikepdf
from pikepdf import Name

from casebook.editions.pdf import fontshare, post


def pages_pdf(pages: list[tuple[bytes, int]], fonts_dir: Path | None) -> bytes:
    """The given pages (a chunk's PDF, the page's index in it), in order, in one PDF: its
    fonts made whole (a chunk embeds placeholders the merge fills, fontshare) and each page
    cut to its trim box, as the screen PDF shows it. Its folios are not stamped yet."""
    out = pikepdf.new()
    with ExitStack() as opened:
        sources: dict[int, pikepdf.Pdf] = {}
        for data, index in pages:
            if id(data) not in sources:
                sources[id(data)] = opened.enter_context(pikepdf.open(io.BytesIO(data)))
            out.pages.append(sources[id(data)].pages[index])
        for page in out.pages:
            trim = page.obj.get(Name.TrimBox)
            if trim is not None:
                post.cut_to(page.obj, trim)
        fontshare.share(out, fonts_dir)
        buffer = io.BytesIO()
        out.save(buffer)
    return buffer.getvalue()
