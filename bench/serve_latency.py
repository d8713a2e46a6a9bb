#!/usr/bin/env python3
"""The preview's latency: from a saved edit (the file's mtime) to the new text in Chromium.

Usage: ``bench/serve_latency.py [--book DIR] [--edits N] [--no-pdf]``. It makes the bench
book (bench/make_book.py) unless ``--book`` names one, starts ``build.py serve --pdf`` on a
free port, opens the edited case's page and the PDF page (``/__casebook/pdf/``) in Chromium
(Playwright, Debian's /usr/bin/chromium) and edits case 41 N times, each edit two of its own
characters, new each time (so no cache holds them). For each edit it records when the HTML
page, reloaded, was first painted with the new text, and when the PDF page had loaded the
image of a changed page whose text (its alternative text) holds it; both are read from the
browser's own clock (Date.now, Resource Timing), against the file's mtime.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import make_book
from make_book import ROOT

OUT = ROOT / "bench" / "out"
MARK = re.compile("合成测试..")  # 合成测试文本, which bench/run.py edits in case 41
PAINTED = """
window.__painted = null;
document.addEventListener("DOMContentLoaded", () => requestAnimationFrame(() => {
  window.__painted = Date.now();
}));
"""
PDF_SHOWN = """token => {
  const image = [...document.images].find(i => i.alt.includes(token) && i.complete
                                                 && i.naturalWidth > 0);
  if (!image) return null;
  const entry = performance.getEntriesByName(image.src).pop();
  return entry ? performance.timeOrigin + entry.responseEnd : Date.now();
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, ready, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if ready(response.read()):
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the preview did not answer {url} in {seconds:.0f} s")


def _until_painted(page, text: str, seconds: float = 60) -> None:
    """Wait for the reloaded page painted with ``text`` (a reload may interrupt a poll)."""
    from playwright.sync_api import Error
    deadline = time.monotonic() + seconds
    while True:
        try:
            page.wait_for_function("t => window.__painted && document.querySelector('main')"
                                   ".textContent.includes(t)", arg=text, polling=20,
                                   timeout=max(1, deadline - time.monotonic()) * 1000)
            return
        except Error as exc:
            if time.monotonic() > deadline or "Timeout" in str(exc):
                raise


def _edit(case: Path, old: str, new: str) -> float:
    """Replace ``old`` by ``new`` in ``case``; return the saved file's mtime (seconds)."""
    text = case.read_text(encoding="utf-8")
    assert old in text, (case, old)
    case.write_text(text.replace(old, new, 1), encoding="utf-8")
    return os.stat(case).st_mtime_ns / 1e9


def _new_text(case: Path, rng: random.Random) -> str:
    """The mark with two of the case's own characters: no new glyph, never cached."""
    own = sorted({c for c in case.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fff"})
    return "合成测试" + "".join(rng.sample(own, 2))


def measure(book: Path, edits: int, pdf: bool) -> list[tuple[float, float | None]]:
    from playwright.sync_api import sync_playwright

    from casebook.check import html as check_html
    case = sorted((book / "source" / "cases").rglob("*.md"))[40]
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log = (OUT / "serve-latency.log").open("w", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "build.py", "serve", "--book", str(book),
                               "--port", str(port), *(["--pdf"] * pdf)],
                              cwd=ROOT, stdout=log, stderr=log)
    original = current = MARK.search(case.read_text(encoding="utf-8")).group(0)
    results, rng = [], random.Random(time.time_ns())
    try:
        page_url = f"{base}cases/{case.stem}.html"
        _wait(page_url, lambda body: True)
        if pdf:
            _wait(base + "__casebook/pdf/changes.json", lambda body: b'"screen": ""' not in body)
        with sync_playwright() as p:
            browser = check_html.launch_chromium(p)
            html_page = browser.new_page()
            html_page.add_init_script(PAINTED)
            html_page.goto(page_url)
            pdf_page = browser.new_page()
            if pdf:
                pdf_page.goto(base + "__casebook/pdf/")
            for _ in range(edits):
                time.sleep(2)  # the preview idle again
                new = _new_text(case, rng)
                saved = _edit(case, current, new)
                current = new
                _until_painted(html_page, new)
                html_s = html_page.evaluate("window.__painted") / 1000 - saved
                pdf_s = None
                if pdf:
                    shown = pdf_page.wait_for_function(PDF_SHOWN, arg=new, timeout=120000,
                                                       polling=20)
                    pdf_s = shown.json_value() / 1000 - saved
                results.append((html_s, pdf_s))
                print(f"edit {len(results)}: HTML {html_s:.2f} s"
                      + (f", PDF {pdf_s:.2f} s" if pdf_s is not None else ""), file=sys.stderr)
            browser.close()
    finally:
        if current != original:
            _edit(case, current, original)
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return results


def _rebuilt(log: Path) -> str:
    text = log.read_text(encoding="utf-8")
    html = re.findall(r"Preview rebuilt in ([\d.]+) s", text)[1:]
    pdf = re.findall(r"Preview PDF rebuilt in ([\d.]+) s", text)[1:]
    return (f"The preview's own build times after each edit: HTML {', '.join(html)} s; "
            f"PDF {', '.join(pdf) or '-'} s (log: {log})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, help="a bench book to copy (default: make one)")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--no-pdf", action="store_true", help="serve without --pdf")
    args = parser.parse_args()
    book = OUT / "serve-book"
    if args.book:
        shutil.rmtree(book, ignore_errors=True)
        shutil.copytree(args.book, book, ignore=shutil.ignore_patterns(
            "dist", ".casebook-preview"))
    else:
        make_book.make(book)
    results = measure(book, args.edits, not args.no_pdf)
    html = [r[0] for r in results]
    print("| what | median s | min s | max s |\n|---|---:|---:|---:|")
    print(f"| save → HTML page painted with the edit | {statistics.median(html):.2f} | "
          f"{min(html):.2f} | {max(html):.2f} |")
    if not args.no_pdf:
        pdf = [r[1] for r in results]
        print(f"| save → PDF page image with the edit loaded | {statistics.median(pdf):.2f} | "
              f"{min(pdf):.2f} | {max(pdf):.2f} |")
    print(f"\n{len(results)} edits. " + _rebuilt(OUT / "serve-latency.log"))


if __name__ == "__main__":
    main()
