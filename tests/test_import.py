"""`import`: a Word manuscript (made by pandoc from a synthetic Markdown fixture) becomes cases.

tests/data/import/manuscript.md holds two synthetic cases with a footnote, an image, a table,
a list, bold and italic, and a 点评 with its signature line.
"""

import shutil
import subprocess

import pypandoc
import pytest
from bookfactory import make_book
from conftest import DATA, cli
from PIL import Image

from casebook.build.pipeline import Options, build
from casebook.source import loader as source

FIRST = "source/cases/01/002-he-cheng-an-li-yi-she-qu-yi-shi-hui.md"
SECOND = "source/cases/01/003-he-cheng-an-li-er-lou-yu-hong-se-yi-zhan.md"
IMAGE = "images/002-he-cheng-an-li-yi-she-qu-yi-shi-hui-1.png"


def _docx(tmp_path, markdown: str, name="manuscript"):
    """A .docx written by pandoc from Markdown, with a small synthetic PNG beside it."""
    folder = tmp_path / "manuscripts"
    folder.mkdir(exist_ok=True)
    Image.new("RGB", (60, 40), (180, 40, 40)).save(folder / "meeting.png")
    (folder / f"{name}.md").write_text(markdown, encoding="utf-8")
    subprocess.run([pypandoc.get_pandoc_path(), f"{name}.md", "-o", f"{name}.docx"],
                   cwd=folder, check=True)
    return folder / f"{name}.docx"


def _import(book, docx, *args):
    return cli("import", docx, "--book", book, *args)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("import")
    book = make_book(tmp)
    docx = _docx(tmp, (DATA / "import" / "manuscript.md").read_text(encoding="utf-8"))
    result = _import(book, docx, "--part", "1")
    assert result.returncode == 0, result.stderr
    return book, result


def test_each_heading_1_becomes_a_case_listed_in_book_yaml(imported):
    book, result = imported
    titles = [c.title for c in source.load(book).cases()]
    assert titles == ["甲", "合成案例一：社区议事会", "合成案例二：楼宇“红色驿站”"]
    assert "the text before the first Heading 1 is not part of any case" in result.stderr
    assert "第一个一级标题之前" not in (book / FIRST).read_text(encoding="utf-8")


def test_the_markdown_keeps_footnotes_emphasis_lists_tables_and_images(imported):
    book, _ = imported
    text = (book / FIRST).read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: '合成案例一：社区议事会'\n---\n\n合成测试文本")
    for piece in ("**加粗**", "*斜体*", "还有一个脚注。[^1]", "[^1]: 合成脚注：数据来自合成样本。",
                  "## 一、议事规则", "- 第一条规则\n- 第二条规则",
                  "| 年份 | 议事次数 |", "| 2010 | 18       |",
                  f"![议事会现场](../../../{IMAGE})"):
        assert piece in text, piece
    with Image.open(book / IMAGE) as image:
        assert image.size == (60, 40)
    second = (book / SECOND).read_text(encoding="utf-8")
    assert "1.  第一步\n2.  第二步" in second and "commentary" not in second


def test_the_commentary_paragraph_becomes_the_div_with_its_signature_as_by(imported):
    book, _ = imported
    text = (book / FIRST).read_text(encoding="utf-8")
    assert ('::: {.commentary by="合成研究室主任　张三"}\n合成点评文本：议事会做法可以推广。\n\n'
            "另一段点评文字。\n:::\n") in text
    assert "点评：" not in text and "（合成研究室主任" not in text


def test_the_imported_book_builds(imported, tmp_path):
    book, _ = imported
    out = build(Options(book_dir=book, out_dir=tmp_path / "out", editions=("html",)))
    page = (out["html"].parent / "cases" / f"{FIRST.split('/')[-1][:-3]}.html").read_text(
        encoding="utf-8")
    assert 'class="commentary" aria-label="点评"' in page and "（合成研究室主任　张三）" in page
    assert "<table" in page and "<strong>加粗</strong>" in page and "<em>斜体</em>" in page
    assert "合成脚注：数据来自合成样本。" in page and f'src="../{IMAGE}"' in page
    assert (out["html"].parent / IMAGE).is_file()


def test_without_heading_1_the_docx_title_names_the_single_case(tmp_path):
    book = make_book(tmp_path)
    docx = _docx(tmp_path, "---\ntitle: 合成单篇\n---\n\n合成正文。\n")
    assert _import(book, docx).returncode == 0
    case = list(source.load(book).cases())[-1]
    assert (case.title, case.body.strip()) == ("合成单篇", "合成正文。")


@pytest.mark.parametrize("markdown, message", [
    ("合成正文，没有标题。\n", "the manuscript has no Heading 1 and no title property"),
    ("# 合成篇\n\n正文。\n\n# \n\n正文。\n", "Heading 1 number 2 is empty"),
])
def test_manuscripts_that_cannot_be_split_are_refused(tmp_path, markdown, message):
    book = make_book(tmp_path)
    before = (book / "book.yaml").read_bytes()
    docx = _docx(tmp_path, markdown)
    result = _import(book, docx, "--part", "1")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"{docx}: {message}")
    assert (book / "book.yaml").read_bytes() == before
    assert not (book / "images").exists()


