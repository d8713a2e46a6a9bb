"""Checks on a Markdown body that pandoc would accept silently but that are authoring mistakes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from casebook.errors import Collector
from casebook.model import Book

_FENCE = re.compile(r"^(:{3,})\s*(.*?)\s*$")
_FENCED_CODE = re.compile(r"^(```|~~~)")
_COMMENTARY = re.compile(r"(^|[\s{.])commentary\b")
_BY = re.compile(r"""\bby\s*=\s*(?:"[^"]*[^"\s][^"]*"|'[^']*[^'\s][^']*'|[^\s"'}]+)""")
UNSIGNED = "点评 without a signature"


def check_body(body: str, first_line: int, path: Path, pending: bool, errors: Collector) -> None:
    """Report empty or stray bodies and unbalanced ``:::`` divs (an unsigned 点评 is no error)."""
    if pending and body.strip():
        errors.add("the file has text but is marked 'status: pending'; remove the status "
                   "line to publish it", path, first_line)
        return
    if not pending and not body.strip():
        errors.add("the body is empty; write the text, or mark the file 'status: pending'",
                   path, first_line)
        return
    _check_divs(body, first_line, path, errors)


def _fences(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(line, attributes) of each ``:::`` fence outside fenced code; a closing one has ''."""
    in_code = False
    for offset, line in enumerate(body.split("\n")):
        if _FENCED_CODE.match(line):
            in_code = not in_code
        match = None if in_code else _FENCE.match(line)
        if match:
            yield first_line + offset, match.group(2)


def _check_divs(body: str, first_line: int, path: Path, errors: Collector) -> None:
    stack: list[int] = []
    for number, attrs in _fences(body, first_line):
        if attrs:
            stack.append(number)
        elif stack:
            stack.pop()
        else:
            errors.add("':::' closes a div that was never opened", path, number)
    for number in stack:
        errors.add("fenced div opened here is never closed; add a ':::' line after it",
                   path, number)


def unsigned_commentaries(body: str, first_line: int = 1) -> list[int]:
    """The line of each commentary's opening fence that has no ``by`` (an unsigned 点评)."""
    return [number for number, attrs in _fences(body, first_line)
            if _COMMENTARY.search(attrs) and not _BY.search(attrs)]


def unsigned_in_book(book: Book) -> list[str]:
    """``path:line: 点评 without a signature`` for each unsigned commentary of the book."""
    return [f"{doc.source}:{line}: {UNSIGNED}" for doc in book.documents()
            for line in unsigned_commentaries(doc.body, doc.body_line)]
