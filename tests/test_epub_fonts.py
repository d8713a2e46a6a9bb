"""Embedded fonts: off by default; on request, subsets holding only the characters the book uses."""

import logging
import re
import zipfile

import pytest
from bookfactory import make_book, yaml_line
from conftest import ROOT, write_edition
from lxml import etree

from casebook import check
from casebook.build.pipeline import CACHE_DIR
from casebook.editions.epub import fonts as epub_fonts
from casebook.errors import SourceError
from casebook.render import fonts
from casebook.render import fragments as render
from casebook.source import loader as source

XNS = {"x": "http://www.w3.org/1999/xhtml"}


class _Messages(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def embedding(tmp_path_factory):
    """The real book's EPUB with embedded fonts, and what the build logged."""
    book = source.load(ROOT).select(False)
    fragments = render.render_all(book, ROOT / CACHE_DIR)
    handler, logger = _Messages(), logging.getLogger("casebook.editions")
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    try:
        path = write_edition("epub", book, tmp_path_factory.mktemp("fonts"), fragments,
                             embed_fonts=True)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return path, handler.messages


@pytest.fixture
def embedded(embedding):
    return embedding[0]


def _text(epub_path, xpath):
    chars = set()
    with zipfile.ZipFile(epub_path) as z:
        for name in z.namelist():
            if name.endswith(".xhtml"):
                root = etree.fromstring(z.read(name))
                for element in root.xpath(xpath, namespaces=XNS):
                    chars.update("".join(element.itertext()))
    return chars - set(" \t\r\n\u3000")


def _fonts(epub_path):
    with zipfile.ZipFile(epub_path) as z:
        return {n.removeprefix("EPUB/"): z.read(n) for n in z.namelist() if "/fonts/" in n}


@pytest.mark.slow
def test_fonts_are_off_by_default(builds):
    assert not _fonts(builds("real", False).epub)


@pytest.mark.slow
def test_each_font_holds_exactly_the_characters_it_sets(embedded):
    found = _fonts(embedded)
    assert sorted(found) == ["fonts/kai.otf", "fonts/sans-bold.otf", "fonts/serif.otf"]
    body = _text(embedded, "//x:body")
    serif = epub_fonts.covered(found["fonts/serif.otf"])
    assert serif == {c for c in body if ord(c) in fonts.coverage(fonts.SERIF)}
    headings = _text(embedded, "//x:h1|//x:h2|//x:h3|//x:h4")
    assert headings <= epub_fonts.covered(found["fonts/sans-bold.otf"]) <= body
    commentary = _text(embedded, "//x:aside[contains(@class,'commentary')]")
    assert commentary <= epub_fonts.covered(found["fonts/kai.otf"]) <= body
    assert len(serif) < 2000  # a subset, not the 30,000-character face


@pytest.mark.slow
def test_embedded_fonts_are_declared_and_valid(embedded):
    with zipfile.ZipFile(embedded) as z:
        css = z.read("EPUB/styles/epub.css").decode()
        opf = z.read("EPUB/content.opf").decode()
    faces = re.findall(r'@font-face \{ font-family: "([^"]+)";[^}]*url\("\.\./(fonts/[^"]+)"\)',
                       css)
    assert sorted(faces) == sorted([(fonts.KAI, "fonts/kai.otf"),
                                    (fonts.SANS, "fonts/sans-bold.otf"),
                                    (fonts.SERIF, "fonts/serif.otf"),
                                    (fonts.SERIF + " quotes", "fonts/serif.otf")])  # the 点评's
    quotes = re.search(r'@font-face \{ font-family: "Noto Serif CJK SC quotes"; src: url[^}]*\}',
                       css).group(0)
    assert "unicode-range: U+2018-2019, U+201C-201D" in quotes  # “”‘’ from the serif
    assert opf.count('media-type="font/otf"') == 3
    result = check.epubcheck(embedded)
    assert (result.errors, result.warnings) == (0, 0), result.messages


@pytest.mark.slow
def test_the_size_added_is_reported(embedding):
    path, messages = embedding
    added = [m for m in messages if m.startswith("Embedded fonts add ")]
    assert len(added) == 1, messages
    kb = int(re.fullmatch(r"Embedded fonts add (\d+) KB before compression", added[0]).group(1))
    assert kb == sum(len(data) for data in _fonts(path).values()) // 1024
    assert len([m for m in messages if m.startswith("Embedded font ")]) == 3


def test_book_yaml_epub_embed_fonts(tmp_path):
    root = make_book(tmp_path, yaml_extra="epub: {embed_fonts: true}\n")
    assert source.load(root).meta.epub.embed_fonts is True
    bad = make_book(tmp_path / "bad", yaml_extra="epub:\n  embed_font: true\n")
    with pytest.raises(SourceError) as info:
        source.load(bad)
    assert info.value.line == yaml_line(bad, "embed_font")
    assert "unknown key 'embed_font' in epub; did you mean 'embed_fonts'?" in str(info.value)
