"""The generated back-matter indexes: 供稿单位索引 (from each case's ``unit``) and 主题索引 (``[术语]{.index}``).

book.yaml asks for them in ``back:`` with ``- index: contributors`` and ``- index: topics``
(an optional ``title:`` renames them). Each becomes a back-matter document with an empty
body whose fragment is written here from ``templates/shared/index.html.j2``, after every
other fragment: entries sorted by pinyin and grouped by initial letter, each pointing at
``#<anchor>`` in the book. The PDF prints the page of each anchor (``target-counter``); the
EPUB and HTML editions turn the anchors into links to their files (``xref.localise``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from casebook import findings, model

log = logging.getLogger(__name__)
KINDS = model.INDEX_KINDS
_TERM = re.compile(r'<span class="index">')
_SPAN = re.compile(r'<span class="index" id="([^"]+)">|<span\b|</span>')
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Locator:
    """One place an entry points at: its anchor, and the document's title for screen editions."""

    anchor: str
    label: str
    front: bool = False


@dataclass(frozen=True)
class Entry:
    heading: str
    locators: tuple[Locator, ...]


def sort_key(text: str) -> tuple[str, str]:
    """Pinyin without tones, then the text itself: 北京 < 长沙 < 中山."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries take 0.2 s to load
    return (" ".join(lazy_pinyin(text, style=Style.NORMAL, errors="default")).lower(), text)


def initial(text: str) -> str:
    letter = sort_key(text)[0][:1].upper()
    return letter if "A" <= letter <= "Z" else "#"


def mark_terms(doc: model.Document, html: str) -> str:
    """Give every ``span.index`` an id (``<doc>--ix<n>``) for the index to point at."""
    counter = iter(range(1, 1_000_000))
    return _TERM.sub(lambda m: f'<span class="index" id="{doc.id}--ix{next(counter)}">', html)


def terms_in(html: str) -> list[tuple[str, str]]:
    """The (anchor, term text) of every marked term, nested spans included."""
    found, open_terms, depth = [], [], 0
    for match in _SPAN.finditer(html):
        if match.group(0) == "</span>":
            depth -= 1
            if open_terms and open_terms[-1][2] == depth:
                anchor, start, _ = open_terms.pop()
                found.append((anchor, _TAGS.sub("", html[start:match.start()]).strip()))
        else:
            if match.group(1):
                open_terms.append((match.group(1), match.end(), depth))
            depth += 1
    return found


def contributors(book: model.Book) -> list[Entry]:
    """Every unit, by pinyin, with its cases in reading order."""
    units: dict[str, list[Locator]] = {}
    for case in book.cases():
        if case.unit.strip():
            units.setdefault(case.unit.strip(), []).append(Locator(case.id, case.title))
    return [Entry(u, tuple(units[u])) for u in sorted(units, key=sort_key)]


def topics(book: model.Book, html: dict[str, str]) -> list[Entry]:
    """Every marked term, by pinyin; one locator per document (its first mention there)."""
    terms: dict[str, dict[str, Locator]] = {}
    front = {m.id for m in book.front}
    for doc in book.documents():
        for anchor, term in terms_in(html.get(doc.id, "")):
            if term:
                terms.setdefault(term, {}).setdefault(
                    doc.id, Locator(anchor, doc.title, doc.id in front))
    return [Entry(t, tuple(terms[t].values())) for t in sorted(terms, key=sort_key)]


def groups(entries: list[Entry]) -> list[tuple[str, list[Entry]]]:
    """Entries under their initial letter, A to Z."""
    out: list[tuple[str, list[Entry]]] = []
    for entry in entries:
        letter = initial(entry.heading)
        if not out or out[-1][0] != letter:
            out.append((letter, []))
        out[-1][1].append(entry)
    return out


def fill(book: model.Book, html: dict[str, str], env) -> dict[str, str]:
    """The fragments with every generated index document written."""
    from casebook.render.templates import render_template
    out = dict(html)
    for doc in book.back:
        if not doc.generated:
            continue
        entries = (contributors(book) if doc.generated == "contributors"
                   else topics(book, html))
        if not entries:
            findings.warn(log, "empty-index", "%s: the %s is empty: %s", doc.source, doc.title,
                        "no case has a 'unit'" if doc.generated == "contributors"
                        else "no term is marked [术语]{.index} in the text")
        out[doc.id] = render_template(env, "shared/index.html.j2", doc=doc, kind=doc.generated,
                                      groups=groups(entries))
    return out
