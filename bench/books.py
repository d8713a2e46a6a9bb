"""The many-books scenario: 20 copies of the bench book, one at a time and through a cluster.

Each copy has its own slug (bench-01 … bench-20). One at a time: 20 clean builds, each with
its local pool of two forked workers. Through the cluster: one `build.py all --books LIST
--executor dask_executor:executor` into a Dask LocalCluster of two worker processes
(bench/cluster.py, the docs' recipe in tests/dask_executor.py). The cluster's processes are
sampled with the build, for memory and CPU.

The estimate of the time on N workers: the work the workers did (the CPU seconds of the
cluster's processes during the build; the scheduler's task stream gives each task's wall
time too, which a busy machine stretches) shared by N, against the two things more workers do not
shorten: the build process's own CPU (one process: its books' threads share one core) and
the longest chain, one book's build alone on the cluster (an over-estimate: it includes
waiting for two workers). T(N) = max(worker work / N, build process CPU, one book alone).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from make_book import ROOT

COPIES = 20
WORKERS = 2
ESTIMATE_FOR = (2, 4, 8, 16, 32)


def copies(book: Path, out: Path, n: int = COPIES) -> list[Path]:
    """``n`` copies of ``book``'s sources (no dist/, no cache), slugs ``<slug>-01`` …"""
    if out.exists():
        shutil.rmtree(out)
    made = []
    for i in range(1, n + 1):
        copy = out / f"book{i:02d}"
        shutil.copytree(book, copy, ignore=shutil.ignore_patterns("dist", ".casebook-cache"))
        yaml = copy / "book.yaml"
        text = yaml.read_text(encoding="utf-8")
        slug = text.splitlines()[0]
        assert slug.startswith("slug: "), yaml
        yaml.write_text(text.replace(slug, f"{slug}-{i:02d}", 1), encoding="utf-8")
        made.append(copy)
    (out / "books.yaml").write_text("books:\n" + "".join(f"  - {p.name}\n" for p in made),
                                    encoding="utf-8")
    return made


def _clean(books: list[Path]) -> None:
    for book in books:
        for gone in ("dist", ".casebook-cache"):
            shutil.rmtree(book / gone, ignore_errors=True)


def one_at_a_time(measure, build, books: list[Path]):
    """20 clean builds, one after another: their summed wall and CPU, the highest peak."""
    _clean(books)
    results = [measure(f"one at a time: {b.name}", build(b)) for b in books]
    total = results[0]
    total.name = f"{len(books)} books, one at a time (local pool of {WORKERS})"
    total.wall = sum(r.wall for r in results)
    total.cpu = sum(r.cpu for r in results)
    total.rss_mb = max(r.rss_mb for r in results)
    return total


def through_cluster(measure, books: list[Path], work: Path) -> tuple[list, dict]:
    """The books through a fresh 2-worker cluster, then one book alone on it: the two
    Results and the estimate's figures."""
    _clean(books)
    tasks = work / "tasks.json"
    address_file = Path(f"{tasks}.address")
    address_file.unlink(missing_ok=True)
    cluster = subprocess.Popen([sys.executable, str(ROOT / "bench" / "cluster.py"), str(tasks),
                                str(WORKERS)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        while not address_file.exists():
            if cluster.poll() is not None:
                sys.exit("the Dask cluster did not start (bench/cluster.py)")
            time.sleep(0.2)
        address = address_file.read_text(encoding="utf-8")
        env = {"CASEBOOK_DASK_SCHEDULER": address,
               "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT / "tests"),
                                                           os.environ.get("PYTHONPATH"))))}
        dask = ["--executor", "dask_executor:executor", "-j", str(WORKERS)]
        many = measure(f"{len(books)} books through a {WORKERS}-worker Dask cluster",
                       [sys.executable, "build.py", "all", "-q", "--books",
                        str(books[0].parent / "books.yaml"), *dask], env=env,
                       also=[cluster.pid])
        _clean(books[:1])
        alone = measure("one book alone on the cluster",
                        [sys.executable, "build.py", "all", "-q", "--book", str(books[0]),
                         *dask], env=env, also=[cluster.pid])
    finally:
        cluster.stdin.close()
        cluster.wait(timeout=120)
    seconds = [t["seconds"] for t in json.loads(tasks.read_text())]
    return [many, alone], {"tasks": len(seconds), "task_s": sum(seconds),
                           "worker_s": many.also_cpu, "build_cpu_s": many.own_cpu,
                           "chain_s": alone.wall}


def estimate_lines(serial, results: list, figures: dict) -> list[str]:
    """The row's verdict and the estimate on N workers, said under the table."""
    many, alone = results
    ratio = many.wall / serial.wall
    lines = ["", f"{many.name}: {many.wall:.1f} s through the cluster "
                 f"against {serial.wall:.1f} s one at a time = {ratio:.2f} × (target ≤ 0.9 ×). "
                 f"The workers ran {figures['tasks']} tasks, {figures['task_s']:.1f} s by the "
                 f"scheduler's task stream (wall time on the workers); the cluster's "
                 f"processes used {figures['worker_s']:.1f} s of CPU; the build process used {figures['build_cpu_s']:.1f} s of CPU itself; "
                 f"one book alone on the cluster took {alone.wall:.1f} s.",
             "", "| workers N | cluster CPU ÷ N s | build process s | one book s | "
                 "estimate s |", "|---:|---:|---:|---:|---:|"]
    for n in ESTIMATE_FOR:
        share = figures["worker_s"] / n
        est = max(share, figures["build_cpu_s"], figures["chain_s"])
        lines.append(f"| {n} | {share:.1f} | {figures['build_cpu_s']:.1f} | "
                     f"{figures['chain_s']:.1f} | {est:.1f} |")
    return lines
