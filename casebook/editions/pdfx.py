"""PDF/X pieces the print PDF and the print cover share: crop marks, content streams, DefaultRGB."""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name
from PIL import ImageCms

from casebook.geometry import PT_PER_MM, Geometry

MARK_WIDTH_PT = 0.25


PDFX_VERSION = "PDF/X-4"


def crop_marks(g: Geometry, folds: tuple[float, ...] = ()) -> list[str]:
    """Crop marks: at each corner, a horizontal and a vertical stroke in the outer half of the
    bleed, so they stay clear of the trim by half the bleed and end at the MediaBox edge; and
    a vertical fold mark above and below the trim at each of ``folds`` (mm from its left)."""
    x0, y0, x1, y1 = g.trim_box_pt()
    bleed = g.spec.bleed * PT_PER_MM
    near, far = bleed / 2, bleed
    ops = [f"{MARK_WIDTH_PT} w 0 G"]
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            ops.append(f"{x + sx * near:.3f} {y:.3f} m {x + sx * far:.3f} {y:.3f} l S")
            ops.append(f"{x:.3f} {y + sy * near:.3f} m {x:.3f} {y + sy * far:.3f} l S")
    for fold in folds:
        x = x0 + fold * PT_PER_MM
        for y, sy in ((y0, -1), (y1, 1)):
            ops.append(f"{x:.3f} {y + sy * near:.3f} m {x:.3f} {y + sy * far:.3f} l S")
    return ops


def contents(page: Dictionary) -> list:
    """A page's content streams as a list (one stream or an array of them)."""
    contents = page.Contents
    return list(contents) if isinstance(contents, Array) else [contents]


def default_rgb(pdf: pikepdf.Pdf) -> None:
    """Map DeviceRGB (images) to sRGB, as PDF/X-4 requires under a CMYK output intent."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    stream = pdf.make_stream(profile)
    stream.N = 3
    space = Array([Name.ICCBased, stream])
    for page in pdf.pages:
        resources = page.obj.Resources
        if Name.ColorSpace not in resources:
            resources.ColorSpace = Dictionary()
        resources.ColorSpace.DefaultRGB = space
