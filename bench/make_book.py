#!/usr/bin/env python3
"""Generate the benchmark corpus: the real book's shape and titles with synthetic, labelled text.

Each case is as long as its span in the print edition (about 650 characters a page), so the
book holds about 245,000 characters; `--scale 10` repeats every part ten times (1,100 cases).
The generator is tests/synthetic.py; this script is where bench/ finds the project: the
other bench scripts import ROOT from here, which also puts the project and tests/ on sys.path.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import synthetic  # noqa: E402  (tests/synthetic.py)


def make(out: Path, scale: int = 1, seed: int = 7) -> Path:
    """Write the bench book into ``out`` (emptied first) and return it."""
    number, total = synthetic.real_shaped_book(out, ROOT, scale, seed)
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
