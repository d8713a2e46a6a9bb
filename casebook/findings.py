"""Warnings about a book's content: each has a name, a build records them, `verify` fails on them.

A build goes on past such a warning (a draft must build), but a release must not: the
build keeps every one in its record (fresh.py), and `verify` lists those that book.yaml
does not accept by name under ``verify: {accept: [...]}``. The kinds of finding of the
typeset audit (casebook/check/typeset.py) are accepted the same way, by their names in
TYPESET: a book that the layout does not pass yet says so there.
"""

from __future__ import annotations

import contextlib
import logging
import threading

# name: what it is about; a book.yaml may accept a name it knows it ships with
NAMES = {
    "pending": "documents marked 'status: pending' left out of a release",
    "dangling-link": "a link that leads to no page of this book, kept as plain text",
    "pandoc": "something pandoc could not convert as written",
    "empty-index": "a generated index with no entries",
    "unsigned-commentary": "a 点评 without its signature line",
    "missing-alt": "an image without alt text: readers who cannot see it learn nothing",
    "raw-html": "raw HTML left out of every edition (only a few safe tags pass)",
}
# the typeset audit's kinds of finding (casebook/check/typeset.py), in the order it reports
TYPESET = {
    "lonely-lines": "a page carrying on a document with only one or two lines of text",
    "short-page": "a page ending two or more lines above the foot while its text goes on",
    "single-char-line": "单字成行: a paragraph's last line holding a single character",
    "line-start-mark": "a line starting with a mark GB/T 15834 keeps from line starts",
    "line-end-mark": "a line ending with an opening quote or bracket",
    "split-mark": "a 破折号 —— or 省略号 …… split over two lines",
    "pause-mark": "a full line ending in an uncompressed full-width pause mark",
    "off-grid": "body lines off the baseline grid",
    "colour": "text or rules in a colour other than black ink in the print PDF",
}
NAMES.update(TYPESET)
_KEY = "casebook_finding"


def warn(logger: logging.Logger, name: str, message: str, *args) -> None:
    """Log a content warning under its name (one of NAMES)."""
    assert name in NAMES, name
    logger.warning(message, *args, extra={_KEY: name})


class _Recorder(logging.Handler):
    """Records the findings its thread logs: books built side by side (build/many.py) each
    keep their own."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.found: list[list[str]] = []
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        name = getattr(record, _KEY, None)
        if name and record.thread == self.thread:
            self.found.append([name, record.getMessage()])


@contextlib.contextmanager
def recorded():
    """Collect the content warnings logged (in this process and thread) while the block runs."""
    recorder = _Recorder()
    logger = logging.getLogger("casebook")
    logger.addHandler(recorder)
    try:
        yield recorder.found
    finally:
        logger.removeHandler(recorder)


def unaccepted(found: list, accept: tuple[str, ...]) -> list[str]:
    """The recorded warnings a release may not ship with, in order, without repeats."""
    seen: dict[str, None] = {}
    for name, text in found:
        if name not in accept:
            seen.setdefault(f"{text} [{name}]")
    return list(seen)
