"""Checks on the transcription of 一流党建促一流开发 (book.yaml + source/).

These tests look only at the text sources, not at the casebook code, so they
use nothing beyond PyYAML and the standard library (and conftest's ROOT).
"""

import re
import unicodedata

import pytest
import yaml
from conftest import ROOT

BOOK = ROOT / "book.yaml"

PART_COUNTS = [19, 12, 19, 15, 16, 5, 11, 8, 5]
CASE_KEYS = {"title", "unit", "status", "print_page"}
MATTER_KEYS = {"title", "author", "toc", "type", "status", "print_page"}
MATTER_TYPES = {"preface", "afterword", "contributors", "other"}
CASE_PATH = re.compile(r"^source/cases/(\d{2})/(\d{3})-[a-z0-9]+(?:-[a-z0-9]+)*\.md$")

HALF_PUNCT = ",;:()"


def is_cjk(ch):
    return unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH")


def half_punct_next_to_cjk(text, chars=HALF_PUNCT):
    """Return the offending snippets: ASCII punctuation touching a CJK ideograph."""
    bad = []
    for i, ch in enumerate(text):
        if ch not in chars:
            continue
        before = text[i - 1] if i > 0 else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if (before and is_cjk(before)) or (after and is_cjk(after)):
            bad.append(text[max(0, i - 5): i + 6])
    return bad


def digit_space_cjk(text):
    bad = []
    for m in re.finditer(r"(\d) +(\S)|(\S) +(\d)", text):
        a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if is_cjk(a) or is_cjk(b):
            bad.append(m.group(0))
    return bad


def split_front_matter(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path}: no front matter"
    _, fm, body = text.split("---\n", 2)
    meta = yaml.safe_load(fm)
    assert isinstance(meta, dict), f"{path}: front matter is not a mapping"
    return meta, body


