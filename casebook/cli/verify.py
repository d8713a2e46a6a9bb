"""`casebook verify`: the release gate, every validator and parity check in one table."""

from __future__ import annotations

import time
from pathlib import Path

from casebook.cli.options import book_options

NAME = "verify"
HELP = "check every edition and prove they agree (release gate)"


def add_arguments(p) -> None:
    book_options(p)
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="the editions to verify (default: DIR/dist); built if not fresh")
    p.add_argument("--json", type=Path, default=None, metavar="FILE",
                   help="also write the report as JSON")
    p.add_argument("--sample", type=int, default=None, metavar="N",
                   help="run vnu and axe on N pages spread over the site instead of all")
    p.add_argument("--skip", action="append", default=[], metavar="NAME",
                   help="leave out one check (shown as skipped); repeatable")
    p.add_argument("--reproducible", action="store_true",
                   help="also build twice with one SOURCE_DATE_EPOCH and compare every file")
    p.add_argument("--rebuild", action="store_true",
                   help="build even when the editions in --out are fresh")


def run(args) -> int:
    from casebook.check import verify
    started = time.monotonic()
    options = verify.VerifyOptions(
        book_dir=args.book, out_dir=args.out or args.book / "dist", draft=args.draft,
        sample=args.sample, skip=frozenset(args.skip), reproducible=args.reproducible,
        rebuild=args.rebuild, encoding=args.encoding)
    rows = verify.verify(options)
    print(verify.table(rows))
    if args.json:
        verify.write_json(rows, args.json)
    failed = [r for r in rows if r.failed]
    skipped = [r.check for r in rows if r.result == "skipped"]
    na = sum(r.result == "n/a" for r in rows)
    passed = len(rows) - len(failed) - len(skipped) - na
    listed = f" ({', '.join(skipped)})" if skipped else ""
    print(f"\n{passed} passed, {len(failed)} failed, {na} n/a, {len(skipped)} skipped{listed} "
          f"in {time.monotonic() - started:.1f} s")
    return 4 if failed else 0
