"""The visual proof of a typeset audit: every spread as a small image, each finding boxed on it.

``write`` renders the print PDF's pages with pdftoppm (50 dpi) into ``<slug>-proof/`` and
writes ``<slug>-proof.html`` beside it: spreads as the book opens (page 1 alone on the
right, then verso beside recto), each finding an absolutely positioned box over its page,
named on hover and numbered as in the list below; a legend turns each kind on and off.
"""

from __future__ import annotations

import html
import logging
import shutil
import subprocess
from pathlib import Path

import pikepdf

from casebook.check.typeset import KINDS, Finding, Report
from casebook.errors import ToolError

log = logging.getLogger(__name__)
DPI = 50
COLOURS = ("#d62728", "#ff7f0e", "#9467bd", "#1f77b4", "#17becf", "#8c564b", "#e377c2",
           "#2ca02c", "#7f7f7f")
STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 16px 32px; background: #e8e8e8; }
h1 { font-size: 20px; margin: 16px 0 4px; } h2 { font-size: 16px; }
.legend { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr));
          gap: 2px 16px; margin: 8px 0 4px; padding: 0; list-style: none; }
.legend label { cursor: pointer; }
.legend .swatch { display: inline-block; width: 12px; height: 12px; vertical-align: -1px;
                  border: 2px solid var(--c); margin-right: 4px; }
.legend .accepted { color: #666; }
.spread { display: flex; justify-content: center; gap: 3px; margin: 14px 0 30px; }
.page { position: relative; margin: 0; background: #fff; box-shadow: 0 1px 3px #0004; }
.page.none { visibility: hidden; }
.page img { display: block; width: 100%; height: auto; }
.page figcaption { position: absolute; top: 100%; left: 0; right: 0; text-align: center;
                   font-size: 12px; color: #333; }
.f { position: absolute; box-sizing: border-box; border: 2px solid var(--c);
     background: color-mix(in srgb, var(--c) 12%, transparent); min-width: 6px;
     min-height: 6px; }
.f.accepted { border-style: dashed; }
.f.page-wide { background: none; border-width: 1px; pointer-events: none; }
.f.page-wide b { pointer-events: auto; }
.f b { position: absolute; left: -2px; bottom: 100%; font: bold 9px/1 sans-serif;
       color: #fff; background: var(--c); padding: 1px 2px; }
.f:hover { z-index: 9; outline: 2px solid #000; }
.f:hover::after { content: attr(data-label); position: absolute; left: 0; top: 100%;
                  width: max-content; max-width: 420px; background: #222; color: #fff;
                  font-size: 12px; padding: 4px 6px; white-space: normal; }
ol.findings { font-size: 13px; background: #fff; padding: 8px 8px 8px 48px; }
ol.findings li.accepted { color: #666; }
"""


def write(pdf: Path, report: Report, target: Path, title: str) -> Path:
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
    blank = f'<figure class="page none" style="width:{frames[0][2] * DPI / 72:.0f}px"></figure>' \
        if frames else ""
    spreads = [[blank, pages[0]]] if pages else []  # page 1 alone, on the right
    spreads += [pages[i:i + 2] + [blank] * (i + 2 - len(pages)) for i in range(1, len(pages), 2)]
    body = "\n".join(f'<div class="spread">{"".join(spread)}</div>' for spread in spreads)
    target.write_text(_document(title, report, colours, body, numbered), encoding="utf-8")
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
          report: Report) -> str:
    left, top, width, height = frame
    boxes = []  # the largest first: a smaller box inside it stays on top, to hover
    for index, finding in sorted(found, key=lambda item: -_area(item[1].box)):
        x0, y0, x1, y1 = finding.box
        style = (f"--c:{colours[finding.kind]};left:{(x0 - left) / width:.3%};"
                 f"top:{(y0 - top) / height:.3%};width:{(x1 - x0) / width:.3%};"
                 f"height:{(y1 - y0) / height:.3%}")
        classes = f"f k-{finding.kind}" + _accepted(finding, report)
        if finding.kind == "colour":
            classes += " page-wide"
        label = html.escape(f"{index}. {finding}", quote=True)
        boxes.append(f'<div class="{classes}" style="{style}" title="{label}" '
                     f'data-label="{label}"><b>{index}</b></div>')
    alt = f"page {number}"
    caption = f"p. {number} ({folio})"
    return (f'<figure class="page" id="p{number}" style="width:{width * DPI / 72:.0f}px">'
            f'<img src="{image.parent.name}/{image.name}" alt="{alt}">{"".join(boxes)}'
            f'<figcaption>{html.escape(caption)}</figcaption></figure>')


def _area(box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _accepted(finding: Finding, report: Report) -> str:
    return " accepted" if finding.kind in report.accepted else ""


def _document(title: str, report: Report, colours: dict, body: str, numbered) -> str:
    counts = report.counts()
    toggles, rules, legend = [], [], []
    for kind, colour in colours.items():
        toggles.append(f'<input type="checkbox" id="show-{kind}" checked hidden>')
        rules.append(f"#show-{kind}:not(:checked) ~ main .k-{kind} {{ display: none; }}\n"
                     f"#show-{kind}:not(:checked) ~ header [for=show-{kind}] "
                     "{ opacity: .4; text-decoration: line-through; }")
        accepted = " (accepted in book.yaml)" if kind in report.accepted else ""
        legend.append(f'<li class="{"accepted" if accepted else ""}"><label for="show-{kind}">'
                      f'<span class="swatch" style="--c:{colour}"></span>{kind}: '
                      f'{counts.get(kind, 0)}{accepted}</label> '
                      f'<small>{html.escape(KINDS[kind])}</small></li>')
    items = "\n".join(
        f'<li class="{_accepted(f, report).strip()}" value="{n}"><a href="#p{f.page}">'
        f'{f.page} ({html.escape(f.folio)})</a> {html.escape(f.source)}: <b>{f.kind}</b>: '
        f'{html.escape(f.text)}</li>' for n, f in numbered)
    unaccepted = len(report.unaccepted)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>Typeset proof: {html.escape(title)}</title>
<style>{STYLE}{chr(10).join(rules)}</style>
</head>
<body>
{"".join(toggles)}
<header>
<h1>Typeset proof: {html.escape(title)}</h1>
<p>{len(report.findings)} finding(s), {unaccepted} not accepted, on {report.pages} pages
({report.body_lines} body lines). Click a kind to hide or show its boxes; hover a box
for its finding.</p>
<ul class="legend">{"".join(legend)}</ul>
</header>
<main>
{body}
<h2>Findings</h2>
<ol class="findings">
{items}
</ol>
</main>
</body>
</html>
"""
