"""Print inks: RGB greys become DeviceGray (black ink alone), other RGB goes CMYK by the intent.

WeasyPrint paints every colour in RGB (``rg``/``RG``, or an sRGB ``cs`` with ``sc``/``scn``),
and the screen PDF keeps that; only the print files are converted, here, in every content
stream they draw: the pages, the form XObjects they use (merged chunks' folios, SVG groups),
and coloured tiling patterns, each once. A grey (r = g = b, black included) becomes ``g``/``G``,
which a CMYK press prints in K alone. Any other RGB colour becomes ``k``/``K`` through the
CMYK output intent's profile (lcms via Pillow, relative colorimetric with black-point
compensation); under an sRGB intent it stays RGB. Colours already in another space (DeviceCMYK,
Lab, patterns) are left as they are.

RGB images whose every pixel is neutral become DeviceGray (Flate) images, so a grey figure
prints in black ink too; colour images keep their RGB data under the file's DefaultRGB (sRGB),
so the RIP converts them once, with the same output intent, and a JPEG is never re-encoded.
Under a CMYK intent, transparency groups blend in DeviceCMYK rather than sRGB, so black text
in a group is not turned into four-colour black by the blend.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import zlib
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator
from PIL import Image, ImageChops, ImageCms

log = logging.getLogger(__name__)
_SETS_COLOUR = (b"rg", b"RG", b"cs", b"CS")  # a stream without these keeps WeasyPrint's bytes


@dataclasses.dataclass
class _Spaces:
    """Whether the current fill and stroke colour spaces of the painted stream are RGB."""

    fill: bool = False
    stroke: bool = False


class Inks:
    """The colour conversion of one print file: ``profile`` is its CMYK output intent's ICC
    profile, or None under an sRGB intent (greys still become DeviceGray)."""

    def __init__(self, profile: Path | None):
        self.cmyk = profile is not None
        self._transform = None if profile is None else ImageCms.buildTransform(
            ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(str(profile)), "RGB",
            "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
        self._converted: dict[tuple[int, int, int], tuple[Decimal, ...]] = {}
        self.counts: Counter[str] = Counter()

    def colour(self, rgb, stroke: bool) -> tuple[list, Operator]:
        """The operands and operator that set the RGB colour ``rgb`` in print."""
        r, g, b = (_number(v) for v in rgb)
        if r == g == b:
            self.counts["grey"] += 1
            return [r], Operator("G" if stroke else "g")
        if self._transform is None:
            return [r, g, b], Operator("RG" if stroke else "rg")
        self.counts["colour"] += 1
        return list(self._cmyk((r, g, b))), Operator("K" if stroke else "k")

    def _cmyk(self, rgb: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
        key = tuple(max(0, min(255, round(float(v) * 255))) for v in rgb)
        if key not in self._converted:
            pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), key), self._transform)
            self._converted[key] = tuple(_number(v / 255) for v in pixel.getpixel((0, 0)))
        return self._converted[key]


def convert(pdf: pikepdf.Pdf, profile: Path | None, kept: dict | None = None) -> Counter[str]:
    """Convert every content stream and image of a print file (see the module docstring);
    return how many colours, streams and images were changed.

    ``kept``: each page's and form's converted content from earlier builds, by a digest of
    everything the conversion reads (its content streams, the RGB-ness of its named colour
    spaces, the profile); one found there is not parsed again, and every one converted is
    added."""
    inks, done = Inks(profile), set()
    kept = (kept, hashlib.sha256(profile.read_bytes() if profile else b"srgb").digest())
    for page in pdf.pages:
        resources = page.obj.get(Name.Resources, Dictionary())
        if _has_colour(page.obj):
            new = _converted(page.obj, _streams(page.obj), resources, inks, kept)
            if new is not None:
                page.obj.Contents = pdf.make_stream(new)
                inks.counts["streams"] += 1
        _blend(page.obj, inks)
        _resources(pdf, resources, inks, (done, kept))
    log.info("Print colours: %d greys set in black ink, %d RGB colours converted%s, in %d "
             "streams; %d grey images", inks.counts["grey"], inks.counts["colour"],
             " to CMYK" if inks.cmyk else "", inks.counts["streams"], inks.counts["images"])
    return inks.counts


def _resources(pdf: pikepdf.Pdf, resources: Dictionary, inks: Inks, seen: tuple) -> None:
    """Convert the forms, coloured tiling patterns and images ``resources`` names, once each
    (``seen``: the objects done, and the kept conversions)."""
    done, kept = seen
    objects = [*resources.get(Name.XObject, Dictionary()).values(),
               *resources.get(Name.Pattern, Dictionary()).values()]
    for obj in objects:
        if not isinstance(obj, pikepdf.Stream) or obj.objgen in done:
            continue
        done.add(obj.objgen)
        if obj.get(Name.Subtype) == Name.Image:
            _grey_image(obj, resources, inks)
            continue
        is_form = obj.get(Name.Subtype) == Name.Form
        if not is_form and not (obj.get(Name.PatternType) == 1 and obj.get(Name.PaintType) == 1):
            continue  # an uncoloured pattern sets no colour; a shading pattern is left as is
        own = obj.get(Name.Resources, resources)
        if _has_colour(obj):
            new = _converted(obj, [obj], own, inks, kept)
            if new is not None:
                obj.write(new)
                inks.counts["streams"] += 1
        _blend(obj, inks)
        _resources(pdf, own, inks, seen)


def _converted(owner, streams: list, resources: Dictionary, inks: Inks,
               kept: tuple[dict | None, bytes]) -> bytes | None:
    """The content of a page or form (``owner``) with its colours converted, or None when
    it sets no RGB colour; taken from ``kept`` (and added to it) when one is given."""
    found, key = kept[0], _key(streams, resources, kept[1]) if kept[0] is not None else ""
    if found is not None and key in found:
        new, grey, colour = found[key]
        inks.counts.update(grey=grey, colour=colour)
        return new
    before = Counter(inks.counts)
    instructions = _rewrite(pikepdf.parse_content_stream(owner), resources, inks)
    new = None if instructions is None else pikepdf.unparse_content_stream(instructions)
    if found is not None:
        found[key] = (new, inks.counts["grey"] - before["grey"],
                      inks.counts["colour"] - before["colour"])
    return new


def _streams(page: Dictionary) -> list:
    contents = page.get(Name.Contents, Array())
    return list(contents) if isinstance(contents, Array) else [contents]


def _key(streams: list, resources: Dictionary, profile_id: bytes) -> str:
    """What a conversion depends on: the content streams, one by one, whether each colour
    space the resources name is RGB, and the output intent's profile."""
    digest = hashlib.sha256(profile_id)
    for stream in streams:
        data = stream.read_bytes()
        digest.update(len(data).to_bytes(8, "big") + data)
    spaces = resources.get(Name.ColorSpace, Dictionary())
    digest.update(repr(sorted((str(name), _is_rgb(Name(name), resources))
                              for name in spaces.keys())).encode())
    return digest.hexdigest()


