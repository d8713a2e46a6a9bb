#!/usr/bin/env python3
"""Benchmark casebook against the raw engines: wall, CPU and peak RSS of every scenario."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import make_book  # noqa: E402  (bench/make_book.py: the project root, on sys.path)
from make_book import ROOT  # noqa: E402

OUT = ROOT / "bench" / "out"
PY = sys.executable


@dataclass
class Result:
    name: str
    wall: float
    cpu: float
    rss_mb: float
    own_cpu: float = 0.0  # the measured process's own CPU, without its children's
    also_cpu: float = 0.0  # the CPU of the processes of ``also`` (a cluster) meanwhile


def _cpu_s(pid: int, children: bool = False) -> float:
    """A live process's own CPU seconds (user + system), with those of its children it has
    waited for if ``children``; 0 once it is gone."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(x) for x in stat[11:15 if children else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def _cluster_cpu(pids: list[int]) -> float:
    return sum(_cpu_s(p, children=True) for p in pids)


def _tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(stat[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def _memory_kb(entry: Path, status: str) -> int:
    """A process's proportional set size (shared pages split between their users), in kB.

    Forked workers share most of their pages with the build; summing their RSS would count
    those pages once per process. PSS counts each page once in all. RSS when PSS is unknown.
    """
    try:
        rollup = (entry / "smaps_rollup").read_text()
        return int(next(x for x in rollup.splitlines() if x.startswith("Pss:")).split()[1])
    except (OSError, StopIteration):
        line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
        return int(line.split()[1])


def _tree_rss(pid: int) -> int:
    """Memory of a process and all its descendants (PSS, see _memory_kb), in kB.

    Only the tree's own processes are read for memory: reading ``smaps_rollup`` takes each
    process's memory-map lock, which slows down the build being measured.
    """
    total = 0
    for p in _tree(pid):
        entry = Path("/proc") / str(p)
        try:
            total += _memory_kb(entry, (entry / "status").read_text())
        except OSError:
            pass
    return total


def measure(name: str, cmd: list[str], env: dict | None = None, cwd: Path = ROOT,
            also: list[int] = ()) -> Result:
    """Run a command; sample the peak memory of its whole process tree every 100 ms. The
    trees of ``also`` (a cluster it sends work to) count in its CPU, and in its memory by
    each process's own peak (VmHWM, read once at the end: sampling a cluster's processes
    every 100 ms slowed the builds it measured), an upper bound of their peak together."""
    others = [p for root in also for p in _tree(root)]
    others_before = _cluster_cpu(others)
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, own = [0], [0.0]

    def sample():
        while proc.poll() is None:
            own[0] = max(own[0], _cpu_s(proc.pid))
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.1)
    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = proc.communicate()
    sampler.join()
    wall = time.perf_counter() - start
    after = os.times()
    if proc.returncode:
        sys.exit(f"{name} failed:\n{err.decode()}")
    cpu = (after.children_user - before.children_user) + (after.children_system -
                                                           before.children_system)
    cluster = _cluster_cpu(others) - others_before  # a cluster's processes live on
    peak[0] += sum(_peak_kb(p) for root in also for p in _tree(root))
    return Result(name, wall, cpu + cluster, peak[0] / 1024, own[0], cluster)


def _peak_kb(pid: int) -> int:
    """A live process's peak resident memory so far (VmHWM), in kB; 0 once it is gone."""
    try:
        status = (Path("/proc") / str(pid) / "status").read_text()
    except OSError:
        return 0
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1])


def build(book: Path, *extra: str) -> list[str]:
    return [PY, "build.py", "--book", str(book), "--out", str(book / "dist"), "-q", *extra]


