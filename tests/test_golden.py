"""Golden files: the sample book's EPUB package files, HTML pages and printed TOC, as text."""

import difflib
import zipfile

import pytest
from conftest import DATA

from casebook import check
from casebook.build.pipeline import Options, build
from casebook.source import loader as source

SAMPLE = DATA / "sample"
GOLDEN = DATA / "golden"
EPUB_FILES = ["EPUB/content.opf", "EPUB/nav.xhtml", "EPUB/toc.ncx",
              "EPUB/text/case-001-alpha.xhtml", "EPUB/text/copyright.xhtml"]
HTML_FILES = ["index.html", "cases/001-alpha.html", "parts/part-1.html"]


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1306886400")
    out = tmp_path_factory.mktemp("sample")
    paths = build(Options(book_dir=SAMPLE, out_dir=out, draft=True, cache=False))
    mp.undo()
    return paths


def _outputs(paths) -> dict[str, str]:
    texts = {}
    with zipfile.ZipFile(paths["epub"]) as z:
        for name in EPUB_FILES:
            texts["epub/" + name] = z.read(name).decode()
    site = paths["html"].parent
    for name in HTML_FILES:
        texts["html/" + name] = (site / name).read_text(encoding="utf-8")
    book = source.load(SAMPLE).select(True)
    toc = check.pdf_printed_toc(paths["pdf"], book)
    texts["pdf/toc.txt"] = "".join(f"{level} {title}\n" for level, title in toc)
    return texts


def test_outputs_match_golden_files(sample_build, update_golden):
    failures = []
    for name, text in _outputs(sample_build).items():
        golden = GOLDEN / name
        if update_golden:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
            continue
        expected = golden.read_text(encoding="utf-8")
        if text != expected:
            failures.append("".join(difflib.unified_diff(
                expected.splitlines(True), text.splitlines(True), f"golden/{name}", name)))
    assert not failures, "\n".join(failures) + "\n(run pytest --update-golden if intended)"


def test_golden_files_exist():
    names = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert {"epub/" + n for n in EPUB_FILES} <= names
    assert "pdf/toc.txt" in names
