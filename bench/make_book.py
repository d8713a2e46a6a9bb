#!/usr/bin/env python3
"""Generate the benchmark corpus: the real book's shape and titles with synthetic, labelled text.

Each case is as long as its span in the print edition (about 650 characters a page), so the
book holds about 245,000 characters; `--scale 10` repeats every part ten times (1,100 cases).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # synthetic.py: test-only code, not in the wheel

import synthetic

CHARS_PER_PAGE = 650
LAST_PAGE = 354  # the afterword's page: the end of the last case


def real_layout() -> list[dict]:
    """Parts of the real book: each case's title and its print-page span."""
    book = yaml.safe_load((ROOT / "book.yaml").read_text(encoding="utf-8"))
    parts, pages = [], []
    for part in book["parts"]:
        cases = []
        for rel in part["cases"]:
            text = (ROOT / rel).read_text(encoding="utf-8")
            meta = yaml.safe_load(text.split("---")[1])
            cases.append({"title": meta["title"], "page": meta["print_page"]})
            pages.append(meta["print_page"])
        parts.append({"title": part["title"], "cases": cases})
    spans = dict(zip(pages, [b - a for a, b in zip(pages, pages[1:] + [LAST_PAGE])]))
    for part in parts:
        for case in part["cases"]:
            case["pages"] = max(1, spans[case["page"]])
    return parts


def make(out: Path, scale: int = 1, seed: int = 7) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    layout, number, total = [], 0, 0
    for copy in range(scale):
        for p, part in enumerate(real_layout(), start=1):
            cases = []
            for case in part["cases"]:
                number += 1
                chars = case["pages"] * CHARS_PER_PAGE
                image = synthetic.figure(out, number) if number % 15 == 0 else None
                body = synthetic.case_text(rng, number, chars, image)
                total += len(body)
                rel = f"source/cases/{p:02d}/{number:04d}-case.md"
                title = case["title"] + (f"（副本{copy + 1}）" if copy else "")
                synthetic.write_doc(out / rel, {"title": title, "unit": f"合成单位{number % 23}"},
                                    body)
                cases.append(rel)
            suffix = f"（副本{copy + 1}）" if copy else ""
            layout.append({"title": part["title"] + suffix, "cases": cases})
    synthetic.write_front_and_back(out, rng)
    book = synthetic.book_yaml("bench", layout)
    (out / "book.yaml").write_text(yaml.safe_dump(book, allow_unicode=True, sort_keys=False),
                                   encoding="utf-8")
    print(f"{out}: {number} cases, {total:,} characters of synthetic text", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="repeat the book N times")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "book")
    args = parser.parse_args()
    make(args.out, args.scale)


if __name__ == "__main__":
    main()