def floors(book: Path) -> list[Result]:
    """pandoc's own EPUB, WeasyPrint on pandoc's standalone HTML of the same text, and the
    book's own HTML and CSS laid out as one WeasyPrint document in one process (whole.py)."""
    work = OUT / "floor"
    work.mkdir(parents=True, exist_ok=True)
    images = str(book / "source" / "images") + "/"
    text = [p.read_text(encoding="utf-8").split("---", 2)[2].replace("../../../source/images/",
                                                                       images)
            for p in sorted((book / "source" / "cases").rglob("*.md"))]
    (work / "all.md").write_text("\n\n".join(text), encoding="utf-8")
    pandoc = [PY, "-c", "import pypandoc,subprocess,sys; "
              "sys.exit(subprocess.call([pypandoc.get_pandoc_path()]+sys.argv[1:]))"]
    epub = measure("floor: pandoc EPUB", pandoc + ["all.md", "-o", "all.epub",
                                                   "--metadata", "title=合成测试书",
                                                   "--metadata", "lang=zh-Hans"], cwd=work)
    subprocess.run(pandoc + [str(work / "all.md"), "-s", "-o", str(work / "all.html"),
                             "--metadata", "title=合成测试书"], check=True, cwd=work)
    pdf = measure("floor: WeasyPrint PDF", [PY, "-m", "weasyprint", str(work / "all.html"),
                                            str(work / "all.pdf")])
    whole = ROOT / "bench" / "whole.py"
    subprocess.run([PY, str(whole), "prepare", str(book), str(work / "book.html")], check=True)
    ours = measure("floor: the book's HTML and CSS as one WeasyPrint document",
                   [PY, str(whole), "lay-out", str(book), str(work / "book.html"),
                    str(work / "book.pdf")])
    return [epub, pdf, ours]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def scenarios(book: Path) -> list[Result]:
    """Scenarios 1–5 on the bench book, in order: each starts from the one before."""
    clean = [PY, "-c", f"import shutil; [shutil.rmtree(p, ignore_errors=True) for p in "
                       f"({str(book / 'dist')!r}, {str(book / '.casebook-cache')!r})]"]
    subprocess.run(clean, check=True)
    results = [measure("1 clean build, 3 editions", build(book)),
               measure("2 no-op rebuild", build(book))]
    case = sorted((book / "source" / "cases").rglob("*.md"))[40]
    _edit(case, "合成测试文本", "合成测试正文")
    results.append(measure("3 one case edited (same pages)", build(book)))
    _edit(case, "\n## 三、", "\n" + "合成段落，使本案例增加一页。" * 50 + "\n\n## 三、")
    results.append(measure("4 one case grows a page", build(book)))
    _edit(book / "book.yaml", "subtitle: 合成文本，仅供测试", "subtitle: 合成文本，仅供测试（修订）")
    results.append(measure("5 book.yaml metadata edited", build(book)))
    return results


def sizes(book: Path) -> dict[str, float]:
    dist = book / "dist"
    pdf = next(p for p in dist.glob("*.pdf") if not p.stem.endswith(("-screen", "-cover")))
    return {"epub_kb": next(dist.glob("*.epub")).stat().st_size / 1024,
            "pdf_mb": pdf.stat().st_size / 2**20,
            "floor_epub_kb": (OUT / "floor" / "all.epub").stat().st_size / 1024}


def bounds(what: str, target: Path) -> dict:
    """A lower bound from bench/bounds.py (see its docstring)."""
    done = subprocess.run([PY, str(ROOT / "bench" / "bounds.py"), what, str(target)],
                          check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout)


def bound_lines(layout: dict, epub: dict, pdf_floor: float,
                edit: dict | None = None) -> list[str]:
    """The bounds, said under the table."""
    cores = os.cpu_count() or 1
    least = layout["cpu_s"] / cores
    said = (f"Bounds: laying out and painting the {layout['chunks']} chunks "
                f"({layout['pages']} pages) once, in one warmed-up process, took "
                f"{layout['cpu_s']:.2f} s of CPU, so on {cores} cores no clean build that lays "
                f"them out with WeasyPrint can take less than {least:.2f} s "
                f"({least / pdf_floor:.2f} × the PDF floor) before anything else it does.")
    if epub:
        said += (f" The EPUB's documents' text alone (no head, cover, nav or package; block "
                 f"ids removed; deflate level 9) is {epub['per_part_kb']:.0f} KB as one "
                 f"document per part ({epub['parts']} documents, the largest "
                 f"{epub['largest_part_kb']:.0f} KB uncompressed) and "
                 f"{epub['one_document_kb']:.0f} KB as one document.")
    if edit:
        said += (f" A one-case edit from the command line, step by step in a new process: "
                 f"start, imports, reading and hashing the book {edit['start_read_s']:.2f} s; "
                 f"then pandoc for the case {edit['pandoc_s']:.2f} s beside WeasyPrint's "
                 f"import and the stylesheets {edit['warm_s']:.2f} s; then the case alone "
                 f"laid out and painted ({edit['pages']} pages) {edit['layout_s']:.2f} s: "
                 f"no edit can end before {edit['least_s']:.2f} s, with nothing merged, "
                 f"finished or written yet.")
    return ["", said]


def _ratio(rows: dict[str, Result], name: str, of: str) -> float:
    serial = next((r for n, r in rows.items() if n.endswith(of)), None)
    return rows[name].wall / serial.wall if serial else float("inf")


