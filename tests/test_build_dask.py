"""The Dask recipe on a real cluster: a LocalCluster of two worker processes builds the same
editions, byte for byte, as the local pool, for one book and for two books at once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dask_executor
import pytest
from bookfactory import sample_copy
from conftest import ROOT, cli

from casebook.build.pipeline import Options, build
from casebook.editions.pdf import plan as pdf_plan

pytestmark = pytest.mark.slow  # a cluster of worker processes, and full builds
distributed = pytest.importorskip("dask.distributed", reason="pip install 'casebook[test]'")


@pytest.fixture(scope="module")
def scheduler():
    """Two worker processes with one thread each, as two machines with one core would be."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        for client in dask_executor.clients:
            client.close()
        cluster.close()


def files(out: Path) -> dict[str, bytes]:
    """Every file a build wrote, by its path under ``out``; the freshness record aside (it
    records the output files' mtimes) and the lock."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".casebook")}


def test_a_dask_cluster_builds_the_editions_the_local_pool_builds(tmp_path, monkeypatch,
                                                                 scheduler):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("CASEBOOK_DASK_SCHEDULER", scheduler)
    monkeypatch.setattr(pdf_plan, "WHOLE_BELOW", 0)  # chunk jobs, not one whole-book job
    book = sample_copy(tmp_path / "sample", "sample")
    made = len(dask_executor.clients)
    build(Options(book_dir=book, out_dir=tmp_path / "dask", cache=False,
                  executor="dask_executor:executor"))
    assert len(dask_executor.clients) == made + 1, "the recipe's factory was not used"
    build(Options(book_dir=book, out_dir=tmp_path / "local", cache=False))
    ours, local = files(tmp_path / "dask"), files(tmp_path / "local")
    assert ours.keys() == local.keys()
    assert [name for name in ours if ours[name] != local[name]] == []


def test_two_books_through_the_cluster_from_the_command_line(tmp_path, scheduler):
    env = {"SOURCE_DATE_EPOCH": "1700000000", "CASEBOOK_DASK_SCHEDULER": scheduler,
           "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT / "tests"),
                                                       os.environ.get("PYTHONPATH"))))}
    books = [sample_copy(tmp_path / name, f"sample-{name}") for name in ("one", "two")]
    done = cli("all", "-q", "--no-cache", "--executor", "dask_executor:executor",
               *(arg for book in books for arg in ("--book", book)), env=env)
    assert done.returncode == 0, done.stderr
    for book in books:
        dasked = files(book / "dist")
        assert f"sample-{book.name}.pdf" in dasked
        local = cli("all", "-q", "--no-cache", "--book", book, "--out", tmp_path / "local",
                    env=env)
        assert local.returncode == 0, local.stderr
        expected = files(tmp_path / "local")
        assert dasked.keys() == expected.keys()
        assert [name for name in dasked if dasked[name] != expected[name]] == [], book
        shutil.rmtree(tmp_path / "local")
