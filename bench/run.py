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
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(stat[1]), []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        entry = Path("/proc") / str(p)
        try:
            total += _memory_kb(entry, (entry / "status").read_text())
        except OSError:
            pass
        todo += children.get(p, [])
    return total


def measure(name: str, cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> Result:
    """Run a command; sample the peak memory of its whole process tree every 100 ms."""
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]

    def sample():
        while proc.poll() is None:
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
    return Result(name, wall, cpu, peak[0] / 1024)


def build(book: Path, *extra: str) -> list[str]:
    return [PY, "build.py", "--book", str(book), "--out", str(book / "dist"), "-q", *extra]


def floors(book: Path) -> list[Result]:
    """pandoc's own EPUB, and WeasyPrint on pandoc's standalone HTML, of the same text."""
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
    return [epub, pdf]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def scenarios(book: Path, big: Path | None) -> list[Result]:
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
    if big:
        results.append(measure("6 10x book clean build", build(big)))
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


def bound_lines(layout: dict, epub: dict, pdf_floor: float) -> list[str]:
    """The bounds, said under the table."""
    cores = os.cpu_count() or 1
    least = layout["cpu_s"] / cores
    return ["", f"Bounds: laying out and painting the {layout['chunks']} chunks "
                f"({layout['pages']} pages) once, in one warmed-up process, took "
                f"{layout['cpu_s']:.2f} s of CPU, so on {cores} cores no clean build that lays "
                f"them out with WeasyPrint can take less than {least:.2f} s "
                f"({least / pdf_floor:.2f} × the PDF floor) before anything else it does. The EPUB's documents' text alone (no head, cover, nav "
                f"or package; block ids removed; deflate level 9) is {epub['per_part_kb']:.0f} "
                f"KB as one document per part ({epub['parts']} documents, the largest "
                f"{epub['largest_part_kb']:.0f} KB uncompressed) and "
                f"{epub['one_document_kb']:.0f} KB as one document."]


def table(results: list[Result], floor: list[Result], size: dict[str, float]) -> str:
    pdf_floor = floor[1].wall
    lines = [f"Machine: {platform.node()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
             "", "| scenario | wall s | CPU s | peak memory MB (PSS) | wall / PDF floor |",
             "|---|---:|---:|---:|---:|"]
    for r in floor + results:
        lines.append(f"| {r.name} | {r.wall:.2f} | {r.cpu:.2f} | {r.rss_mb:.0f} | "
                     f"{r.wall / pdf_floor:.2f} |")
    lines += ["", f"EPUB {size['epub_kb']:.0f} KB (pandoc's EPUB of the same text: "
                  f"{size['floor_epub_kb']:.0f} KB); print PDF {size['pdf_mb']:.2f} MB"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-scale", action="store_true", help="skip the 10x scenario")
    args = parser.parse_args()
    # casebook's modules compiled, as `make book` leaves them: with PYTHONDONTWRITEBYTECODE
    # set, an editable install would otherwise compile them again in every build
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "casebook")], check=True)
    book = make_book.make(OUT / "book")
    big = None if args.no_scale else make_book.make(OUT / "book10", scale=10)
    floor = floors(book)
    layout = bounds("layout", book)
    results = scenarios(book, big)
    epub = bounds("epub", next((book / "dist").glob("*.epub")))
    print(table(results, floor, sizes(book)))
    print("\n".join(bound_lines(layout, epub, floor[1].wall)))


if __name__ == "__main__":
    main()
