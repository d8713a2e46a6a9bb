"""Links in fragments: web links stay, in-document anchors must exist, anything else is unlinked."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, unquote, urlsplit

from casebook import findings, model
from casebook.source import spots

log = logging.getLogger(__name__)
_LINK = re.compile(r'<a\b([^>]*?)\shref="([^"]*)"')
_ID = re.compile(r'\bid="([^"]+)"')
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", re.I)
WEB = re.compile(r"^(https?:|mailto:)", re.I)


def _as_written(doc: model.Document, href: str) -> str:
    """The link target as the author wrote it (pandoc prefixed anchors with the id)."""
    return "#" + unquote(href).removeprefix(f"#{doc.id}--").lstrip("#")  \
        if href.startswith("#") else unquote(href)


def _valid_web(href: str) -> bool:
    """A mailto: address, or an http(s) URL with a real host name."""
    parts = urlsplit(unquote(href).replace("&amp;", "&"))
    if parts.scheme.lower() == "mailto":
        return bool(parts.path)
    return bool(_HOST.match(parts.hostname or ""))


def resolve(doc: model.Document, html: str) -> str:
    """Keep web links and anchors that exist; unlink the rest with a warning naming the line."""
    ids = set(_ID.findall(html))
    where = spots.of(doc.body, doc.body_line).cursor("link")

    def repl(match: re.Match) -> str:
        attrs, href = match.group(1), match.group(2)
        written = _as_written(doc, href)
        line = where.take(written, needle=f"]({written}")  # every link, to keep the order
        if WEB.match(href) and _valid_web(href):
            return f'<a{attrs} href="{quote(href, safe=_URL_SAFE)}"'
        if href.startswith("case:"):  # a cross-reference: xref.py resolves it
            return match.group(0)
        if href.startswith("#") and unquote(href[1:]) in ids:
            return match.group(0)
        findings.warn(log, "dangling-link", "%s:%d: link '%s' leads to no page of this book; "
                      "it is kept as plain text (use a web address, or a link to a heading "
                      "in this case)", doc.source, line, written)
        return f"<a{attrs}"
    return _LINK.sub(repl, html)
