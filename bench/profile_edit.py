#!/usr/bin/env python3
"""Profile one build of the bench book with cProfile: the build process and every pool job.

Usage: ``bench/profile_edit.py [--book DIR] [--scenario edit|force|clean] [--top N]``.
It makes the bench book (bench/make_book.py) unless ``--book`` names one, builds it once
so that the caches are warm, applies the scenario (``edit``: the bench's one-case edit,
as bench/run.py makes it, undone afterwards; ``force``: nothing changed, ``--force``;
``clean``: no cache) and builds again in this process, through an Executor that profiles
each job in its worker (``--executor profile_edit:executor``). It prints each job's wall
and CPU time, the build process's own, and the top entries of both profiles, and leaves
the raw profiles (``pstats`` files) in bench/out/profile/.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import logging
import multiprocessing
import os
import pstats
import random
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import make_book
from make_book import ROOT

OUT = ROOT / "bench" / "out" / "profile"
MARK = re.compile("合成测试..")  # 合成测试文本, which bench/run.py's scenario 3 edits
_jobs = itertools.count()


def _profiled(fn, *args):
    """Run one job under cProfile in its worker; dump the profile and its times."""
    profile = cProfile.Profile()
    before, start = os.times(), time.perf_counter()
    try:
        return profile.runcall(fn, *args)
    finally:
        wall = time.perf_counter() - start
        after = os.times()
        cpu = (after.user + after.system) - (before.user + before.system)
        children = ((after.children_user + after.children_system)
                    - (before.children_user + before.children_system))
        name = f"job-{os.getpid()}-{next(_jobs):03d}-{fn.__name__}"
        profile.dump_stats(OUT / f"{name}.prof")
        (OUT / f"{name}.times").write_text(f"{start:.4f} {wall:.4f} {cpu:.4f} {children:.4f}\n")


class _Pool(ProcessPoolExecutor):
    """The build's own kind of pool (forked workers), every job profiled."""

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(_profiled, fn, *args, **kwargs)


def executor(max_workers: int) -> ProcessPoolExecutor:
    return _Pool(max_workers=max_workers, mp_context=multiprocessing.get_context("fork"))


def _build(book: Path, *extra: str) -> float:
    from casebook.cli import main
    start = time.perf_counter()
    code = main(["--book", str(book), "--out", str(book / "dist"), "-q", *extra])
    if code:
        raise SystemExit(f"build failed ({code})")
    return time.perf_counter() - start


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _jobs_table() -> list[str]:
    rows = []
    for times in sorted(OUT.glob("job-*.times")):
        start, wall, cpu, children = map(float, times.read_text().split())
        rows.append((start, times.stem.split("-", 3)[3], wall, cpu, children))
    first = min((r[0] for r in rows), default=0.0)
    lines = ["| job | starts at s | wall s | CPU s | subprocess CPU s |", "|---|---:|---:|---:|---:|"]
    for start, name, wall, cpu, children in sorted(rows):
        lines.append(f"| {name} | {start - first:.2f} | {wall:.2f} | {cpu:.2f} | {children:.2f} |")
    total = sum(r[3] + r[4] for r in rows)
    lines.append(f"| all jobs | | | {total:.2f} | |")
    return lines


def _top(paths: list[Path], sort: str, top: int) -> str:
    if not paths:
        return "(none)"
    import io
    out = io.StringIO()
    stats = pstats.Stats(*map(str, paths), stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(top)
    return out.getvalue().split("   ncalls", 1)[-1].join(["   ncalls", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, help="a bench book already made (and built)")
    parser.add_argument("--scenario", choices=("edit", "force", "clean"), default="edit")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    book = args.book or make_book.make(ROOT / "bench" / "out" / "book")
    logging.disable(logging.WARNING)
    if not (book / "dist").is_dir():
        _build(book)
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    case = sorted((book / "source" / "cases").rglob("*.md"))[40]
    extra = {"edit": (), "force": ("--force",), "clean": ("--no-cache", "--force")}
    old = new = MARK.search(case.read_text(encoding="utf-8")).group(0)
    if args.scenario == "edit":  # two of the case's own characters, new on every run, so
        own = sorted({c for c in case.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fff"})
        new = "合成测试" + "".join(random.Random(time.time_ns()).sample(own, 2))
        _edit(case, old, new)  # that its chunk is not in the cache, with no new glyph
    profile = cProfile.Profile()
    try:
        cpu0 = time.process_time()
        wall = profile.runcall(_build, book, *extra[args.scenario],
                               "--executor", "profile_edit:executor")
        cpu = time.process_time() - cpu0
    finally:
        if args.scenario == "edit":
            _edit(case, new, old)
    profile.dump_stats(OUT / "build.prof")
    print(f"Scenario {args.scenario}: {wall:.2f} s wall; the build process used {cpu:.2f} s "
          f"of CPU (all its threads)\n")
    print("\n".join(_jobs_table()))
    jobs = sorted(OUT.glob("job-*.prof"))
    print(f"\nThe build process, main thread, by cumulative time (top {args.top}):\n")
    print(_top([OUT / "build.prof"], "cumulative", args.top))
    print(f"\nThe build process, by own time (top {args.top}):\n")
    print(_top([OUT / "build.prof"], "tottime", args.top))
    print(f"\nAll pool jobs, by cumulative time (top {args.top}):\n")
    print(_top(jobs, "cumulative", args.top))
    print(f"\nAll pool jobs, by own time (top {args.top}):\n")
    print(_top(jobs, "tottime", args.top))
    sys.stdout.flush()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # profile_edit:executor
    main()
