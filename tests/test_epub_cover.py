"""The EPUB cover: drawn from book.yaml in the declared fonts, or replaced by book.yaml's cover:."""

import io
import zipfile

import pytest
from PIL import Image

from bookfactory import make_book, yaml_line
from casebook import cover, fonts, source
from casebook.editions import epub
from casebook.errors import SourceError


def test_drawn_cover_has_the_trim_proportions_and_uses_declared_fonts_only(builds):
    meta = builds("real", False).book.meta
    assert {line.family for line in cover.lines(meta)} <= set(fonts.DECLARED)
    assert [line.text for line in cover.lines(meta)] == [
        meta.title, meta.subtitle, meta.editors, meta.publisher]
    drawn = cover.draw(meta)
    image = Image.open(io.BytesIO(drawn.data))
    assert image.format == "PNG" and drawn.generated
    width, height = image.size
    assert abs(height / width - meta.print.trim_height / meta.print.trim_width) < 0.002
    assert len(image.convert("RGB").getcolors(1 << 16)) > 8  # text was set, not a flat fill
    assert cover.draw(meta).data == drawn.data  # reproducible


def _book_with_cover(tmp_path, name="cover.jpg", fmt="JPEG"):
    image = io.BytesIO()
    Image.new("RGB", (600, 900), (20, 60, 120)).save(image, fmt)
    return make_book(tmp_path, yaml_extra=f"cover: images/{name}\n",
                     files={f"images/{name}": image.getvalue()})


def test_a_cover_in_book_yaml_replaces_the_drawn_one(tmp_path):
    root = _book_with_cover(tmp_path)
    book = source.load(root).select(False)
    assert book.meta.cover == root / "images" / "cover.jpg"
    target = epub.write(book, tmp_path)
    with zipfile.ZipFile(target) as z:
        assert z.read("EPUB/images/cover.jpg") == (root / "images" / "cover.jpg").read_bytes()
        assert "EPUB/images/cover.png" not in z.namelist()
        opf = z.read("EPUB/content.opf").decode()
    assert ('href="images/cover.jpg" id="cover-image" media-type="image/jpeg" '
            'properties="cover-image"') in opf


@pytest.mark.parametrize("value, message", [
    ("images/missing.png", "does not exist"),
    ("images/cover.gif", "must be a PNG or JPEG image (.png, .jpg, .jpeg)"),
    ("../outside.png", "points outside the book directory"),
])
def test_a_bad_cover_is_reported_at_its_line(tmp_path, value, message):
    root = make_book(tmp_path, yaml_extra=f"cover: {value}\n",
                     files={"images/cover.gif": b"GIF89a"})
    with pytest.raises(SourceError) as info:
        source.load(root)
    assert info.value.line == yaml_line(root, "cover:")
    assert info.value.path.name == "book.yaml"
    assert f"'cover' '{value}' {message}" in str(info.value)


def test_a_cover_file_that_is_not_an_image_is_refused(tmp_path):
    root = make_book(tmp_path, yaml_extra="cover: images/cover.png\n",
                     files={"images/cover.png": b"not an image"})
    with pytest.raises(SourceError, match="not a readable image"):
        cover.make(source.load(root).meta)
