"""The command line: parse arguments, configure logging, call the library, print errors."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from . import commands
from .editions import NAMES as EDITIONS
from .errors import CasebookError

log = logging.getLogger("casebook")
BUILD_TARGETS = ("all", *EDITIONS)


def _common(p: argparse.ArgumentParser) -> None:
    level = p.add_mutually_exclusive_group()
    level.add_argument("-v", "--verbose", action="store_true", help="show debug messages")
    level.add_argument("-q", "--quiet", action="store_true", help="show only warnings and errors")


def book_options(p: argparse.ArgumentParser, *, encoding: bool = True,
                 draft: bool = True) -> None:
    """--book, and unless turned off --encoding and --draft (also for casebook.commands)."""
    p.add_argument("--book", type=Path, default=Path("."), metavar="DIR",
                   help="the book project: a directory holding book.yaml (default: .)")
    if encoding:
        p.add_argument("--encoding", metavar="NAME", default=None,
                       help="read sources that are not UTF-8 in this encoding (e.g. gb18030)")
    if draft:
        p.add_argument("--draft", action="store_true",
                       help="include 'status: pending' documents, marked 稿件待补")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py",
                                description="Build, check and verify the editions of a book.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for target in BUILD_TARGETS:
        b = sub.add_parser(target, help=f"build {'all editions' if target == 'all' else 'the ' + target.upper() + ' edition'}")
        _build_options(b)
    c = sub.add_parser("check", help="validate the whole book and list every problem")
    book_options(c)
    _common(c)
    v = sub.add_parser("verify", help="check every edition and prove they agree (release gate)")
    book_options(v)
    v.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="the editions to verify (default: DIR/dist); built if not fresh")
    v.add_argument("--json", type=Path, default=None, metavar="FILE",
                   help="also write the report as JSON")
    v.add_argument("--sample", type=int, default=None, metavar="N",
                   help="run vnu and axe on N pages spread over the site instead of all")
    v.add_argument("--skip", action="append", default=[], metavar="NAME",
                   help="leave out one check (shown as skipped); repeatable")
    v.add_argument("--reproducible", action="store_true",
                   help="also build twice with one SOURCE_DATE_EPOCH and compare every file")
    v.add_argument("--rebuild", action="store_true",
                   help="build even when the editions in --out are fresh")
    _common(v)
    d = sub.add_parser("doctor", help="check the toolchain and print versions")
    _common(d)
    f = sub.add_parser("fix-encoding", help="rewrite GB18030/GBK files as UTF-8 (keeps .orig)")
    f.add_argument("files", nargs="+", type=Path, metavar="FILE")
    f.add_argument("--from", dest="source_encoding", default="gb18030", metavar="NAME",
                   help="the files' current encoding (default: gb18030)")
    _common(f)
    for module in commands.load():
        extra = sub.add_parser(module.NAME, help=module.HELP)
        module.add_arguments(extra)
        _common(extra)
    return p


def _build_options(p: argparse.ArgumentParser) -> None:
    book_options(p)
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="where the editions go (default: DIR/dist)")
    p.add_argument("--no-cache", action="store_true",
                   help="render every document afresh instead of reusing the pandoc cache")
    p.add_argument("--embed-fonts", action="store_true",
                   help="embed subset CJK fonts in the EPUB (also book.yaml epub.embed_fonts)")
    p.add_argument("--force", action="store_true",
                   help="build even when nothing changed since the last build into --out")
    p.add_argument("-j", "--jobs", type=int, default=2, metavar="N",
                   help="worker processes for the PDF's chunks and the EPUB and HTML "
                        "editions (default: 2; 0: all in the main process)")
    p.add_argument("--executor", metavar="MODULE:FACTORY",
                   help="run those jobs on the concurrent.futures Executor that "
                        "FACTORY(max_workers=N) returns, e.g. a Dask or Ray cluster's")
    _common(p)


def setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    log.setLevel(level)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.levelno >= logging.ERROR:
            return f"error: {text}"
        if record.levelno >= logging.WARNING:
            return f"warning: {text}"
        return text


def _argv(argv: list[str] | None) -> list[str]:
    """`build.py` alone, or with options only, means `build.py all`."""
    args = list(sys.argv[1:] if argv is None else argv)
    names = {*BUILD_TARGETS, "check", "verify", "doctor", "fix-encoding", "-h", "--help",
             *(module.NAME for module in commands.load())}
    return args if args and args[0] in names else ["all", *args]


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(_argv(argv))
    setup_logging(args.verbose, args.quiet)
    handlers = {"check": _check, "verify": _verify, "doctor": _doctor, "fix-encoding": _fix}
    handlers.update({module.NAME: module.run for module in commands.load()})
    handler = handlers.get(args.command, _build)
    try:
        return handler(args)
    except CasebookError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; dist/ was left as it was", file=sys.stderr)
        return 130


def _build(args) -> int:
    from .build import Options, build
    editions = tuple(EDITIONS) if args.command == "all" else (args.command,)
    options = Options(book_dir=args.book, out_dir=args.out or args.book / "dist",
                      editions=editions, draft=args.draft, cache=not args.no_cache,
                      encoding=args.encoding, extra={"embed_fonts": args.embed_fonts},
                      force=args.force, workers=max(0, args.jobs),
                      executor=args.executor)
    started = time.monotonic()
    written = build(options)
    for name, path in written.items():
        log.info("%-4s %s", name, path)
    editions = [name for name in written if name in EDITIONS]  # the cover is not one
    log.info("%d edition(s) ready in %.1f s", len(editions), time.monotonic() - started)
    return 0


def _check(args) -> int:
    from .check.book import check_book
    problems = check_book(args.book, args.encoding, draft=True)
    for problem in problems:
        print(problem, file=sys.stderr)
    log.info("%d problem(s) found", len(problems))
    return max((p.exit_code for p in problems), default=0)


def _verify(args) -> int:
    from . import verify
    started = time.monotonic()
    options = verify.VerifyOptions(
        book_dir=args.book, out_dir=args.out or args.book / "dist", draft=args.draft,
        sample=args.sample, skip=frozenset(args.skip), reproducible=args.reproducible,
        rebuild=args.rebuild)
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


def _doctor(args) -> int:
    from . import doctor
    findings = doctor.run()
    width = max(len(f.tool) for f in findings)
    for f in findings:
        print(f"{'ok ' if f.ok else 'MISSING'}  {f.tool:<{width}}  {f.needed_for:<22}  "
              f"{f.detail}")
    return 0 if all(f.ok for f in findings) else 3


def _fix(args) -> int:
    from . import encoding
    changed = sum(encoding.fix(path, args.source_encoding) for path in args.files)
    log.info("%d file(s) converted to UTF-8", changed)
    return 0

