"""Markdown books written for other tools build: their front matter, alt text, alerts, raw HTML, true lines."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from bookfactory import make_book, md, sample_copy

from casebook.authoring import lint
from casebook.errors import CasebookError
from casebook.source import loader as source

HUGO = "weight: 101\ndate: 2021-03-04T10:00:00+08:00\ndraft: false\ntags: [合同, 租赁]\n" \
       "slug: case-a\nlayout: single\nmenu:\n  main:\n    parent: 案例\n"


def _hugo_case(title: str, n: int) -> str:
    return f"---\ntitle: {title}\n{HUGO}---\n\n第{n}篇正文（合成）。\n"


def _warnings(caplog) -> list[str]:
    found = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    caplog.clear()  # the warnings were the point
    return found


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# -- 1. front matter from other tools -----------------------------------------------------------
def test_other_tools_front_matter_is_ignored_with_one_warning_per_key(tmp_path, caplog):
    cases = {f"source/cases/01/{i:03d}-c.md": _hugo_case(f"案例{i}", i) for i in range(1, 15)}
    root = make_book(tmp_path, cases)
    with caplog.at_level(logging.WARNING):
        book = source.load(root)
    assert [c.title for c in book.cases()][:2] == ["案例1", "案例2"]
    warned = _warnings(caplog)
    first = _shown(root / "source/cases/01/001-c.md")
    assert f"front matter key 'weight' (in 14 files, first {first}:3) is not casebook's; " \
           "ignored" in warned
    assert len(warned) == 7, warned  # weight, date, draft, tags, slug, layout, menu: once each
    assert not any("parent" in w for w in warned)  # a nested key is part of its key's value


def test_a_typo_of_a_casebook_key_is_still_an_error(tmp_path, caplog):
    root = make_book(tmp_path, {"source/cases/01/001-a.md": "---\ntitle: 甲\nweight: 3\n"
                                "uint: 某法院\n---\n\n正文（合成）。\n",
                                "source/cases/01/002-b.md": "---\ntitel: 乙\n---\n\n正文。\n"})
    with caplog.at_level(logging.WARNING), pytest.raises(CasebookError) as info:
        source.load(root)
    text = str(info.value)
    assert "001-a.md:4: unknown key 'uint' in case front matter; did you mean 'unit'?" in text
    assert "002-b.md:2: unknown key 'titel' in case front matter; did you mean 'title'?" in text
    assert "weight" not in text
    assert any("'weight'" in w for w in _warnings(caplog))


def test_a_matter_key_in_a_case_is_ignored_with_a_warning_that_says_where_it_is_read(
        tmp_path, caplog):
    root = make_book(tmp_path, {"source/cases/01/001-a.md": md(author="某")})
    with caplog.at_level(logging.WARNING):
        source.load(root)
    assert _warnings(caplog) == [f"front matter key 'author' ("
                                 f"{_shown(root / 'source/cases/01/001-a.md')}:3) is only read "
                                 "in front and back matter; ignored"]


def test_book_yaml_stays_strict(tmp_path):
    with pytest.raises(CasebookError, match="unknown key 'weight' in book.yaml"):
        source.load(make_book(tmp_path, yaml_extra="weight: 1\n"))


def test_lint_lists_every_foreign_key_at_its_line(tmp_path, caplog):
    cases = {f"source/cases/01/{i:03d}-c.md": _hugo_case(f"案例{i}", i) for i in range(1, 3)}
    root = make_book(tmp_path, cases)
    with caplog.at_level(logging.WARNING):
        report = lint.lint_book(root)
    _warnings(caplog)
    rows = [f"{f.path.name}:{f.line}: {f.message}" for f in report.findings
            if f.rule == "front-matter-key"]
    assert len(rows) == 14
    assert rows[:2] == ["001-c.md:3: front matter key 'weight' is not casebook's; the build "
                        "ignores it", "001-c.md:4: front matter key 'date' is not casebook's; "
                        "the build ignores it"]


# -- 2 and 3. alt text, and true lines far down a long document ---------------------------------
def _long_body(spots: dict[int, str], lines: int = 1000) -> str:
    """``lines`` labelled synthetic lines (paragraphs of one line), with ``spots`` at file lines.

    A body written by ``md`` starts at file line 5, so body line i is file line i + 4.
    """
    rows = [f"第{n}行：合成文本，用于定位测试。" if n % 2 else "" for n in range(5, lines + 5)]
    for line, text in spots.items():
        rows[line - 5] = text
    return "\n".join(rows) + "\n"


LONG = {
    # decoys near the top: the same addresses in code, which no edition renders as links
    21: "`![](img/p.png)` 与 `[甲](#nowhere)` 及 `case:999-none`",
    25: "```", 26: "![](img/p.png) [甲](#nowhere) [乙](case:999-none) <iframe>", 27: "```",
    101: "![第一幅图](img/p.png)",
    103: "前文有 [锚点](#heading-far)",
    # a quotation and a list: pandoc counts their lines from the block, not the file
    601: "> 引文（合成）", 603: "> [dup]: https://example.org/a", 605: "> [dup]: https://example.org/b",
    651: "- 列表项（合成）", 653: "    [^lonely]: 未被引用的注（合成）",
    701: "![](img/p.png)",
    751: "![说明（合成）](img/gone.png)",
    801: "见[此案](case:999-none)。",
    851: "此处[无处可去](#nowhere)与[引用式][far]。",
    861: "正文引注[^a]。",
    871: "## 远处的标题 {#heading-far}",
    951: "[far]: #nowhere-else",
    971: "[^a]: 注文（合成），链到[别处](#nowhere-in-note)。",
}


def _long_book(tmp_path) -> Path:
    from PIL import Image
    root = make_book(tmp_path, {"source/cases/01/001-a.md": md("甲", _long_body(LONG))})
    (root / "source/cases/01/img").mkdir()
    Image.new("RGB", (40, 20), (200, 200, 200)).save(root / "source/cases/01/img/p.png")
    return root


def test_findings_far_down_a_long_document_are_at_their_true_lines(tmp_path, caplog):
    from casebook.check.book import check_book
    root = _long_book(tmp_path)
    shown = _shown(root / "source/cases/01/001-a.md")
    assert len((root / "source/cases/01/001-a.md").read_text().split("\n")) > 1000
    with caplog.at_level(logging.WARNING):
        errors = [str(e) for e in check_book(root)]
    warned = _warnings(caplog)
    assert errors == [
        f"{shown}:751: image 'img/gone.png' does not exist (looked for "
        f"{(root / 'source/cases/01/img/gone.png').resolve()})",
        f"{shown}:801: cross-reference 'case:999-none' names no case of this book (use the file "
        "name of a case without .md, e.g. 001-a)"]
    assert f"{shown}:701: image 'p.png' has no alt text; write what it shows between the " \
           "brackets, ![说明](p.png)" in warned
    for line, target in ((851, "#nowhere"), (851, "#nowhere-else"), (971, "#nowhere-in-note")):
        assert f"{shown}:{line}: link '{target}' leads to no page of this book; it is kept as " \
               "plain text (use a web address, or a link to a heading in this case)" in warned
    assert any(w.startswith(f"{shown}:605: pandoc: Duplicate link reference '[dup]'")
               for w in warned), warned
    assert any(w.startswith(f"{shown}:653: pandoc: Note with key 'lonely' defined")
               for w in warned), warned
    assert not any(":103:" in w or ":101:" in w for w in warned)


def test_missing_alt_fails_verify_through_its_warnings_row(tmp_path, caplog):
    from PIL import Image

    from casebook.check import verify
    from casebook.check.registry import CHECKS
    book = sample_copy(tmp_path / "book")
    case = book / "source/cases/01/001-alpha.md"
    Image.new("RGB", (40, 20), (200, 200, 200)).save(book / "source/cases/01/p.png")
    lines = case.read_text(encoding="utf-8").split("\n")
    case.write_text("\n".join(lines + ["", "![](p.png)", ""]), encoding="utf-8")
    rows = verify.verify(verify.VerifyOptions(book_dir=book, out_dir=tmp_path / "out",
                                              skip=frozenset(name for name, _, _ in CHECKS)))
    caplog.clear()
    row = next(r for r in rows if r.check == "warnings")
    assert row.failed
    assert f"001-alpha.md:{len(lines) + 2}: image 'p.png' has no alt text" in row.details
    assert "[missing-alt]" in row.details


def _fragment(body: str) -> str:
    """One case body through pandoc, the filters, the sanitiser and the link check."""
    from casebook import model
    from casebook.render import fragments, links
    doc = model.Case(id="case-x", title="甲", body=body, source=Path("x.md"), body_line=5)
    return links.resolve(doc, fragments._fragments([doc], None, "test")[doc.id])


# -- 4. GitHub alerts ---------------------------------------------------------------------------
ALERTS = ("> [!NOTE]\n> 注意的正文（合成）\n> 第二行\n\n"
          "> [!TIP] 自定义的*标题*\n> 提示的正文（合成）\n>\n> 第二段\n\n"
          "> [!important]\n> 重要的正文\n\n> [!WARNING]\n> 警告的正文\n\n> [!CAUTION]\n> 小心的正文\n\n"
          "> [!UNKNOWN]\n> 普通引文\n\n```\n> [!NOTE] 代码里的不算\n```\n")


def test_github_alerts_become_titled_asides():
    html = _fragment(ALERTS)
    for kind, title in (("note", "注意"), ("important", "重要"), ("warning", "警告"),
                        ("caution", "小心")):
        assert (f'class="alert alert-{kind}" role="note" aria-label="{title}">\n'
                f'<div class="alert-title">\n{title}\n</div>') in html, kind
    assert "<p id=\"case-x--b2\">注意的正文（合成）第二行</p>" in html
    assert ('aria-label="自定义的标题">\n<div class="alert-title">\n自定义的<em>标题</em>\n</div>\n'
            "<p id=\"case-x--b4\">提示的正文（合成）</p>") in html  # the title keeps to itself
    assert "[!UNKNOWN] 普通引文</p>\n</blockquote>" in html
    assert "&gt; [!NOTE] 代码里的不算" in html and html.count("<aside") == 5


# -- 5. safe raw HTML ---------------------------------------------------------------------------
SAFE = ('见<a id="anchor-1"></a>此处：H<sub>2</sub>O，E=mc<sup>2</sup>，按 <kbd>Ctrl</kbd>，'
        "<mark>要点</mark>，<ruby>法<rt>fǎ</rt></ruby>。<br>\n新行。\n\n回到[锚点](#anchor-1)。\n")


def test_safe_raw_html_passes_and_its_anchors_are_link_targets(caplog):
    html = _fragment(SAFE)
    assert ('见<span id="case-x--anchor-1"></span>此处：H<sub>2</sub>O，E=mc<sup>2</sup>，按 '
            '<kbd>Ctrl</kbd>，<mark>要点</mark>，<ruby>法<rt>fǎ</rt></ruby>。<br>') in html
    assert '<a href="#case-x--anchor-1">锚点</a>' in html
    assert not caplog.records  # nothing removed, no link left dangling


def test_other_raw_html_is_removed_with_a_warning_at_its_line(caplog):
    spots = {301: '<div class="box">', 302: "块内文字（合成）", 303: "</div>",
             501: '文中<span style="color:red">红字</span>与<a href="https://example.org/">链</a>。',
             701: "<script>", 702: "alert(1)", 703: "</script>",
             801: "`<iframe>` 在代码里", 802: "", 803: "```", 804: "<iframe src=x></iframe>",
             805: "```", 901: '<a id="a2">不空的锚</a>'}
    with caplog.at_level(logging.WARNING):
        html = _fragment(_long_body(spots))
    warned = [w.split(" is removed")[0] for w in _warnings(caplog)]
    assert warned == ['x.md:301: raw HTML <div class="box">',
                      'x.md:501: raw HTML <span style="color:red">',
                      'x.md:501: raw HTML <a href="https://example.org/">',
                      "x.md:701: raw HTML <script>", 'x.md:901: raw HTML <a id="a2">']
    assert "块内文字（合成）" in html and "文中红字与链。" in html and "不空的锚" in html
    assert "alert(1)" not in html and "<div" not in html and "style=" not in html
    assert "&lt;iframe&gt;" in html  # in code it is text, as written


# -- 4 and 5 in the three editions, through EPUBCheck, Ace and vnu -------------------------------
def test_alerts_and_safe_raw_html_pass_the_validators_in_every_edition(tmp_path, caplog):
    import subprocess
    import zipfile

    from casebook.check import verify
    from casebook.check.registry import CHECKS
    body = "正文（合成）。\n\n" + ALERTS + "\n" + SAFE
    root = make_book(tmp_path, {"source/cases/01/001-a.md": md("甲", body)})
    keep = {"epubcheck", "ace", "vnu"}
    rows = verify.verify(verify.VerifyOptions(book_dir=root, out_dir=tmp_path / "out", skip=frozenset(
        name for name, _, _ in CHECKS if name not in keep)))
    caplog.clear()
    ran = {r.check: r for r in rows if r.check in keep | {"warnings"}}
    assert all(r.result == "pass" for r in ran.values()), [(r.check, r.details) for r in rows]
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.epub"))) as epub:
        xhtml = "".join(epub.read(n).decode() for n in epub.namelist() if "001-a" in n)
    page = next((tmp_path / "out").rglob("001-a.html")).read_text(encoding="utf-8")
    for text in (xhtml, page):
        assert text.count('role="note"') == 5 and "<kbd>Ctrl</kbd>" in text, text
        assert "<ruby>法<rt>fǎ</rt></ruby>" in text and 'id="case-001-a--anchor-1"' in text
    pdf = subprocess.run(["pdftotext", str(tmp_path / "out" / "test-book.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    for title in ("注意", "自定义的标题", "重要", "警告", "小心", "要点"):
        assert title in pdf.replace(" ", ""), title
