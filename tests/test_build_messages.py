"""A build's messages name the outputs where they are published, never its staging folder."""

from __future__ import annotations

from pathlib import Path

from bookfactory import sample_copy
from conftest import cli

from casebook import fsio


def test_a_built_book_names_each_edition_at_its_published_path(tmp_path):
    book, out = sample_copy(tmp_path / "sample", cache=False), tmp_path / "dist"
    result = cli("--book", book, "--out", out)  # the workers' messages too, as a user sees them
    assert result.returncode == 0, result.stderr
    assert ".staging-" not in result.stderr, result.stderr
    for line in (f"HTML: {out / 'html'} (", f"PDF: {out / 'sample.pdf'} (",
                 f"PDF: {out / 'sample-screen.pdf'} (", f"EPUB: {out / 'sample.epub'} (",
                 f"Cover PDF: {out / 'sample-cover.pdf'} ("):
        assert f"\n{line}" in result.stderr, (line, result.stderr)
    assert not list(out.glob(".staging-*"))


def test_a_staged_path_is_mapped_to_its_published_path_and_any_other_kept():
    out = Path("/tmp/dist")
    staging = out / f"{fsio.STAGING}b3zcu9_f"
    assert fsio.published(staging / "bench-screen.pdf") == out / "bench-screen.pdf"
    assert fsio.published(staging / "html") == out / "html"
    assert fsio.published(staging / "html" / "index.html") == out / "html" / "index.html"
    assert fsio.published(out / "bench.pdf") == out / "bench.pdf"
    assert fsio.published(Path("relative/x.epub")) == Path("relative/x.epub")
