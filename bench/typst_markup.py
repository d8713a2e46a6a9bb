"""The Typst peer's source: a casebook book's documents through `pandoc -t typst`, one .typ file.

The page, margins (widened as casebook widens them to a whole number of characters), body
size, line pitch and fonts are casebook's print settings (casebook/geometry.py, the book's
``print:``); the other sizes and spaces copy casebook's print stylesheet (pdf.css, common.css)
so that both engines set the same text under the same rules. Typst's own composition is left
alone: paragraph breaking, justification, widows and orphans, page breaking.

Every line's height is fixed the way CSS fixes it: Typst's ``top-edge`` and ``bottom-edge``
put the body face's content area in the middle of a 1.7 em line box (casebook's
``line-height``), with no leading between lines, so a body line is 17.85 pt high and its
baseline sits where the audit's grid expects casebook's. Headings take 1.4, notes, tables and
captions 1.5, as in pdf.css.

Blocks are marked by bench/typst_peer.lua (``#cbmark``); bench/typst_peer.py turns the marks'
positions into named destinations ``<doc>--b<n>``, the ids the audit reads in casebook's PDF.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from casebook import model
from casebook.check.typeset import body_metrics
from casebook.geometry import BODY_PT, LINE_HEIGHT, Geometry
from casebook.render import fonts
from casebook.render.fragments import PANDOC_FORMAT
from casebook.render.pandoc_batch import shift

FILTER = Path(__file__).resolve().with_name("typst_peer.lua")
SERIF, SANS, KAI = fonts.SERIF, fonts.SANS, fonts.KAI


def edges(line_height: float) -> str:
    """Typst text edges that centre the body face's content area in a line box, as CSS does."""
    ascent, descent = body_metrics(SERIF)
    top = (line_height + ascent - descent) / 2
    return f"top-edge: {top:.4f}em, bottom-edge: {top - line_height:.4f}em"


def preamble(book: model.Book) -> str:
    """Page, fonts, sizes and the helpers the filter's marks and the 点评 call."""
    geometry = Geometry.of(book.meta.print)
    spec = geometry.spec
    top, _, bottom, _ = spec.margins
    return f"""// Typst peer of casebook's print PDF (bench/typst_peer.py): bench only.
#metadata(str(sys.version))<cbversion>
#set document(title: "{book.meta.title}")
#set page(width: {spec.trim_width}mm, height: {spec.trim_height}mm,
          margin: (top: {top}mm, bottom: {bottom}mm, inside: {geometry.inner}mm,
                   outside: {geometry.outer}mm),
          binding: left, numbering: "1")
#set text(font: "{SERIF}", size: {BODY_PT}pt, lang: "zh", region: "cn",
          {edges(LINE_HEIGHT)})
#set par(justify: true, leading: 0pt, spacing: 0pt,
         first-line-indent: (amount: 2em, all: true))
#set block(spacing: 0pt)
#set footnote(numbering: "①")
#set footnote.entry(clearance: 3mm)  // pdf.css: the footnote area's margin-top
#show footnote.entry: set text(size: 8pt, {edges(1.5)})
#show footnote.entry: set par(first-line-indent: 0pt)
#show heading: set text(font: "{SANS}", weight: "bold", {edges(1.4)})
#show heading: set par(first-line-indent: 0pt)
#show heading.where(level: 3): set block(above: 1em, below: 0.5em)
#show heading.where(level: 4): set block(above: 0.8em, below: 0.4em)
#show table: set text(size: 9pt, {edges(1.5)})
#show table: set par(first-line-indent: 0pt, justify: false)
#show figure: set block(above: 1em, below: 1em)
#show figure.caption: set text(size: 9pt, {edges(1.5)})
#show figure.caption: set par(first-line-indent: 0pt)
#show list: set par(first-line-indent: 0pt)
#show enum: set par(first-line-indent: 0pt)
// lists: 1 em above and below, the text 40 px (30 pt) in, as WeasyPrint's default stylesheet
#set list(indent: 18pt, body-indent: 0.5em)
#set enum(indent: 12pt, body-indent: 0.5em)
#show list: it => block(above: 1em, below: 1em, it)
#show enum: it => block(above: 1em, below: 1em, it)
#show outline.entry: set par(first-line-indent: 0pt)
#show outline.entry.where(level: 1): set text(font: "{SANS}")
#let cbmark(id) = context [#metadata((id: id, page: here().page(),
                                      y: here().position().y.pt()))<cbmark>]
#let cbcentred(id, size, font, body) = align(center,
  par(first-line-indent: 0pt)[#cbmark(id)#text(size: size, font: font, body)])
#let cbpart(id, title) = {{
  pagebreak(to: "odd", weak: true)
  v(70mm)
  cbmark(id)  // before the heading: a mark inside it would also be set in the outline
  align(center, heading(level: 1, text(size: 20pt, title)))
  pagebreak(to: "odd")
}}
#let cbdoc(id, title, recto: false) = {{
  if recto {{ pagebreak(to: "odd", weak: true) }} else {{ pagebreak(weak: true) }}
  counter(footnote).update(0)
  cbmark(id)  // before the heading: a mark inside it would also be set in the outline
  align(center, heading(level: 1, text(size: 16pt, title)))
  v(1.5 * 16pt)  // .matter-title: margin 0 0 1.5em
}}
#let cbcase(id, title, unit) = {{
  pagebreak(weak: true)
  counter(footnote).update(0)
  cbmark(id)  // before the heading: a mark inside it would also be set in the outline
  align(center, heading(level: 2, text(size: 15pt, title)))
  v(0.5 * 15pt)  // .case-title: margin 0 0 0.5em
  if unit != "" {{ cbcentred(id + "--unit", 11pt, ("{KAI}", "{SERIF}"), unit) }}
  v(2em)  // pdf.css .case-head: margin-bottom 2em
}}
#let cbcommentary(body) = block(above: 1.5em, inset: (y: 0.6em), width: 100%,
                                stroke: (top: 0.5pt, bottom: 0.5pt), {{
  set text(font: ("{KAI}", "{SERIF}"))
  show regex("[“”‘’]"): set text(font: "{SERIF}")
  body
}})
#let cblabel(id, body) = {{  // .commentary-label: margin-bottom 0.3em
  par(first-line-indent: 0pt)[#cbmark(id)#text(font: "{SANS}", weight: "bold", body)]
  v(0.3em)
}}
#let cbsignature(id, body) = align(right, par(first-line-indent: 0pt)[#cbmark(id)#body])
"""


