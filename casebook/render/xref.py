"""Cross-references between cases: ``[见本书“…”](case:<file stem>)`` becomes a link each edition can follow.

``case:<stem>#<anchor>`` points at a heading's ``{#anchor}`` or an ``<a id="anchor"></a>`` of
that case (pandoc prefixes both with the case's id). In the shared fragment a reference is
``<a class="xref" href="#case-<stem>">`` (or ``#case-<stem>--<anchor>``): the PDF (one
document) follows it as it is and prints the page after it; the EPUB and HTML editions call
``localise`` to point it, and any link to an anchor in another document, at the right file.
"""

from __future__ import annotations

import html as htmllib
import re
from urllib.parse import unquote

from casebook import model
from casebook.errors import Collector, SourceError
from casebook.source import spots

SCHEME = "case:"
_XREF = re.compile(r'<a\b([^>]*?)\shref="case:([^"]*)"([^>]*)>(.*?)</a>', re.S)
_LOCAL = re.compile(r'\bhref="#([^"]+)"')
_TAGS = re.compile(r"<[^>]+>")


def resolve(book: model.Book, doc: model.Document, html: str, errors: Collector,
            ids: frozenset[str] = frozenset()) -> str:
    """Turn every ``case:`` link into an in-book link; an unknown case or anchor is an error at its line.

    ``ids`` are the ids of every fragment of the book, where a ``#anchor`` must be.
    """
    cases = {c.id: c for c in book.cases()}
    where = spots.of(doc.body, doc.body_line).cursor("link")

    def repl(match: re.Match) -> str:
        written = unquote(match.group(2)).strip()
        stem, _, anchor = written.partition("#")
        line = where.take(f"{SCHEME}{match.group(2)}", needle=f"{SCHEME}{written}")
        target = cases.get(f"case-{stem}")
        href = f"{target.id}--{anchor}" if target and anchor else target and target.id
        problem = _problem(stem, anchor, target, href in ids, cases)
        if problem:
            errors.add(problem, doc.source, line, SourceError)
            return match.group(4)
        text = match.group(4)
        if not _TAGS.sub("", text).strip():
            text = f'“{htmllib.escape(target.title)}<span class="halt">”</span>'
        return f'<a class="xref" href="#{href}">{text}</a>'
    return _XREF.sub(repl, html)


def _problem(stem: str, anchor: str, target, found: bool, cases: dict) -> str | None:
    """What is wrong with a cross-reference, or None."""
    if target is None:
        known = ", ".join(sorted(c.removeprefix("case-") for c in cases)[:5])
        return (f"cross-reference 'case:{stem}' names no case of this book (use the file "
                f"name of a case without .md, e.g. {known})")
    if anchor and not found:
        return (f"cross-reference 'case:{stem}#{anchor}' names no anchor of {stem} (a "
                f"heading's {{#{anchor}}} or an <a id=\"{anchor}\"></a> in it)")
    return None


def owner(anchor: str, ids: set[str]) -> str | None:
    """The document an anchor is in: the document id itself, or the part before ``--``."""
    if anchor in ids:
        return anchor
    head = anchor.split("--", 1)[0]
    return head if head in ids else None


def localise(html: str, doc_id: str, hrefs: dict[str, str]) -> str:
    """Point links to anchors in other documents at their files (``hrefs``: id -> file)."""
    ids = set(hrefs)

    def repl(match: re.Match) -> str:
        anchor = match.group(1)
        target = owner(anchor, ids)
        if target is None or target == doc_id:
            return match.group(0)
        suffix = "" if anchor == target else f"#{anchor}"
        return f'href="{hrefs[target]}{suffix}"'
    return _LOCAL.sub(repl, html)


_PAGE_LINK = re.compile(r'<a class="(?:xref|index-locator[^"]*)" href="#([^"]+)"')


def with_folios(html: str, folios: dict[str, str] | None) -> str:
    """Print-only: give page references a known folio (``data-folio``) instead of counting.

    A PDF laid out in chunks cannot count pages with ``target-counter()`` across chunks; with
    the folios of an earlier PageMap (``PageMap.labels()``) each reference prints its folio.
    Without folios, or for an anchor they lack, ``target-counter()`` counts as usual.
    """
    if not folios:
        return html

    def repl(match: re.Match) -> str:
        label = folios.get(match.group(1))
        return f'{match.group(0)} data-folio="{label}"' if label else match.group(0)
    return _PAGE_LINK.sub(repl, html)
