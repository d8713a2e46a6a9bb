"""Figures and tables in fragments: 图1/表1 numbering per document, header scopes, scroll wrappers.

A figure is an image alone in its paragraph, ``![说明](图.png)``: pandoc makes the bracketed
text its caption and its alt text (``{alt="…"}`` gives a longer alt). A table's caption is
its ``Table: …`` line. An image without alt text is a warning (images.py); alone in its
paragraph it is no figure (pandoc makes none without a caption), and the paragraph is marked
``image-alone``, so that it is set like one: no first-line indent to push it past the column.
"""

from __future__ import annotations

import re

from casebook import model

_FIGCAPTION = re.compile(r"(<figure\b[^>]*>.*?<figcaption\b[^>]*>)", re.S)
_TABLE = re.compile(r'<table id="([^"]+)">(\s*<caption>)?', re.S)
_TABLE_END = re.compile(r"</table>")
_TH = re.compile(r"<(thead|tbody|tfoot)\b|<th(?=[ >])")
_LONE_IMAGE = re.compile(r"<p((?: id=\"[^\"]*\")?)>(\s*<img\b[^>]*>\s*)</p>")


def number(doc: model.Document, html: str) -> str:
    """Label figure captions 图1, 图2… and table captions 表1, 表2… (a table without one gets one)."""
    figures = iter(range(1, 10_000))
    html = _FIGCAPTION.sub(lambda m: f'{m.group(1)}<span class="figure-label">图{next(figures)}'
                                     f'</span>　', html)
    tables = iter(range(1, 10_000))

    def table(match: re.Match) -> str:
        table_id, n = match.group(1), next(tables)
        label = f'<span class="table-label">表{n}</span>'
        caption = (f'<caption id="{table_id}-caption">{label}　' if match.group(2)
                   else f'<caption id="{table_id}-caption">{label}</caption>')
        return (f'<div class="table-wrap" role="region" tabindex="0" '
                f'aria-labelledby="{table_id}-caption">\n<table id="{table_id}">{caption}')
    html = _TABLE.sub(table, html)
    if "table-wrap" in html:
        html = _TABLE_END.sub("</table>\n</div>", html)
    html = _LONE_IMAGE.sub(r'<p\1 class="image-alone">\2</p>', html) if "<img" in html else html
    return _scope_headers(html)


def _scope_headers(html: str) -> str:
    """``<th scope="col">`` in a table head, ``scope="row"`` in its body."""
    section = ["thead"]

    def repl(match: re.Match) -> str:
        if match.group(1):
            section[0] = match.group(1)
            return match.group(0)
        return '<th scope="col"' if section[0] == "thead" else '<th scope="row"'
    return _TH.sub(repl, html) if "<th" in html else html
