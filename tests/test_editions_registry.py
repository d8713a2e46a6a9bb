"""Every edition goes through one registry with one interface; a fourth is one module and
one registry line, and it gets what it declares it needs from the others."""

from __future__ import annotations

import inspect

import pytest
from bookfactory import sample_copy

from casebook import editions
from casebook.build.pipeline import Options, build
from casebook.source import loader as source


def test_every_registered_edition_has_the_one_write_signature():
    for entry in editions.REGISTRY:
        params = list(inspect.signature(editions.writer(entry.name)).parameters)
        assert params == ["book", "out_dir", "inputs"], entry.name


@pytest.mark.parametrize("needs", [(), ("pagemap",)])
def test_a_fourth_edition_is_one_module_and_one_registry_line(tmp_path, monkeypatch, needs):
    book = sample_copy(tmp_path / "book")
    entry = editions.Edition("txt", "plaintext_edition", needs=needs)
    monkeypatch.setattr(editions, "REGISTRY", [*editions.REGISTRY, entry])
    wanted = ("pdf", "txt") if needs else ("txt",)
    written = build(Options(book_dir=book, out_dir=tmp_path / "out", editions=wanted,
                            workers=0))
    text = written["txt"].read_text(encoding="utf-8")
    titles = [item.title for item in source.load(book).select(False).reading_order()]
    assert text.splitlines()[:len(titles)] == titles
    assert text.splitlines()[-1] == f"pagemap: {bool(needs)}"
