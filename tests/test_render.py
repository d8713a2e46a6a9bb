"""pandoc fragments: the commentary aside, heading levels, the content cache, template errors."""

import json
import logging
from pathlib import Path

import pytest

from casebook import model
from casebook.errors import RenderError
from casebook.render import fragments as render
from casebook.render import templates


def _case(body: str) -> model.Case:
    return model.Case(id="case-x", title="标题", body=body, source=Path("x.md"), body_line=4)


def _render(doc: model.Case, cache_dir: Path | None = None) -> str:
    """``doc``'s HTML as a build renders it (render_all), in a book of that one case."""
    part = model.Part(id="part-1", number=1, title="第1部分", cases=(doc,),
                      source=Path("book.yaml"), line=1)
    book = model.Book(meta=model.Meta(slug="s", title="t", lang="zh-CN"), root=Path("."),
                      front=(), parts=(part,), back=())
    return render.render_all(book, cache_dir)[doc.id]


def test_commentary_becomes_an_aside_with_label_and_attribution():
    html = _render(_case('正文。\n\n::: {.commentary by="职务　姓名"}\n点评正文。\n:::\n'))
    assert html.index('class="commentary" aria-label="点评">') < html.index("点评正文")
    assert 'class="commentary-label">点评</p>' in html
    assert "（职务　姓名）" in html


def test_a_commentary_without_by_has_no_attribution():
    html = _render(_case("正文。\n\n::: commentary\n点评正文。\n:::\n"))
    assert 'class="commentary-label">点评</p>' in html and "点评正文" in html
    assert "commentary-by" not in html and "（）" not in html


def test_case_sections_are_h3_and_ids_are_prefixed():
    html = _render(_case("## 一、开头\n\n正文。\n"))
    assert '<h3 id="case-x--一开头">一、开头</h3>' in html


def test_chinese_lines_join_without_spaces():
    html = _render(_case("第一行\n第二行\n"))
    assert "第一行第二行" in html


def test_cache_is_read_back(tmp_path):
    doc = _case("缓存测试。\n")
    first = _render(doc, tmp_path)
    [cached] = tmp_path.glob("*.json")
    assert json.loads(cached.read_text(encoding="utf-8"))["html"] == first
    cached.write_text(json.dumps({"html": "<p>来自缓存</p>", "warnings": []}), encoding="utf-8")
    assert _render(doc, tmp_path) == "<p>来自缓存</p>"
    changed = _case("缓存测试，已修改。\n")
    assert "已修改" in _render(changed, tmp_path)


def test_blocks_get_stable_ids_once():
    html = render.number_blocks('<p>a</p><ul>\n<li>b</li>\n</ul><p id="x">c</p><pre>d</pre>', "c1")
    assert html == ('<p id="c1--b1">a</p><ul>\n<li id="c1--b2">b</li>\n</ul>'
                    '<p id="x">c</p><pre>d</pre>')


def test_shift_headings():
    assert render.shift_headings('<h3 id="a">x</h3><h2>y</h2>', -1) == '<h2 id="a">x</h2><h1>y</h1>'


def test_template_error_names_template_and_line(tmp_path):
    (tmp_path / "templates" / "html").mkdir(parents=True)
    (tmp_path / "templates" / "html" / "bad.html.j2").write_text("ok\n{{ missing_thing }}\n")
    book = model.Book(meta=model.Meta(slug="s", title="t", lang="zh-CN"), root=tmp_path,
                      front=(), parts=(), back=())
    with pytest.raises(RenderError) as info:
        templates.render_template(templates.environment(book), "html/bad.html.j2")
    assert str(info.value).startswith(f"{tmp_path / 'templates/html/bad.html.j2'}:2: ")
    assert "missing_thing" in str(info.value)


def test_pandoc_warnings_name_the_source_line(caplog):
    doc = _case("[a]: /x\n[a]: /y\n\n正文。\n")
    with caplog.at_level(logging.WARNING):
        _render(doc)
    messages = [r.getMessage() for r in caplog.records]
    caplog.clear()
    assert any(m.startswith("x.md:5: pandoc: Duplicate link reference") for m in messages)


def test_templates_are_compiled_once_and_a_changed_template_is_compiled_again(tmp_path,
                                                                             monkeypatch):
    import jinja2

    from casebook.render import templates
    monkeypatch.setattr(templates, "_bytecode_cache",
                        lambda: jinja2.FileSystemBytecodeCache(str(tmp_path / "bc")))
    folder = tmp_path / "templates"
    folder.mkdir()
    (tmp_path / "bc").mkdir()
    (folder / "t.j2").write_text("甲{{ x }}", encoding="utf-8")
    assert templates._new_environment([folder]).get_template("t.j2").render(x=1) == "甲1"
    kept = list((tmp_path / "bc").iterdir())
    assert len(kept) == 1, "the compiled template was not kept"
    assert templates._new_environment([folder]).get_template("t.j2").render(x=2) == "甲2"
    (folder / "t.j2").write_text("乙{{ x }}", encoding="utf-8")
    assert templates._new_environment([folder]).get_template("t.j2").render(x=3) == "乙3"
