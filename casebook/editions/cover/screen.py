"""The screen cover (EPUB and HTML): the print cover's front, rasterised to a PNG.

templates/cover/screen.html.j2 sets the same front panel as the print spread
(templates/cover/parts.j2) on a page of the trim size; WeasyPrint paints it and pypdfium2
rasterises it at least 1600×2560 pixels (EPUB retailers' minimum), keeping the trim's
proportions. book.yaml ``cover:`` configures it like the print cover.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pypdfium2
from PIL import Image

from casebook import model
from casebook.editions import Cover
from casebook.editions.cover import edition as cover_pdf
from casebook.editions.cover.design import Design
from casebook.errors import SourceError
from casebook.geometry import PT_PER_MM
from casebook.render import templates

log = logging.getLogger(__name__)

MIN_WIDTH, MIN_HEIGHT = 1600, 2560


_made: dict[str, Cover] = {}  # one rendering per process for the same inputs (inputs_key)


def make(meta: model.Meta, root: Path | None = None, cache_dir: Path | None = None) -> Cover:
    """The front cover as a PNG, rendered from the cover templates (``root``: the book), or
    kept from an earlier build in ``cache_dir``/cover."""
    root = Path(root or ".").resolve()
    key = cover_pdf.inputs_key(meta, root, "screen")
    if key not in _made:
        _made[key] = _kept_or_made(meta, root, key, cache_dir)
    return _made[key]


def kept(meta: model.Meta, root: Path | None, cache_dir: Path | None) -> Cover | None:
    """The cover an earlier build kept in ``cache_dir``/cover for these inputs, or None:
    never rendered here."""
    if cache_dir is None:
        return None
    root = Path(root or ".").resolve()
    key = cover_pdf.inputs_key(meta, root, "screen")
    if key not in _made and not (Path(cache_dir) / "cover" / f"{key}.png").is_file():
        return None
    return make(meta, root, cache_dir)


def _kept_or_made(meta: model.Meta, root: Path, key: str, cache_dir: Path | None) -> Cover:
    made: list[Cover] = []
    data = cover_pdf.kept(cache_dir, key, ".png",
                          lambda: made.append(_make(meta, root)) or made[0].data)
    if made:
        return made[0]
    with Image.open(io.BytesIO(data)) as image:
        size = image.size
    log.info("Cover: unchanged since an earlier build (%d×%d, %d KB)", *size, len(data) // 1024)
    return Cover(data, "image/png", ".png", size)


def _make(meta: model.Meta, root: Path) -> Cover:
    if meta.cover.image is not None:
        _check_image(meta.cover.image)
    book = model.Book(meta=meta, root=root, front=(), parts=(), back=())
    env = templates.environment(book)
    design = Design.of(meta, 0, env, barcode=False)
    pdf = cover_pdf.paint(book, design, env, "cover/screen.html.j2", meta.print.trim_width, 0)
    image = rasterise(pdf, meta.print)
    buffer = io.BytesIO()
    if meta.cover.image is None:  # flat colours and type: a palette keeps the file small
        image = image.quantize(256, dither=Image.Dither.NONE)
    image.save(buffer, "PNG", optimize=True)
    log.info("Cover: rendered from the cover templates (%d×%d, %d KB)", *image.size,
             len(buffer.getvalue()) // 1024)
    return Cover(buffer.getvalue(), "image/png", ".png", image.size)


def rasterise(pdf: bytes, spec: model.PrintSpec) -> Image.Image:
    """The one page of ``pdf`` as an RGB image at least MIN_WIDTH × MIN_HEIGHT."""
    width_pt, height_pt = spec.trim_width * PT_PER_MM, spec.trim_height * PT_PER_MM
    scale = max(MIN_WIDTH / width_pt, MIN_HEIGHT / height_pt) * 1.0005  # never a pixel short
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()


def _check_image(path: Path) -> None:
    try:
        with Image.open(path) as image:
            image.verify()
            kind = image.format
    except (OSError, SyntaxError) as exc:
        raise SourceError(f"'cover.image' {path.name} is not a readable image ({exc})",
                          "book.yaml") from None
    if kind not in ("PNG", "JPEG"):
        raise SourceError(f"'cover.image' {path.name} holds {kind} data; use a PNG or JPEG",
                          "book.yaml")
