"""book.yaml ``title_lines``: where the title breaks on the title pages, checked against the title."""

from __future__ import annotations

from pathlib import Path

from casebook.errors import Collector
from casebook.source.schema import line_of


def title_lines(top: dict, data, path: Path, errors: Collector) -> tuple[str, ...]:
    """``title_lines: [一流党建, 促一流开发]``: the title's lines as the title pages set them.

    Optional; each line a non-empty string, and the lines joined must be the title exactly
    (an error at the key's line otherwise). Without it a title page sets the title as one."""
    lines = top.get("title_lines")
    if lines is None:
        return ()
    where = line_of(data, "title_lines")
    if not lines or not all(isinstance(line, str) and line.strip() for line in lines):
        errors.add("'title_lines' must be a list of the title's lines, each a non-empty "
                   "string, like [一流党建, 促一流开发]", path, where)
        return ()
    title = top.get("title", "")
    if "".join(lines) != title:
        errors.add(f"'title_lines' must join to the title exactly: {'+'.join(lines)!r} "
                   f"makes {''.join(lines)!r}, but the title is {title!r}", path, where)
        return ()
    return tuple(lines)
