"""Fuzzing: random front matter and Markdown give a build or a clear error, never a crash."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casebook.build.pipeline import Options, build
from casebook.errors import CasebookError

pytestmark = pytest.mark.slow  # fuzzing

EXAMPLES = int(os.environ.get("CASEBOOK_FUZZ_EXAMPLES", "200"))
SCRIPTS = st.sampled_from([
    (0x4E00, 0x9FFF), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x0300, 0x036F),  # CJK, combining
    (0x0590, 0x06FF), (0x0000, 0x007F), (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF),  # RTL, astral
    (0x0080, 0x00FF), (0x2000, 0x206F),
])


@st.composite
def unicode_text(draw, max_size=40):
    lo, hi = draw(SCRIPTS)
    chars = st.characters(min_codepoint=lo, max_codepoint=hi, exclude_categories=("Cs",))
    return draw(st.text(chars, max_size=max_size))


MARKUP = st.sampled_from(["", "## ", "- ", "1. ", "> ", "**", "*", "`", "[^1]", "[^1]: ",
                          "| a | b |\n|---|---|\n| ", "::: commentary\n", ":::\n", "\n\n",
                          "![", "](x.png)", "[链接](#", ")", "{.x}", "<b>", "&amp;", "\\"])


@st.composite
def body(draw):
    pieces = draw(st.lists(st.tuples(MARKUP, unicode_text()), max_size=12))
    return "".join(m + t for m, t in pieces)


@st.composite
def front_matter(draw):
    title = draw(st.one_of(unicode_text(), st.just("标题"), st.integers().map(str)))
    extra = draw(st.sampled_from(["", "unit: 单位\n", "status: pending\n", "print_page: 3\n",
                                  "unit: [1, 2]\n", "titel: x\n", "print_page: 三\n"]))
    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"title: {quoted}\n{extra}"


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(meta=front_matter(), text=body())
def test_random_sources_build_or_fail_clearly(meta, text):
    root = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        (root / "c.md").write_text(f"---\n{meta}---\n\n{text}\n", encoding="utf-8",
                                   errors="surrogatepass")
        (root / "book.yaml").write_text(
            "slug: fuzz\ntitle: 模糊\nlang: zh-CN\nparts:\n  - title: 部分\n    cases: [c.md]\n",
            encoding="utf-8")
        try:
            paths = build(Options(book_dir=root, out_dir=root / "dist",
                                  editions=("html", "epub"), cache=False))
        except CasebookError as exc:
            assert str(exc).strip() and "Traceback" not in str(exc)
            event(f"clear error: {type(exc).__name__}")
        else:
            event("built")
            assert paths["epub"].stat().st_size > 0 and paths["html"].exists()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True)
def no_unexpected_warnings():
    """Fuzzed sources legitimately produce pandoc and link warnings."""
    yield
