"""The screen cover (EPUB, HTML): the print cover's front, rasterised at 1600×2560 or more."""

from __future__ import annotations

import dataclasses
import io

import pypdfium2
import pytest
from bookfactory import make_book, yaml_line
from conftest import ROOT, write_edition
from PIL import Image, ImageChops, ImageStat

from casebook import model
from casebook.editions.cover import edition as cover_pdf
from casebook.editions.cover import screen as cover
from casebook.editions.cover.design import Design
from casebook.errors import SourceError
from casebook.geometry import PT_PER_MM, SLUG_MM
from casebook.render import fonts, templates
from casebook.source import loader as source


@pytest.fixture(scope="module")
def real():
    return source.load(ROOT).select(False)


def _png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def test_the_screen_cover_is_large_enough_with_the_trims_proportions(real):
    front = cover.make(real.meta, ROOT)
    image = _png(front.data)
    assert image.size == front.size and front.name == "images/cover.png"
    width, height = image.size
    assert width >= 1600 and height >= 2560
    spec = real.meta.print
    assert abs(height / width - spec.trim_height / spec.trim_width) < 0.002
    assert len(image.getcolors(1 << 16)) > 8  # type was set, not a flat fill
    assert cover._make(real.meta, ROOT).data == front.data  # rendered again: reproducible


def test_the_screen_cover_is_the_print_covers_front(real, tmp_path):
    """Crop the front panel out of the print spread: it matches the EPUB/HTML cover. (The
    spread under an sRGB intent: the CMYK one's colours are the press profile's.)"""
    pages = 200
    srgb = dataclasses.replace(real.meta.print, output_intent="srgb", icc=None)
    spread = cover_pdf.write(dataclasses.replace(real, meta=dataclasses.replace(
        real.meta, print=srgb)), tmp_path, pages)
    screen = _png(cover.make(real.meta, ROOT).data)
    spec = real.meta.print
    scale = screen.width / (spec.trim_width * PT_PER_MM)
    document = pypdfium2.PdfDocument(str(spread))
    rendered = document[0].render(scale=scale).to_pil().convert("RGB")
    px = scale * PT_PER_MM
    left = (SLUG_MM + spec.bleed + spec.trim_width + pages / 20) * px
    top = (SLUG_MM + spec.bleed) * px
    front = rendered.crop((round(left), round(top), round(left) + screen.width,
                           round(top) + screen.height))
    difference = ImageStat.Stat(ImageChops.difference(front, screen)).mean
    assert max(difference) < 4, difference  # the same design, up to anti-aliasing
    assert ImageStat.Stat(ImageChops.difference(front, Image.new("RGB", front.size))).mean[0] > 50


def test_the_screen_cover_uses_the_declared_fonts_only(real, tmp_path):
    env = templates.environment(real)
    design = Design.of(real.meta, 0, env, barcode=False)
    target = tmp_path / "front.pdf"
    target.write_bytes(cover_pdf.paint(real, design, env, "cover/screen.html.j2",
                                       real.meta.print.trim_width, 0))
    embedded = fonts.check_embedded(target)
    assert {name.split("+")[-1] for name in embedded} == {
        "Noto-Serif-CJK-SC-Bold", "Noto-Sans-CJK-SC", "LXGW-WenKai"}


def _with_cover(real, **settings) -> model.Meta:
    return dataclasses.replace(real.meta, cover=model.CoverSpec(**settings))


def test_background_and_layouts_change_the_front(real, tmp_path):
    picture = tmp_path / "picture.png"  # synthetic: a flat green picture
    Image.new("RGB", (300, 400), (20, 160, 60)).save(picture)
    images = {}
    for layout in ("classic", "vertical", "image"):
        meta = _with_cover(real, background="#1d3557", image=picture, layout=layout)
        images[layout] = _png(cover.make(meta, ROOT).data)
    classic = images["classic"]
    assert classic.getpixel((20, 20)) == (0x1d, 0x35, 0x57)  # the configured ground
    assert classic.getpixel((classic.width // 2, round(classic.height * 0.55))) == (20, 160, 60)
    full = images["image"]
    for x, y in ((5, 5), (full.width - 5, full.height - 5), (full.width // 2, full.height // 2)):
        assert full.getpixel((x, y)) == (20, 160, 60)  # the picture fills the front
    assert len({im.tobytes() for im in images.values()}) == 3


def test_the_html_index_shows_the_cover(tmp_path):
    root = make_book(tmp_path, yaml_extra="publisher: 合成出版社\ncover: {layout: vertical}\n")
    book = source.load(root).select(False)
    index = write_edition("html", book, tmp_path / "out")
    page = index.read_text(encoding="utf-8")
    front = cover.make(book.meta, root)
    assert (f'<img class="cover-image" src="images/cover.png" width="{front.size[0]}" '
            f'height="{front.size[1]}" alt=""/>') in page
    assert (index.parent / "images" / "cover.png").read_bytes() == front.data
    assert '<h1 class="book-title">测试之书</h1>' in page  # the title page text stays


@pytest.mark.parametrize("extra, key, message", [
    ("cover:\n  background: red\n", "background:", "'cover.background' must be a colour"),
    ("cover:\n  layout: fancy\n", "layout:", "'layout' must be one of: classic, vertical, image"),
    ("cover:\n  layout: image\n", "layout:", "'cover.layout: image' needs 'cover.image'"),
    ("cover:\n  addon: '123'\n", "addon:", "'cover.addon' must be 2 or 5 digits"),
    ("cover:\n  image: images/none.png\n", "image:", "'cover.image' 'images/none.png' does not"),
    ("cover:\n  colour: '#000000'\n", "colour:", "unknown"),
])
def test_bad_cover_settings_are_reported_at_their_line(tmp_path, extra, key, message):
    root = make_book(tmp_path, yaml_extra=extra)
    with pytest.raises(SourceError) as info:
        source.load(root)
    assert message in str(info.value)
    assert info.value.line == yaml_line(root, key)
