"""Break opportunities in URLs and long Latin tokens, so that no line is stretched to make room for one.

Each token of 16 characters or more without a space is wrapped in ``<span
class="long-token">`` with a ``<wbr>`` after each / . - ? & = _ #: it breaks there, and
between any two characters only where a part between two of them does not fit a line
(common.css: ``overflow-wrap: anywhere``), never before a : or , (GB/T 15834, UAX #14).
"""

from __future__ import annotations

import re

MIN_LENGTH = 16  # a shorter token fits on a line of its own anyway
_TAG = re.compile(r"(<[^>]+>)")
_TOKEN = re.compile(r"[A-Za-z0-9][^\s<>\u3000-\u9fff\uff00-\uffef]{%d,}" % (MIN_LENGTH - 1))
_ENTITY = re.compile(r"(&[A-Za-z]+;|&#\d+;|&#x[0-9A-Fa-f]+;)")
# after a run of these, before the next character that is none of them
_AFTER = re.compile(r"(?<=[/.\-?=_#~])(?=[^/.\-?=_#~&])")
_SKIP = {"pre", "math", "script", "style", "title"}


def insert(html: str) -> str:
    """``html`` with <wbr> in each long token of its text (not in code blocks or formulas)."""
    if not _TOKEN.search(html):
        return html
    out, skipping = [], 0
    for part in _TAG.split(html):
        if part.startswith("<"):
            name = re.match(r"</?([A-Za-z0-9]+)", part)
            if name and name.group(1).lower() in _SKIP and not part.endswith("/>"):
                skipping += -1 if part.startswith("</") else 1
            out.append(part)
        elif skipping > 0 or not part:
            out.append(part)
        else:
            out.append(_TOKEN.sub(lambda m: _breakable(m.group(0)), part))
    return "".join(out)


def _breakable(token: str) -> str:
    pieces = []
    for piece in _ENTITY.split(token):
        if _ENTITY.fullmatch(piece):
            pieces.append(piece + ("<wbr>" if piece == "&amp;" else ""))
        else:
            pieces.append(_AFTER.sub("<wbr>", piece))
    text = "".join(pieces)
    text = text[:-5] if text.endswith("<wbr>") else text
    return f'<span class="long-token">{text}</span>'
