"""`casebook init DIR`: a new book project, all its text labelled 示例, that builds and checks at once."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import cli

from casebook.authoring import init
from casebook.source import loader as source
from casebook.source.textfile import split_front_matter

LABEL = "示例"


def casebook(*args, cwd: Path) -> subprocess.CompletedProcess:
    return cli(*args, cwd=cwd, env={"SOURCE_DATE_EPOCH": "1306886400"})


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project made by the command line, as a user makes one."""
    where = tmp_path_factory.mktemp("init")
    result = casebook("init", "my-book", cwd=where)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "my-book" in result.stderr
    return where / "my-book"


def test_the_project_has_the_files_of_a_book(project):
    files = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert files == [".gitignore", "book.yaml", "source/cases/01/001-shi-li-an-li.md",
                     "source/front/preface.md", "styles/README.md", "templates/README.md"]
    ignored = (project / ".gitignore").read_text(encoding="utf-8").split()
    assert "dist/" in ignored and ".casebook-cache/" in ignored
    for folder in ("styles", "templates"):
        readme = (project / folder / "README.md").read_text(encoding="utf-8")
        assert "replaces casebook's" in readme


def test_book_yaml_is_commented_and_lists_a_preface_and_one_case(project):
    text = (project / "book.yaml").read_text(encoding="utf-8")
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 10
    book = source.load(project)
    assert (book.meta.slug, book.meta.lang) == ("my-book", "zh-CN")
    assert [m.type for m in book.front] == ["preface"]
    assert [len(p.cases) for p in book.parts] == [1]
    case = book.parts[0].cases[0]
    assert '::: {.commentary by="' in case.body and not case.pending


def test_every_text_in_the_project_says_it_is_an_example(project):
    data = yaml.safe_load((project / "book.yaml").read_text(encoding="utf-8"))
    shown = [data["title"], data["subtitle"], *(c["name"] for c in data["creators"]),
             *(p["title"] for p in data["parts"])]
    assert all(LABEL in text for text in shown), shown
    for path in (project / "source").rglob("*.md"):
        src = split_front_matter(path.read_text(encoding="utf-8"), path)
        meta = yaml.safe_load(src.meta_text)
        assert all(LABEL in str(v) for k, v in meta.items() if k != "type"), (path, meta)
        blocks = [b.strip() for b in re.split(r"\n\s*\n", src.body) if b.strip()]
        for block in blocks:  # every paragraph, heading, list, table, note and signature
            assert LABEL in block, (path, block)
        signers = re.findall(r'by="([^"]*)"', src.body)
        assert all(LABEL in s for s in signers), signers
        assert src.body.count("【示例文本】") >= 1, path


def test_the_new_project_builds_every_edition_and_passes_check_and_lint(project):
    built = casebook("all", "--book", project, cwd=project.parent)
    assert built.returncode == 0, built.stderr
    for name in ("my-book.epub", "my-book.pdf", "my-book-cover.pdf", "html/index.html",
                 "html/pagefind/pagefind-entry.json"):
        assert (project / "dist" / name).is_file(), name
    checked = casebook("check", "--book", project, cwd=project.parent)
    assert checked.returncode == 0, checked.stderr
    assert "0 problem(s) found" in checked.stderr
    linted = casebook("lint", "--book", project, cwd=project.parent)
    assert linted.returncode == 0 and "0 finding(s)" in linted.stderr, linted.stderr


def test_a_new_case_follows_the_example_case(tmp_path):
    init.create(tmp_path / "book")
    result = casebook("new", "第二个案例", "--part", "1", "--book", "book", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "book" / "source/cases/01/002-di-er-ge-an-li.md").is_file()
    assert len(source.load(tmp_path / "book").select(True).parts[0].cases) == 2


@pytest.mark.parametrize("folder, slug", [
    ("my-book", "my-book"), ("My Book 2", "my-book-2"), ("案例集", "an-li-ji"),
    ("Casebook_ZH", "casebook-zh"), ("——", "book"),
])
def test_the_slug_comes_from_the_folder_name(tmp_path, folder, slug):
    init.create(tmp_path / folder)
    assert source.load(tmp_path / folder).meta.slug == slug


def test_an_empty_folder_and_the_current_folder_are_accepted(tmp_path):
    (tmp_path / "empty").mkdir()
    result = casebook("init", ".", cwd=tmp_path / "empty")
    assert result.returncode == 0, result.stderr
    assert source.load(tmp_path / "empty").meta.slug == "empty"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_a_folder_that_holds_anything_or_a_file_is_refused(tmp_path, kind):
    target = tmp_path / "book"
    if kind == "folder":
        target.mkdir()
        (target / "notes.txt").write_text("mine", encoding="utf-8")
    else:
        target.write_text("mine", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    result = casebook("init", "book", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    expected = "is not empty (it holds notes.txt)" if kind == "folder" else "is a file"
    assert len(lines) == 1 and lines[0].startswith("book: ") and expected in lines[0], lines
    assert "new or empty folder" in lines[0]
    assert sorted(tmp_path.rglob("*")) == before
