"""Front matter keys written for other tools (Hugo, Jekyll, mkdocs) told apart from misspelt casebook keys.

A book written for another tool carries keys casebook has no use for (``weight``, ``date``,
``draft``, ``tags``, ``slug``, ``layout``…): they are left out of the model, and the build
says once per key name that it ignored them. A key close to one of casebook's own
(``titel``, ``uint``, ``print-page``) is a typo, and stays an error with a did-you-mean.
"""

from __future__ import annotations

import difflib
import logging
from pathlib import Path

from casebook.errors import Collector
from casebook.source.yamlines import LineDict

# Other tools' keys close enough to casebook's to pass for typos of them.
OTHER_TOOLS = frozenset({"authors", "notoc", "subtitle"})


def typo_of(key, known) -> str | None:
    """The casebook key ``key`` is a likely misspelling of, or None."""
    name = str(key)
    if name in known or name.lower() in OTHER_TOOLS:
        return None
    plain = name.lower().replace("-", "_")
    if plain in known:
        return plain  # Title:, print-page:
    close = difflib.get_close_matches(plain, list(known), n=1, cutoff=0.75)
    if close and abs(len(close[0]) - len(plain)) <= 2:
        return close[0]
    return None


def split(meta, fields, every) -> tuple[object, list, list]:
    """``meta`` with only the keys of ``fields``; the others as (key, line, kind), and typos.

    ``every`` names all of casebook's document keys; a key of ``every`` that this document
    does not read (``author`` in a case) is kind ``elsewhere``, any other unknown key kind
    ``other``; a likely typo of a key of ``every`` is listed as (key, line, meant) instead.
    """
    if not isinstance(meta, LineDict):
        return meta, [], []
    names = {f.name for f in fields}
    kept = LineDict()
    kept.line, kept.key_lines = meta.line, {}
    ignored, typos = [], []
    for key, value in meta.items():
        line = meta.key_lines.get(key, meta.line)
        meant = None if key in names else typo_of(key, every)
        if key in names:
            kept[key] = value
            kept.key_lines[key] = line
        elif meant is not None:
            typos.append((key, line, meant))
        else:
            ignored.append((str(key), line, "elsewhere" if key in every else "other"))
    return kept, ignored, typos


def summary(key: str, where: list[tuple[str, int]], kind: str, case: bool) -> str:
    """One warning for every file that has ``key``: how many, and the first of them."""
    files = len(where)
    first = f"{where[0][0]}:{where[0][1]}"
    count = f"in {files} file{'s' if files > 1 else ''}, first {first}" if files > 1 else first
    if kind == "elsewhere":
        reader = "front and back matter" if case else "cases"
        return f"front matter key '{key}' ({count}) is only read in {reader}; ignored"
    return f"front matter key '{key}' ({count}) is not casebook's; ignored"


class Foreign:
    """Sets other tools' keys aside while a book is read, and reports each name once."""

    def __init__(self, errors: Collector, fields):
        self.errors = errors
        self.every = tuple(dict.fromkeys(f.name for f in fields))
        self.seen: dict[tuple[str, str, bool], list] = {}

    def own(self, meta, fields, shown: Path, what: str, case: bool):
        """casebook's keys of ``meta``; a misspelt one of them is an error at its line."""
        meta, ignored, typos = split(meta, fields, self.every)
        for key, line, meant in typos:
            self.errors.add(f"unknown key '{key}' in {what}; did you mean '{meant}'?", shown,
                            line)
        for key, line, kind in ignored:
            self.seen.setdefault((key, kind, case), []).append((str(shown), line))
        return meta

    def report(self, log: logging.Logger) -> None:
        for (key, kind, case), where in self.seen.items():
            log.warning("%s", summary(key, where, kind, case))
