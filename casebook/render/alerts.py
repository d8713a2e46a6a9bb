"""GitHub alerts (``> [!NOTE] 标题``): the marker line keeps its title apart; filters/alerts.lua makes the aside.

pandoc reads ``> [!NOTE] 标题`` and the next line as one paragraph, and with
``east_asian_line_breaks`` drops the break between two Chinese lines: the title would run
into the text. ``prepare`` ends such a marker line in a hard break (a trailing backslash),
which no filter drops; the line count stays the same.
"""

from __future__ import annotations

import re

from casebook.source.spots import mask

KINDS = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")
_MARKER = re.compile(r"^(?: {0,3}>[ \t]?)+\[!(?:%s)\][^\n]*?\S[ \t]*$" % "|".join(KINDS),
                     re.I)
_QUOTE = re.compile(r"^(?: {0,3}>[ \t]?)*")


def prepare(body: str) -> str:
    """The body with every titled alert marker line ended in a hard break."""
    if "[!" not in body:
        return body
    lines, code = body.split("\n"), mask(body).split("\n")
    for i, line in enumerate(lines[:-1]):
        if (_MARKER.match(code[i]) and not line.rstrip().endswith("\\")
                and _QUOTE.sub("", lines[i + 1]).strip()):
            lines[i] = line.rstrip() + "\\"
    return "\n".join(lines)

