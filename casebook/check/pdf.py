"""PDF preflight: what a print shop and a PDF/UA checker look at, as lists of problems.

Every ``*_problems`` function returns a list of plain-text findings (empty when clean), so
the tests and a later ``verify`` command can report them all at once. ``print_preflight``
and ``screen_preflight`` run the whole set for one file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pikepdf
import pypdf
from pikepdf import Array, Dictionary, Name

from casebook import pdfstruct
from casebook.errors import CheckError, ToolError
from casebook.geometry import Geometry
from casebook.render import fonts
from casebook.render.typeset import CLOSING, OPENING, STOPS

LINE_START_FORBIDDEN = frozenset(CLOSING + STOPS)  # 避头: never at the start of a line
LINE_END_FORBIDDEN = frozenset(OPENING)            # 避尾: never at the end of a line
PDFX_VERSION = "PDF/X-4"
_TOLERANCE_PT = 0.05
_LINE_STEP_PT = 4.0  # less than any line pitch, more than font metric differences
_WORD = re.compile(r'<page |<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                   r'yMax="([\d.]+)">([^<]*)</word>')
_MCID = re.compile(rb"<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


def _tool(name: str) -> str:
    if shutil.which(name) is None:
        package = "qpdf" if name == "qpdf" else "poppler-utils"
        raise ToolError(f"{name} is missing; install the Debian package {package}")
    return name


# -- whole-file checks ------------------------------------------------------------------------

def trim_top_pt(path: Path) -> float:
    """Points from the top of the first page's MediaBox down to its trim: the bleed and the
    slug in a print PDF, 0 in the screen PDF (cropped to the trim)."""
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0].obj
        return float(page.MediaBox[3]) - float(page.get(Name.TrimBox, page.MediaBox)[3])

def qpdf_problems(path: Path) -> list[str]:
    """``qpdf --check``: it exits 0 when clean, 2 on errors and 3 on warnings."""
    run = subprocess.run([_tool("qpdf"), "--check", str(path)], capture_output=True, text=True)
    if run.returncode == 0:
        return []
    return [f"qpdf --check (exit {run.returncode}): {line}"
            for line in (run.stderr + run.stdout).splitlines() if line.strip()][:20]


def font_problems(path: Path, spec=None) -> list[str]:
    """Every font embedded, subset, declared (``spec``: the book's model.FontSpec, else
    casebook's defaults), and with a ToUnicode map (pdffonts)."""
    problems = []
    try:
        fonts.check_embedded(path, spec=spec)
    except CheckError as exc:
        problems.append(exc.message)
    out = subprocess.run([_tool("pdffonts"), str(path)], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    for line in out:
        fields = line.split()
        emb, sub, uni = fields[-5:-2]
        if (emb, sub, uni) != ("yes", "yes", "yes"):
            problems.append(f"font {fields[0]}: embedded {emb}, subset {sub}, unicode {uni}")
    if not out:
        problems.append("no fonts at all: the text did not reach the PDF")
    return problems


# -- print (PDF/X-4) --------------------------------------------------------------------------
@dataclass(frozen=True)
class Intent:
    subtype: str
    condition: str
    components: int


def output_intent(pdf: pikepdf.Pdf) -> Intent | None:
    intents = pdf.Root.get(Name.OutputIntents)
    if not intents:
        return None
    first = intents[0]
    profile = first.get(Name.DestOutputProfile)
    return Intent(str(first.get(Name.S, "")), str(first.get(Name.OutputConditionIdentifier, "")),
                  int(profile.N) if profile is not None else 0)


def pdfx_problems(path: Path, expected_components: int) -> list[str]:
    """PDF/X-4 identification, output intent, trapping key, no annotations, PDF ≤ 1.6."""
    problems = []
    with pikepdf.open(path) as pdf:
        intent = output_intent(pdf)
        if intent is None:
            problems.append("no output intent")
        elif (intent.subtype, intent.components) != ("/GTS_PDFX", expected_components):
            problems.append(f"output intent {intent} is not a GTS_PDFX intent with "
                            f"{expected_components} components")
        if str(pdf.docinfo.get(Name.GTS_PDFXVersion, "")) != PDFX_VERSION:
            problems.append("the Info dictionary has no GTS_PDFXVersion (PDF/X-4)")
        if pdf.open_metadata().get("pdfxid:GTS_PDFXVersion") != PDFX_VERSION:
            problems.append("the XMP metadata has no pdfxid:GTS_PDFXVersion (PDF/X-4)")
        if str(pdf.docinfo.get(Name.Trapped, "")) != "/False" or not pdf.docinfo.get(Name.Title):
            problems.append("the Info dictionary needs /Trapped /False and a /Title")
        if pdf.pdf_version > "1.6":
            problems.append(f"PDF {pdf.pdf_version}: PDF/X-4 is based on PDF 1.6")
        annotated = [i + 1 for i, p in enumerate(pdf.pages) if p.obj.get(Name.Annots)]
        if annotated:
            problems.append(f"annotations inside the BleedBox on pages {annotated[:10]}")
    return problems


def box_problems(path: Path, geometry: Geometry, screen: bool = False) -> list[str]:
    """Every page's boxes: print: Trim = trim, Bleed = trim + bleed, Media = Bleed + the slug
    the marks are drawn in (``geometry.SLUG_MM`` each side); screen: Media = Trim = trim."""
    trim = geometry.trim_box_pt()
    bleed = trim if screen else geometry.bleed_box_pt()
    media = trim if screen else geometry.media_box_pt()
    problems = []
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            boxes = {name: [float(v) for v in page.obj.get(Name(name), page.obj.MediaBox)]
                     for name in ("/MediaBox", "/BleedBox", "/TrimBox")}
            want = {"/MediaBox": media, "/BleedBox": bleed, "/TrimBox": trim}
            for name, box in boxes.items():
                if any(abs(a - b) > _TOLERANCE_PT for a, b in zip(box, want[name])):
                    problems.append(f"page {number}: {name} {box} is not {list(want[name])}")
    return problems[:20]


def print_preflight(path: Path, geometry: Geometry, spec=None) -> list[str]:
    """Everything a print shop's preflight looks at, for the print PDF."""
    components = 4 if geometry.spec.output_intent == "cmyk" else 3
    return (qpdf_problems(path) + font_problems(path, spec) + box_problems(path, geometry)
            + pdfx_problems(path, components))


# -- screen (PDF/UA-1) ------------------------------------------------------------------------
def pdfua_problems(path: Path) -> list[str]:
    """PDF/UA-1 structure: identification, tagging, language, title, tab order, links, MCIDs."""
    problems = []
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        if meta.get("pdfuaid:part") != "1":
            problems.append("the XMP metadata does not declare pdfuaid:part 1")
        if not meta.get("dc:title"):
            problems.append("the XMP metadata has no dc:title")
        root = pdf.Root
        if not root.get(Name.MarkInfo, {}).get(Name.Marked, False):
            problems.append("/MarkInfo /Marked is not true")
        if not str(root.get(Name.Lang, "")):
            problems.append("the catalog has no /Lang")
        if not root.get(Name.ViewerPreferences, {}).get(Name.DisplayDocTitle, False):
            problems.append("/ViewerPreferences /DisplayDocTitle is not true")
        if Name.StructTreeRoot not in root:
            return problems + ["no structure tree"]
        problems += _page_tag_problems(pdf) + _link_problems(pdf)
    return problems


def _page_tag_problems(pdf: pikepdf.Pdf) -> list[str]:
    """Tab order by structure, and every MCID in the content reaches the structure tree."""
    root = pdf.Root.StructTreeRoot
    reachable, tree = pdfstruct.reachable(root), pdfstruct.parent_tree(root)
    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        if page.obj.get(Name.Tabs) != Name.S:
            problems.append(f"page {number}: /Tabs is not /S")
        elements = tree.get(int(page.obj.get(Name.StructParents, -1)), Array())
        for mcid in _page_mcids(page.obj):
            element = elements[mcid] if mcid < len(elements) else None
            if not isinstance(element, Dictionary) or element.objgen not in reachable:
                problems.append(f"page {number}: marked content {mcid} is neither in the "
                                "structure tree nor an artifact")
    return problems[:20]


def _page_mcids(page: Dictionary) -> list[int]:
    contents = page.Contents if isinstance(page.Contents, Array) else [page.Contents]
    return [int(m) for s in contents for m in _MCID.findall(s.read_bytes())]


def _link_problems(pdf: pikepdf.Pdf) -> list[str]:
    problems, links = [], 0
    for number, page in enumerate(pdf.pages, start=1):
        for annot in page.obj.get(Name.Annots, []):
            if annot.get(Name.Subtype) != Name.Link:
                continue
            links += 1
            if not str(annot.get(Name.Contents, "")).strip():
                problems.append(f"page {number}: a link without /Contents")
            if Name.StructParent not in annot:
                problems.append(f"page {number}: a link outside the structure tree")
            if str(annot.get(Name.Contents, "")).startswith("#"):
                problems.append(f"page {number}: a link described by its raw target")
    return problems[:20] if links else ["no links at all"]


def screen_preflight(path: Path, geometry: Geometry, spec=None) -> list[str]:
    """PDF/UA-1 structure, fonts, qpdf, boxes cropped to the trim, no output intent."""
    problems = (qpdf_problems(path) + font_problems(path, spec) + pdfua_problems(path)
                + box_problems(path, geometry, screen=True))
    with pikepdf.open(path) as pdf:
        if Name.OutputIntents in pdf.Root:
            problems.append("the screen PDF carries a print output intent")
    return problems


# -- pages, labels, outline -------------------------------------------------------------------
def page_labels(path: Path) -> list[str]:
    """The /PageLabels of every page, as a viewer shows them."""
    return list(pypdf.PdfReader(path).page_labels)


def outline_targets(path: Path) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) of every bookmark."""
    reader = pypdf.PdfReader(path)
    found: list[tuple[int, str, int]] = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, reader.get_destination_page_number(item) + 1))
    walk(reader.outline, 1)
    return found


# -- Chinese line breaking --------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    page: int
    text: str
    left: float   # points from the MediaBox's left edge
    right: float
    height: float  # of the glyph boxes: proportional to the font size


def line_boxes(path: Path, first: int = 1, last: int = 0) -> list[Line]:
    """Every printed line, from word boxes grouped by height on the page.

    ``pdftotext -layout`` splits a line where a glyph set at half width (标点挤压) overlaps
    its neighbour, so lines are rebuilt here from ``-bbox`` word positions instead.
    """
    args = [_tool("pdftotext"), "-bbox", "-f", str(first)] + (["-l", str(last)] if last else [])
    out = subprocess.run(args + [str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    words: list[tuple] = []  # page, middle, left, right, text, height
    page = first - 1
    for match in _WORD.finditer(out):
        if match.group(0).startswith("<page"):
            page += 1
            continue
        x0, y0, x1, y1 = (float(match.group(i)) for i in range(1, 5))
        words.append((page, (y0 + y1) / 2, x0, x1, unescape(match.group(5)), y1 - y0))
    found = []
    for row in _rows(sorted(words)):
        row.sort(key=lambda w: w[2])
        found.append(Line(row[0][0], "".join(w[4] for w in row), row[0][2],
                          max(w[3] for w in row), max(w[5] for w in row)))
    return found


def _rows(words: list[tuple[int, float, float, str]]) -> list[list]:
    """Group words (sorted by page and height) into lines: a new line past a 4 pt step."""
    rows: list[list] = []
    for word in words:  # (page, middle height, ...)
        if rows and rows[-1][0][0] == word[0] and word[1] - rows[-1][0][1] < _LINE_STEP_PT:
            rows[-1].append(word)
        else:
            rows.append([word])
    return rows


def kinsoku_lines(found: list[Line]) -> list[Line]:
    """The lines that begin with closing punctuation or end with opening punctuation."""
    return [line for line in found if line.text and (line.text[0] in LINE_START_FORBIDDEN
                                                      or line.text[-1] in LINE_END_FORBIDDEN)]




def after_drawing(path: Path, found: list[Line]) -> set[Line]:
    """Those of ``found`` whose first glyph follows a drawing or an image on its line.

    pdftotext reads text only: an inline formula (drawn as vector paths) or an inline image
    that begins a line makes the mark after it look like the line's start. A shape counts
    when it ends within 3 pt before the glyph, overlaps its line and is no taller than three
    lines (a box's rule beside the text is neither).
    """
    import pdfplumber
    pages: dict[int, list[Line]] = {}
    for line in found:
        pages.setdefault(line.page, []).append(line)
    hit: set[Line] = set()
    with pdfplumber.open(path) as pdf:
        for number, lines in pages.items():
            page = pdf.pages[number - 1]
            shapes = [(s["x0"], s["x1"], s["top"], s["bottom"])
                      for s in page.curves + page.rects + page.images]
            for line in lines:
                glyph = _first_glyph(page.chars, line.text)
                if glyph and any(_leads(glyph, shape) for shape in shapes):
                    hit.add(line)
    return hit


def _first_glyph(chars: list[dict], text: str) -> dict | None:
    """The char (pdfplumber's) that begins ``text`` on the page: its first three in a row."""
    head = text[:3]
    for i, char in enumerate(chars):
        run = chars[i:i + len(head)]
        if "".join(c["text"] for c in run) == head and \
                max(c["top"] for c in run) - min(c["top"] for c in run) < 2:
            return char
    return None


def _leads(glyph: dict, shape: tuple[float, float, float, float]) -> bool:
    x0, x1, top, bottom = shape
    height = glyph["bottom"] - glyph["top"]
    return (glyph["x0"] - 3 <= x1 <= glyph["x0"] + 1 and x0 < glyph["x0"]
            and top <= glyph["bottom"] and bottom >= glyph["top"]
            and bottom - top <= 3 * height)
