"""The visual proof of a typeset audit: every spread as a small image, each finding boxed on it.

``write`` renders the print PDF's pages with pdftoppm (50 dpi) into ``<slug>-proof/`` and
writes ``<slug>-proof.html`` beside it from the template ``proof/proof.html.j2`` and the
stylesheet ``proof.css``: spreads as the book opens (page 1 alone on the right, then verso
beside recto), each finding an absolutely positioned box over its page, named on hover and
numbered as in the list below; a legend turns each kind on and off.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pikepdf

from casebook import model
from casebook.check.typeset import KINDS, Finding, Report
from casebook.errors import ToolError
from casebook.render.templates import environment, render_template, style

log = logging.getLogger(__name__)
DPI = 50
COLOURS = ("#d62728", "#ff7f0e", "#9467bd", "#1f77b4", "#17becf", "#8c564b", "#e377c2",
           "#2ca02c", "#7f7f7f")


def write(pdf: Path, report: Report, target: Path, book: model.Book) -> Path:
    """Write the proof page ``target`` (``<slug>-proof.html``) and its images beside it."""
    images = _render(pdf, target.with_suffix(""))
    frames, labels = _frames(pdf)
    colours = {kind: COLOURS[i % len(COLOURS)] for i, kind in enumerate(KINDS)}
    numbered = list(enumerate(report.findings, start=1))
    by_page: dict[int, list[tuple[int, Finding]]] = {}
    for number, finding in numbered:
        by_page.setdefault(finding.page, []).append((number, finding))
    pages = [_page(i + 1, labels[i], image, frames[i], by_page.get(i + 1, []), colours, report)
             for i, image in enumerate(images)]
    spreads = [[None, pages[0]]] if pages else []  # page 1 alone, on the right
    spreads += [pages[i:i + 2] + [None] * (i + 2 - len(pages)) for i in range(1, len(pages), 2)]
    counts = report.counts()
    kinds = [{"name": kind, "colour": colour, "count": counts.get(kind, 0),
              "accepted": kind in report.accepted, "text": KINDS[kind]}
             for kind, colour in colours.items()]
    text = render_template(
        environment(book), "proof/proof.html.j2", title=book.meta.title, kinds=kinds,
        css=style("proof.css", book), spreads=spreads, numbered=numbered,
        findings=report.findings, unaccepted=len(report.unaccepted), pages_count=report.pages,
        body_lines=report.body_lines, accepted=report.accepted,
        blank_width=round(frames[0][2] * DPI / 72) if frames else 0)
    target.write_text(text, encoding="utf-8")
    log.info("Visual proof: %s (%d pages, %d findings)", target, len(images),
             len(report.findings))
    return target


def _render(pdf: Path, folder: Path) -> list[Path]:
    """Every page as a PNG in ``folder`` (emptied first), in page order."""
    if shutil.which("pdftoppm") is None:
        raise ToolError("pdftoppm is missing; install the Debian package poppler-utils")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(folder / "p")],
                   check=True, capture_output=True)
    return sorted(folder.glob("p-*.png"), key=lambda p: int(p.stem.rpartition("-")[2]))


def _frames(pdf: Path) -> tuple[list[tuple[float, float, float, float]], list[str]]:
    """Each page's MediaBox (what pdftoppm draws) in the audit's frame, and its label."""
    import pypdf
    frames = []
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            media = [float(v) for v in page.obj.MediaBox]
            trim = [float(v) for v in page.obj.get("/TrimBox", page.obj.MediaBox)]
            frames.append((media[0] - trim[0], trim[3] - media[3], media[2] - media[0],
                           media[3] - media[1]))
    return frames, list(pypdf.PdfReader(pdf).page_labels)


def _page(number: int, folio: str, image: Path, frame, found, colours: dict,
          report: Report) -> dict:
    """One page of the proof: its image, caption and boxes (as fractions of the page)."""
    left, top, width, height = frame
    boxes = []  # the largest first: a smaller box inside it stays on top, to hover
    for index, finding in sorted(found, key=lambda item: -_area(item[1].box)):
        x0, y0, x1, y1 = finding.box
        classes = f"f k-{finding.kind}" + (" accepted" if finding.kind in report.accepted
                                           else "")
        boxes.append({"number": index, "colour": colours[finding.kind],
                      "classes": classes + (" page-wide" if finding.kind == "colour" else ""),
                      "left": f"{(x0 - left) / width:.3%}", "top": f"{(y0 - top) / height:.3%}",
                      "width": f"{(x1 - x0) / width:.3%}", "height": f"{(y1 - y0) / height:.3%}",
                      "label": f"{index}. {finding}"})
    return {"number": number, "folio": folio, "width": round(width * DPI / 72),
            "src": f"{image.parent.name}/{image.name}", "boxes": boxes}


def _area(box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])
