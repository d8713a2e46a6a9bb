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

``edit BOOK``: the least a one-case edit must do from the command line before any edition
is written, each step timed in one new process: start Python, import the build and read and
hash the book (the no-op build's work); pandoc for the edited case (the others from the
cache) while WeasyPrint is imported and the stylesheets parsed (the build does both at once);
lay out and paint the edited case alone, the smallest chunk there is (pdf_plan.ONE_CASE).
No merge, no finishing, no EPUB or HTML: an edit cannot be quicker than their sum.

Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
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


MARK = re.compile("合成测试..")  # 合成测试文本, which bench/run.py's scenario 3 edits


def edit(book_dir: Path) -> dict:
    """The bench's one-case edit (case 41), timed step by step in a new process."""
    from casebook.render import fragments as render
    from casebook.source import loader as source
    render.render_all(source.load(book_dir).select(False), book_dir / ".casebook-cache")
    case = sorted((book_dir / "source" / "cases").rglob("*.md"))[40]
    text = case.read_text(encoding="utf-8")
    own = sorted({c for c in text if "\u4e00" <= c <= "\u9fff"})
    new = "合成测试" + "".join(random.Random(time.time_ns()).sample(own, 2))
    case.write_text(MARK.sub(new, text, count=1), encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, __file__, "edit-steps", str(book_dir),
                               str(case)], check=True, capture_output=True, text=True)
    finally:
        case.write_text(text, encoding="utf-8")
    steps = json.loads(done.stdout)
    steps["least_s"] = (steps["start_read_s"] + max(steps["pandoc_s"], steps["warm_s"])
                        + steps["layout_s"])
    return steps


def _edit_steps(book_dir: Path, case_path: Path) -> dict:
    """In a new process: each step of ``edit``, from the process's own start."""
    with open("/proc/self/stat", encoding="ascii") as stat, open("/proc/uptime") as up:
        started = int(stat.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        now = float(up.read().split()[0])
    begun = time.perf_counter() - (now - started)
    from casebook import digests
    from casebook.build import pipeline
    from casebook.source import loader as source
    whole = source.load(book_dir)
    digests.digests(pipeline._inputs(whole))
    book = whole.select(False)
    read = time.perf_counter()
    from casebook.render import fragments as render
    fragments = render.render_all(book, book_dir / ".casebook-cache")
    pandoc = time.perf_counter()
    from casebook.editions.pdf import chunks as pdf_chunks
    from casebook.editions.pdf import document as pdf
    from casebook.editions.pdf import plan as pdf_plan
    pdf.prepare(book, glyphs=False)
    pdf_chunks.warm(book)
    warm = time.perf_counter()
    chunk = next(c for c in pdf_plan.plan(book, pdf_plan.ONE_CASE)
                 if c.pieces and c.pieces[0].cases
                 and c.pieces[0].cases[0].source.resolve() == case_path.resolve())
    laid = pdf_chunks.lay_out_chunk(book, pdf_chunks._Htmls(book, fragments)(chunk, {}))
    return {"start_read_s": read - begun, "pandoc_s": pandoc - read, "warm_s": warm - pandoc,
            "layout_s": time.perf_counter() - warm, "pages": len(laid.anchors)}


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
    if what == "edit-steps":
        print(json.dumps(_edit_steps(target, Path(sys.argv[3]))))
    else:
        print(json.dumps({"layout": layout, "epub": epub, "edit": edit}[what](target)))
