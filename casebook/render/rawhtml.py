"""Raw HTML in Markdown: a few safe inline tags pass (filters/rawhtml.lua), any other is removed with a warning at its line."""

from __future__ import annotations

import logging
import re

from casebook import findings, model
from casebook.source import spots

log = logging.getLogger(__name__)
KEEP = ("sup", "sub", "kbd", "mark", "ruby", "rt", "rp")
_PLAIN = re.compile(r"^</?([A-Za-z]+)\s*>$")
_BREAK = re.compile(r"^<br\s*/?>$", re.I)
_ANCHOR = re.compile(r"""^<a\s+id\s*=\s*(?:"[\w:.-]+"|'[\w:.-]+')\s*>$""", re.I)
ALLOWED = "<a id=…></a>, <sup>, <sub>, <br>, <kbd>, <mark>, <ruby>, <rt>, <rp>"


def removed(found: spots.Spots) -> list[spots.Spot]:
    """The tags of a body that no edition shows: the opening ones, each once."""
    tags = [s for s in found.all if s.kind == "html"]
    out, paired = [], set()
    for i, tag in enumerate(tags):
        if tag.target.startswith("/") or tag.offset in paired:
            continue
        plain = _PLAIN.match(tag.text)
        if plain and plain.group(1).lower() in KEEP or _BREAK.match(tag.text):
            continue
        after = tags[i + 1] if i + 1 < len(tags) else None
        if (_ANCHOR.match(tag.text) and after and after.target == "/a"
                and after.offset == tag.offset + len(tag.text)):
            paired.add(after.offset)
            continue
        out.append(tag)
    return out


def report(doc: model.Document) -> None:
    """Warn (``raw-html``) about each raw HTML tag the editions leave out, at its line."""
    if "<" not in doc.body:
        return
    for tag in removed(spots.of(doc.body, doc.body_line)):
        shown = tag.text if len(tag.text) <= 60 else tag.text[:57] + "…"
        findings.warn(log, "raw-html", "%s:%d: raw HTML %s is removed (only %s pass); write "
                      "it in Markdown", doc.source, tag.line, " ".join(shown.split()), ALLOWED)
