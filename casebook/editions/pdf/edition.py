"""The PDF edition: the print PDF (PDF/X-4) and the screen PDF (PDF/UA-1), laid out in chunks.

``write`` lays the book out on ``inputs.pool`` (chunks.py), hands the PageMap to
``inputs.on_layout`` as soon as the layout has settled (the build starts the EPUB and the
print cover then), and finishes both files from the painted chunks. A lean build
(``inputs.options["lean"]``, a long book) finishes them one after the other in this
process; otherwise the print PDF is finished on the pool while this process finishes the
screen PDF, the longer job. With ``inputs.options["screen_only"]`` (the preview's PDF)
only the screen PDF is written, and ``inputs.options["on_chunks"]`` is shown the chunks as
soon as they are laid out, before the merge (chunks.lay_out); ``inputs.options["chunk_chars"]``
sets the chunks' size (pdf_plan.plan).
"""

from __future__ import annotations

from pathlib import Path

from casebook import model
from casebook.editions import Inputs
from casebook.editions.pdf import chunks, document
from casebook.editions.pdf.document import Layout


def write(book: model.Book, out_dir: Path, inputs: Inputs) -> Path:
    """Write ``<slug>.pdf`` and ``<slug>-screen.pdf`` into ``out_dir``; return the print one."""
    layout = chunks.lay_out(book, inputs.fragments, inputs.pool, inputs.cache_dir,
                            inputs.on_layout, inputs.options.get("on_chunks"),
                            inputs.options.get("chunk_chars"))
    if inputs.options.get("screen_only"):  # a preview: no print file; return the screen one
        return document.write_screen(book, out_dir, layout.pagemap, layout.painted,
                                     layout.paginated)
    return finish(book, out_dir, layout, None if inputs.options.get("lean") else inputs.pool,
                  inputs.cache_dir)


def finish(book: model.Book, out_dir: Path, layout: Layout, pool=None,
           cache_dir: Path | None = None) -> Path:
    """Both PDFs from a layout: the print one on ``pool`` (if any) while this process
    finishes the screen one; return the print PDF's path."""
    args = (book, out_dir, layout.pagemap, layout.painted)
    if pool is None:
        printed = document.write_print(*args, cache_dir)
        document.write_screen(*args, layout.paginated)
        return printed
    job = pool.submit(document.write_print, *args, cache_dir)
    document.write_screen(*args, layout.paginated)
    return job.result()
