"""Build jobs go through any concurrent.futures Executor: here a pool of fresh interpreters."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest
from bookfactory import sample_copy
from conftest import DATA

from casebook.build.pipeline import Options, build
from casebook.editions.pdf import plan as pdf_plan
from casebook.errors import ToolError

made: list[ProcessPoolExecutor] = []


def spawn(max_workers: int) -> ProcessPoolExecutor:
    """Workers that share no memory with the build, as a cluster's would (spawn, not fork)."""
    made.append(ProcessPoolExecutor(max_workers=max_workers,
                                    mp_context=multiprocessing.get_context("spawn")))
    return made[-1]


@pytest.mark.slow
def test_a_configured_executor_builds_the_same_editions(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(pdf_plan, "WHOLE_BELOW", 0)  # chunk jobs, not one whole-book job
    book = sample_copy(tmp_path / "sample")
    ours = build(Options(book_dir=book, out_dir=tmp_path / "spawned", cache=False,
                         executor=f"{__name__}:spawn"))
    assert made, "the configured factory was not used"
    with pytest.raises(RuntimeError):  # the build shut its executor down
        made[-1].submit(print)
    default = build(Options(book_dir=book, out_dir=tmp_path / "forked", cache=False))
    for name in ("pdf", "epub"):
        assert ours[name].read_bytes() == default[name].read_bytes(), name


def test_an_executor_that_cannot_be_loaded_is_a_clear_error(tmp_path):
    with pytest.raises(ToolError, match="no_such_module"):
        build(Options(book_dir=DATA / "sample", out_dir=tmp_path / "out",
                      executor="no_such_module:pool"))
