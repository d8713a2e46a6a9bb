#!/usr/bin/env python3
"""Lower bounds for two performance targets, on the bench book: what no build goes below.

``layout BOOK``: the CPU seconds WeasyPrint takes to lay out and paint every chunk of the
print PDF once, one after another in one warmed-up process. A clean build does at least
this work (it lays the TOC out twice, and its workers start cold), so on N cores its wall
time cannot be below this CPU time divided by N.

``epub EPUB``: the compressed size of the EPUB's documents' text alone, with no head, no
cover, no nav and no package file, after removing the block ids (``--bN``), at the
strongest deflate level, grouped in two ways: one document per part (what e-readers cope
with: each under 300 KB) and the whole book in one document.

Prints one JSON object.
"""

from __future__ import annotations

import json
import re
import sys
import time
import zipfile
import zlib
from pathlib import Path

import make_book  # noqa: E402,F401  (puts the project on sys.path)

_BLOCK_ID = re.compile(r' id="[^"]*--b\d+"')
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
_ITEMREF = re.compile(r'<itemref idref="([^"]+)"')
_ITEM = re.compile(r"<item [^>]*>")


def layout(book_dir: Path) -> dict:
    """CPU seconds to lay out and paint every chunk once, after one warm-up chunk."""
    from casebook.editions.pdf import chunks as pdf_chunks
    from casebook.editions.pdf import document as pdf
    from casebook.editions.pdf import plan as pdf_plan
    from casebook.render import fragments as render
    from casebook.source import loader as source
    book = source.load(book_dir).select(False)
    fragments = render.render_all(book, None)
    pdf.prepare(book)
    pdf_chunks.warm(book)
    html_of = pdf_chunks._Htmls(book, fragments)  # a clean build's first round's HTML
    htmls = [html_of(chunk, {}) for chunk in pdf_plan.plan(book)]
    pdf_chunks.lay_out_chunk(book, htmls[0])  # the caches a worker builds as it starts
    start, pages = time.process_time(), 0
    for html in htmls:
        pages += len(pdf_chunks.lay_out_chunk(book, html).anchors)
    return {"chunks": len(htmls), "pages": pages, "cpu_s": time.process_time() - start}


def _deflated(text: str) -> int:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate, as in a ZIP entry
    data = text.encode("utf-8")
    return len(packer.compress(data) + packer.flush())


def epub(path: Path) -> dict:
    """Compressed bytes of the documents' bodies, joined per part and as one document."""
    with zipfile.ZipFile(path) as z:
        opf = next(n for n in z.namelist() if n.endswith(".opf"))
        base = opf.rpartition("/")[0]
        package = z.read(opf).decode("utf-8")
        manifest = {_attr(item, "id"): _attr(item, "href") for item in _ITEM.findall(package)}
        spine = _ITEMREF.findall(package)
        bodies = {i: _body(z.read(f"{base}/{manifest[i]}".lstrip("/")).decode("utf-8"))
                  for i in spine}
    groups: list[list[str]] = [[]]
    for idref in spine:
        if idref.startswith("part-"):
            groups.append([])
        groups[-1].append(bodies[idref])
    largest = max(len("".join(g).encode("utf-8")) for g in groups)
    return {"per_part_kb": sum(_deflated("".join(g)) for g in groups) / 1024,
            "parts": len(groups), "largest_part_kb": largest / 1024,
            "one_document_kb": _deflated("".join(bodies[i] for i in spine)) / 1024}


def _attr(tag: str, name: str) -> str:
    return re.search(rf' {name}="([^"]+)"', tag).group(1)


def _body(xhtml: str) -> str:
    found = _BODY.search(xhtml)
    return _BLOCK_ID.sub("", found.group(1) if found else "")


if __name__ == "__main__":
    what, target = sys.argv[1], Path(sys.argv[2])
    print(json.dumps(layout(target) if what == "layout" else epub(target)))
