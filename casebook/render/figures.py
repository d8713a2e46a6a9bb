"""Figures and tables in fragments: 图1/表1 numbering per document, required alt text, header scopes, scroll wrappers.

A figure is an image alone in its paragraph, ``![说明](图.png)``: pandoc makes the bracketed
text its caption and its alt text (``{alt="…"}`` gives a longer alt). A table's caption is
its ``Table: …`` line. Every image needs alt text; ``![](x.png)`` is an error at its line.
"""

from __future__ import annotations

import re

from casebook import model
from casebook.errors import Collector, SourceError

_FIGCAPTION = re.compile(r"(<figure\b[^>]*>.*?<figcaption\b[^>]*>)", re.S)
_TABLE = re.compile(r'<table id="([^"]+)">(\s*<caption>)?', re.S)
_TABLE_END = re.compile(r"</table>")
_IMG = re.compile(r"<img\b[^>]*>")
_ALT = re.compile(r'\balt="([^"]*)"')
_SRC = re.compile(r'\bsrc="([^"]*)"')
_TH = re.compile(r"<(thead|tbody|tfoot)\b|<th(?=[ >])")


def _line_of(doc: model.Document, needles: tuple[str, ...]) -> int:
    for offset, line in enumerate(doc.body.split("\n")):
        if any(n and n in line for n in needles):
            return doc.body_line + offset
    return doc.body_line


def check_alt(doc: model.Document, html: str, errors: Collector) -> None:
    """Every image must say what it shows: a missing or empty alt is an error at its line."""
    for tag in _IMG.findall(html):
        alt = _ALT.search(tag)
        if alt and alt.group(1).strip():
            continue
        src = _SRC.search(tag)
        name = src.group(1).rsplit("/", 1)[-1] if src else ""
        errors.add(f"image '{name}' has no alt text; write what it shows between the "
                   f"brackets, ![说明]({name})", doc.source,
                   _line_of(doc, (f"]({name}", name, "![](")), SourceError)


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
