"""`build.py check`: validate a whole book project and return every problem, without building."""

from __future__ import annotations

import logging
from pathlib import Path

from casebook.authoring import lint
from casebook.errors import CasebookError, Collector
from casebook.render import fonts
from casebook.render import fragments as render
from casebook.source import loader as source
from casebook.source.bodycheck import unsigned_in_book

log = logging.getLogger(__name__)


def check_book(root: Path, encoding: str | None = None, draft: bool = True) -> list[CasebookError]:
    """Every problem of the sources: YAML, front matter, bodies, images, glyphs, and the
    ``lint:`` settings (so a bad one is found before `lint` runs). An unsigned 点评 is logged
    as a warning, not returned."""
    problems = Collector()
    try:
        book = source.load(root, encoding).select(draft)
    except CasebookError as exc:
        problems.extend(exc)
        return problems.errors
    for finding in unsigned_in_book(book):  # a warning here; `verify` fails on it
        log.warning("%s", finding)
    for step in (lambda: render.render_all(book, root / ".casebook-cache"),
                 lambda: fonts.check_glyphs(book), lambda: lint.settings(root)):
        try:
            step()
        except CasebookError as exc:
            problems.extend(exc)
    return problems.errors
