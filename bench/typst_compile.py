#!/usr/bin/env python3
"""Compile a .typ file with the typst package and write where its marks landed (bench/.venv).

Usage: ``bench/.venv/bin/python bench/typst_compile.py IN.typ OUT.pdf MARKS.json``. Runs in
the bench's own environment (``make bench-env``), never casebook's: typst is no dependency of
casebook. MARKS.json holds ``{"typst": version, "marks": [{"id", "page", "y"}, ...]}``, ``y``
in points down from the page's top edge, for every ``<cbmark>`` metadata the document
placed; the version is the document's ``<cbversion>`` metadata (``sys.version``, the
compiler's own).
Any warning (an unknown font family above all) is an error: no silent fallback font.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typst

OPTIONS = {"root": "/", "font_paths": ["/usr/share/fonts"]}


def main(source: Path, pdf: Path, marks: Path) -> int:
    data, warnings = typst.compile_with_warnings(str(source), **OPTIONS)
    if warnings:
        for warning in warnings:
            print(f"{source}: typst warning: {warning.message}", file=sys.stderr)
        return 1
    pdf.write_bytes(data)
    found = json.loads(typst.query(str(source), "<cbmark>", field="value", **OPTIONS))
    version = json.loads(typst.query(str(source), "<cbversion>", field="value", one=True,
                                     **OPTIONS))
    marks.write_text(json.dumps({"typst": str(version), "package": typst.__version__,
                                 "marks": found}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.splitlines()[2])
    sys.exit(main(*map(Path, sys.argv[1:4])))
