"""The cover's design from book.yaml: spine width, what fits on the spine, type sizes, barcode.

One ``Design`` feeds both templates/cover/spread.html.j2 (the print cover: back, spine and
front) and templates/cover/screen.html.j2 (the front alone, rasterised for the EPUB and HTML
editions), so every edition shows the same front.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from markupsafe import Markup

from casebook import model
from casebook.editions.cover import barcode as barcode_svg
from casebook.geometry import PT_PER_MM, spine_width
from casebook.render import fonts

log = logging.getLogger(__name__)

SPINE_PAD_MM = 1.0        # kept clear on each side of the spine text
SPINE_END_MM = 18.0       # kept clear at the head and foot of the spine
SPINE_GAP_MM = 8.0        # between the spine's title, editor and publisher
SPINE_MIN_PT = 6.0        # no spine text is set smaller than this
DEFAULT_ADDON = "00"      # GB/T 12906: the first price of an ISBN; cover.addon overrides it
FRONT_ROOM = 0.8          # the front's title may take this share of the trim width


@dataclass(frozen=True)
class SpineItem:
    role: str           # title, editor or publisher
    text: str
    size_pt: float

    @property
    def length_mm(self) -> float:
        return len(self.text) * self.size_pt / PT_PER_MM


# role -> (largest size in pt, share of the spine's room, font family); in dropping order
_SPINE = {"editor": (12.0, 0.7, fonts.KAI), "publisher": (12.0, 0.8, fonts.SANS),
          "title": (24.0, 1.0, fonts.SERIF)}


@dataclass(frozen=True)
class Design:
    """Everything the cover templates need, in mm and pt."""

    meta: model.Meta
    pages: int
    spine_mm: float
    spine: tuple[SpineItem, ...]
    title_pt: float
    barcode: Markup
    price: str

    @classmethod
    def of(cls, meta: model.Meta, pages: int, env, barcode: bool = True) -> "Design":
        check_glyphs(meta)
        spine = spine_width(meta.print, pages) if pages else 0.0
        items = fit_spine(meta, spine) if pages else ()
        return cls(meta, pages, spine, items, front_title_pt(meta),
                   barcode_markup(meta, env) if barcode else Markup(""),
                   f"定价：{meta.price}元" if meta.price else "")

    @property
    def trim_width(self) -> float:
        return self.meta.print.trim_width

    @property
    def spread_width(self) -> float:
        """Back + spine + front, without bleed."""
        return 2 * self.meta.print.trim_width + self.spine_mm


def fit_spine(meta: model.Meta, spine_mm: float) -> tuple[SpineItem, ...]:
    """Title, editor and publisher, stacked; the editor goes first when they do not fit."""
    wanted = {"title": meta.title, "editor": meta.editors, "publisher": meta.publisher}
    room_pt = max(spine_mm - 2 * SPINE_PAD_MM, 0) * PT_PER_MM
    items, dropped = {}, []
    for role, (largest, share, _) in _SPINE.items():
        if not wanted[role]:
            continue
        size = min(largest, room_pt * share)
        if size < SPINE_MIN_PT:
            dropped.append(role)
            continue
        items[role] = SpineItem(role, wanted[role], round(size, 2))
    if dropped:
        log.warning("Cover: the %.1f mm spine is too narrow for the %s at %.0f pt; "
                    "left off the spine", spine_mm, " and the ".join(dropped), SPINE_MIN_PT)
    height = meta.print.trim_height - 2 * SPINE_END_MM
    for role in _SPINE:  # too long for the spine's height: drop in the same order
        if role in items and _stack_mm(items.values()) > height:
            log.warning("Cover: the spine text is %.0f mm long, more than the %.0f mm room; "
                        "the %s is left off the spine", _stack_mm(items.values()), height, role)
            del items[role]
    order = ("title", "editor", "publisher")
    return tuple(items[r] for r in order if r in items)


def _stack_mm(items) -> float:
    items = list(items)
    return sum(i.length_mm for i in items) + SPINE_GAP_MM * max(len(items) - 1, 0)


def front_title_pt(meta: model.Meta) -> float:
    """The front title's size: 60 pt, smaller when a long title would pass 80% of the width."""
    room = meta.print.trim_width * FRONT_ROOM * PT_PER_MM
    return round(min(60.0, room / max(len(meta.title), 1)), 2)


def barcode_markup(meta: model.Meta, env) -> Markup:
    """The ISBN barcode as inline SVG, or nothing (logged) when book.yaml has no isbn."""
    from casebook.render.templates import render_template
    if not meta.isbn:
        log.info("Cover: book.yaml has no 'isbn', so the back cover has no barcode")
        return Markup("")
    addon = meta.cover.addon or (DEFAULT_ADDON if meta.price else "")
    symbol = barcode_svg.symbol(meta.isbn, addon)
    log.debug("Cover: barcode %s%s", symbol.digits, f" + add-on {addon}" if addon else "")
    return Markup(render_template(env, "cover/barcode.svg.j2", s=symbol, ink=_ink(meta),
                                  font_size=barcode_svg.TEXT_MODULES))


def _ink(meta: model.Meta) -> str:
    """Black for the bars: under a CMYK intent, black ink alone (K 100%), as scanners and
    printers want barcodes: a black converted from RGB would be built of all four inks."""
    return "device-cmyk(0 0 0 1)" if meta.print.output_intent == "cmyk" else "#000000"


def check_glyphs(meta: model.Meta) -> None:
    """Every character on the cover is in the face that sets it; anything else is an error
    (render/fonts.py: the build's first step checks it too)."""
    fonts.check_cover(meta)