def front(book: model.Book) -> str:
    """The title page and the table of contents (casebook's half title and copyright aside)."""
    subtitle = f'#cbcentred("titlepage--b2", 14pt, "{SERIF}")[{book.meta.subtitle}]' \
        if book.meta.subtitle else ""
    return f"""#page(numbering: none)[
  #v(60mm)
  #cbcentred("titlepage", 26pt, "{SANS}")[#strong[{book.meta.title}]]
  #v(2em)
  {subtitle}
]
#pagebreak(to: "odd")
#cbmark("toc");
#outline(title: [目录], depth: 2)
"""


def body(doc: model.Document, pandoc: str) -> str:
    """One document's Markdown through `pandoc -t typst` and the peer's filter."""
    shifted = shift(doc) + (2 if not isinstance(doc, model.Case) else 1)
    cmd = [pandoc, "-f", PANDOC_FORMAT, "-t", "typst", f"--shift-heading-level-by={shifted}",
           "-M", f"cb-doc={doc.id}", "-M", f"cb-dir={doc.source.resolve().parent}",
           "-L", str(FILTER)]
    done = subprocess.run(cmd, input=doc.body.expandtabs(4), capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{doc.source}: pandoc -t typst failed: {done.stderr.strip()}")
    return done.stdout


def _string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _content(text: str) -> str:
    """Plain text as Typst content in brackets: markup characters escaped."""
    for char in "\\#[]*_`$<>@=-+/~":
        text = text.replace(char, "\\" + char)
    return f"[{text}]"


def document(item: model.Matter | model.Part | model.Case, pandoc: str) -> str:
    """One item of the reading order as Typst markup."""
    if isinstance(item, model.Part):
        return f'#cbpart("{item.id}", {_content(item.title)})\n'
    if isinstance(item, model.Case):
        head = f'#cbcase("{item.id}", {_content(item.title)}, "{_string(item.unit)}")\n'
    else:
        recto = "true" if getattr(item, "section", "front") == "back" else "false"
        head = f'#cbdoc("{item.id}", {_content(item.title)}, recto: {recto})\n'
    return head + "\n" + body(item, pandoc) + "\n"


def write(book: model.Book, target: Path, pandoc: str) -> Path:
    """The whole book as one .typ file at ``target``."""
    parts = [preamble(book), front(book)]
    parts += [document(item, pandoc) for item in book.reading_order()]
    target.write_text("\n".join(parts), encoding="utf-8")
    return target
