"""Allowlist sanitising of rendered fragments: raw HTML from authors never reaches an edition."""

from __future__ import annotations

import nh3

TAGS = {
    "a", "abbr", "aside", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
    "rp", "rt", "ruby", "s", "samp", "section", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
}
COMMON = {"id", "class", "role", "aria-label", "aria-hidden", "lang", "title", "dir"}
ATTRIBUTES = {
    "*": COMMON,
    "a": COMMON | {"href"},
    "img": COMMON | {"src", "alt", "width", "height"},
    "td": COMMON | {"colspan", "rowspan"},
    "th": COMMON | {"colspan", "rowspan", "scope"},
    "ol": COMMON | {"start", "type"},
}
URL_SCHEMES = {"http", "https", "mailto", "case"}  # case: cross-references (xref.py)


def clean(html: str) -> str:
    """Keep only the allowlisted tags, attributes and URL schemes; drop scripts and handlers."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=None, strip_comments=True, clean_content_tags={"script", "style"})
