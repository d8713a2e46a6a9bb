"""Allowlist sanitising of rendered fragments: raw HTML from authors never reaches an edition."""

from __future__ import annotations

import re

import nh3

# pandoc's MathML (--mathml): the screen editions show it, the print edition draws it (mathsvg.py)
MATHML = {
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mtable", "mtr", "mtd", "mover",
    "munder", "munderover", "mstyle", "mpadded", "mphantom", "menclose", "merror",
    "mmultiscripts", "mprescripts", "none", "mlabeledtr",
}
MATHML_ATTRIBUTES = {
    "display", "xmlns", "mathvariant", "stretchy", "fence", "form", "accent", "accentunder",
    "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines",
    "displaystyle", "scriptlevel", "linethickness", "lspace", "rspace", "width", "height",
    "depth", "encoding", "separator", "largeop", "movablelimits", "minsize", "maxsize",
    "notation", "mathsize", "symmetric", "columnspan", "rowspan", "frame", "framespacing",
    "equalrows", "equalcolumns", "voffset",
}
TAGS = MATHML | {
    "a", "abbr", "aside", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
    "rp", "rt", "ruby", "s", "samp", "section", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var", "wbr",
}
COMMON = {"id", "class", "role", "aria-label", "aria-hidden", "lang", "title", "dir"}
ATTRIBUTES = {
    "*": COMMON,
    "a": COMMON | {"href"},
    "img": COMMON | {"src", "alt", "width", "height"},
    "td": COMMON | {"colspan", "rowspan"},
    "th": COMMON | {"colspan", "rowspan", "scope"},
    "ol": COMMON | {"start", "type"},
    **{tag: COMMON | MATHML_ATTRIBUTES for tag in MATHML},
}
URL_SCHEMES = {"http", "https", "mailto", "case"}  # case: cross-references (xref.py)
# pandoc writes a column's Markdown alignment (---: :---: :---) as a style on each cell;
# styles never pass the allowlist, so the alignment becomes a class (common.css .align-*)
_ALIGNED_CELL = re.compile(
    r'<(td|th)((?:\s+(?!style=)[\w-]+="[^"]*")*)\s+style="text-align:\s*(left|right|center);?"')


def _alignment_classes(html: str) -> str:
    """``<td style="text-align: right;">`` as ``<td class="align-right">`` (pandoc's cells)."""
    def repl(match: re.Match) -> str:
        tag, attrs, align = match.groups()
        if ' class="' in attrs:
            attrs = attrs.replace(' class="', f' class="align-{align} ', 1)
            return f"<{tag}{attrs}"
        return f'<{tag}{attrs} class="align-{align}"'
    return _ALIGNED_CELL.sub(repl, html) if "text-align" in html else html


def clean(html: str) -> str:
    """Keep only the allowlisted tags, attributes and URL schemes; drop scripts and handlers.

    A table cell's alignment from the Markdown (pandoc's ``text-align`` style) is kept as a
    class, ``align-left``, ``align-right`` or ``align-center``."""
    return nh3.clean(_alignment_classes(html), tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=None, strip_comments=True, clean_content_tags={"script", "style"})