def _rewrite(instructions, resources: Dictionary, inks: Inks) -> list | None:
    """The instructions with every RGB colour converted, or None when none was RGB."""
    out, saved, spaces, changed = [], [], _Spaces(), False
    for instruction in instructions:
        operands, operator = instruction.operands, str(instruction.operator)
        stroke = operator.isupper()
        if operator == "q":
            saved.append(dataclasses.replace(spaces))
        elif operator == "Q" and saved:
            spaces = saved.pop()
        elif operator in ("rg", "RG"):
            setattr(spaces, "stroke" if stroke else "fill", True)
            instruction = inks.colour(operands, stroke)
            changed = True
        elif operator in ("g", "G", "k", "K"):
            setattr(spaces, "stroke" if stroke else "fill", False)
        elif operator in ("cs", "CS"):
            rgb = _is_rgb(operands[0], resources)
            setattr(spaces, "stroke" if stroke else "fill", rgb)
            if rgb:  # the space's initial colour is black: set in print as the black it is
                instruction = inks.colour((0, 0, 0), stroke)
                changed = True
        elif (operator in ("sc", "scn", "SC", "SCN") and len(operands) == 3
              and getattr(spaces, "stroke" if operator[0] == "S" else "fill")):
            instruction = inks.colour(operands, operator[0] == "S")
            changed = True
        out.append(instruction)
    return out if changed else None


def _is_rgb(name, resources: Dictionary) -> bool:
    """Whether the colour space ``name`` is DeviceRGB, CalRGB or a three-component ICC space."""
    space = name
    if name not in (Name.DeviceRGB, Name.DeviceGray, Name.DeviceCMYK, Name.Pattern):
        space = resources.get(Name.ColorSpace, Dictionary()).get(name, name)
    if space == Name.DeviceRGB:
        return True
    if isinstance(space, Array) and len(space) == 2 and space[0] == Name.ICCBased:
        return int(space[1].get(Name.N, 0)) == 3
    return isinstance(space, Array) and len(space) > 0 and space[0] == Name.CalRGB


def _blend(obj: Dictionary, inks: Inks) -> None:
    """Under a CMYK intent, a transparency group blends in DeviceCMYK."""
    group = obj.get(Name.Group)
    if inks.cmyk and isinstance(group, Dictionary) and Name.CS in group:
        group.CS = Name.DeviceCMYK


def _grey_image(image: pikepdf.Stream, resources: Dictionary, inks: Inks) -> None:
    """An 8-bit RGB image whose pixels are all neutral becomes a DeviceGray one."""
    space = image.get(Name.ColorSpace)
    if (space is None or not _is_rgb(space, resources) or image.get(Name.ImageMask)
            or int(image.get(Name.BitsPerComponent, 0)) != 8 or Name.Decode in image):
        return
    try:
        pixels = pikepdf.PdfImage(image).as_pil_image().convert("RGB")
    except (pikepdf.PdfError, NotImplementedError, ValueError, OSError) as exc:
        log.debug("Print colours: an image left in RGB, its data unreadable here: %s", exc)
        return
    red, green, blue = pixels.split()
    if ImageChops.difference(red, green).getbbox() or ImageChops.difference(green, blue).getbbox():
        return
    image.write(zlib.compress(green.tobytes()), filter=Name.FlateDecode)
    image.ColorSpace = Name.DeviceGray
    inks.counts["images"] += 1


def _has_colour(obj) -> bool:
    """Whether a page's or a stream's content has an operator that may set an RGB colour."""
    if isinstance(obj, pikepdf.Stream):
        streams = [obj]
    else:
        streams = obj.get(Name.Contents, Array())
        streams = list(streams) if isinstance(streams, Array) else [streams]
    data = b"".join(s.read_bytes() for s in streams)
    return any(op in data for op in _SETS_COLOUR)


def _number(value) -> Decimal:
    """A colour component as the PDF writes it: at most four decimals, no exponent."""
    return Decimal(str(round(float(value), 4))).normalize() + Decimal(0)
