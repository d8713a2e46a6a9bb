"""What the tests read back from built editions, beyond what ``verify`` itself checks.

Not a test module. These extractors were in casebook/check/ although no check called them:
the EPUB's NCX page-list, pagebreaks and body text, calibre's plain text, the HTML pages'
prev/next links, and the PDF's running heads, folios, printed TOC and ragged lines.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from lxml import etree

from casebook.check import pdf as preflight
from casebook.check.parity import NS, squeeze
from casebook.geometry import PT_PER_MM, Geometry
from casebook.render.draftmark import strip

CALIBRE_ENV = {"QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
_TOC_ENTRY = re.compile(r"^(?P<title>\S.*?)\s*\.{3,}\s*(?P<folio>\d+|[ivxlcdm]+)$")


# -- EPUB -------------------------------------------------------------------------------------
def _read(epub: Path, name: str) -> bytes:
    with zipfile.ZipFile(epub) as z:
        return z.read(f"EPUB/{name}")


def ncx_page_list(epub: Path) -> list[tuple[str, str]]:
    """The NCX pageList: (label, src) in order."""
    ncx = etree.fromstring(_read(epub, "toc.ncx"))
    return [(squeeze("".join(t.xpath("ncx:navLabel/ncx:text", namespaces=NS)[0].itertext())),
             t.xpath("ncx:content/@src", namespaces=NS)[0])
            for t in ncx.xpath("//ncx:pageTarget", namespaces=NS)]


def pagebreaks(epub: Path, href: str) -> list[etree._Element]:
    """The pagebreak spans of one XHTML file, in document order."""
    root = etree.fromstring(_read(epub, href))
    return root.xpath("//x:span[@ops:type='pagebreak']", namespaces=NS)


def xhtml_text(epub: Path, href: str) -> str:
    """All text of one XHTML file's body."""
    root = etree.fromstring(_read(epub, href))
    return "".join(root.xpath("//x:body", namespaces=NS)[0].itertext())


def calibre_text(epub: Path, out_dir: Path) -> str:
    """The EPUB as plain text, converted by calibre's reading engine (ebook-convert)."""
    convert = shutil.which("ebook-convert")
    assert convert, "calibre's ebook-convert is missing; `make test` installs the apt package"
    target = out_dir / f"{epub.stem}.txt"
    run = subprocess.run([convert, str(epub), str(target)], env={**os.environ, **CALIBRE_ENV},
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0 and target.exists(), f"ebook-convert failed: {run.stderr[-2000:]}"
    return target.read_text(encoding="utf-8")


# -- HTML -------------------------------------------------------------------------------------
class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("rel") in ("next", "prev"):
            self.links.append((attrs["rel"], attrs.get("href", "")))


def html_pager(page: Path) -> dict[str, str]:
    """The rel=prev / rel=next hrefs of a page."""
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return dict(parser.links)


# -- PDF --------------------------------------------------------------------------------------
def text_in_band(path: Path, top_mm: float, bottom_mm: float) -> list[str]:
    """Each page's text between two heights measured from the top of the trim (negative:
    above it, in the bleed)."""
    offset = preflight.trim_top_pt(path)
    top = max(0.0, offset + top_mm * PT_PER_MM)
    bottom = offset + bottom_mm * PT_PER_MM
    run = subprocess.run(["pdftotext", "-layout", "-x", "0", "-y", str(int(top)),
                          "-W", "100000", "-H", str(int(bottom - top)), str(path), "-"],
                         capture_output=True, text=True, check=True)
    return [" ".join(strip(page).split()) for page in run.stdout.split("\f")[:-1]]


def running_heads(path: Path, geometry: Geometry) -> list[str]:
    """The text in each page's top margin: its running head, or ''."""
    spec = geometry.spec
    return text_in_band(path, -spec.bleed, spec.margins[0] - 0.5)


def folios(path: Path, geometry: Geometry) -> list[str]:
    """The text in each page's bottom margin: its folio, or ''."""
    spec = geometry.spec
    return text_in_band(path, spec.trim_height - spec.margins[2] + 0.5,
                        spec.trim_height + spec.bleed)


def printed_toc(path: Path, first: int, last: int) -> list[tuple[str, str]]:
    """(title, folio) of every TOC line on pages first..last: a title, leader dots, a folio."""
    found = []
    for line in preflight.line_boxes(path, first, last):
        match = _TOC_ENTRY.match(line.text)
        if match:
            found.append((match.group("title"), match.group("folio")))
    return found


def ragged_lines(found: list[preflight.Line], em: float = 10.5) -> list[preflight.Line]:
    """Body lines (from ``line_boxes``) that stop short of the measure mid-paragraph.

    A body line (the commonest glyph height) may only be short when it ends its paragraph:
    when the next body line on the page starts indented, or there is none. Lines of other
    sizes (headings, the 点评) are skipped; so are list items (•), table cells and centred
    lines, which start neither at the left edge nor at the paragraph indent.
    """
    body = _mode([round(line.height, 2) for line in found])
    text = [line for line in found if round(line.height, 2) == body]
    left = {side: min(line.left for line in text if line.page % 2 == side) for side in (0, 1)
            if any(line.page % 2 == side for line in text)}
    right = {side: _mode([round(line.right, 1) for line in text if line.page % 2 == side
                          and line.left - left[side] < 2.5 * em])
             for side in left}  # the measure's edge: where most left-aligned lines end
    ragged = []
    for line, after in zip(text, text[1:]):
        side = line.page % 2
        if (after.page == line.page and right[side] - line.right > 0.1 * em
                and after.left - left[side] < 1.5 * em    # the next line continues
                and line.left - left[side] < 2.5 * em     # not a table cell or centred
                and not line.text.startswith("•") and not after.text.startswith("•")):
            ragged.append(line)
    return ragged


def _mode(values: list):
    return max(set(values), key=values.count)
