"""Editorial comments (``<!-- … -->``) in Markdown: found outside code, removed before rendering.

Authors and editors leave each other notes as HTML comments. They never reach an edition:
the body a document renders is its source with every comment outside fenced code blocks and
code spans replaced by the newlines it held, so every later line number stays the file's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
# a code span ends within its paragraph (no blank line); a comment may span paragraphs
_CODE_OR_COMMENT = re.compile(r"(`+)(?:(?!\n[ \t]*\n)[\s\S])*?(?<!`)\1(?!`)|<!--[\s\S]*?-->")


@dataclass(frozen=True)
class Comment:
    """One comment: its offsets in the text, the line it starts on (1 = the text's first)."""

    start: int
    end: int
    line: int
    text: str

    @property
    def note(self) -> str:
        """The comment's words, on one line."""
        return " ".join(self.text[4:-3].split())


def _prose(text: str) -> list[tuple[int, int]]:
    """The stretches of ``text`` outside fenced code blocks, as (start, end) offsets."""
    stretches, fence, start, pos = [], "", 0, 0
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if fence and line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            fence, start = "", pos + len(line)
        elif not fence and match:
            stretches.append((start, pos))
            fence = match.group(1)
        pos += len(line) + 1
    if not fence:
        stretches.append((start, len(text)))
    return stretches


def find(text: str) -> list[Comment]:
    """Every closed comment outside code, in order."""
    found = []
    for start, end in _prose(text):
        for m in _CODE_OR_COMMENT.finditer(text, start, end):
            if m.group(0).startswith("<!--"):
                line = text.count("\n", 0, m.start()) + 1
                found.append(Comment(m.start(), m.end(), line, m.group(0)))
    return found


def strip(text: str) -> str:
    """The text without its comments; each one leaves the newlines it spanned."""
    if "<!--" not in text:
        return text
    out, pos = [], 0
    for c in find(text):
        out += [text[pos:c.start], "\n" * c.text.count("\n")]
        pos = c.end
    return "".join(out) + text[pos:]
