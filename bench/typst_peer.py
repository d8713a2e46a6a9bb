#!/usr/bin/env python3
"""The typeset audit on casebook's print PDF and on Typst's, both set from the same synthetic text.

Makes the 110-case synthetic book as .ci/run does, builds casebook's print PDF (`build.py pdf`),
writes the same documents through `pandoc -t typst` (bench/typst_markup.py, the filter
bench/typst_peer.lua) and compiles them with the typst PyPI package in the bench's own
environment (`make bench-env`: bench/.venv; typst is no dependency of casebook). Typst's PDF
gets named destinations ``<doc>--b<n>`` at the places Typst reports for each block's mark, so
the audit (casebook/check/typeset.py) attributes its lines to paragraphs and documents as it
does casebook's. Prints one row per engine (pages, body lines, each finding kind's count) and,
with ``--results``, writes them as a dated section of bench/RESULTS.md.

Run: ``make bench-env && .venv/bin/python bench/typst_peer.py --results``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from make_book import ROOT  # noqa: E402  (bench/make_book.py: the project root, on sys.path)

import synthetic  # noqa: E402  (tests/synthetic.py)
import typst_markup  # noqa: E402

OUT = ROOT / "bench" / "out" / "typst-peer"
BENCH_PY = ROOT / "bench" / ".venv" / "bin" / "python"
COMPILE = ROOT / "bench" / "typst_compile.py"
RESULTS = ROOT / "bench" / "RESULTS.md"
TITLE = "Typeset audit: casebook and Typst on the same text"
# what lays out casebook's pages: the last commit touching them dates casebook's row
LAYOUT = ("casebook/editions", "casebook/assets", "casebook/render", "casebook/geometry.py")
MAKE_BOOK = ("synthetic.make_book(dir, part_sizes=synthetic.ORIGINAL_PARTS, figure_every=10, "
             "pending_every=9)")


def make_book(work: Path) -> Path:
    """The 110-case synthetic book of .ci/run, written afresh."""
    import shutil
    book = work / "synthetic110"
    shutil.rmtree(book, ignore_errors=True)
    return synthetic.make_book(book, part_sizes=synthetic.ORIGINAL_PARTS, figure_every=10,
                               pending_every=9)


def casebook_pdf(book_dir: Path, work: Path, slug: str) -> Path:
    out = work / "casebook"
    subprocess.run([sys.executable, str(ROOT / "build.py"), "pdf", "--book", str(book_dir),
                    "--out", str(out), "--force", "-q"], check=True)
    return out / f"{slug}.pdf"


def typst_pdf(book, work: Path, pandoc: str) -> tuple[Path, dict]:
    """Typst's PDF of the book, with named destinations at its marks, and the versions."""
    if not BENCH_PY.exists():
        sys.exit(f"{BENCH_PY}: missing; run `make bench-env` (the bench's own venv with typst)")
    folder = work / "typst"
    folder.mkdir(parents=True, exist_ok=True)
    source = typst_markup.write(book, folder / "book.typ", pandoc)
    pdf, marks = folder / "book.pdf", folder / "marks.json"
    done = subprocess.run([str(BENCH_PY), str(COMPILE), str(source), str(pdf), str(marks)])
    if done.returncode:
        sys.exit(f"{source}: typst failed (exit {done.returncode})")
    found = json.loads(marks.read_text(encoding="utf-8"))
    add_destinations(pdf, found["marks"])
    return pdf, found


def add_destinations(path: Path, marks: list[dict]) -> int:
    """Write each mark's first position as the named destination ``id`` (/XYZ, PDF units)."""
    import pikepdf
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        tree, twice = pikepdf.NameTree.new(pdf), []
        for mark in marks:
            if mark["id"] in tree:
                twice.append(mark["id"])  # laid out twice (a repeated table header): first kept
                continue
            page = pdf.pages[mark["page"] - 1]
            top = float(page.mediabox[3])
            tree[mark["id"]] = pikepdf.Array([page.obj, pikepdf.Name.XYZ, 0,
                                              round(top - float(mark["y"]), 3), 0])
        pdf.Root.Names = pikepdf.Dictionary(Dests=tree.obj)
        pdf.save(path)
    if twice:
        print(f"{path}: {len(twice)} mark(s) placed more than once, the first kept: "
              f"{', '.join(twice[:5])}", file=sys.stderr)
    return len(marks) - len(twice)


def audit_row(name: str, pdf: Path, book) -> tuple[dict, str]:
    """The engine's row of the table, and a sentence on its short pages."""
    from casebook.check import typeset
    report = typeset.audit(pdf, book)
    counts = report.counts()
    row = {"engine": name, "pages": report.pages, "body lines": report.body_lines}
    row.update({kind: "n/a" if kind in report.not_applicable else counts.get(kind, 0)
                for kind in typeset.KINDS})
    return row, f"{name} {short_pages(pdf, book, report)}"


def short_pages(pdf: Path, book, report) -> str:
    """How many short pages carry footnotes; after how many the next page opens with a 点评."""
    from casebook.check import typeset
    from casebook.check import typeset_layout as layout
    from casebook.check import typeset_rules as rules
    block = typeset.text_block(book)
    pages = [rules.Page.of(sheet, block) for sheet in layout.read(pdf)]
    short = [f.page for f in report.findings if f.kind == "short-page"]
    notes = sum(1 for page in short if pages[page - 1].notes)
    commentary = sum(1 for page in short if pages[page].flow
                     and pages[page].flow[0].text.startswith("点评"))
    return (f"{len(short)} short page(s), {notes} of them with footnotes, {commentary} "
            "followed by a page that opens with a 点评")


