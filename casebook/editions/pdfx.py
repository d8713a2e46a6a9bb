"""PDF/X pieces the print PDF and the print cover share: marks, boxes, output intent, DefaultRGB."""

from __future__ import annotations

import struct
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from PIL import ImageCms

from casebook.geometry import PT_PER_MM, SLUG_MM, Geometry

MARK_WIDTH_PT = 0.25
MARK_GAP_MM = 1.0  # between the BleedBox and the inner end of a mark


PDFX_VERSION = "PDF/X-4"


def crop_marks(g: Geometry, folds: tuple[float, ...] = ()) -> list[str]:
    """Crop marks in the slug: at each corner, a horizontal and a vertical stroke on the trim
    lines, from ``MARK_GAP_MM`` beyond the BleedBox to the MediaBox edge, so no mark touches
    the bleed; and a vertical fold mark above and below the spread at each of ``folds`` (mm
    from the trim's left). 100 % K (``0 G``), butt caps: a stroke ends where it is drawn."""
    x0, y0, x1, y1 = g.trim_box_pt()
    near = (g.spec.bleed + MARK_GAP_MM) * PT_PER_MM
    far = (g.spec.bleed + SLUG_MM) * PT_PER_MM
    ops = [f"{MARK_WIDTH_PT} w 0 J 0 G"]
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            ops.append(f"{x + sx * near:.3f} {y:.3f} m {x + sx * far:.3f} {y:.3f} l S")
            ops.append(f"{x:.3f} {y + sy * near:.3f} m {x:.3f} {y + sy * far:.3f} l S")
    for fold in folds:
        x = x0 + fold * PT_PER_MM
        for y, sy in ((y0, -1), (y1, 1)):
            ops.append(f"{x:.3f} {y + sy * near:.3f} m {x:.3f} {y + sy * far:.3f} l S")
    return ops


def print_boxes(page: Dictionary, g: Geometry) -> None:
    """Print boxes: BleedBox = trim + bleed, MediaBox = BleedBox + slug; the TrimBox (as
    WeasyPrint set it) stays."""
    page.BleedBox = Array(g.bleed_box_pt())
    page.MediaBox = Array(g.media_box_pt())
    if Name.CropBox in page:
        del page.CropBox


def output_intent(pdf: pikepdf.Pdf, profile: Path) -> None:
    """Make the CMYK ICC ``profile`` the file's one PDF/X output intent (what WeasyPrint wrote
    goes); its description names the output condition."""
    description = ImageCms.getProfileDescription(ImageCms.getOpenProfile(str(profile))).strip()
    stream = pdf.make_stream(profile.read_bytes())
    stream.N = 4
    pdf.Root.OutputIntents = Array([Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFX, OutputConditionIdentifier=String(description),
        Info=String(description), DestOutputProfile=stream)])


def contents(page: Dictionary) -> list:
    """A page's content streams as a list (one stream or an array of them)."""
    contents = page.Contents
    return list(contents) if isinstance(contents, Array) else [contents]


def default_rgb(pdf: pikepdf.Pdf) -> None:
    """Map DeviceRGB (images) to sRGB, as PDF/X-4 requires under a CMYK output intent."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    # lcms stamps the header with the time it made the profile: a fixed date, for builds
    # that reproduce byte for byte
    stream = pdf.make_stream(profile[:24] + struct.pack(">6H", 2000, 1, 1, 0, 0, 0)
                             + profile[36:])
    stream.N = 3
    space = Array([Name.ICCBased, stream])
    for page in pdf.pages:
        resources = page.obj.Resources
        if Name.ColorSpace not in resources:
            resources.ColorSpace = Dictionary()
        resources.ColorSpace.DefaultRGB = space
