"""The EPUB cover: the print cover's front as a PNG, configured by book.yaml's cover:."""

import io
import zipfile

import pytest
from bookfactory import make_book, yaml_line
from conftest import write_edition
from PIL import Image

from casebook import check
from casebook.editions.cover import screen as cover
from casebook.errors import SourceError
from casebook.source import loader as source


def _book_with_cover(tmp_path, name="cover.jpg", fmt="JPEG"):
    image = io.BytesIO()  # synthetic: a flat blue picture
    Image.new("RGB", (600, 900), (20, 60, 120)).save(image, fmt)
    return make_book(tmp_path, yaml_extra=f"cover: images/{name}\n",
                     files={f"images/{name}": image.getvalue()})


@pytest.mark.slow
def test_the_epub_cover_is_the_rendered_front_and_passes_epubcheck(tmp_path):
    root = make_book(tmp_path, yaml_extra="subtitle: 合成副题\npublisher: 合成出版社\n"
                                          "creators: [{name: 某某, role: 主编}]\n")
    book = source.load(root).select(False)
    target = write_edition("epub", book, tmp_path)
    with zipfile.ZipFile(target) as z:
        data = z.read("EPUB/images/cover.png")
        opf = z.read("EPUB/content.opf").decode()
        page = z.read("EPUB/text/cover.xhtml").decode()
    assert data == cover.make(book.meta, root).data
    width, height = Image.open(io.BytesIO(data)).size
    assert width >= 1600 and height >= 2560
    assert ('href="images/cover.png" id="cover-image" media-type="image/png" '
            'properties="cover-image"') in opf
    assert 'alt="封面：测试之书——合成副题，某某　主编，合成出版社"' in page
    result = check.epubcheck(target)
    assert (result.errors, result.warnings) == (0, 0), result.messages


def test_a_bare_cover_path_fills_the_front_with_that_image(tmp_path):
    root = _book_with_cover(tmp_path)
    book = source.load(root).select(False)
    assert book.meta.cover.image == root / "images" / "cover.jpg"
    assert book.meta.cover.layout == "image"
    target = write_edition("epub", book, tmp_path)
    with zipfile.ZipFile(target) as z:
        image = Image.open(io.BytesIO(z.read("EPUB/images/cover.png"))).convert("RGB")
        assert "EPUB/images/cover.jpg" not in z.namelist()
    for x, y in ((3, 3), (image.width // 2, image.height // 2)):
        assert all(abs(a - b) <= 2 for a, b in zip(image.getpixel((x, y)), (20, 60, 120)))


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
        cover.make(source.load(root).meta, root)
