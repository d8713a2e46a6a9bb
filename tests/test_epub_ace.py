"""Ace by DAISY finds no accessibility violation: the real book, and a small book of every feature.

Ace takes about half a second per XHTML document, so the 110-case books (real draft,
synthetic110: 0 violations each when measured) would cost minutes. The small synthetic book
below carries every kind of markup they have (pending notices, lists, a table, footnotes,
figures, emphasis, the 点评), and the test checks that it does.
"""

import zipfile

import pytest
import synthetic

from casebook.build.pipeline import Options, build
from casebook.check import epub as epub_check
from casebook.errors import ToolError

NEEDLES = ("稿件待补", "<ul>", "<table", 'epub:type="noteref"', "<figure", "<img", "<strong>",
           "<em>", 'class="commentary"', 'epub:type="pagebreak"', "<h3")


@pytest.fixture(scope="module")
def features_epub(tmp_path_factory):
    """A draft build of a 6-case synthetic book: every markup feature, few documents."""
    root = synthetic.make_book(tmp_path_factory.mktemp("features"), parts=2, cases_per_part=3,
                               pending_every=4, figure_every=2)
    out = tmp_path_factory.mktemp("features-out")
    return build(Options(book_dir=root, out_dir=out, editions=("pdf", "epub"), draft=True,
                         cache=False))["epub"]


@pytest.fixture(scope="module")
def ace_results(builds, features_epub, tmp_path_factory):
    """Ace once per book, the runs in parallel (Ace mostly waits on Chromium)."""
    books = {"real-default": builds("real", False).epub, "all-features": features_epub}
    runs = {name: epub_check.AceRun(path, tmp_path_factory.mktemp(f"ace-{name}"))
            for name, path in books.items()}
    return {name: run.result() for name, run in runs.items()}


@pytest.mark.slow
def test_the_small_book_has_every_feature(features_epub):
    with zipfile.ZipFile(features_epub) as z:
        text = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert [n for n in NEEDLES if n not in text] == []


@pytest.mark.slow
@pytest.mark.parametrize("name", ["real-default", "all-features"])
def test_ace_reports_no_violations(ace_results, name):
    result = ace_results[name]
    assert result.count == 0, "\n".join(result.details[:20])
    assert result.outcome == "pass"


def test_ace_report_reader_counts_violations(tmp_path):
    report = tmp_path / "report.json"
    report.write_text('{"earl:result": {"earl:outcome": "fail"}, "assertions": [{'
                      '"earl:testSubject": {"url": "a.xhtml"}, "assertions": [{'
                      '"earl:test": {"dct:title": "image-alt", "earl:impact": "critical"},'
                      '"earl:result": {"dct:description": "no alt"}}]}]}', encoding="utf-8")
    result = epub_check.read_ace_report(report)
    assert result.count == 1 and result.outcome == "fail"
    assert result.violations[("image-alt", "critical")] == 1


@pytest.mark.slow
def test_ace_that_runs_out_of_time_is_a_clear_tool_error(features_epub, tmp_path):
    """No traceback from verify: a timeout is reported like a failed tool, and Ace is gone."""
    run = epub_check.AceRun(features_epub, tmp_path)
    with pytest.raises(ToolError, match="Ace did not finish within 0 s"):
        run.result(timeout=0.01)
    assert run.process.poll() is not None, "the timed-out Ace process was left running"
