"""The ISBN barcode as vector SVG: EAN-13 from python-barcode, plus a drawn EAN-2/EAN-5 add-on.

python-barcode 0.16 encodes the EAN-13 (and checks the 978/979 prefix) but has no add-on, so
the 2- and 5-digit add-ons are encoded here from the same EAN character tables (sets A and B)
with the parity patterns of the EAN/UPC specification. Sizes follow GB/T 12906 (中国标准书号
条码): a 0.33 mm module at magnification 0.8.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from barcode.charsets import ean
from barcode.isxn import ISBN13

from casebook.source.isbn import isbn_digits

MODULE_MM = 0.33 * 0.8
BAR_MODULES = 69.0         # the height of a normal bar (22.85 mm at magnification 1)
GUARD_EXTRA = 5.0          # guard bars reach below the others, into the digits
TEXT_MODULES = 8.0         # the height given to a line of human-readable digits
QUIET_LEFT, QUIET_RIGHT, ADDON_GAP = 11, 7, 9
_GUARDS = set(range(0, 3)) | set(range(45, 50)) | set(range(92, 95))
_EAN5_PARITY = ("GGLLL", "GLGLL", "GLLGL", "GLLLG", "LGGLL",
                "LLGGL", "LLLGG", "LGLGL", "LGLLG", "LLGLG")
_EAN2_PARITY = ("LL", "LG", "GL", "GG")
_SETS = {"L": ean.CODES["A"], "G": ean.CODES["B"]}


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    top: float
    height: float


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Symbol:
    """An ISBN barcode laid out in module units, ready for templates/cover/barcode.svg.j2."""

    digits: str
    addon: str
    bars: tuple[Bar, ...]
    labels: tuple[Label, ...]
    width: float
    height: float
    module_mm: float = MODULE_MM

    @property
    def width_mm(self) -> float:
        return self.width * self.module_mm

    @property
    def height_mm(self) -> float:
        return self.height * self.module_mm


def ean13_modules(digits: str) -> str:
    """The 95 modules of the EAN-13 symbol, 1 for a bar, as python-barcode encodes them."""
    return ISBN13(digits).build()[0]


def addon_modules(addon: str) -> str:
    """The modules of an EAN-2 or EAN-5 add-on: start 1011, characters separated by 01."""
    if len(addon) == 5:
        parity = _EAN5_PARITY[(3 * sum(int(d) for d in addon[::2])
                               + 9 * sum(int(d) for d in addon[1::2])) % 10]
    elif len(addon) == 2:
        parity = _EAN2_PARITY[int(addon) % 4]
    else:
        raise ValueError(f"an add-on has 2 or 5 digits, not {addon!r}")
    chars = [_SETS[p][int(d)] for p, d in zip(parity, addon)]
    return "1011" + "01".join(chars)


def symbol(isbn: str, addon: str = "") -> Symbol:
    """The barcode of ``isbn`` (with ``addon`` digits, if any) in module units."""
    digits = isbn_digits(isbn)
    top = TEXT_MODULES + 2  # room for the ISBN line above the bars
    bars = _bars(ean13_modules(digits), QUIET_LEFT, top, BAR_MODULES, guards=True)
    baseline = top + BAR_MODULES + TEXT_MODULES - 1
    labels = [Label(0, top - 2, f"ISBN {_hyphenated(isbn, digits)}", "start"),
              Label(QUIET_LEFT - 4, baseline, digits[0]),
              Label(QUIET_LEFT + 3 + 21, baseline, digits[1:7]),
              Label(QUIET_LEFT + 50 + 21, baseline, digits[7:])]
    width = QUIET_LEFT + 95 + QUIET_RIGHT
    if addon:
        start = QUIET_LEFT + 95 + ADDON_GAP
        modules = addon_modules(addon)
        bars += _bars(modules, start, top + TEXT_MODULES - 2,
                      BAR_MODULES + GUARD_EXTRA - TEXT_MODULES + 2, guards=False)
        labels.append(Label(start + len(modules) / 2, top + TEXT_MODULES - 4, addon))
        width = start + len(modules) + 5
    return Symbol(digits, addon, tuple(bars), tuple(labels), width,
                  top + BAR_MODULES + TEXT_MODULES + 1)


def _bars(modules: str, left: float, top: float, height: float, guards: bool) -> list[Bar]:
    """One bar per run of 1s; EAN-13 guard bars reach GUARD_EXTRA lower."""
    bars, run = [], None
    for i, module in enumerate(modules + "0"):
        if module == "1" and run is None:
            run = i
        elif module != "1" and run is not None:
            extra = GUARD_EXTRA if guards and run in _GUARDS else 0.0
            bars.append(Bar(left + run, i - run, top, height + extra))
            run = None
    return bars


def _hyphenated(isbn: str, digits: str) -> str:
    """The ISBN as book.yaml writes it when it has hyphens, else the bare digits."""
    written = re.sub(r"\s", "", isbn.upper().removeprefix("ISBN"))
    return written if "-" in written else digits
