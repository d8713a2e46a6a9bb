"""verify: each check passes on a good build, fails on a broken one, is n/a with nothing to check."""

import json
import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from bookfactory import make_book, md
from conftest import cli

from casebook.check import registry, verify
from casebook.source import loader as source


@pytest.fixture
def ctx(builds, tmp_path):
    """A private copy of the real book's default build, safe to break."""
    built = builds("real", False)
    out = tmp_path / "dist"
    shutil.copytree(built.out, out)
    slug = built.book.meta.slug
    paths = {"epub": out / f"{slug}.epub", "pdf": out / f"{slug}.pdf",
             "screen": out / f"{slug}-screen.pdf", "html": out / "html" / "index.html",
             "cover": out / f"{slug}-cover.pdf"}
    work = tmp_path / "work"
    work.mkdir()
    return registry.Context(book=built.book, paths=paths, sample=None, work=work)


def _rewrite_epub(epub: Path, name: str, edit) -> None:
    with zipfile.ZipFile(epub) as z:
        entries = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(epub, "w") as z:
        for info, data in entries:
            z.writestr(info, edit(data) if info.filename == name else data)


@pytest.mark.slow
def test_every_check_passes_on_the_real_book(ctx):
    for name, edition, check in registry.CHECKS:
        if name in ("ace", "axe"):
            continue  # slow: covered by the EPUB and HTML edition tests
        result = check(ctx)
        assert result.state == "pass", (name, edition, result.details)


@pytest.mark.slow
def test_a_dangling_epub_link_fails(ctx):
    _rewrite_epub(ctx.paths["epub"], "EPUB/text/case-001-foreign-banks.xhtml",
                  lambda d: d.replace(b"</section>", b'<a href="gone.xhtml#x">x</a></section>', 1))
    result = registry.epub_links(ctx)
    assert not result.ok and "gone.xhtml#x" in result.details


@pytest.mark.slow
def test_a_page_without_lang_fails_axe(ctx):
    page = ctx.site / "cases" / "001-foreign-banks.html"
    page.write_text(page.read_text(encoding="utf-8").replace(' lang="zh-CN"', "", 1),
                    encoding="utf-8")
    ctx = registry.Context(ctx.book, ctx.paths, None, ctx.work, only=(page,))
    result = registry.axe(ctx)
    assert not result.ok and "html-has-lang" in result.details


@pytest.mark.slow
def test_an_unembedded_font_fails_preflight_and_glyphs(ctx):
    with pikepdf.open(ctx.paths["pdf"], allow_overwriting_input=True) as pdf:
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                    Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        resources = pdf.pages[0].obj.Resources
        if "/Font" not in resources:
            resources.Font = pikepdf.Dictionary()
        resources.Font["/FX"] = font
        pdf.save(ctx.paths["pdf"])
    for check in (registry.preflight, registry.glyphs):
        result = check(ctx)
        assert not result.ok and "Helvetica" in result.details, result


@pytest.mark.slow
def test_a_reordered_nav_fails_toc_parity(ctx):
    def swap(data: bytes) -> bytes:
        a = "序言（徐麟）".encode()
        b = "外资银行金融机构党建工作探索".encode()
        return data.replace(a, b"\0").replace(b, a).replace(b"\0", b)
    _rewrite_epub(ctx.paths["epub"], "EPUB/nav.xhtml", swap)
    result = registry.toc_parity(ctx)
    assert not result.ok and "EPUB nav entry 1" in result.details


def test_a_timestamp_difference_is_found(tmp_path, builds):
    built = builds("synthetic", False)
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(built.out, a)
    shutil.copytree(built.out, b)
    assert verify.first_difference(a, b) is None
    epub = b / "synthetic.epub"
    with zipfile.ZipFile(epub) as z:
        entries = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(epub, "w") as z:
        for info, data in entries:
            if info.filename == "EPUB/content.opf":
                info.date_time = (2020, 1, 1, 0, 0, 0)
            z.writestr(info, data)
    assert verify.first_difference(a, b).startswith(
        "synthetic.epub: entry EPUB/content.opf timestamp differs")


@pytest.mark.slow
def test_a_missing_tool_is_a_failure_not_a_skip(ctx, monkeypatch):
    from casebook.check import html as html_checks
    monkeypatch.setattr(html_checks, "VNU_JAR", Path("/nonexistent/vnu.jar"))
    row = verify._run("vnu", "html", registry.vnu, ctx, frozenset())
    assert row.failed and "tool missing" in row.details and "make book" in row.details
    assert verify._run("vnu", "html", registry.vnu, ctx, frozenset({"vnu"})).result == "skipped"


