"""The EPUB cover: book.yaml's ``cover:`` image, or one drawn from book.yaml in the declared CJK fonts."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from . import fonts, model
from .errors import SourceError
from .faces import face

log = logging.getLogger(__name__)

WIDTH = 1600  # the height follows the print trim, so the cover has the book's proportions
RED, GOLD, CREAM, INK = (150, 27, 30), (222, 184, 110), (247, 239, 222), (110, 18, 22)
MEDIA_TYPES = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg")}


@dataclass(frozen=True)
class Cover:
    data: bytes
    media_type: str
    suffix: str
    size: tuple[int, int]
    generated: bool

    @property
    def name(self) -> str:
        return f"images/cover{self.suffix}"


@dataclass(frozen=True)
class Line:
    """One line of cover text: its text, font, size limits, fill, and the y of its centre."""

    text: str
    family: str
    style: str
    size: int
    fill: tuple[int, int, int]
    centre: float  # as a fraction of the height


def make(meta: model.Meta) -> Cover:
    """The user's cover when book.yaml names one, otherwise a drawn one."""
    if meta.cover is not None:
        return _user(meta.cover)
    return draw(meta)


def _user(path: Path) -> Cover:
    try:
        with Image.open(path) as image:
            image.verify()
            kind, size = image.format, image.size
    except (OSError, SyntaxError) as exc:
        raise SourceError(f"'cover' {path.name} is not a readable image ({exc})",
                          "book.yaml") from None
    if kind not in MEDIA_TYPES:
        raise SourceError(f"'cover' {path.name} holds {kind} data; use a PNG or JPEG",
                          "book.yaml")
    log.info("Cover: %s (%d×%d, from book.yaml)", path.name, *size)
    return Cover(path.read_bytes(), *MEDIA_TYPES[kind], size, generated=False)


def lines(meta: model.Meta) -> list[Line]:
    """What the drawn cover says, where, and in which declared face."""
    out = [Line(meta.title, fonts.SERIF, "Bold", 190, CREAM, 0.28)]
    if meta.subtitle:
        out.append(Line(meta.subtitle, fonts.SANS, "Regular", 76, GOLD, 0.43))
    if meta.creators:
        out.append(Line(meta.editors, fonts.KAI, "Regular", 72, CREAM, 0.66))
    if meta.publisher:
        out.append(Line(meta.publisher, fonts.SANS, "Regular", 60, INK, 0.925))
    return out


def draw(meta: model.Meta) -> Cover:
    """Draw title, subtitle, editors and publisher on a plain two-colour ground (PNG)."""
    height = round(WIDTH * meta.print.trim_height / meta.print.trim_width)
    image = Image.new("RGB", (WIDTH, height), RED)
    pen = ImageDraw.Draw(image)
    pen.rectangle([0, round(height * 0.86), WIDTH, height], fill=CREAM)
    pen.rectangle([WIDTH * 0.36, height * 0.355, WIDTH * 0.64, height * 0.355 + 6], fill=GOLD)
    for line in lines(meta):
        _check_glyphs(line)
        _text(pen, line, height)
    buffer = io.BytesIO()
    image.quantize(64, dither=Image.Dither.NONE).save(buffer, "PNG", optimize=True)
    log.info("Cover: drawn from book.yaml (%d×%d, %d KB)", WIDTH, height,
             len(buffer.getvalue()) // 1024)
    return Cover(buffer.getvalue(), "image/png", ".png", (WIDTH, height), generated=True)


def _check_glyphs(line: Line) -> None:
    missing = sorted({c for c in line.text if ord(c) not in fonts.coverage(line.family)})
    if missing:
        raise SourceError(f"the cover text {line.text!r} has characters the font "
                          f"{line.family} lacks: {' '.join(missing)}", "book.yaml")


def _text(pen: ImageDraw.ImageDraw, line: Line, height: int) -> None:
    """Set one line centred, shrinking it (or breaking it in two) to fit 80% of the width."""
    font_file = face(line.family, line.style)
    rows, size = _fit(line.text, font_file, line.size, WIDTH * 0.8)
    font = ImageFont.truetype(str(font_file.path), size, index=font_file.index)
    step = size * 1.3
    top = height * line.centre - step * (len(rows) - 1) / 2
    for i, row in enumerate(rows):
        pen.text((WIDTH / 2, top + i * step), row, font=font, fill=line.fill, anchor="mm")


def _fit(text: str, font_file: fonts.FontFile, size: int, room: float) -> tuple[list[str], int]:
    rows = [text]
    while True:
        font = ImageFont.truetype(str(font_file.path), size, index=font_file.index)
        if max(font.getlength(row) for row in rows) <= room:
            return rows, size
        if size > 48:
            size = int(size * 0.92)
        elif len(rows) == 1 and len(text) > 1:
            half = (len(text) + 1) // 2
            rows, size = [text[:half], text[half:]], int(size * 1.4)
        else:
            return rows, size