SERIAL = " books, one at a time (local pool of 2)"  # after the number of books
TARGETS = {  # issue 22's targets, by scenario: what the table says, whether it is met
    # (given the row, the PDF floor's wall time and every row by name)
    "3 one case edited (same pages)": ("≤ 1.0 s", lambda r, f, rows: r.wall <= 1.0),
    "1 clean build, 3 editions": ("≤ 1.25 × PDF floor", lambda r, f, rows: r.wall <= 1.25 * f),
    "6 10x book clean build": ("peak ≤ 800 MB", lambda r, f, rows: r.rss_mb <= 800),
    " books through a 2-worker Dask cluster": (
        "≤ 0.9 × one at a time",
        lambda r, f, rows: _ratio(rows, r.name, SERIAL) <= 0.9),
}


@dataclass
class Row:
    """A scenario's median over the runs, and the range of its wall times."""

    median: Result
    low: float
    high: float


def rows(runs: list[list[Result]]) -> list[Row]:
    """Each scenario's median run (by wall time), in the order of the first run."""
    found: list[Row] = []
    for name in dict.fromkeys(r.name for run in runs for r in run):
        same = sorted((r for run in runs for r in run if r.name == name), key=lambda r: r.wall)
        found.append(Row(same[len(same) // 2], same[0].wall, same[-1].wall))
    return found


def table(found: list[Row], size: dict[str, float] | None) -> str:
    pdf_floor = next(r.median.wall for r in found if r.median.name == "floor: WeasyPrint PDF")
    lines = [f"Machine: {platform.node()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
             "", "| scenario | wall s | range s | CPU s | peak memory MB (PSS) | "
                 "wall / PDF floor | target | met |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    by_name = {row.median.name: row.median for row in found}
    for row in found:
        r = row.median
        target, met = next((t for name, t in TARGETS.items() if r.name.endswith(name)),
                           ("", None))
        verdict = "" if met is None else "**yes**" if met(r, pdf_floor, by_name) else "no"
        spread = f"{row.low:.2f}–{row.high:.2f}" if row.high > row.low else ""
        lines.append(f"| {r.name} | {r.wall:.2f} | {spread} | {r.cpu:.2f} | {r.rss_mb:.0f} | "
                     f"{r.wall / pdf_floor:.2f} | {target} | {verdict} |")
    if size:
        lines += ["", f"EPUB {size['epub_kb']:.0f} KB (pandoc's EPUB of the same text: "
                      f"{size['floor_epub_kb']:.0f} KB); print PDF {size['pdf_mb']:.2f} MB"]
    return "\n".join(lines)


SCENARIOS = ("book", "scale10", "books20", "bounds")  # floors are measured in every run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", choices=SCENARIOS, metavar="NAME",
                        help="run only these (again for more): book (scenarios 1-5), "
                             "scale10 (the 10x book), books20 (20 books, one at a time and "
                             "through a Dask cluster), bounds; the floors always run")
    parser.add_argument("--runs", type=int, default=3, metavar="N",
                        help="measure the floors and scenarios 1-5 N times (each on a fresh "
                             "bench book) and show the median and range (default: 3)")
    parser.add_argument("--no-scale", action="store_true", help="skip the 10x scenario")
    parser.add_argument("--copies", type=int, default=20, metavar="N",
                        help="books20 with N copies instead of 20 (a quick trial)")
    args = parser.parse_args()
    chosen = set(args.only or SCENARIOS) - ({"scale10"} if args.no_scale else set())
    # casebook's modules compiled, as `make book` leaves them: with PYTHONDONTWRITEBYTECODE
    # set, an editable install would otherwise compile them again in every build
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "casebook")], check=True)
    runs: list[list[Result]] = []
    for _ in range(max(1, args.runs)):
        book = make_book.make(OUT / "book")
        runs.append(floors(book) + (scenarios(book) if "book" in chosen else []))
    pdf_floor = next(r.wall for r in runs[0] if r.name == "floor: WeasyPrint PDF")
    under: list[str] = []
    if "scale10" in chosen:
        runs[0].append(measure("6 10x book clean build",
                               build(make_book.make(OUT / "book10", scale=10))))
    if "books20" in chosen:
        import books
        copies = books.copies(book, OUT / "books", args.copies)
        serial = books.one_at_a_time(measure, build, copies)
        together, figures = books.through_cluster(measure, copies, OUT)
        runs[0] += [serial, *together]
        under += books.estimate_lines(serial, together, figures)
    if "bounds" in chosen:
        layout = bounds("layout", book)
        epub = bounds("epub", next((book / "dist").glob("*.epub"))) if "book" in chosen else None
        under += bound_lines(layout, epub, pdf_floor, bounds("edit", book))
    print(table(rows(runs), sizes(book) if "book" in chosen else None))
    print("\n".join(under))


if __name__ == "__main__":
    main()
