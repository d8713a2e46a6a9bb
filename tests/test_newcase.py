"""`new`: a pending case file from the template, listed at the end of its part in book.yaml.

book.yaml must stay byte-identical apart from the one inserted line, however it is formatted;
tests/data/import/odd-book.yaml (synthetic) has comments, quoting and odd indentation.
"""


import pytest
from bookfactory import make_book, md
from conftest import DATA, cli

from casebook.authoring import newcase
from casebook.source import loader as source

ODD = (DATA / "import" / "odd-book.yaml").read_text(encoding="utf-8")
ODD_CASES = {f"source/cases/{p}": md(t, "合成正文。\n") for p, t in
             (("01/007-a.md", "甲"), ("01/009-b.md", "乙"), ("02/010-c.md", "丙"),
              ("02/012-d.md", "丁"))}


def _new(book, *args):
    return cli("new", *args, "--book", book)


@pytest.fixture
def odd_book(tmp_path):
    return make_book(tmp_path, ODD_CASES, book_yaml=ODD)


@pytest.mark.parametrize("title, expected", [
    ("外资银行金融机构党建工作探索", "wai-zi-yin-hang-jin-rong-ji-gou-dang"),
    ("开展“走千个居村，听万户心声”活动", "kai-zhan-zou-qian-ge-ju-cun-ting-wan-hu"),
    ("ABC公司 2010年", "abc-gong-si-2010-nian"),
    ("——", "case"),
])
def test_slug_is_ascii_pinyin_capped_at_a_syllable(title, expected):
    assert newcase.slug(title) == expected
    assert len(expected) <= newcase.SLUG_MAX and expected.isascii()


@pytest.mark.parametrize("part, line, entry", [
    (1, 15, "        - source/cases/01/013-xin-an-li.md\n"),
    (2, 20, "      - source/cases/02/013-xin-an-li.md\n"),
])
def test_book_yaml_is_byte_identical_but_for_the_inserted_line(odd_book, part, line, entry):
    (odd_book / "book.yaml").chmod(0o640)
    result = _new(odd_book, "新案例", "--part", str(part), "--unit", "合成单位")
    assert result.returncode == 0, result.stderr
    assert (odd_book / "book.yaml").stat().st_mode & 0o777 == 0o640  # rewritten in place
    assert [p.name for p in odd_book.iterdir() if p.name.startswith(".")] == []
    after = (odd_book / "book.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    before = ODD.splitlines(keepends=True)
    assert after[line - 1] == entry
    assert after[:line - 1] + after[line:] == before
    book = source.load(odd_book)
    titles = [c.title for c in book.parts[part - 1].cases]
    assert titles[-1] == "新案例"


def test_the_new_file_is_a_pending_case_with_front_matter(odd_book):
    assert _new(odd_book, "新案例：'引号'", "--part", "1", "--unit", "合成单位").returncode == 0
    path = odd_book / "source/cases/01/013-xin-an-li-yin-hao.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: '新案例：''引号'''\nunit: '合成单位'\n")
    case = source.load(odd_book).select(True).parts[0].cases[-1]
    assert (case.title, case.unit, case.pending, case.body.strip()) == (
        "新案例：'引号'", "合成单位", True, "")
    assert source.load(odd_book).select(False).parts[0].cases[-1].title == "乙"


def test_numbering_continues_after_the_highest_number(odd_book):
    assert _new(odd_book, "一", "--part", "2").returncode == 0
    assert _new(odd_book, "二", "--part", "1").returncode == 0
    cases = newcase.BookYaml(odd_book).all_cases()
    assert "source/cases/02/013-yi.md" in cases and "source/cases/01/014-er.md" in cases


def test_refuses_to_overwrite_an_existing_file(odd_book):
    existing = odd_book / "source/cases/01/013-xin-an-li.md"
    existing.write_text("合成：已有的文件\n", encoding="utf-8")
    result = _new(odd_book, "新案例", "--part", "1")
    assert result.returncode == 1
    assert result.stderr.strip() == f"{existing}: refusing to overwrite an existing case file"
    assert existing.read_text(encoding="utf-8") == "合成：已有的文件\n"
    assert (odd_book / "book.yaml").read_text(encoding="utf-8") == ODD


@pytest.mark.parametrize("part", ["3", "0", "-1"])
def test_a_bad_part_number_is_a_clear_error(odd_book, part):
    result = _new(odd_book, "新案例", "--part", part)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (f"{odd_book / 'book.yaml'}: there is no part {part}: "
                                     "book.yaml has 2 part(s), numbered 1 to 2")
    assert not list(odd_book.glob("source/cases/*/013-*"))


def test_new_case_in_a_generated_book_builds_as_a_draft(tmp_path):
    from casebook.build.pipeline import Options, build
    book = make_book(tmp_path)
    assert _new(book, "合成新篇", "--part", "1").returncode == 0
    out = build(Options(book_dir=book, out_dir=tmp_path / "out", editions=("html",),
                        draft=True))
    page = (out["html"].parent / "cases" / "002-he-cheng-xin-pian.html").read_text("utf-8")
    assert "合成新篇" in page and "稿件待补" in page


def test_a_title_already_in_the_book_is_added_with_a_warning(tmp_path, caplog):
    from bookfactory import make_book

    from casebook.authoring import newcase
    root = make_book(tmp_path)
    first = newcase.create(root, "合成标题甲", 1)
    assert not caplog.records
    second = newcase.create(root, "合成标题甲", 1)
    assert second != first and second.exists()
    assert "already has a case titled 合成标题甲" in caplog.text
    caplog.clear()  # the warning above is expected
