"""Images: resolved against their Markdown file, confined to the book, refused when unreadable."""

import zipfile

import pytest
from bookfactory import make_book
from synthetic import figure

from casebook.build.pipeline import Options, build
from casebook.errors import CasebookError

CASE = "source/cases/01/001-a.md"


def _book(tmp_path, src: str):
    root = make_book(tmp_path, {CASE: f"---\ntitle: 甲\n---\n\n正文。\n\n![示意图]({src})\n"})
    figure(root, 1)  # a real PNG at source/images/fig-001.png
    return root


def _build(root, editions=("epub", "html")):
    return build(Options(book_dir=root, out_dir=root / "dist", editions=editions, cache=False))


def test_a_relative_image_reaches_every_edition(tmp_path):
    root = _book(tmp_path, "../../images/fig-001.png")
    paths = _build(root)
    with zipfile.ZipFile(paths["epub"]) as z:
        assert "EPUB/source/images/fig-001.png" in z.namelist()
    assert (paths["html"].parent / "source/images/fig-001.png").exists()


@pytest.mark.parametrize("src, message", [
    ("../../../../../../etc/passwd", "points outside the book directory"),
    ("/etc/hostname", "points outside the book directory"),
    ("missing.png", "does not exist"),
    ("http://example.com/a.png", "is remote"),
])
def test_bad_image_addresses_are_errors_with_lines(tmp_path, src, message):
    root = _book(tmp_path, src)
    with pytest.raises(CasebookError) as info:
        _build(root)
    assert f"001-a.md:7: image '{src}' {message}" in str(info.value)


def test_a_symlink_pointing_outside_is_refused_and_never_packaged(tmp_path):
    secret = tmp_path / "secret.png"
    figure(tmp_path, 2)
    (tmp_path / "source/images/fig-002.png").rename(secret)
    root = _book(tmp_path / "b", "../../images/link.png")
    (root / "source/images/link.png").symlink_to(secret)
    with pytest.raises(CasebookError, match="points outside the book directory"):
        _build(root)
    assert not (root / "dist").exists() or not list((root / "dist").glob("*.epub"))


def test_a_corrupt_image_is_an_error_not_a_blank(tmp_path):
    root = _book(tmp_path, "../../images/fig-001.png")
    (root / "source/images/fig-001.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"broken" * 10)
    with pytest.raises(CasebookError, match=r"001-a\.md:7: image '../../images/fig-001.png' "
                                            r"cannot be read"):
        _build(root, ("pdf",))
