"""The typeset audit: each kind of finding on a page laid out to show it, nothing on a clean one.

Most pages are laid out by WeasyPrint from crafted HTML in a test book's page geometry (the
book gives the audit its text block and source files); the slow tests build books through
the pipeline: a paragraph measured to end in one character, verify's row, the command and
its visual proof.
"""

from __future__ import annotations

import base64
import io
import logging
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bookfactory import make_book, md, sample_copy
from conftest import ROOT

from casebook.check import registry, typeset
from casebook.geometry import Geometry
from casebook.source import loader as source

POOL = "党建工作社区服务群众组织发展创新机制党员活动基层企业支部区域平台居民实践探索管理队伍教育学习"
DOC = "case-001-a"
CASE = "source/cases/01/001-a.md"


def words(n: int, seed: int) -> str:
    """``n`` characters of CJK text without punctuation, different for each seed."""
    rng = random.Random(seed)
    return "".join(rng.choice(POOL) for _ in range(n))


def measure(book) -> int:
    return Geometry.of(book.meta.print).chars_per_line


def page_css(book) -> str:
    g = Geometry.of(book.meta.print)
    p = g.spec
    return f"""
@page {{ size: {p.trim_width}mm {p.trim_height}mm; bleed: {p.bleed}mm;
        margin-top: {p.margins[0]}mm; margin-bottom: {g.bottom}mm; }}
@page :right {{ margin-left: {g.inner}mm; margin-right: {g.outer}mm; }}
@page :left {{ margin-left: {g.outer}mm; margin-right: {g.inner}mm; }}
html {{ font: 10.5pt/1.7 "Noto Serif CJK SC"; color: device-cmyk(0 0 0 1); }}
body {{ margin: 0; }}
p {{ margin: 0; text-align: justify; }}
"""


def crafted(tmp_path: Path, blocks: list[str], css: str = "", yaml_extra: str = ""):
    """(book, pdf): a one-case book with the blocks' text, the blocks laid out in its pages."""
    from weasyprint import HTML
    texts = [re.sub(r"<[^>]+>", "", block) for block in blocks]
    root = make_book(tmp_path, {CASE: md("甲", "\n\n".join(texts) + "\n")},
                     yaml_extra=yaml_extra)
    book = source.load(root).select(False)
    paragraphs = "\n".join(f'<p id="{DOC}--b{i}">{block}</p>'
                           for i, block in enumerate(blocks, start=1))
    html = (f'<html lang="zh-CN"><head><style>{page_css(book)}{css}</style></head><body>'
            f'<article id="{DOC}">{paragraphs}</article></body></html>')
    pdf = tmp_path / "crafted.pdf"
    HTML(string=html).write_pdf(pdf)
    return book, pdf


def kinds(report: typeset.Report) -> list[str]:
    return [f.kind for f in report.findings]


def source_line(root: Path, text: str) -> int:
    lines = (root / CASE).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def test_a_clean_page_has_no_finding(tmp_path):
    book, pdf = crafted(tmp_path, [words(20, 1) + "。", words(80, 2) + "。",
                                   "甲乙，<br>丙丁。", words(10, 3) + "。"])
    report = typeset.audit(pdf, book)
    assert report.findings == () and report.body_lines == 7, report.findings
    assert report.summary().startswith("0 findings not accepted in 1 pages, 7 body lines")


def test_a_single_character_last_line_and_where_it_comes_from(tmp_path):
    text = words(measure(make_default_book(tmp_path)) + 1, 4) + "。"
    book, pdf = crafted(tmp_path / "c", [words(12, 5) + "。", text])
    (finding,) = typeset.audit(pdf, book).findings
    line = source_line(book.root, text)
    assert str(finding).startswith(f"1 (1) {book.root / CASE}:{line}: single-char-line: ")
    assert finding.text.endswith(f"“{text[-2:]}”")


def make_default_book(tmp_path: Path):
    return source.load(make_book(tmp_path)).select(False)


@pytest.mark.parametrize("block, kind, said", [
    ("甲乙丙丁<br>，戊己庚。", "line-start-mark", "starts with ‘，’"),
    ("甲乙丙丁<br>”戊己庚。", "line-start-mark", "starts with ‘”’"),
    ("甲乙丙丁<br>·戊己庚。", "line-start-mark", "starts with ‘·’"),
    ("甲乙丙丁<br>—戊己庚。", "line-start-mark", "starts with ‘—’"),
    ("abcd<br>, efg.", "line-start-mark", "starts with half-width ‘,’"),
    ("甲乙丙丁（<br>戊己庚）。", "line-end-mark", "ends with ‘（’"),
    ("甲乙丙丁《<br>戊己庚》。", "line-end-mark", "ends with ‘《’"),
    ("abcd (<br>efg).", "line-end-mark", "ends with half-width ‘(’"),
    ("甲乙丙丁—<br>—戊己庚。", "split-mark", "—— split over two lines"),
    ("甲乙丙丁…<br>…戊己庚。", "split-mark", "…… split over two lines"),
], ids=["comma", "closing-quote", "interpunct", "single-dash", "half-width-comma",
        "opening-bracket", "opening-title-mark", "half-width-bracket", "split-dash",
        "split-ellipsis"])
