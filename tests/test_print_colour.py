"""Print colour and marks: text and rules in black ink alone, other RGB via the intent, a slug."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
import whole_layout
from bookfactory import sample_copy
from PIL import Image, ImageCms

from casebook import model
from casebook.build import pipeline as build
from casebook.check import pdf as preflight
from casebook.editions.cover import edition as cover_pdf
from casebook.editions.pdf import chunks as pdf_chunks
from casebook.editions.pdf import document as pdf
from casebook.editions.pdf import edition as pdf_edition
from casebook.editions.pdf import plan as pdf_plan
from casebook.geometry import PT_PER_MM, Geometry, cover_geometry
from casebook.render import fragments as render
from casebook.source import loader as source

MIN_SLUG_PT = 3 * PT_PER_MM
GREY, RED = (128, 128, 128), (192, 48, 48)  # the coloured book's grey and red rules
_SETS = {"g": "DeviceGray", "rg": "DeviceRGB", "k": "DeviceCMYK"}


@pytest.fixture(scope="module")
def chunked(tmp_path_factory):
    """The sample book with its draft marks, laid out in chunks (folios stamped from a sheet,
    as forms), finished as the print and screen PDFs, and its print cover."""
    root = sample_copy(tmp_path_factory.mktemp("colour") / "sample")
    book = source.load(root).select(True)
    out = root.parent / "out"
    out.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_plan, "WHOLE_BELOW", 0)  # a short book, laid out as a long one is
        layout = pdf_chunks.lay_out(book, render.render_all(book), build._pool(0), None)
    printed = pdf_edition.finish(book, out, layout)
    pages = len(layout.pagemap.pages)
    return (book, printed, printed.with_name(f"{book.meta.slug}-screen.pdf"),
            cover_pdf.write(book, out, pages), pages)


@pytest.fixture(scope="module", params=["cmyk", "srgb"])
def coloured(request, tmp_path_factory):
    """The sample book with a grey and a red rule in its own CSS, a grey and a colour figure,
    under a CMYK intent (the default) or ``print.output_intent: srgb``."""
    root = sample_copy(tmp_path_factory.mktemp(f"coloured-{request.param}") / "sample")
    if request.param == "srgb":
        yaml = root / "book.yaml"
        yaml.write_text(yaml.read_text(encoding="utf-8").replace(
            "bleed: 3mm,", "bleed: 3mm, output_intent: srgb,"), encoding="utf-8")
    (root / "styles").mkdir()
    own = Path(pdf.__file__).parents[2] / "assets" / "styles" / "pdf.css"  # the book's copy
    (root / "styles" / "pdf.css").write_text(own.read_text(encoding="utf-8") + (
        ".commentary { border-top-color: #808080; border-bottom-color: #c03030; }\n"
        "td, th { border-color: #808080; }\n"), encoding="utf-8")
    (root / "images").mkdir()
    Image.new("RGB", (60, 30), GREY).save(root / "images" / "grey.png")
    Image.new("RGB", (60, 30), RED).save(root / "images" / "red.png")
    case = root / "source" / "cases" / "01" / "001-alpha.md"
    case.write_text(case.read_text(encoding="utf-8") + (
        "\n![合成灰图：一块灰色](../../../images/grey.png)\n\n"
        "![合成红图：一块红色](../../../images/red.png)\n"), encoding="utf-8")
    book = source.load(root).select(False)
    assert book.meta.print.output_intent == request.param
    out = root.parent / "out"
    out.mkdir()
    printed = pdf_edition.finish(book, out, whole_layout.lay_out(book).painted(book))
    return request.param, book, printed, printed.with_name(f"{book.meta.slug}-screen.pdf")


# -- reading the PDFs ---------------------------------------------------------------------------
def colours(path: Path) -> list[tuple[str, str, tuple[float, ...]]]:
    """(stream, colour space, components) of every colour set in every content stream: the
    pages, the forms they draw (at any depth) and coloured tiling patterns."""
    found: list = []
    with pikepdf.open(path) as doc:
        done: set = set()
        for number, page in enumerate(doc.pages, 1):
            resources = page.obj.get("/Resources", pikepdf.Dictionary())
            _walk(pikepdf.parse_content_stream(page.obj), resources, f"page {number}", found)
            _inner(resources, done, found)
    return found


def _inner(resources, done: set, found: list) -> None:
    for kind in ("/XObject", "/Pattern"):
        for name, obj in resources.get(kind, pikepdf.Dictionary()).items():
            if obj.objgen in done or not (obj.get("/Subtype") == "/Form"
                                          or obj.get("/PatternType") == 1):
                continue
            done.add(obj.objgen)
            own = obj.get("/Resources", resources)
            _walk(pikepdf.parse_content_stream(obj), own, f"{kind[1:]} {name}", found)
            _inner(own, done, found)


def _walk(instructions, resources, where: str, found: list) -> None:
    spaces, saved = {"fill": "DeviceGray", "stroke": "DeviceGray"}, []
    for operands, operator in instructions:
        op = str(operator)
        side = "stroke" if op[0].isupper() else "fill"
        if op == "q":
            saved.append(dict(spaces))
        elif op == "Q":
            spaces = saved.pop()
        elif op.lower() in _SETS:
            spaces[side] = _SETS[op.lower()]
            found.append((where, spaces[side], tuple(round(float(v), 4) for v in operands)))
        elif op.lower() == "cs":
            spaces[side] = _space(operands[0], resources)
        elif op.lower() in ("sc", "scn") and all(isinstance(v, (int, float, Decimal))
                                                 for v in operands):
            found.append((where, spaces[side], tuple(round(float(v), 4) for v in operands)))


def _space(name, resources) -> str:
    if str(name) in ("/DeviceGray", "/DeviceRGB", "/DeviceCMYK"):
        return str(name)[1:]
    space = resources.get("/ColorSpace", {}).get(name)
    if isinstance(space, pikepdf.Array) and space[0] == "/ICCBased":
        return f"ICC{int(space[1].N)}"
    return str(space[0] if isinstance(space, pikepdf.Array) else space)


def k_only(colour: tuple[str, str, tuple[float, ...]]) -> bool:
    _, space, values = colour
    return space == "DeviceGray" or (space == "DeviceCMYK" and values[:3] == (0, 0, 0))


def inkcov(path: Path) -> list[tuple[float, float, float, float]]:
    """Ghostscript's ink coverage of each page: C, M, Y, K (the share of the page inked)."""
    assert shutil.which("gs"), "Ghostscript is missing: apt-get install ghostscript"
    out = subprocess.run(["gs", "-q", "-o", "-", "-sDEVICE=inkcov", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return [tuple(float(v) for v in line.split()[:4]) for line in out.splitlines()
            if line.rstrip().endswith("OK")]


def strokes(stream: pikepdf.Stream) -> tuple[float, list[tuple[float, float, float, float]]]:
    """The line width and the straight strokes (x0, y0, x1, y1) of a marks stream."""
    width, start, found = 1.0, None, []
    for operands, operator in pikepdf.parse_content_stream(stream):
        op, values = str(operator), [float(v) for v in operands]
        if op == "w":
            width = values[0]
        elif op == "m":
            start = values
        elif op == "l":
            found.append((*start, *values))
            start = values
    return width, found


def inside(stroke, width: float, box) -> bool:
    """Whether any ink of a stroke (butt caps: half its width either side) falls in ``box``."""
    x0, y0, x1, y1 = stroke
    half = width / 2
    return not (max(x0, x1) + half <= box[0] or min(x0, x1) - half >= box[2]
                or max(y0, y1) + half <= box[1] or min(y0, y1) - half >= box[3])


def _box(page, name: str) -> list[float]:
    return [float(v) for v in page.obj[name]]


# -- K only, in every content stream ------------------------------------------------------------
def test_every_colour_in_the_print_pdf_is_black_ink_alone(chunked):
    _, printed, _, _, _ = chunked
    found = colours(printed)
    assert any(where.startswith("XObject /Folio") for where, _, _ in found), \
        "no folio forms: the book was not laid out in chunks"
    wrong = [c for c in found if not k_only(c)]
    assert not wrong, wrong[:10]


def test_ghostscript_puts_no_cyan_magenta_or_yellow_on_the_body_pages(chunked):
    _, printed, _, _, _ = chunked
    labels = preflight.page_labels(printed)
    coverage = inkcov(printed)
    assert len(coverage) == len(labels)
    body = [(label, cmyk) for label, cmyk in zip(labels, coverage) if label.isdigit()]
    assert body and all(cmyk[:3] == (0, 0, 0) for _, cmyk in body), body
    assert sum(cmyk[3] for _, cmyk in body) > 0, "no black ink: the text did not print"


def test_the_screen_pdf_keeps_its_rgb_text(chunked):
    _, _, screen, _, _ = chunked
    spaces = {space for _, space, _ in colours(screen)}
    assert "DeviceRGB" in spaces and "DeviceCMYK" not in spaces
    assert ("DeviceRGB", (0.0, 0.0, 0.0)) in {(s, v) for _, s, v in colours(screen)}
    with pikepdf.open(screen) as doc:
        assert "/OutputIntents" not in doc.Root


def test_greys_go_grey_and_colours_go_through_the_intent(coloured):
    intent, book, printed, screen = coloured
    found = colours(printed)
    grey = round(128 / 255, 4)
    assert ("DeviceGray", (grey,)) in {(s, v) for _, s, v in found}   # rules and table lines
    assert not {s for _, s, _ in found} & {"ICC3", "CalRGB"}
    red = tuple(round(v / 255, 4) for v in RED)
    if intent == "cmyk":
        assert "DeviceRGB" not in {s for _, s, _ in found}
        transform = ImageCms.buildTransform(
            ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(str(book.meta.print.icc)),
            "RGB", "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
        want = ImageCms.applyTransform(Image.new("RGB", (1, 1), RED), transform).getpixel((0, 0))
        cmyk = [v for _, s, v in found if s == "DeviceCMYK" and v[:3] != (0, 0, 0)]
        assert cmyk and all(v == pytest.approx([c / 255 for c in want], abs=0.002)
                            for v in cmyk), cmyk
    else:
        assert ("DeviceRGB", red) in {(s, v) for _, s, v in found}
    assert ("DeviceRGB", red) in {(s, v) for _, s, v in colours(screen)}  # the screen: as set


def test_a_grey_figure_prints_in_black_ink_and_a_colour_one_stays_colour_managed(coloured):
    intent, _, printed, screen = coloured
    with pikepdf.open(printed) as doc:
        images = {str(pikepdf.PdfImage(i).as_pil_image().getpixel((5, 5))): i.ColorSpace
                  for i in doc.objects if isinstance(i, pikepdf.Stream)
                  and i.get("/Subtype") == "/Image"}
        default_rgb = "/DefaultRGB" in doc.pages[0].Resources.get("/ColorSpace", {})
        components = preflight.output_intent(doc).components
    assert images == {"128": "/DeviceGray", str(RED): "/DeviceRGB"}
    assert (default_rgb, components) == ((True, 4) if intent == "cmyk" else (False, 3))
    with pikepdf.open(screen) as doc:
        assert sorted(str(i.ColorSpace) for i in doc.objects if isinstance(i, pikepdf.Stream)
                      and i.get("/Subtype") == "/Image") == ["/DeviceRGB", "/DeviceRGB"]


# -- marks in the slug --------------------------------------------------------------------------
def test_crop_marks_lie_in_a_slug_beyond_the_bleed(chunked):
    book, printed, _, _, _ = chunked
    g = Geometry.of(book.meta.print)
    assert preflight.box_problems(printed, g) == []
    with pikepdf.open(printed) as doc:
        for page in doc.pages:
            media, bleed = _box(page, "/MediaBox"), _box(page, "/BleedBox")
            assert bleed == pytest.approx(list(g.bleed_box_pt()), abs=0.01)
            assert _box(page, "/TrimBox") == pytest.approx(list(g.trim_box_pt()), abs=0.01)
            assert min(bleed[0] - media[0], bleed[1] - media[1], media[2] - bleed[2],
                       media[3] - bleed[3]) >= MIN_SLUG_PT
        width, found = strokes(doc.pages[0].Resources.XObject["/CasebookCropMarks"])
    assert len(found) == 8
    assert not [s for s in found if inside(s, width, bleed)], "a crop mark in the bleed"
    assert all(media[0] - 0.01 <= x <= media[2] + 0.01 and media[1] - 0.01 <= y <= media[3] + 0.01
               for s in found for x, y in (s[:2], s[2:])), "a mark beyond the MediaBox"


def test_the_rendered_page_has_marks_in_the_slug_and_none_in_the_bleed(chunked, tmp_path):
    book, printed, _, _, _ = chunked
    spec, dpi = book.meta.print, 150
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-gray", "-f", "1", "-l", "1",
                    str(printed), str(tmp_path / "p")], check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    px = dpi / 25.4
    slug_mm = _media_minus_bleed(printed) / PT_PER_MM
    assert slug_mm >= 3
    slug, bleed = round(slug_mm * px), round(spec.bleed * px)
    top_slug = image.crop((0, 0, image.width, slug - 1))  # the vertical marks' strip
    band = image.crop((slug + 1, slug + 1, slug + bleed - 1, image.height - slug - 1))
    assert top_slug.getextrema()[0] < 128, "no crop mark in the slug"
    assert band.getextrema()[0] > 250, "something dark in the bleed beside the page"


def _media_minus_bleed(path: Path) -> float:
    with pikepdf.open(path) as doc:
        return _box(doc.pages[0], "/BleedBox")[0] - _box(doc.pages[0], "/MediaBox")[0]


def test_the_screen_pdf_has_no_marks_and_no_slug(chunked):
    book, _, screen, _, _ = chunked
    with pikepdf.open(screen) as doc:
        for page in doc.pages:
            assert "/CasebookCropMarks" not in page.Resources.get("/XObject", {})
            assert _box(page, "/MediaBox") == pytest.approx(
                list(Geometry.of(book.meta.print).trim_box_pt()), abs=0.01)


def test_the_cover_has_its_marks_in_the_slug_and_no_rgb(chunked):
    book, _, _, cover, pages = chunked
    g = cover_geometry(book.meta, pages)
    assert preflight.print_preflight(cover, g) == []
    with pikepdf.open(cover) as doc:
        page = doc.pages[0]
        media, bleed = _box(page, "/MediaBox"), _box(page, "/BleedBox")
        assert bleed == pytest.approx(list(g.bleed_box_pt()), abs=0.01)
        assert min(bleed[0] - media[0], bleed[1] - media[1], media[2] - bleed[2],
                   media[3] - bleed[3]) >= MIN_SLUG_PT
        width, found = strokes(page.obj.Contents[-1])
    assert len(found) == 12  # four corners, two each, and two fold marks, above and below
    assert not [s for s in found if inside(s, width, bleed)], "a mark in the bleed"
    spaces = {space for _, space, _ in colours(cover)}
    assert spaces <= {"DeviceGray", "DeviceCMYK"}, spaces


def test_the_default_intent_is_cmyk_from_ghostscripts_profile(chunked):
    book, printed, _, cover, _ = chunked
    assert (book.meta.print.output_intent, book.meta.print.icc) == ("cmyk",
                                                                    model.DEFAULT_CMYK_ICC)
    with pikepdf.open(printed) as doc, pikepdf.open(cover) as spread:
        ours, theirs = preflight.output_intent(doc), preflight.output_intent(spread)
        profile = doc.Root.OutputIntents[0].DestOutputProfile.read_bytes()
    assert ours == theirs and ours.components == 4 and "SWOP" in ours.condition
    assert profile == model.DEFAULT_CMYK_ICC.read_bytes()


def test_a_pages_kept_press_colours_give_the_same_print_file_and_spare_its_parse(
        coloured, tmp_path, monkeypatch):
    """An edit's print file takes the unchanged pages' converted content from the last
    build (editions/pdf/kept.py): the file is the same, byte for byte, and no page whose
    content is unchanged (nor any folio form) is parsed again; a page whose content changed
    is converted anew."""
    import io

    from casebook.editions import inks
    from casebook.editions.pdf import kept
    intent, book, _, screen = coloured
    profile = book.meta.print.icc if intent == "cmyk" else None

    def converted(pages, change=False):
        with pikepdf.open(screen) as opened:
            if change:  # one page's content edited: a red rule drawn on it
                page = opened.pages[-1]
                page.contents_add(opened.make_stream(b"q 1 0 0 rg 0 0 5 5 re f Q"))
            counts = inks.convert(opened, profile, pages)
            out = io.BytesIO()
            opened.save(out, deterministic_id=True)
            return out.getvalue(), counts

    plain, counts = converted(None)
    first = kept.Kept()
    assert converted(first) == (plain, counts)
    kept.save(tmp_path, first)
    again = kept.load(tmp_path)
    assert set(again) == set(first) and len(again) > 0
    parsed = []
    real = pikepdf.parse_content_stream
    monkeypatch.setattr(pikepdf, "parse_content_stream",
                        lambda obj: parsed.append(obj) or real(obj))
    assert converted(again) == (plain, counts)
    assert not parsed, "a page or form whose content is kept was parsed again"
    parsed.clear()
    edited, edited_counts = converted(again, change=True)
    assert len([obj for obj in parsed if not isinstance(obj, pikepdf.Stream)]) == 1
    assert edited != plain
    assert edited_counts["colour" if intent == "cmyk" else "streams"] >= counts[
        "colour" if intent == "cmyk" else "streams"]
    assert edited == converted(None, change=True)[0]


def test_the_kept_press_colours_are_written_and_read_without_copies_of_the_whole(tmp_path):
    """A long book keeps tens of MB of converted pages (kept.py), saved while the print file
    is still in memory: they are written one by one, never joined (that held them twice
    more), and read back as they were, from one read of the file."""
    import tracemalloc

    from casebook.editions.pdf import kept
    pages = kept.Kept()
    for i in range(20):  # synthetic page contents, 1 MB each
        pages[f"page {i}"] = (bytes([i]) * 1_000_000, i, 20 - i)
    pages["no colour"] = (None, 0, 0)
    size = 20_000_000
    tracemalloc.start()
    try:
        kept.save(tmp_path, pages)
        saved = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        again = kept.load(tmp_path)
        loaded = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert dict(again) == dict(pages)
    assert saved < size / 4, f"saving the kept pages allocated {saved} bytes"
    assert loaded < 2.5 * size, f"loading them allocated {loaded} bytes"