@pytest.fixture(scope="module")
def book():
    data = yaml.safe_load(BOOK.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def cases(book):
    out = []
    for part in book["parts"]:
        for rel in part["cases"]:
            meta, body = split_front_matter(ROOT / rel)
            out.append((rel, meta, body))
    return out


def matter_paths(book):
    return list(book.get("front", [])) + list(book.get("back", []))


# ---------------------------------------------------------------- book.yaml

def test_book_yaml_top_level(book):
    assert list(book)[:3] == ["slug", "title", "subtitle"]
    assert book["slug"] == "yiliu-dangjian"
    assert book["title"] == "一流党建促一流开发"
    assert book["subtitle"] == "上海市浦东新区基层党建案例百篇"
    assert book["isbn"] == "978-7-80745-865-4"
    assert book["price"] == "38.00"
    assert book["creators"] == [{"name": "吴信宝", "role": "主编"}]


def test_copyright_block(book):
    c = book["copyright"]
    assert c["cip_title"] == "图书在版编目（CIP）数据"
    assert c["cip"][0] == (
        "一流党建促一流开发：上海市浦东新区基层党建案例百篇／吴信宝主编．—上海：上海社会科学院出版社，2011"
    )
    assert "ISBN 978-7-80745-865-4" in c["cip"]
    cls = c["cip"][-1]
    assert cls.startswith("Ⅰ.①一…　Ⅱ.①吴…")
    assert cls.endswith("　Ⅳ.①D267")
    assert c["cip_record"] == "中国版本图书馆CIP数据核字（2011）第107282号"
    imprint = c["imprint"]
    labels = [i.get("label") for i in imprint]
    for label in ["主编", "责任编辑", "封面设计", "出版发行", "经销", "印刷", "照排",
                  "开本", "印张", "插页", "字数", "版次"]:
        assert label in labels, label
    assert "定价" not in labels
    values = [str(i["value"]) for i in imprint]
    assert "http://www.sassp.com　E-mail：sassp@sass.org.cn" in values
    assert "ISBN 978-7-80745-865-4/D·193" in values
    for v in values + [str(l) for l in labels if l]:
        assert " " not in v.replace("ISBN ", ""), v
        assert not digit_space_cjk(v), v
        assert "<" not in v and ">" not in v, v


def test_parts_and_counts(book):
    parts = book["parts"]
    assert [len(p["cases"]) for p in parts] == PART_COUNTS
    assert sum(PART_COUNTS) == 110
    assert [p["title"] for p in parts] == [
        "党的组织覆盖和工作覆盖", "区域化党建工作", "党组织服务党员群众", "党建活动方式创新",
        "创先争优活动", "党员教育和学习型党组织建设", "党内基层民主", "加强队伍建设", "网络党建",
    ]


def test_case_paths(book):
    all_paths = [c for p in book["parts"] for c in p["cases"]]
    assert len(all_paths) == len(set(all_paths)) == 110
    slugs = set()
    n = 0
    for pi, part in enumerate(book["parts"], 1):
        for rel in part["cases"]:
            n += 1
            m = CASE_PATH.match(rel)
            assert m, rel
            assert int(m.group(1)) == pi, rel
            assert int(m.group(2)) == n, rel
            slug = rel.rsplit("/", 1)[1][4:-3]
            assert slug not in slugs, rel
            slugs.add(slug)
            assert (ROOT / rel).is_file(), rel
    assert all_paths[0] == "source/cases/01/001-foreign-banks.md"
    assert all_paths[3] == "source/cases/01/004-buildings.md"


# ---------------------------------------------------------------- cases

def test_case_front_matter(cases):
    for rel, meta, _ in cases:
        assert set(meta) <= CASE_KEYS, rel
        assert isinstance(meta.get("title"), str) and meta["title"], rel
        assert isinstance(meta.get("print_page"), int), rel
        if "status" in meta:
            assert meta["status"] == "pending", rel


def test_print_pages_increase(cases):
    pages = [meta["print_page"] for _, meta, _ in cases]
    assert all(a < b for a, b in zip(pages, pages[1:])), pages
    assert pages[0] == 3 and pages[-1] == 351


def test_only_case_one_is_transcribed(cases):
    done = [rel for rel, meta, _ in cases if meta.get("status") != "pending"]
    assert done == ["source/cases/01/001-foreign-banks.md"]
    for rel, meta, body in cases[1:]:
        assert meta["status"] == "pending", rel
        assert "unit" not in meta, rel
        assert body.strip() == "", rel


def test_titles_clean(cases, book):
    titles = [meta["title"] for _, meta, _ in cases] + [p["title"] for p in book["parts"]]
    for t in titles:
        assert "..." not in t and "…" not in t, t
        assert not re.search(r"\d\s*$", t), t
        assert not half_punct_next_to_cjk(t), t
        assert not digit_space_cjk(t), t
        assert " " not in t, t  # half-width spaces become U+3000 or vanish
        assert t == t.strip("\u3000"), t
    assert cases[3][1]["title"] == "支部建在楼上　党建做到实处"
    assert "“1+3”" in cases[62][1]["title"]
    assert "“支部+合作社+农户”" in cases[58][1]["title"]


def test_part_three_starts_correctly(book):
    first = book["parts"][2]["cases"][0]
    meta, _ = split_front_matter(ROOT / first)
    assert meta["title"] == "开展“走千个居村，听万户心声”活动"
    assert meta["print_page"] == 105
    last_of_two = book["parts"][1]["cases"][-1]
    meta2, _ = split_front_matter(ROOT / last_of_two)
    assert meta2["title"] == "校村文明共建联合体"


def test_case_one_text(cases):
    rel, meta, body = cases[0]
    assert meta["title"] == "外资银行金融机构党建工作探索"
    assert meta["unit"] == "浦东新区社会工作党委"
    assert meta["print_page"] == 3
    headings = re.findall(r"^## (.+)$", body, flags=re.M)
    assert headings == ["一、四级网络建组织", "二、拓展视野育骨干", "三、分层分类重指导",
                        "四、创新载体促实效", "五、创先争优为世博"]
    divs = re.findall(r"^::: \{\.commentary by=\"([^\"]+)\"\}$", body, flags=re.M)
    assert divs == ["上海市社会工作党委研究室主任　方世雄"]
    assert body.rstrip().endswith(":::")
    assert "点评" not in body
    assert "综合党委—片区、党总支—楼宇、党支部—部门" in body
    assert "一片区" not in body and "一楼宇" not in body
    assert "外资银行、民营企业" in body
    assert "构建四级党的组织网络" in body
    assert "2600多名" in body and "1000余名" in body and "94个" in body
    assert "组织覆盖和工作覆盖" not in body


# ---------------------------------------------------------------- matter

def test_matter_front_matter(book):
    assert book["front"] == ["source/front/editorial-board.md", "source/front/preface.md"]
    assert book["back"] == ["source/back/afterword.md"]
    for rel in matter_paths(book):
        meta, body = split_front_matter(ROOT / rel)
        assert set(meta) <= MATTER_KEYS, rel
        assert meta.get("title"), rel
        if "type" in meta:
            assert meta["type"] in MATTER_TYPES, rel
        if "toc" in meta:
            assert isinstance(meta["toc"], bool), rel
        if meta.get("status") == "pending":
            assert body.strip() == "", rel


def test_preface_and_board():
    meta, body = split_front_matter(ROOT / "source/front/preface.md")
    assert meta == {"title": "序言", "author": "徐麟", "type": "preface", "print_page": 1}
    assert "建党90周年" in body and "110个真实案例" in body
    assert "是为序。" in body
    assert "::: signature\n2011年6月\n:::" in body
    meta, body = split_front_matter(ROOT / "source/front/editorial-board.md")
    assert meta["type"] == "contributors" and meta["toc"] is False
    assert "执行副主编：黄钟　刘德荣" in body
    meta, body = split_front_matter(ROOT / "source/back/afterword.md")
    assert meta["print_page"] == 354 and meta["status"] == "pending"


# ---------------------------------------------------------------- all text

def all_sources(book):
    rels = [c for p in book["parts"] for c in p["cases"]] + matter_paths(book)
    for rel in rels:
        meta, body = split_front_matter(ROOT / rel)
        yield rel, meta, body


def test_no_extraction_damage_in_text(book):
    for rel, meta, body in all_sources(book):
        texts = [str(meta.get("title", "")), body]
        for t in texts:
            assert not half_punct_next_to_cjk(t), (rel, half_punct_next_to_cjk(t))
            assert not digit_space_cjk(t), (rel, digit_space_cjk(t))
            assert "....." not in t, rel
        for line in body.splitlines():
            assert not re.fullmatch(r"\s*\d{1,3}\s*", line), (rel, "stray page number", line)
        assert "\n\n\n" not in body, (rel, "blank-line gap")
