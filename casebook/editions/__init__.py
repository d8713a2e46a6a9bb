"""The edition registry: each edition is a module with ``write(book, out_dir) -> Path``."""

from __future__ import annotations

from . import epub, html, pdf

EDITIONS = {"pdf": pdf.write, "epub": epub.write, "html": html.write}  # build order