def test_marks_kept_from_line_starts_and_ends(tmp_path, block, kind, said):
    book, pdf = crafted(tmp_path, [words(12, 6) + "。", block])
    report = typeset.audit(pdf, book)
    assert kinds(report) == [kind], report.findings
    assert said in report.findings[0].text


def test_the_book_layout_passes_what_plain_weasyprint_fails(tmp_path):
    """weasy.typesetting: a line-end ，at half width (lineend), the 点评's quotes face on the
    grid (strut), no 单字成行 (lastline); the same page outside it fails all three."""
    from casebook.editions import weasy
    weasy.install()
    n = measure(make_default_book(tmp_path))
    quotes = ('@font-face { font-family: Q; src: local("NotoSerifCJKsc-Regular"); '
              'unicode-range: U+201C-201D; } p.k { font-family: Q, "LXGW WenKai"; }')
    blocks = [words(n - 1, 7) + "，" + words(10, 8) + "。",
              '<span class="k">“' + words(n - 2, 9) + "”</span>", words(n * 2, 10) + "。"]

    def audited(folder: str):
        book, pdf = crafted(tmp_path / folder, blocks, css=quotes.replace("p.k", ".k"))
        return sorted(set(kinds(typeset.audit(pdf, book))))
    assert audited("plain") == ["off-grid", "pause-mark", "single-char-line"]
    with weasy.typesetting(make_default_book(tmp_path / "g").meta.print.margins[0] * 72 / 25.4,
                           10.5 * 1.7, "Noto Serif CJK SC"):
        assert audited("book") == []


def test_a_page_ending_short_is_filled_by_a_looser_paragraph(tmp_path):
    """weasy/fill.py: two lines are left where a three-line paragraph cannot split (widows
    and orphans 2); set 1/40 em looser, a paragraph whose last line is nearly full takes one
    line more, and the page ends less than two lines short."""
    from casebook.editions import weasy
    weasy.install()
    n = measure(make_default_book(tmp_path))
    blocks = [words(3 * n - 1, 1)] + [words(10, i) + "。" for i in range(2, 31)]
    blocks += [words(3 * n - 5, 40) + "。"]

    def audited(folder: str):
        book, pdf = crafted(tmp_path / folder, blocks)
        return kinds(typeset.audit(pdf, book))
    assert audited("plain") == ["short-page"]
    with weasy.typesetting(make_default_book(tmp_path / "g").meta.print.margins[0] * 72 / 25.4,
                           10.5 * 1.7, "Noto Serif CJK SC"):
        assert audited("book") == []


def _short_page(kind: str, n: int) -> tuple[list[str], int | None]:
    """(blocks, the heading block's number or None) of a page that ends short (synthetic
    text): ``n`` characters fill a line; 34 lines fill the page."""
    lines = [words(10, i) + "。" for i in range(100, 140)]  # a line each, set as they are
    nearly_full = words(2 * n - 1, 1)  # 1/40 em looser leaves one character, 1/20 em three
    whole = words(2 * n + 12, 2)  # three lines no setting shortens: kept whole overleaf
    if kind == "next-setting":  # two lines left, a three-line paragraph overleaf
        return [nearly_full] + lines[:30] + [whole] + lines[30:34], None
    if kind == "two-looser":  # three lines left, a heading and three lines overleaf
        return [nearly_full, words(2 * n - 1, 3)] + lines[:27] + ["三、标题", whole] \
            + lines[30:34], 30
    # three lines left, a heading and three lines overleaf; a paragraph on the page and the
    # one overleaf each lose a line 1/20 em tighter: together, and only so, they fit
    return [words(2 * n + 2, 4)] + lines[:28] + ["二、标题", words(2 * n + 2, 5)] \
        + lines[30:34], 30


