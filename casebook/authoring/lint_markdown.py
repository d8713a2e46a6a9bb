"""Find the prose in a Markdown source for the copy lint: text segments with markup masked out.

A segment is a stretch of the file the reader sees as text (a paragraph, a heading, a
front-matter ``title``/``unit``/``author`` value, a commentary's ``by=``). Inside it, markup that
is not prose (code spans, URLs, link targets, raw HTML, attributes, list and quote markers) is
replaced by ``MASK`` characters of the same length, so every offset in a segment is an offset
in the file and the rules never see code or addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MASK = "\x00"
FRONT_KEYS = ("title", "unit", "author")

_FRONT_VALUE = re.compile(r"^(?:%s):[ \t]*(.*?)[ \t]*$" % "|".join(FRONT_KEYS))
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_DIV = re.compile(r"^[ ]{0,3}:{3,}")
_BY = re.compile(r"""\bby=(?:"([^"\n]*)"|'([^'\n]*)')""")
_HEADING = re.compile(r"^[ ]{0,3}#{1,6}(?=[ \t]|$)")
_TRAILING_ATTRS = re.compile(r"[ \t]*\{[^{}\n]*\}[ \t]*$")
_NOT_URL = "\u2018-\u201f\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_INLINE = [re.compile(p) for p in (
    r"(`+)(?:(?!\1).)+?\1",                       # code spans
    r"<!--.*?-->",                                 # HTML comments
    r"<(?:https?://|mailto:)[^>\s]*>",             # autolinks
    r"</?[A-Za-z][^<>\n]*>",                       # raw HTML tags
    r"\]\([^()\n]*(?:\([^()\n]*\)[^()\n]*)*\)",    # link and image targets ](url "title")
    r"\]\[[^\]\n]*\]",                             # reference links ][id]
    r"\[\^[^\]\n]+\]",                             # footnote markers [^1]
    r"!\[",                                        # image openers
    r"\]\{[^{}\n]*\}",                             # bracketed span attributes ]{.class}
    rf"(?<![A-Za-z0-9])(?:https?|ftp)://[^\s<>{_NOT_URL}]+",       # bare URLs, up to Chinese text
    rf"(?<![A-Za-z0-9.])www\.[^\s<>{_NOT_URL}]+",
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",               # e-mail addresses
    r"&#?\w+;",                                    # HTML entities
    r"\\(?=[!-/:-@\[-`{-~]|$)",                     # backslash escapes and hard breaks
    r"\r",
)]
_LINE_MARKERS = re.compile(r"^[ \t]*(?:>[ \t]?)*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?")
_REF_DEF = re.compile(r"^[ ]{0,3}\[[^\]]+\]:")


@dataclass(frozen=True)
class Segment:
    """Prose starting at ``start`` in the file; masked markup is ``MASK``; may span lines."""

    start: int
    text: str


def _lines(text: str) -> list[tuple[int, str]]:
    """Each line (without its newline) with the offset where it starts."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def mask_inline(line: str) -> str:
    """The line with inline markup replaced by MASK characters of the same length."""
    for pattern in _INLINE:
        line = pattern.sub(lambda m: MASK * len(m.group(0)), line)
    return line


def segments(text: str) -> list[Segment]:
    """Every prose segment of a Markdown source (front matter included), in file order."""
    lines = _lines(text)
    body_from = 0
    found: list[Segment] = []
    if lines and lines[0][1].rstrip("\r") == "---":
        end = next((i for i in range(1, len(lines))
                    if lines[i][1].rstrip("\r \t") in ("---", "...")), None)
        if end is not None:
            found += _front_values(lines[1:end])
            body_from = end + 1
    found += _body(lines[body_from:])
    return found


def _front_values(lines: list[tuple[int, str]]) -> list[Segment]:
    out = []
    for start, line in lines:
        m = _FRONT_VALUE.match(line.rstrip("\r"))
        if not m or not m.group(1):
            continue
        value, offset = m.group(1), m.start(1)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value, offset = value[1:-1], offset + 1
        out.append(Segment(start + offset, value))
    return out


def _body(lines: list[tuple[int, str]]) -> list[Segment]:
    out: list[Segment] = []
    para: list[tuple[int, str]] = []
    fence = ""
    blank_before = True
    in_comment = False

    def flush():
        if para:
            out.append(Segment(para[0][0], "\n".join(text for _, text in para)))
            para.clear()

    for start, line in lines:
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = ""
            continue
        if in_comment or stripped.startswith("<!--"):
            flush()
            in_comment = "-->" not in stripped
            continue
        fenced = _FENCE.match(line)
        if fenced:
            flush()
            fence = fenced.group(1)
            continue
        if not stripped:
            flush()
            blank_before = True
            continue
        if _DIV.match(line):
            flush()
            out += _by_values(start, line)
        elif _HEADING.match(line):
            flush()
            out.append(Segment(start, _heading(line)))
        elif _REF_DEF.match(line) or (line.startswith(("    ", "\t")) and blank_before):
            flush()
        else:
            para.append((start, _prose_line(line)))
        blank_before = False
    flush()
    return out


def _by_values(start: int, line: str) -> list[Segment]:
    """The attribution of a ``::: {.commentary by="…"}`` line: visible text."""
    return [Segment(start + m.start(m.lastindex), m.group(m.lastindex))
            for m in _BY.finditer(line)]


def _heading(line: str) -> str:
    line = line.replace("\r", MASK)
    marker = _HEADING.match(line).end()
    text = MASK * marker + line[marker:]
    attrs = _TRAILING_ATTRS.search(text)
    if attrs:
        text = text[:attrs.start()] + MASK * (len(text) - attrs.start())
    text = re.sub(r"[ \t]#+[ \t]*$", lambda m: MASK * len(m.group(0)), text)
    return mask_inline(text)


def _prose_line(line: str) -> str:
    line = line.replace("\r", MASK)
    marker = _LINE_MARKERS.match(line).end()
    return mask_inline(MASK * marker + line[marker:])