def test_an_existing_image_is_never_overwritten(tmp_path):
    book = make_book(tmp_path)
    (book / "images").mkdir()
    shutil.copy(DATA / "import" / "odd-book.yaml", book / IMAGE)
    docx = _docx(tmp_path, (DATA / "import" / "manuscript.md").read_text(encoding="utf-8"))
    result = _import(book, docx, "--part", "1")
    assert result.returncode == 1
    message = f"{book / IMAGE}: refusing to overwrite an existing image"
    assert result.stderr.strip().endswith(message)
    assert not (book / FIRST).exists()


# -- a 点评 without its signature line ---------------------------------------------------------
UNSIGNED = ("# 合成甲\n\n合成正文甲。\n\n点评：合成点评甲。\n\n（合成主任　甲某）\n\n"
            "# 合成乙\n\n合成正文乙。\n\n点评：合成点评乙，没有署名。\n\n"
            "# 合成丙\n\n合成正文丙。\n\n点评：合成点评丙。\n\n（合成主任　丙某）\n")
UNSIGNED_CASE = "source/cases/01/003-he-cheng-yi.md"


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory):
    """A three-case manuscript whose second 点评 has no signature line, imported into part 1."""
    tmp = tmp_path_factory.mktemp("unsigned")
    book = make_book(tmp)
    return book, _import(book, _docx(tmp, UNSIGNED), "--part", "1")


def _where(book) -> str:
    """``path:line`` of the unsigned commentary's opening fence, found in the written file."""
    case = book / UNSIGNED_CASE
    assert case.is_file(), "the unsigned case was not imported"
    return f"{case}:{case.read_text(encoding='utf-8').splitlines().index('::: commentary') + 1}"


def test_an_unsigned_commentary_imports_every_case_and_is_reported(unsigned):
    book, result = unsigned
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    where = _where(book)
    titles = [c.title for c in source.load(book).cases()]
    assert titles == ["甲", "合成甲", "合成乙", "合成丙"]
    text = (book / UNSIGNED_CASE).read_text(encoding="utf-8")
    assert "\n::: commentary\n合成点评乙，没有署名。\n:::\n" in text and "by=" not in text
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"warning: {where}: 点评 without a signature", lines
    assert sum("without a signature" in line for line in lines) == 1


def test_lint_and_check_report_the_unsigned_commentary(unsigned):
    book, _ = unsigned
    where = _where(book)
    lint = cli("lint", "--book", book)
    assert f"{where}:1: commentary-signature: 点评 without a signature" in lint.stdout.splitlines()
    check = cli("check", "--book", book)
    assert check.returncode == 0, check.stderr
    assert f"warning: {where}: 点评 without a signature" in check.stderr.splitlines()
    assert "Traceback" not in lint.stderr + check.stderr


@pytest.mark.slow
def test_verify_fails_the_warnings_row_on_an_unsigned_commentary(unsigned, tmp_path):
    from casebook.check import registry
    book, _ = unsigned
    where = _where(book)
    others = [a for name, _, _ in registry.CHECKS for a in ("--skip", name)]
    result = cli("verify", "--book", book, "--out", tmp_path / "dist", "-q", *others)
    assert result.returncode == 4 and "Traceback" not in result.stderr, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("warnings"))
    assert row.split()[1:3] == ["all", "FAIL"]
    assert f"{where}: 点评 without a signature [unsigned-commentary]" in row


def test_an_unsigned_commentary_builds_in_every_edition_without_an_attribution(unsigned, tmp_path,
                                                                            caplog):
    import zipfile
    book, _ = unsigned
    out = build(Options(book_dir=book, out_dir=tmp_path / "out",
                        editions=("html", "epub", "pdf")))
    assert [r.getMessage() for r in caplog.records if "without a signature" in r.getMessage()]
    caplog.clear()  # the build's warning about it was expected
    page = (out["html"].parent / "cases" / "003-he-cheng-yi.html").read_text(encoding="utf-8")
    with zipfile.ZipFile(out["epub"]) as epub:
        xhtml = epub.read("EPUB/text/case-003-he-cheng-yi.xhtml").decode("utf-8")
    pdf = subprocess.run(["pdftotext", str(out["pdf"]), "-"], capture_output=True, text=True,
                         check=True).stdout
    for text in (page, xhtml):
        assert 'class="commentary"' in text and "合成点评乙" in text
        assert "commentary-by" not in text and "（）" not in text
    unsigned_page = pdf[pdf.index("合成正文乙"):pdf.index("合成正文丙")]
    assert "合成点评乙" in unsigned_page and "（" not in unsigned_page and "丙某）" in pdf
