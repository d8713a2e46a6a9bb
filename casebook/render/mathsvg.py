"""TeX math: pandoc's MathML for the screen editions, drawn as black SVG paths (ziamath) for print.

WeasyPrint cannot lay out MathML, so the print edition shows each formula as an SVG image
whose glyphs are outlines of the declared math font (model.FontSpec.math: the STIX Two Math
that the ziamath package ships, unless book.yaml names another OpenType MATH font), all in
black; the template pdf/math.html.j2 writes the image. A formula pandoc cannot read, or
ziamath cannot draw, is an error at its line.
"""

from __future__ import annotations

import base64
import functools
import html as htmllib
import logging
import re
from collections.abc import Callable

from markupsafe import Markup

from casebook import model
from casebook.errors import Collector, SourceError, ToolError

log = logging.getLogger(__name__)

UNITS = 100.0  # ziamath's font size: the SVG's units per em
_MATH = re.compile(r"<math\b[^>]*>.*?</math>", re.S)
_DISPLAY = re.compile(r'^<math\b[^>]*\bdisplay="block"')
_TEX = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)
_PANDOC = re.compile(r"^\[WARNING\] Could not convert TeX math (.*?), rendering as TeX", re.S)


def unread(warning: str) -> str | None:
    """The TeX of a formula pandoc could not read (its warning), or None."""
    match = _PANDOC.match(warning)
    return match.group(1) if match else None


def line_of(doc: model.Document, tex: str) -> int:
    """The source line where the formula ``tex`` starts (its first line found in the body)."""
    first = tex.strip().split("\n", 1)[0]
    at = doc.body.find(first) if first else -1
    return doc.body_line + doc.body[:at].count("\n") if at >= 0 else doc.body_line


def tex_of(mathml: str) -> str:
    found = _TEX.search(mathml)
    return htmllib.unescape(found.group(1)) if found else ""


def check(book: model.Book, html: dict[str, str], errors: Collector) -> None:
    """Every formula of every fragment can be drawn for print; each one that cannot is an
    error at its line."""
    for doc in book.documents():
        for found in _MATH.finditer(html.get(doc.id, "")):
            try:
                drawn(found.group(0), book.meta.fonts.math)
            except SourceError as exc:
                tex = tex_of(found.group(0))
                errors.add(f"formula ${tex}$ cannot be drawn for print: {exc.message}",
                           doc.source, line_of(doc, tex), SourceError)


def for_print(html: str, math_font: str, render: Callable[..., str]) -> str:
    """``html`` with each MathML formula replaced by its drawing: ``render(**image(...))``,
    the template pdf/math.html.j2 (templates.py), an SVG image set on the text's baseline."""
    if "<math" not in html:
        return html
    return _MATH.sub(lambda m: render(**image(m.group(0), math_font)), html)


def image(mathml: str, math_font: str) -> dict:
    """What pdf/math.html.j2 sets one formula's image with: its kind (inline or display),
    alt text (the TeX), SVG in base64, and width, height and baseline drop in em."""
    svg, width, height, drop = drawn(mathml, math_font)
    # escaped here as html.escape writes it (&quot; &#x27;), not as Jinja would (&#34; &#39;),
    # so that the PDF-bound HTML is byte for byte what the f-string before the template wrote
    alt = Markup(htmllib.escape(tex_of(mathml) or "formula", quote=True))
    return {"kind": "display" if _DISPLAY.match(mathml) else "inline", "alt": alt,
            "svg": base64.b64encode(svg.encode()).decode("ascii"), "width": width,
            "height": height, "drop": drop}


@functools.lru_cache(maxsize=4096)
def drawn(mathml: str, math_font: str = "bundled") -> tuple[str, float, float, float]:
    """The SVG of one formula and its width, height and baseline drop (in em)."""
    ziamath = _ziamath()
    try:
        math = ziamath.Math(_strip_annotation(mathml), size=UNITS, font=_font_path(math_font),
                            margin=0)
        svg = math.svg()
        width, height = math.getsize()
        drop = math.getyofst()
    except Exception as exc:  # ziamath raises many kinds on what it cannot draw
        detail = str(exc).strip() or "its MathML has a part ziamath cannot lay out"
        raise SourceError(f"{type(exc).__name__}: {detail}") from None
    svg = _black(svg)
    return svg, width / UNITS, height / UNITS, drop / UNITS


def _strip_annotation(mathml: str) -> str:
    """The formula without its TeX source and the <semantics> around it (ziamath knows
    neither)."""
    return re.sub(r"</?semantics>", "", _TEX.sub("", mathml))


def _black(svg: str) -> str:
    """Every fill and stroke the drawing names in black: the print edition is K only."""
    return re.sub(r'(fill|stroke)="(?!none")[^"]*"', r'\1="#000000"', svg)


@functools.lru_cache(maxsize=None)
def _font_path(math_font: str) -> str | None:
    if math_font == "bundled":
        return None
    from casebook.render.faces import face
    return str(face(math_font, None).path)


@functools.lru_cache(maxsize=1)
def _ziamath():
    try:
        import ziamath
    except ImportError:
        raise ToolError("ziamath is not installed; run `make book`") from None
    ziamath.config.math.color = "black"
    return ziamath
