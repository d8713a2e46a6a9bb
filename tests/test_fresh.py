"""Incremental builds: nothing to do when nothing changed, every edit reaches every edition,
and an incremental build is byte-identical to a clean build of the same sources."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from bookfactory import sample_copy
from conftest import cli

from casebook import resources
from casebook.build import fresh
from casebook.build.pipeline import Options, build
from casebook.check.verify import first_difference
from casebook.editions.pdf import kept as pdf_kept
from casebook.editions.pdf import plan as pdf_plan

CASE = "source/cases/01"


@pytest.fixture
def book(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1306886400")
    return sample_copy(tmp_path / "book")


def _build(book: Path, out: Path, **options) -> dict[str, Path]:
    return build(Options(book_dir=book, out_dir=out, **options))


def _texts(paths: dict[str, Path]) -> dict[str, str]:
    """The visible text of each edition, and its styles: what an edit has to reach."""
    pdf = subprocess.run(["pdftotext", str(paths["pdf"]), "-"], capture_output=True,
                         text=True, check=True).stdout
    with zipfile.ZipFile(paths["epub"]) as z:
        epub = "".join(z.read(n).decode() for n in z.namelist()
                       if n.endswith((".xhtml", ".css")))
    site = paths["html"].parent
    html = "".join(p.read_text(encoding="utf-8") for p in sorted(site.rglob("*"))
                   if p.suffix in (".html", ".css"))
    return {"pdf": pdf, "epub": epub, "html": html}


def _digests(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def _first_case(book: Path) -> Path:
    return sorted((book / CASE).glob("*.md"))[0]


def test_a_second_build_with_nothing_changed_writes_nothing(book, tmp_path, caplog):
    out = tmp_path / "out"
    first = _build(book, out)
    before = {name: (out / name).stat().st_mtime_ns for name in _digests(out)}
    with caplog.at_level(logging.INFO, logger="casebook"):
        second = _build(book, out)
    assert second == first
    assert any("Nothing changed" in r.getMessage() for r in caplog.records)
    assert {name: (out / name).stat().st_mtime_ns for name in _digests(out)} == before


def _change(book: Path, out: Path, change: str) -> bool:
    """Make one kind of change; return the draft mode the next build should use."""
    if change == "case":
        path = _first_case(book)
        path.write_text(path.read_text(encoding="utf-8") + "\n补记一句。\n", encoding="utf-8")
    elif change == "template":
        (book / "templates").mkdir()
        (book / "templates" / "unused.j2").write_text("x", encoding="utf-8")
    elif change == "style":
        (book / "styles").mkdir()
        (book / "styles" / "common.css").write_text(
            (resources.STYLES / "common.css").read_text(encoding="utf-8"), encoding="utf-8")
    elif change == "removed output":
        (out / "html" / "index.html").unlink()
    return change == "mode"


@pytest.mark.slow
def test_each_change_makes_a_rebuild(book, tmp_path, caplog):
    out = tmp_path / "out"
    _build(book, out)
    editions = ["pdf", "epub", "html"]
    for change in ("case", "template", "style", "removed output", "mode"):
        draft = _change(book, out, change)
        assert fresh.stale_reason(book, out, Options().record(), draft, editions), change
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="casebook"):
            _build(book, out, draft=draft)
        assert not any("Nothing changed" in r.getMessage() for r in caplog.records), change
        assert (out / "html" / "index.html").exists()
        assert fresh.stale_reason(book, out, Options().record(), draft, editions) is None


@pytest.mark.slow
def test_edits_to_source_template_and_style_reach_every_edition(book, tmp_path):
    out = tmp_path / "out"
    _build(book, out)
    case = _first_case(book)
    case.write_text(case.read_text(encoding="utf-8") + "\n合成修订句。\n", encoding="utf-8")
    assert all("合成修订句" in text for text in _texts(_build(book, out)).values())

    macros = (resources.TEMPLATES / "shared" / "macros.j2").read_text(encoding="utf-8")
    assert '<{{ h }} class="book-title">' in macros
    (book / "templates" / "shared").mkdir(parents=True)
    (book / "templates" / "shared" / "macros.j2").write_text(macros.replace(
        '<{{ h }} class="book-title">', '<{{ h }} class="book-title">模板已改'),
        encoding="utf-8")
    assert all("模板已改" in text for text in _texts(_build(book, out)).values())

    (book / "styles").mkdir()
    css = (resources.STYLES / "common.css").read_text(encoding="utf-8")
    (book / "styles" / "common.css").write_text(
        css + '\n.book-title::after { content: "样式已改"; }\n', encoding="utf-8")
    assert all("样式已改" in text for text in _texts(_build(book, out)).values())


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["whole", "chunked"])
def test_incremental_build_is_byte_identical_to_a_clean_one(book, tmp_path, monkeypatch, layout):
    """Two edits built incrementally (the second takes the pages, press colours and chunks
    the first kept: kept.py of the HTML and the PDF), against a build without any cache;
    ``chunked`` lays the sample book out in chunks, as a long book is."""
    if layout == "chunked":  # the forked workers inherit it
        monkeypatch.setattr(pdf_plan, "WHOLE_BELOW", 0)
    incremental = tmp_path / "incremental"
    _build(book, incremental)
    case = _first_case(book)
    case.write_text(case.read_text(encoding="utf-8").replace("。", "！", 1), encoding="utf-8")
    _build(book, incremental)
    case.write_text(case.read_text(encoding="utf-8").replace("。", "？", 1), encoding="utf-8")
    _build(book, incremental)
    cache = book / ".casebook-cache"
    assert (cache / "html").is_dir() and (cache / "pdf" / pdf_kept.FILE).is_file()
    clean = tmp_path / "clean"
    shutil.rmtree(cache)
    _build(book, clean, cache=False)
    assert first_difference(incremental, clean) is None
    assert _digests(incremental) == _digests(clean)


def test_editions_in_worker_processes_equal_those_written_in_process(book, tmp_path):
    _build(book, tmp_path / "workers", workers=2)
    _build(book, tmp_path / "inline", workers=0)
    assert _digests(tmp_path / "workers") == _digests(tmp_path / "inline")


def test_an_error_in_a_worker_is_reported_with_its_file_and_line(book, tmp_path):
    (book / "templates" / "html").mkdir(parents=True)
    bad = book / "templates" / "html" / "case.html.j2"
    bad.write_text("{% extends 'html/base.html.j2' %}\n{% block main %}\n{{ oops(\n",
                   encoding="utf-8")
    result = cli("html", "--book", book, "--out", tmp_path / "out", "-q")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{bad}:3: template error" in result.stderr, result.stderr


def test_no_op_build_from_the_command_line_is_quick(book, tmp_path):
    """Not a timing test (that is bench/): a no-op must not import the layout engine."""
    args = ("--book", book, "--out", tmp_path / "out", "-q")
    assert cli(*args).returncode == 0
    second = cli(*args, env={"PYTHONPROFILEIMPORTTIME": "1"})  # python -X importtime
    assert second.returncode == 0
    imported = {line.split("|")[-1].strip() for line in second.stderr.splitlines()
                if line.startswith("import time:")}
    assert "casebook.build.fresh" in imported
    assert not {"weasyprint", "pypandoc", "ebooklib", "jinja2", "pypinyin"} & imported


def test_an_edit_saved_during_a_build_is_built_next_time(book, tmp_path, monkeypatch):
    """The record holds the sources as read, not as they are when the build ends."""
    from casebook.render import fragments as render
    out, case = tmp_path / "out", _first_case(book)
    real_render_all = render.render_all

    def render_then_edit(*args, **kwargs):  # the real renderer, then an editor saves
        fragments = real_render_all(*args, **kwargs)
        case.write_text(case.read_text(encoding="utf-8") + "\n构建期间保存的句子。\n",
                        encoding="utf-8")
        return fragments
    monkeypatch.setattr(render, "render_all", render_then_edit)
    first = _texts(_build(book, out))
    assert all("构建期间保存的句子" not in text for text in first.values())
    monkeypatch.setattr(render, "render_all", real_render_all)
    assert fresh.stale_reason(book, out, Options().record(), False, ["pdf", "epub", "html"])
    assert all("构建期间保存的句子" in text for text in _texts(_build(book, out)).values())


@pytest.mark.parametrize("damage", ["{}", "[1, 2]", "not json", '{"draft": false}'])
def test_a_damaged_record_means_a_rebuild_not_a_crash(book, tmp_path, damage):
    out = tmp_path / "out"
    _build(book, out)
    record = out / fresh.BUILD_INFO
    if damage == '{"draft": false}':
        info = json.loads(record.read_text(encoding="utf-8"))
        info["inputs"] = ["a list", "where a mapping belongs"]
        damage = json.dumps(info)
    record.write_text(damage, encoding="utf-8")
    assert fresh.stale_reason(book, out, Options().record(), False, ["pdf", "epub", "html"])


# -- the record names its book: another folder's build is never served -----------------------
def _rebuilt(book: Path, out: Path, caplog) -> dict[str, str]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="casebook"):
        texts = _texts(_build(book, out))
    assert not any("Nothing changed" in r.getMessage() for r in caplog.records)
    return texts


def _edit(book: Path, sentence: str) -> None:
    case = _first_case(book)
    case.write_text(case.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")


def test_a_copied_and_edited_book_built_into_the_same_folder_is_rebuilt(book, tmp_path, caplog):
    out = tmp_path / "out"
    _build(book, out)
    copy = tmp_path / "copy"
    shutil.copytree(book, copy)
    _edit(copy, "副本里改过的句子。")
    assert all("副本里改过的句子" in text for text in _rebuilt(copy, out, caplog).values())
    assert json.loads((out / fresh.BUILD_INFO).read_text(encoding="utf-8"))["book"] == \
        str(copy.resolve())


def test_bad_input_in_a_copy_is_refused_not_served_from_the_record(book, tmp_path):
    from casebook.errors import CasebookError
    out = tmp_path / "out"
    _build(book, out)
    copy = tmp_path / "copy"
    shutil.copytree(book, copy)
    case = _first_case(copy)
    case.write_text("---\ntitle: [未闭合\n---\n正文。\n", encoding="utf-8")
    with pytest.raises(CasebookError, match=case.name):
        _build(copy, out)


def test_a_moved_book_is_rebuilt(book, tmp_path, caplog):
    out = tmp_path / "out"
    _build(book, out)
    moved = tmp_path / "moved"
    shutil.move(book, moved)
    _rebuilt(moved, out, caplog)
    assert fresh.stale_reason(moved, out, Options().record(), False,
                              ["pdf", "epub", "html"]) is None


@pytest.mark.slow
def test_two_books_alternating_into_one_folder_each_get_their_own_editions(book, tmp_path,
                                                                          caplog):
    out, other = tmp_path / "out", tmp_path / "other"
    shutil.copytree(book, other)
    _edit(other, "另一本书独有的句子。")
    for turn in range(2):
        assert all("另一本书独有的句子" not in t for t in _rebuilt(book, out, caplog).values())
        assert all("另一本书独有的句子" in t for t in _rebuilt(other, out, caplog).values())


def test_a_case_removed_from_or_added_to_book_yaml_is_rebuilt(book, tmp_path, caplog):
    out = tmp_path / "out"
    yaml_path = book / "book.yaml"
    listed = yaml_path.read_text(encoding="utf-8")
    line = "      - source/cases/01/001-alpha.md\n"
    title = "合成案例甲"  # the title of 001-alpha.md
    assert line in listed
    _build(book, out)
    yaml_path.write_text(listed.replace(line, ""), encoding="utf-8")
    assert all(title not in t for t in _rebuilt(book, out, caplog).values())
    yaml_path.write_text(listed, encoding="utf-8")
    assert all(title in t for t in _rebuilt(book, out, caplog).values())


def test_the_set_of_documents_is_compared_not_only_their_digests(book, tmp_path):
    out = tmp_path / "out"
    _build(book, out)
    info = json.loads((out / fresh.BUILD_INFO).read_text(encoding="utf-8"))
    sources = dict(info["sources"])
    assert fresh.stale_reason(book, out, Options().record(), False, ["pdf", "epub", "html"],
                              sources) is None
    sources.popitem()
    assert "differ" in fresh.stale_reason(book, out, Options().record(), False,
                                          ["pdf", "epub", "html"], sources)


def test_verify_reuses_what_make_book_built(book, tmp_path):
    """The command line's build records embed_fonts=False, verify's build no options at all:
    an option left off is the same build, so verify does not build again."""
    out = tmp_path / "out"
    _build(book, out, extra={"embed_fonts": False})
    assert fresh.stale_reason(book, out, Options().record(), False,
                              ["pdf", "epub", "html"]) is None
    assert fresh.stale_reason(book, out, Options(extra={"embed_fonts": True}).record(), False,
                              ["pdf", "epub", "html"])
