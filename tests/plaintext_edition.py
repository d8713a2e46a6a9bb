"""A trivial fourth edition for the registry test: the table of contents as plain text."""

from __future__ import annotations

from pathlib import Path


def write(book, out_dir: Path, inputs) -> Path:
    """``<slug>.txt``: every title in reading order, and whether the layout's PageMap came."""
    lines = [getattr(item, "title", "") for item in book.reading_order()]
    lines.append(f"pagemap: {inputs.pagemap is not None}")
    target = Path(out_dir) / f"{book.meta.slug}.txt"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
