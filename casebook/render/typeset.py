"""Chinese punctuation compression (标点挤压): mark the mark to set at half width, in HTML fragments.

Where two full-width punctuation marks meet (``。”`` ``，“`` ``）。`` ``：“``), a full em of
blank space sits between their glyphs. ``mark_halt`` wraps the mark whose blank half faces
the other one in ``<span class="halt">``; each edition sets ``.halt`` with the font's
``halt`` OpenType feature (``font-feature-settings: "halt"``), which takes that half away.

The marked one is the first of the pair, as clreq describes it, except after an opening
bracket or quote: in ``“《`` the blank between them is the left half of the second mark, so
the second is marked. Marks separated by inline tags (``”</strong>，``) still meet; a block
boundary, a footnote number or any other text separates them. Tags, attributes and the
contents of ``code``, ``pre``, ``script`` and ``style`` are left alone.
"""

from __future__ import annotations

import re

VERSION = "2"  # part of what the render cache should key on; bump when the output changes
OPENING = "“‘（《〈「『【〔〖〘〚［｛"
CLOSING = "”’）》〉」』】〕〗〙〛］｝"
STOPS = "，。、；：？！"
PUNCTUATION = frozenset(OPENING + CLOSING + STOPS)
HALT_OPEN = '<span class="halt">'
HALT_CLOSE = "</span>"
INLINE = frozenset("a abbr b bdi bdo cite data del dfn em i ins kbd mark q s samp small span "
                   "strong sub sup time u var".split())
VERBATIM = frozenset({"code", "pre", "script", "style", "textarea"})
_TOKEN = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")


CONNECTOR = "\u2014"  # 连接号 —: a single em dash, which may not start a line (GB/T 15834)
NOBR_OPEN = '<span class="nobr">'
_CONNECTOR = re.compile(r"([^\s\u2014<>])\u2014(?!\u2014)")


def join_connectors(html: str) -> str:
    """Keep each single 连接号 — on the line of the character before it (``span.nobr``).

    Line breaking (UAX #14) allows a break before an em dash, so "片区—楼宇" may put "—楼宇"
    at the start of a line. A doubled —— (破折号) is left alone: it is never split and may
    start a line. Tags and the contents of ``code``, ``pre``, ``script``, ``style`` are kept.
    """
    if CONNECTOR not in html:
        return html
    tokens, verbatim = _TOKEN.split(html), 0
    for i, token in enumerate(tokens):
        if i % 2:
            name, closing = _tag(token)
            if name in VERBATIM:
                verbatim = max(0, verbatim + (-1 if closing else 1))
        elif not verbatim and CONNECTOR in token:
            tokens[i] = _CONNECTOR.sub(lambda m: f"{NOBR_OPEN}{m.group(0)}{HALT_CLOSE}", token)
    return "".join(tokens)


def halted(first: str, second: str) -> int | None:
    """Which of two adjacent marks to compress: 0 (the first), 1 (the second) or None."""
    if first in CLOSING or first in STOPS:
        return 0
    if first in OPENING and second in OPENING:
        return 1
    return None


def mark_halt(html: str) -> str:
    """Wrap each full-width mark that meets another in ``<span class="halt">``."""
    tokens = _TOKEN.split(html)
    marks = _marks(tokens)
    if not marks:
        return html
    return "".join(_wrap(token, marks.get(i, ())) for i, token in enumerate(tokens))


def _marks(tokens: list[str]) -> dict[int, set[int]]:
    """The (token index, character index) of every mark to compress."""
    marks: dict[int, set[int]] = {}
    previous: tuple[int, int, str] | None = None  # the last character seen, if punctuation
    verbatim = 0
    for i, token in enumerate(tokens):
        if i % 2:  # a tag or a comment
            name, closing = _tag(token)
            if name in VERBATIM:
                verbatim = max(0, verbatim + (-1 if closing else 1))
            if name not in INLINE:
                previous = None
            continue
        if verbatim:
            previous = None
            continue
        for j, char in enumerate(token):
            if char in PUNCTUATION and previous is not None:
                which = halted(previous[2], char)
                if which is not None:
                    where = (previous[0], previous[1]) if which == 0 else (i, j)
                    if not _already_marked(tokens, where[0]):
                        marks.setdefault(where[0], set()).add(where[1])
            previous = (i, j, char) if char in PUNCTUATION else None
    return marks


def _already_marked(tokens: list[str], index: int) -> bool:
    """A mark that is the whole text of an existing halt span (mark_halt is idempotent)."""
    return (len(tokens[index]) == 1 and index >= 1 and tokens[index - 1] == HALT_OPEN
            and index + 1 < len(tokens) and tokens[index + 1] == HALT_CLOSE)


def _tag(token: str) -> tuple[str, bool]:
    match = _TAG_NAME.match(token)
    if not match:  # a comment
        return "", False
    return match.group(1).lower(), token.startswith("</")


def _wrap(text: str, positions) -> str:
    if not positions:
        return text
    return "".join(f"{HALT_OPEN}{c}{HALT_CLOSE}" if j in positions else c
                   for j, c in enumerate(text))