@pytest.mark.parametrize("kind", ["next-setting", "two-looser", "on-page-and-overleaf"])
def test_a_short_page_is_filled_by_paragraphs_set_together(tmp_path, kind, caplog):
    """weasy/fill.py measures which setting changes each paragraph by a line, then lays out
    combinations: the next looser setting when the first leaves one character alone; two
    paragraphs looser for the two lines to fill; a paragraph on the page and one overleaf
    tighter, so that a heading with the lines it keeps comes in."""
    from casebook.editions import weasy
    from casebook.editions.weasy import fill
    weasy.install()
    blocks, heading = _short_page(kind, measure(make_default_book(tmp_path)))
    pitch = 10.5 * 1.7
    css = f"#{DOC}--b{heading} {{ margin-top: {pitch}pt; break-after: avoid; }}"

    def audited(folder: str):
        book, pdf = crafted(tmp_path / folder, blocks, css=css if heading else "")
        return kinds(typeset.audit(pdf, book))
    assert audited("plain") == ["short-page"]
    caplog.set_level(logging.DEBUG, logger=fill.__name__)
    with weasy.typesetting(make_default_book(tmp_path / "g").meta.print.margins[0] * 72 / 25.4,
                           pitch, "Noto Serif CJK SC"):
        assert audited("book") == []
    (filled,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("page 1:")]
    more = int(re.search(r"(\d+) layout\(s\) more", filled).group(1))
    assert 1 <= more <= fill.TRIES and re.search(r", [01]\.0 line\(s\) left$", filled), filled


def test_a_full_line_ending_in_a_full_width_pause_mark(tmp_path):
    full = words(measure(make_default_book(tmp_path)) - 1, 7) + "，"
    book, pdf = crafted(tmp_path / "c", [full + words(10, 8) + "。"])
    report = typeset.audit(pdf, book)
    assert kinds(report) == ["pause-mark"], report.findings
    assert "full-width ‘，’" in report.findings[0].text


@pytest.mark.parametrize("lines, found", [(36, ["lonely-lines"]), (37, [])])
def test_a_page_carrying_on_with_one_or_two_lines(tmp_path, lines, found):
    """34 lines fill the text block (its foot moved to hold whole lines); the rest overleaf."""
    book, pdf = crafted(tmp_path, [words(10, i) + "。" for i in range(lines)])
    report = typeset.audit(pdf, book)
    assert kinds(report) == found, report.findings
    if found:
        assert report.findings[0].page == 2 and "only 2 line(s)" in report.findings[0].text


def _png(height: int) -> str:
    from PIL import Image
    data = io.BytesIO()
    Image.new("L", (10, height), 128).save(data, "PNG")
    return "data:image/png;base64," + base64.b64encode(data.getvalue()).decode()


def test_a_page_ending_short_while_its_text_goes_on(tmp_path):
    """A figure 17 lines tall does not fit under 20 of the block's 34 lines: 14 short."""
    figure = f'<img src="{_png(40)}" style="display: block; height: {17 * 17.85}pt">'
    blocks = [words(10, i) + "。" for i in range(20)] + [figure]
    blocks += [words(10, i) + "。" for i in range(20, 23)]
    book, pdf = crafted(tmp_path, blocks)
    report = typeset.audit(pdf, book)
    assert kinds(report) == ["short-page"], report.findings
    assert report.findings[0].page == 1 and "14.0 lines above the foot" in \
        report.findings[0].text


def test_lines_off_the_grid_are_one_finding_a_run(tmp_path):
    blocks = [words(10, i) + "。" for i in range(6)]
    blocks[2] = f'<span style="display: block; margin-top: 5pt">{blocks[2]}</span>'
    blocks[4] = f'<span style="display: block; margin-top: 12.85pt">{blocks[4]}</span>'
    book, pdf = crafted(tmp_path, blocks)
    report = typeset.audit(pdf, book)
    assert kinds(report) == ["off-grid"], report.findings
    assert report.findings[0].text.startswith("2 body line(s) 5.0 pt below the baseline grid")


def test_text_and_rules_not_in_black_ink(tmp_path):
    css = "html { color: rgb(0, 0, 0); } #case-001-a--b2 { border-bottom: 1pt solid red; }"
    book, pdf = crafted(tmp_path, [words(10, 9) + "。", words(10, 10) + "。"], css)
    report = typeset.audit(pdf, book)
    assert kinds(report) == ["colour"], report.findings
    assert re.fullmatch(r"22 glyph\(s\) in DeviceRGB 0 0 0; \d filled shape\(s\) in DeviceRGB "
                        r"1 0 0: not black ink", report.findings[0].text), report.findings[0]


def _context(book, pdf: Path, tmp_path: Path) -> registry.Context:
    return registry.Context(book=book, paths={"pdf": pdf}, sample=None, work=tmp_path)


