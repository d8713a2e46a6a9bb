"""verify: each check passes on a good build and fails on a deliberately broken one."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT

from casebook.check import registry, verify


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


def test_every_check_passes_on_the_real_book(ctx):
    for name, edition, check in registry.CHECKS:
        if name in ("ace", "axe"):
            continue  # slow: covered by the EPUB and HTML edition tests
        ok, details = check(ctx)
        assert ok, (name, edition, details)


def test_a_dangling_epub_link_fails(ctx):
    _rewrite_epub(ctx.paths["epub"], "EPUB/text/case-001-foreign-banks.xhtml",
                  lambda d: d.replace(b"</section>", b'<a href="gone.xhtml#x">x</a></section>', 1))
    ok, details = registry.epub_links(ctx)
    assert not ok and "gone.xhtml#x" in details


def test_a_page_without_lang_fails_axe(ctx):
    page = ctx.site / "cases" / "001-foreign-banks.html"
    page.write_text(page.read_text(encoding="utf-8").replace(' lang="zh-CN"', "", 1),
                    encoding="utf-8")
    ctx = registry.Context(ctx.book, ctx.paths, None, ctx.work, only=(page,))
    ok, details = registry.axe(ctx)
    assert not ok and "html-has-lang" in details


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
        ok, details = check(ctx)
        assert not ok and "Helvetica" in details, details


def test_a_reordered_nav_fails_toc_parity(ctx):
    def swap(data: bytes) -> bytes:
        a = "序言（徐麟）".encode()
        b = "外资银行金融机构党建工作探索".encode()
        return data.replace(a, b"\0").replace(b, a).replace(b"\0", b)
    _rewrite_epub(ctx.paths["epub"], "EPUB/nav.xhtml", swap)
    ok, details = registry.toc_parity(ctx)
    assert not ok and "EPUB nav entry 1" in details


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


def test_a_missing_tool_is_a_failure_not_a_skip(ctx, monkeypatch):
    from casebook.check import html as html_checks
    monkeypatch.setattr(html_checks, "VNU_JAR", Path("/nonexistent/vnu.jar"))
    row = verify._run("vnu", "html", registry.vnu, ctx, frozenset())
    assert row.failed and "tool missing" in row.details and "make test" in row.details
    assert verify._run("vnu", "html", registry.vnu, ctx, frozenset({"vnu"})).result == "skipped"


def test_verify_command_prints_the_table_and_writes_json(tmp_path):
    report = tmp_path / "report.json"
    result = subprocess.run([sys.executable, "build.py", "verify", "--book", "tests/data/sample",
                             "--out", str(tmp_path / "dist"), "--sample", "2", "--skip", "ace",
                             "--json", str(report), "-q"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "toc-parity" in result.stdout and "skipped" in result.stdout
    assert '"ok": true' in report.read_text(encoding="utf-8")


def test_the_cover_check_fails_when_the_spine_does_not_match_the_interior(ctx):
    from casebook.editions.cover import edition as cover_pdf
    assert registry.cover(ctx)[0]
    with pikepdf.open(ctx.paths["pdf"]) as pdf:
        pages = len(pdf.pages)
    cover_pdf.write(ctx.book, ctx.paths["cover"].parent, pages + 40)  # 2 mm thicker
    ok, details = registry.cover(ctx)
    assert not ok and "box" in details.lower(), details