@pytest.mark.slow
def test_verify_command_prints_the_table_and_writes_json(tmp_path):
    report = tmp_path / "report.json"
    result = cli("verify", "--book", "tests/data/sample", "--out", tmp_path / "dist",
                 "--sample", "2", "--skip", "ace", "--json", report, "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "toc-parity" in result.stdout and "skipped" in result.stdout
    assert '"ok": true' in report.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_cover_check_fails_when_the_spine_does_not_match_the_interior(ctx):
    from casebook.editions.cover import edition as cover_pdf
    assert registry.cover(ctx).ok
    with pikepdf.open(ctx.paths["pdf"]) as pdf:
        pages = len(pdf.pages)
    cover_pdf.write(ctx.book, ctx.paths["cover"].parent, pages + 40)  # 2 mm thicker
    result = registry.cover(ctx)
    assert not result.ok and "box" in result.details.lower(), result


# -- n/a: a check that finds nothing to check -------------------------------------------------
QUICK = ["ace", "axe", "vnu", "typeset"]  # slow, or beside the point here
PREFACE_TEXT = "这是一篇没有类型的序言，用来检查三个版本是否一致。\n\n第二段：“引号”与（括号）。\n"


def _small_book(tmp_path: Path, front: dict | None = None) -> Path:
    return make_book(tmp_path, {"source/cases/01/001-a.md": md("甲", "第一个案例的正文。\n")},
                     front=front)


def test_a_check_with_nothing_to_check_is_na_not_a_failure(tmp_path):
    book = source.load(_small_book(tmp_path)).select(False)
    site = tmp_path / "site"  # a site without pages: vnu and axe have nothing to check
    site.mkdir()
    ctx = registry.Context(book=book, paths={"html": site / "index.html"}, sample=None,
                           work=tmp_path)
    rows = [verify._run(name, "all", fn, ctx, frozenset())
            for name, fn in (("preface-parity", registry.preface_parity),
                             ("vnu", registry.vnu), ("axe", registry.axe))]
    assert [(r.result, r.failed) for r in rows] == [("n/a", False)] * 3, rows
    assert rows[0].details.startswith("the book has no preface")
    assert "no HTML pages" in rows[1].details
    assert re.search(r"^preface-parity +all +n/a +the book has no preface", verify.table(rows),
                     re.M)
    verify.write_json(rows, tmp_path / "report.json")
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["ok"] and [c["result"] for c in report["checks"]] == ["n/a"] * 3


@pytest.mark.slow
def test_a_preface_titled_xuyan_without_a_type_is_compared(tmp_path):
    front = {"source/front/preface.md": md("序言", PREFACE_TEXT, author="合成作者")}
    book = _small_book(tmp_path, front)
    rows = verify.verify(verify.VerifyOptions(book_dir=book, out_dir=tmp_path / "dist",
                                              skip=frozenset(QUICK)))
    (row,) = [r for r in rows if r.check == "preface-parity"]
    compared = re.fullmatch(r"(\d+) characters identical in 3 editions", row.details)
    assert row.result == "pass" and compared, row
    assert int(compared[1]) >= len("这是一篇没有类型的序言，用来检查三个版本是否一致。第二段")
    with zipfile.ZipFile(tmp_path / "dist" / "test-book.epub") as z:
        xhtml = z.read("EPUB/text/front-preface.xhtml").decode()
    assert '<section class="matter preface" epub:type="preface" role="doc-preface"' in xhtml
    page = (tmp_path / "dist" / "html" / "front" / "preface.html").read_text(encoding="utf-8")
    assert '<article class="matter preface" id="front-preface"' in page


@pytest.mark.slow
def test_a_book_without_a_preface_shows_preface_parity_as_na(tmp_path):
    book, report = _small_book(tmp_path), tmp_path / "report.json"
    skips = [arg for name in QUICK for arg in ("--skip", name)]
    result = cli("verify", "--book", book, "--out", tmp_path / "dist", *skips, "--json", report,
                 "-q")
    assert result.returncode == 0, result.stdout + result.stderr  # n/a is not a failure
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("preface-parity")]
    assert re.match(r"preface-parity +all +n/a +the book has no preface", line), line
    assert re.search(r"\b1 n/a\b", result.stdout), result.stdout
    checks = json.loads(report.read_text(encoding="utf-8"))["checks"]
    (entry,) = [c for c in checks if c["check"] == "preface-parity"]
    assert entry["result"] == "n/a" and entry["details"].startswith("the book has no preface")