def table(rows: list[dict]) -> str:
    heads = list(rows[0])
    lines = ["| " + " | ".join(heads) + " |",
             "|---|" + "---:|" * (len(heads) - 1)]
    lines += ["| " + " | ".join(str(row[h]) for h in heads) + " |" for row in rows]
    return "\n".join(lines)


def _run(cmd: list[str]) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()


def context(pandoc: str, versions: dict) -> dict:
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "pandoc": _run([pandoc, "--version"]).splitlines()[0],
        "typst": f"Typst {versions['typst']} (PyPI typst {versions['package']})",
        "commit": _run(["git", "rev-parse", "--short", "HEAD"]),
        "layout": _run(["git", "log", "-1", "--format=%h", "--", *LAYOUT]),
        "main": _run(["git", "rev-parse", "--short", "main"]) or "?",
        "dirty": bool(_run(["git", "status", "--porcelain", "--", *LAYOUT])),
    }


def section(rows: list[dict], notes: list[str], info: dict) -> str:
    dirty = " plus uncommitted changes" if info["dirty"] else ""
    return f"""## {TITLE}

{info['date']}; machine: {info['machine']}; {info['pandoc']}; {info['typst']}.
casebook's row is its print PDF laid out by the code of commit {info['layout']}{dirty} (the
last commit touching casebook's layout; the run was at {info['commit']}, main at
{info['main']}). Counts only: the audit's findings do not depend on the machine's load.

{table(rows)}

Short pages: {'; '.join(notes)}.

Commands, from the repository root:

```
make bench-env                       # bench/.venv with the typst package (bench only)
.venv/bin/python bench/typst_peer.py --results
```

The book is tests/synthetic.py's 110-case book as .ci/run makes it,
`{MAKE_BOOK}`,
default build (pending cases left out). casebook: `build.py pdf`. Typst:
each document's Markdown through `pandoc -f <casebook's Markdown> -t typst` with
bench/typst_peer.lua, in one file with bench/typst_markup.py's preamble: casebook's trim,
margins, 10.5 pt body on a 1.7 line pitch, Noto Serif CJK SC body, Noto Sans CJK SC
headings, LXGW WenKai 点评, and pdf.css's sizes and spaces; typst compiles it
(bench/typst_compile.py). Both PDFs go through the same `casebook.check.typeset.audit`;
Typst's PDF gets named destinations `<doc>--b<n>` at the positions Typst reports for each
block (its own introspection), the ids the audit reads in casebook's PDF.

How to read it:

- The same rules for both: the audit's text block and baseline grid come from the book's
  geometry; Typst's page, margins, 10.5 pt body and 17.85 pt line pitch are casebook's, and
  its headings, 点评, notes, tables and figures take the sizes and spaces of casebook's
  stylesheet, so both engines meet the same off-grid spacing (a case title block, a heading's
  1 em + 0.5 em, the 点评's rules). Typst's own composition is untouched: its paragraph
  breaking (which avoids a one-character last line: its `runt` cost), punctuation
  compression, widows and orphans, and page breaking.
- Page breaks, and so `short-page`, move with that spacing: while this comparison was set
  up, giving Typst the lists' 1 em margins took its short pages from 37 to 20, and then
  the case head's and the 点评 label's spacing took them to 49. Every short page of either
  row is the first page of a case (cases run to about two pages, and a document's last
  page is never short), and each carries the case's footnote. What went overleaf is mostly
  a paragraph of three lines or so that widows and orphans of two lines keep whole, or a
  点评 (counted in the line under the table).
- Typst draws the footnote separator as a stroke, not WeasyPrint's frame; the audit takes
  either as the top of the footnote area (casebook/check/typeset_rules.py). Without that, a
  page with notes counted them as text reaching the foot, and none of Typst's pages with
  notes could be found short.
- Typst's pages carry folios but no running heads, and Typst adds its default space
  between CJK and Latin or digits (`合成案例 10`); both lie outside what the audit counts
  (running heads are outside the text block).
- A PDF without block ids at all (Typst's before the bench adds them) is audited with
  `lonely-lines`, `short-page`, `single-char-line` and `split-mark` as `n/a`, not 0.
"""


def write_results(text: str) -> None:
    """Put the section after RESULTS.md's introduction, replacing one of the same title."""
    old = RESULTS.read_text(encoding="utf-8")
    start = old.find(f"## {TITLE}")
    if start >= 0:
        end = old.find("\n## ", start + 1)
        old = old[:start] + (old[end + 1:] if end >= 0 else "")
    at = old.find("\n## ") + 1
    RESULTS.write_text(old[:at] + text + "\n" + old[at:], encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="work folder (default: %(default)s)")
    parser.add_argument("--results", action="store_true",
                        help=f"write the table into {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()
    import pypandoc

    from casebook.source import loader
    pandoc = pypandoc.get_pandoc_path()
    work = args.out.resolve()
    book_dir = make_book(work)
    book = loader.load(book_dir).select(False)
    print(f"{book_dir}: {len(list(book.documents()))} documents", file=sys.stderr)
    results = [audit_row("casebook", casebook_pdf(book_dir, work, book.meta.slug), book)]
    pdf, versions = typst_pdf(book, work, pandoc)
    results.append(audit_row("Typst", pdf, book))
    rows, notes = [row for row, _ in results], [note for _, note in results]
    print(table(rows))
    print("\n".join(notes))
    if args.results:
        write_results(section(rows, notes, context(pandoc, versions)))
        print(f"written: {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
