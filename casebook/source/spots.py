"""Where constructs sit in a Markdown body (images, links, notes, raw HTML tags), outside code, by file line.

pandoc's ``markdown`` reader keeps no source positions, so a problem found in the HTML it
wrote is placed by finding its construct in the source. ``Spots`` scans a body once: code
(fenced and indented blocks, code spans) and backslash escapes are blanked out first, then
every image, link, footnote reference, note definition, link definition and raw HTML tag is
recorded with its line. The spots of one kind are kept in the order pandoc writes them: the
main text first, then each note's, in the order the notes are numbered. A ``Cursor`` hands
them out in that order, matched by target, so the third image ``a.png`` of a document is
placed at the third ``![…](a.png)`` of its source, whatever the HTML around it.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from dataclasses import dataclass
from urllib.parse import unquote

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)[\s\S]*?(?<!`)\1(?!`)")
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)]|#[.)])\s|^ {0,3}\[\^[^\]\s]+\]:")
_LINK_DEF = re.compile(r"^ {0,3}\[([^\]^][^\]]*)\]:[ \t]*(<[^>\n]*>|\S+)", re.M)
_NOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.M)
_DEST = re.compile(r"\(\s*(<[^>\n]*>|(?:[^\s()]|\([^\s()]*\))*)"
                   r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
_REF = re.compile(r"\[([^\]]*)\]")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+\.[A-Za-z]+)>")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*?)?)(/?)>|<\?[\s\S]*?\?>")


@dataclass(frozen=True)
class Spot:
    """One construct: its kind, file line, offset in the body, target and text as written.

    ``kind`` is ``image``, ``link``, ``noteref`` or ``html``; ``target`` an image's or link's
    address (a reference resolved), a note's key, or an HTML tag's name (``/name`` when it
    closes); ``text`` the alt or link text, or the whole tag; ``note`` 0 in the main text,
    else the number pandoc gives the note the spot is in.
    """

    kind: str
    line: int
    offset: int
    target: str
    text: str
    note: int = 0


def normal(url: str) -> str:
    """An address as pandoc writes it compares equal to the same address as written."""
    url = url.strip()
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1]
    url = re.sub(r"\\(.)", r"\1", html.unescape(url))
    return unquote(url).strip()


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def mask(body: str) -> str:
    """The body with code and backslash escapes blanked out (same length, same lines)."""
    out, fence, context, blank = [], "", "text", True
    for line in body.split("\n"):
        match = _FENCE.match(line)
        if fence or match:
            if not fence:
                fence = match.group(1)
            elif line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
            out.append(_blank(line))
            continue
        if not line.strip():
            blank = True
            out.append(line)
            continue
        if line.startswith(("    ", "\t")) and (context == "code" or blank and context == "text"):
            out.append(_blank(line))  # an indented code block (not a list's continuation)
            context, blank = "code", False
            continue
        if _LIST_ITEM.match(line):
            context = "list"
        elif not line.startswith((" ", "\t")):
            context = "text"
        blank = False
        out.append(line)
    text = "\n".join(out)
    text = _CODE_SPAN.sub(lambda m: _blank(m.group(0)), text)
    return _ESCAPE.sub(lambda m: "  ", text)


def _pairs(text: str) -> dict[int, int]:
    """Each ``[`` with its matching ``]``, nesting counted, never across a blank line."""
    pairs, stack = {}, []
    for m in re.finditer(r"[\[\]]|\n[ \t]*(?=\n)", text):
        char = m.group(0)
        if char == "[":
            stack.append(m.start())
        elif char == "]":
            if stack:
                pairs[stack.pop()] = m.start()
        else:
            stack.clear()
    return pairs


class Spots:
    """Every construct of one body, found once, in pandoc's writing order."""

    def __init__(self, body: str, first_line: int = 1):
        self.body, self.first_line = body, first_line
        self.masked = mask(body)
        self.pairs = _pairs(self.masked)
        self._starts = [0] + [m.end() for m in re.finditer("\n", body)]
        self.links = {_label(m.group(1)): m.group(2) for m in _LINK_DEF.finditer(self.masked)}
        self.note_defs = self._note_regions()
        self.dests: list[tuple[int, int]] = []
        found = self._brackets() + self._autolinks() + self._tags()
        numbers = self._note_numbers(found)
        self.all = sorted((self._in_note(s, numbers) for s in found),
                          key=lambda s: (s.note, s.offset))

    def line(self, offset: int) -> int:
        """The file line of a body offset."""
        return self.first_line + bisect.bisect_right(self._starts, offset) - 1

    def of(self, kind: str) -> list[Spot]:
        return [s for s in self.all if s.kind == kind]

    def cursor(self, kind: str) -> "Cursor":
        return Cursor(self, kind)

    def search(self, needle: str) -> int | None:
        """The line of the first ``needle`` outside code, or None."""
        at = self.masked.find(needle) if needle else -1
        return self.line(at) if at >= 0 else None

    def definitions(self, pattern: str) -> list[int]:
        """The lines where ``pattern`` (a regex) matches at a line start outside code."""
        return [self.line(m.start()) for m in re.finditer(pattern, self.masked, re.M)]

    # -- scanning ---------------------------------------------------------------------------
    def _spot(self, kind: str, offset: int, target: str, text: str) -> Spot:
        return Spot(kind, self.line(offset), offset, target, text)

    def _brackets(self) -> list[Spot]:
        text, found = self.masked, []
        skip = {m.start() + m.group(0).index("[") for m in _LINK_DEF.finditer(text)}
        skip |= {m.start() + m.group(0).index("[") for m in _NOTE_DEF.finditer(text)}
        for match in re.finditer(r"\[", text):
            at = match.start()
            if at in skip:
                continue
            end = self.pairs.get(at, -1)
            if end < 0:
                continue
            inner = self.body[at + 1:end]
            if inner.startswith("^"):
                found.append(self._spot("noteref", at, inner[1:], inner))
                continue
            if at and text[at - 1] == "^":
                continue  # an inline note: its contents are scanned on their own
            image = at > 0 and text[at - 1] == "!"
            target = self._target(end + 1, inner, skip)
            if target is not None:
                start = at - 1 if image else at
                found.append(self._spot("image" if image else "link", start, normal(target),
                                        inner))
        return found

    def _target(self, after: int, inner: str, skip: set) -> str | None:
        """The address a bracket pair leads to, or None when it is no link."""
        dest = _DEST.match(self.masked, after)
        if dest:
            self.dests.append((dest.start(), dest.end()))
            return self.body[dest.start(1):dest.end(1)]
        ref = _REF.match(self.masked, after)
        if ref:
            skip.add(ref.start())  # [text][label]: the label is no link of its own
        if ref and ref.group(1).strip():
            return self.links.get(_label(ref.group(1)))
        return self.links.get(_label(inner))  # [text][] and [text]

    def _autolinks(self) -> list[Spot]:
        found = []
        for m in _AUTOLINK.finditer(self.masked):
            target = m.group(1)
            target = target if ":" in target else f"mailto:{target}"
            found.append(self._spot("link", m.start(), normal(target), m.group(1)))
        return found

    def _tags(self) -> list[Spot]:
        found = []
        dests = sorted(self.dests)
        starts = [start for start, _ in dests]
        for m in _TAG.finditer(self.masked):
            at = bisect.bisect_left(starts, m.start()) - 1
            if at >= 0 and m.start() < dests[at][1]:
                continue  # <address> in a link's destination
            if m.group(0).startswith("<?"):
                found.append(self._spot("html", m.start(), "?", self.body[m.start():m.end()]))
                continue
            name = m.group(1) + m.group(2).lower()
            found.append(self._spot("html", m.start(), name, self.body[m.start():m.end()]))
        return found

    # -- notes ------------------------------------------------------------------------------
    def _note_regions(self) -> list[tuple[int, int, str]]:
        """(start, end, key) of each ``[^key]:`` definition and the lines that continue it."""
        regions, text = [], self.masked
        for m in _NOTE_DEF.finditer(text):
            end = text.find("\n", m.end())
            end = len(text) if end < 0 else end
            blank = False
            while end < len(text):
                nxt = text.find("\n", end + 1)
                nxt = len(text) if nxt < 0 else nxt
                row = text[end + 1:nxt]
                if not row.strip():
                    blank = True
                elif _NOTE_DEF.match(row) or _LINK_DEF.match(row) or (
                        blank and not row.startswith((" ", "\t"))):
                    break
                else:
                    blank = False
                end = nxt
            regions.append((m.start(), end, m.group(1)))
        return regions

    def _inline_notes(self) -> list[tuple[int, int]]:
        text, found = self.masked, []
        for m in re.finditer(r"\^\[", text):
            end = self.pairs.get(m.start() + 1, -1)
            if end > 0:
                found.append((m.start(), end))
        return found

    def _note_numbers(self, found: list[Spot]) -> dict:
        """Note numbers as pandoc gives them: by first reference in the main text."""
        defined = {key for _, _, key in self.note_defs}
        events = [(s.offset, s.target) for s in found if s.kind == "noteref"
                  and s.target in defined and not self._def_of(s.offset)]
        self.inline = self._inline_notes()
        events += [(start, ("inline", start)) for start, _ in self.inline
                   if not self._def_of(start)]
        numbers: dict = {}
        for _, key in sorted(events, key=lambda e: e[0]):
            numbers.setdefault(key, len(numbers) + 1)
        return numbers

    def _def_of(self, offset: int) -> str | None:
        for start, end, key in self.note_defs:
            if start <= offset < end:
                return key
        return None

    def _in_note(self, spot: Spot, numbers: dict) -> Spot:
        if spot.kind == "noteref":
            return spot
        for start, end in self.inline:
            if start < spot.offset < end:
                return Spot(**{**spot.__dict__, "note": numbers.get(("inline", start), 10**6)})
        key = self._def_of(spot.offset)
        if key is not None:
            return Spot(**{**spot.__dict__, "note": numbers.get(key, 10**6)})
        return spot


class Cursor:
    """Hands out the spots of one kind in writing order: ``take`` each construct the HTML has."""

    def __init__(self, spots: Spots, kind: str):
        self.spots, self.left = spots, spots.of(kind)

    def take(self, target: str | None = None, text: str | None = None,
             needle: str = "") -> int:
        """The line of the next spot with this target (or, without one, this text).

        A construct the source does not have as such (a footnote's back link, say) takes
        nothing: its line is that of ``needle`` outside code, else the body's first line.
        """
        want = normal(target) if target is not None else None
        for i, spot in enumerate(self.left):
            if (spot.target == want) if want is not None else (spot.text == text):
                del self.left[i]
                return spot.line
        found = self.spots.search(needle)
        return found if found is not None else self.spots.first_line


@functools.lru_cache(maxsize=64)
def of(body: str, first_line: int) -> Spots:
    """The spots of a body (kept for the few steps that place problems in the same one)."""
    return Spots(body, first_line)