def test_verify_fails_on_a_kind_book_yaml_does_not_accept(tmp_path):
    blocks = [words(10, 11) + "。", '<span style="display: block; margin-top: 5pt">甲乙。</span>']
    book, pdf = crafted(tmp_path / "a", blocks)
    result = registry.typeset(_context(book, pdf, tmp_path))
    assert result.state == "FAIL" and result.details.startswith(
        "1 finding(s) not accepted (off-grid 1): 1 (1) "), result.details
    book, pdf = crafted(tmp_path / "b", blocks, yaml_extra="verify: {accept: [off-grid]}\n")
    result = registry.typeset(_context(book, pdf, tmp_path))
    assert result.state == "pass" and result.details.endswith(
        "accepted in book.yaml: off-grid 1"), result.details


@pytest.mark.parametrize("block", ["<b style='display: none'>甲。</b>",
                                   "<small style='font-size: 9pt'>小字。</small>"])
def test_verify_is_na_without_body_text(tmp_path, block):
    book, pdf = crafted(tmp_path, [block])
    result = registry.typeset(_context(book, pdf, tmp_path))
    assert (result.state, result.details) == ("n/a", "the print PDF has no body text")


def test_an_unknown_kind_in_book_yaml_is_an_error(tmp_path):
    root = make_book(tmp_path, yaml_extra="verify: {accept: [off-grids]}\n")
    with pytest.raises(Exception, match="unknown warning 'off-grids'.*off-grid"):
        source.load(root)


# -- through the pipeline ---------------------------------------------------------------------
def _lines_of(pdf: Path, book) -> list[str]:
    from casebook.check import typeset_layout, typeset_rules
    block = typeset.text_block(book)
    return [line.text for sheet in typeset_layout.read(pdf)
            for line in typeset_rules.Page.of(sheet, block).body]


@pytest.mark.slow
def test_a_built_paragraph_measured_to_end_in_one_character_is_set_tighter(tmp_path):
    """单字成行 avoided (weasy/lastline.py): the lone character joins the line before it."""
    from casebook.build.pipeline import Options, build
    probe = words(200, 12)
    root = make_book(tmp_path / "probe", {CASE: md("甲", probe + "\n")})
    paths = build(Options(book_dir=root, out_dir=tmp_path / "probe-out", editions=("pdf",)))
    book = source.load(root).select(False)
    lines = [t for t in _lines_of(paths["pdf"], book) if t and t[0] in POOL]
    first, full = len(lines[0]), len(lines[1])   # the first line is indented
    text = probe[:first + full + 1] + "。"
    root = make_book(tmp_path / "book", {CASE: md("甲", text + "\n")})
    out = tmp_path / "out"
    paths = build(Options(book_dir=root, out_dir=out))
    book = source.load(root).select(False)
    report = typeset.audit(paths["pdf"], book)
    assert not report.findings, [str(f) for f in report.findings]
    lines = [t for t in _lines_of(paths["pdf"], book) if t and t[0] in POOL]
    assert len(lines) == 2 and lines[-1].endswith(text[-2:]), lines
    result = registry.typeset(registry.Context(book=book, paths={"pdf": paths["pdf"]},
                                               sample=None, work=tmp_path))
    assert result.state == "pass", result.details


@pytest.mark.slow
def test_the_audit_command_prints_counts_and_writes_the_visual_proof(tmp_path):
    book = sample_copy(tmp_path / "sample")
    out = tmp_path / "out"
    run = [sys.executable, "-m", "casebook", "audit", "--book", str(book), "--out", str(out),
           "-q"]
    result = subprocess.run(run, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr  # the layout passes
    found = [line for line in result.stdout.splitlines() if re.match(r"\d+ \(", line)]
    assert found == [] and re.search(r"^  off-grid +0$", result.stdout, re.MULTILINE)
    proof = out / "sample-proof.html"
    images = sorted((out / "sample-proof").glob("p-*.png"))
    assert f"visual proof: {proof}" in result.stdout and len(images) >= 15
    assert proof.read_text(encoding="utf-8").count('<img src="sample-proof/p-') == len(images)
    # an inline image taller than a line moves the lines after it off the grid
    from PIL import Image
    Image.new("L", (40, 60), 0).save(book / "dot.png")
    case = next((book / "source" / "cases").rglob("*.md"))
    case.write_text(case.read_text(encoding="utf-8") + "\n文字![示意](../../../dot.png)"
                    "{height=3em}文字" + "党建" * 60 + "\n", encoding="utf-8")
    result = subprocess.run(run, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 4, result.stdout + result.stderr
    assert re.search(r"^  off-grid +[1-9]", result.stdout, re.MULTILINE), result.stdout
    assert re.search(r"^\d+ not accepted; visual proof: ", result.stdout, re.MULTILINE)
