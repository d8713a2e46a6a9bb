"""The screen cover (EPUB and HTML): the print cover's front, rasterised to a PNG.

templates/cover/screen.html.j2 sets the same front panel as the print spread
(templates/cover/parts.j2) on a page of the trim size; WeasyPrint paints it and pypdfium2
rasterises it at least 1600×2560 pixels (EPUB retailers' minimum), keeping the trim's
proportions. book.yaml ``cover:`` configures it like the print cover.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from PIL import Image

from . import fonts, fresh, model, render
from .cover_design import Design
from .editions import cover_pdf
from .editions.pdf_geometry import PT_PER_MM
from .errors import SourceError
from .publish import write_file

log = logging.getLogger(__name__)

MIN_WIDTH, MIN_HEIGHT = 1600, 2560


@dataclass(frozen=True)
class Cover:
    data: bytes
    media_type: str
    suffix: str
    size: tuple[int, int]
    generated: bool = True

    @property
    def name(self) -> str:
        return f"images/cover{self.suffix}"


_made: dict[tuple[model.Meta, Path], Cover] = {}  # one rendering per book and process
_kept: list[Path] = []  # the folder covers are kept in between builds, if any
UNUSED_FOR = 7 * 24 * 3600  # seconds after which a kept cover no build used is forgotten


def make(meta: model.Meta, root: Path | None = None) -> Cover:
    """The front cover as a PNG, rendered from the cover templates (``root``: the book)."""
    key = (meta, Path(root or ".").resolve())
    if key not in _made:
        _made[key] = _kept_or_made(*key)
    return _made[key]


def keep_in(cache_dir: Path | None) -> None:
    """Keep rendered covers in ``cache_dir``/cover, keyed by all that shapes them, and take
    them from there while it is unchanged (None: render the cover in every build)."""
    _kept[:] = [Path(cache_dir) / "cover"] if cache_dir else []


def _kept_or_made(meta: model.Meta, root: Path) -> Cover:
    if not _kept:
        return _make(meta, root)
    path = _kept[0] / f"{_key(meta, root)}.png"
    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            size = image.size
        path.touch()
    except OSError:  # not rendered yet (or unreadable): render it, and keep it
        cover = _make(meta, root)
        write_file(path, cover.data)
        _forget_unused(path.parent)
        return cover
    log.info("Cover: unchanged since an earlier build (%d×%d, %d KB)", *size, len(data) // 1024)
    return Cover(data, "image/png", ".png", size)


def _key(meta: model.Meta, root: Path) -> str:
    """The book's metadata, its own templates and styles, the cover image, casebook's code,
    the installed tools and the fonts: everything a screen cover is rendered from."""
    own = fresh.digests(fresh.input_files(root, [meta.cover.image] if meta.cover.image else []))
    return hashlib.sha256("\0".join([
        repr(meta), json.dumps(own, sort_keys=True), fresh.code_digest(), fresh.tools_digest(),
        *(str(fonts.locate(f).path.stat().st_mtime_ns) for f in fonts.DECLARED),
    ]).encode()).hexdigest()


def _forget_unused(folder: Path) -> None:
    old = time.time() - UNUSED_FOR
    for path in folder.glob("*.png"):
        if path.stat().st_mtime < old:
            path.unlink(missing_ok=True)


def remember(meta: model.Meta, root: Path, cover: Cover) -> None:
    """Hand a cover rendered in another process to this one, so it is not rendered twice."""
    _made[meta, Path(root).resolve()] = cover


def _make(meta: model.Meta, root: Path) -> Cover:
    if meta.cover.image is not None:
        _check_image(meta.cover.image)
    book = model.Book(meta=meta, root=root, front=(), parts=(), back=())
    env = render.environment(book)
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
