"""Peer suite: every CommonMark spec example is a case body; the EPUB and HTML must validate."""

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import DATA, ROOT

from casebook import check
from casebook.build.pipeline import Options, build
from casebook.errors import CasebookError
from casebook.source import comments

pytestmark = pytest.mark.slow  # the CommonMark suite: hundreds of builds, EPUBCheck and vnu

EXAMPLES = json.loads((DATA / "commonmark" / "commonmark-0.31.2.json").read_text())
BATCH = 110
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _has_image(example: dict) -> bool:
    return "![" in example["markdown"] or "<img" in example["markdown"]


def _only_comments(example: dict) -> bool:
    """A body of HTML comments alone is empty once they are removed: refused as empty."""
    return not comments.strip(example["markdown"]).strip()


def _buildable(example: dict) -> bool:
    return not _has_image(example) and not _only_comments(example)


def _book(root: Path, examples: list[dict]) -> Path:
    cases = []
    for e in examples:
        rel = f"source/cases/ex-{e['example']:03d}.md"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"---\ntitle: 'CommonMark 示例 {e['example']}'\n---\n\n"
                                + e["markdown"], encoding="utf-8")
        cases.append(rel)
    book = {"slug": "commonmark", "title": "CommonMark 示例", "lang": "zh-CN",
            "parts": [{"title": "示例", "cases": cases}]}
    (root / "book.yaml").write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    return root


def _batches() -> list[list[dict]]:
    plain = [e for e in EXAMPLES if _buildable(e)]
    return [plain[i:i + BATCH] for i in range(0, len(plain), BATCH)]


@pytest.fixture(scope="module")
def built_batches(tmp_path_factory):
    out = []
    for i, batch in enumerate(_batches()):
        root = _book(tmp_path_factory.mktemp(f"cm{i}"), batch)
        out.append(build(Options(book_dir=root, out_dir=root / "dist",
                                 editions=("epub", "html"), cache=False)))
    return out


def test_every_example_without_images_builds(built_batches):
    assert len(EXAMPLES) == 652
    built = sum(len(list((b["html"].parent / "cases").glob("*.html"))) for b in built_batches)
    assert built == sum(1 for e in EXAMPLES if _buildable(e))
    assert sum(map(_only_comments, EXAMPLES)) < 10


def test_every_epub_passes_epubcheck(built_batches):
    for paths in built_batches:
        result = check.epubcheck(paths["epub"])
        assert (result.errors, result.warnings) == (0, 0), result.messages[:10]


def test_every_html_page_passes_vnu(built_batches):
    assert VNU.exists(), "vnu.jar missing: run `make test` (npm ci installs vnu-jar)"
    pages = [str(p) for b in built_batches for p in b["html"].parent.rglob("*.html")]
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", *pages],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[:3000]


def test_examples_with_images_build_or_name_the_missing_image(tmp_path, caplog):
    examples = [e for e in EXAMPLES if _has_image(e)]
    root = _book(tmp_path, examples)
    with pytest.raises(CasebookError) as info:
        build(Options(book_dir=root, out_dir=root / "dist", editions=("html",), cache=False))
    caplog.clear()  # unresolvable links in these examples are expected warnings
    problems = getattr(info.value, "errors", [info.value])
    assert problems
    for problem in problems:
        assert problem.path.name.startswith("ex-") and problem.line
        assert problem.message.startswith("image '"), str(problem)
