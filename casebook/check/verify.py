"""`build.py verify`: run every validator and parity check on the built editions, in one table."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from casebook import findings
from casebook.build import fresh
from casebook.build.pipeline import Options, build
from casebook.check.registry import CHECKS, Context, Result
from casebook.errors import CasebookError, ErrorList, ToolError
from casebook.source import loader as source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Row:
    check: str
    edition: str
    result: str          # "pass", "FAIL", "n/a" (nothing to check) or "skipped"
    details: str

    @property
    def failed(self) -> bool:
        return self.result == "FAIL"


@dataclass(frozen=True)
class VerifyOptions:
    book_dir: Path = Path(".")
    out_dir: Path = Path("dist")
    draft: bool = False
    sample: int | None = None
    skip: frozenset = frozenset()
    reproducible: bool = False
    rebuild: bool = False
    encoding: str | None = None
    epoch: str = "1306886400"
    extra: dict = field(default_factory=dict)


# The tools each check runs (doctor.py's names): verify looks for them before it builds.
NEEDS = {"epubcheck": ("java", "epubcheck"), "ace": ("ace-cli", "chromium"),
         "vnu": ("java", "vnu.jar"), "axe": ("playwright", "axe-playwright", "chromium"),
         "preflight": ("qpdf",), "toc-parity": ("pdftotext",),
         "preface-parity": ("pdftotext",), "kinsoku": ("pdftotext",)}


def missing_tools(skip: frozenset = frozenset()) -> None:
    """Stop before building when a check that will run has no tool: one line per tool."""
    from casebook.check import doctor
    wanted = {tool for check, tools in NEEDS.items() if check not in skip for tool in tools}
    missing = [f for f in doctor.run(wanted) if not f.ok]
    if missing:
        raise ErrorList([ToolError(f"verify needs {f.tool}, which is missing: install it with "
                                   f"`{f.detail}`") for f in missing])


def verify(opts: VerifyOptions) -> list[Row]:
    """Build (or reuse fresh editions), then run every check; a missing tool stops it first."""
    missing_tools(opts.skip)
    book = source.load(opts.book_dir, opts.encoding).select(opts.draft)
    paths = _editions(opts, book)
    rows = [_warnings(opts, book)]
    with tempfile.TemporaryDirectory(prefix="casebook-verify-") as work:
        ctx = Context(book=book, paths=paths, sample=opts.sample, work=Path(work))
        rows += [_run(name, edition, fn, ctx, opts.skip) for name, edition, fn in CHECKS]
    if opts.reproducible:
        rows.append(_run("reproducible", "all", lambda _: reproducibility(opts), None,
                         opts.skip))
    return rows


def _warnings(opts: VerifyOptions, book) -> Row:
    """The content warnings of the build of these editions (fresh.py keeps them)."""
    if "warnings" in opts.skip:
        return Row("warnings", "all", "skipped", "skipped with --skip")
    found = (fresh.load(opts.out_dir) or {}).get("findings")
    if found is None:
        return Row("warnings", "all", "FAIL", "the build left no record of its warnings")
    problems = findings.unaccepted(found, book.meta.accept)
    accepted = sum(name in book.meta.accept for name, _ in found)
    if problems:
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        return Row("warnings", "all", "FAIL", f"{len(problems)} warning(s) about the book: "
                   + "; ".join(problems[:3]) + more)
    note = f"; {accepted} accepted in book.yaml ({', '.join(book.meta.accept)})" \
        if accepted else ""
    return Row("warnings", "all", "pass", f"the build gave no warning about the book{note}")


def _run(name: str, edition: str, fn: Callable, ctx, skip: frozenset) -> Row:
    if name in skip:
        return Row(name, edition, "skipped", "skipped with --skip")
    log.info("verify: %s (%s)", name, edition)
    try:
        result = fn(ctx)
    except ToolError as exc:  # missing, or it failed or ran out of time
        return Row(name, edition, "FAIL", f"tool missing or failed: {exc.message}")
    except ImportError as exc:  # a Python tool removed after the check before the build
        return Row(name, edition, "FAIL", f"tool missing: {exc}; run `make verify-deps`")
    except CasebookError as exc:
        return Row(name, edition, "FAIL", str(exc))
    return Row(name, edition, result.state, result.details)


def _editions(opts: VerifyOptions, book) -> dict[str, Path]:
    """The editions in --out, built first unless the last build there is fresh (fresh.py)."""
    slug = book.meta.slug
    paths = {"epub": opts.out_dir / f"{slug}.epub", "pdf": opts.out_dir / f"{slug}.pdf",
             "screen": opts.out_dir / f"{slug}-screen.pdf",
             "html": opts.out_dir / "html" / "index.html",
             "cover": opts.out_dir / f"{slug}-cover.pdf"}
    build(Options(book_dir=opts.book_dir, out_dir=opts.out_dir, draft=opts.draft,
                  force=opts.rebuild, encoding=opts.encoding))
    return paths


# -- reproducibility --------------------------------------------------------------------------
def _digests(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def first_difference(a: Path, b: Path) -> str | None:
    """The first file (or EPUB entry) that differs between two build folders, or None."""
    da, db = _digests(a), _digests(b)
    for name in sorted(set(da) | set(db)):
        if da.get(name) != db.get(name):
            if name.endswith(".epub") and name in da and name in db:
                return f"{name}: {_zip_difference(a / name, b / name)}"
            return f"{name} differs" if name in da and name in db else f"{name} only in one"
    return None


def _zip_difference(a: Path, b: Path) -> str:
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        ia, ib = za.infolist(), zb.infolist()
        for x, y in zip(ia, ib):
            if x.filename != y.filename:
                return f"entry order differs at {x.filename} / {y.filename}"
            if za.read(x) != zb.read(y):
                return f"entry {x.filename} differs"
            if x.date_time != y.date_time:
                return f"entry {x.filename} timestamp differs ({x.date_time} / {y.date_time})"
        return "entry lists differ" if len(ia) != len(ib) else "zip metadata differs"


@contextlib.contextmanager
def _epoch(value: str):
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = value
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def reproducibility(opts: VerifyOptions) -> Result:
    """Build twice, clean, with one SOURCE_DATE_EPOCH; every output must be byte-identical."""
    with tempfile.TemporaryDirectory(prefix="casebook-repro-") as tmp, _epoch(opts.epoch):
        outs = [Path(tmp) / "a", Path(tmp) / "b"]
        for out in outs:
            build(Options(book_dir=opts.book_dir, out_dir=out, draft=opts.draft, cache=False,
                          encoding=opts.encoding))
        diff = first_difference(*outs)
        count = len(_digests(outs[0]))
    details = diff or f"{count} files byte-identical (SOURCE_DATE_EPOCH={opts.epoch})"
    return Result.of(diff is None, details)


# -- report -----------------------------------------------------------------------------------
def table(rows: list[Row]) -> str:
    widths = [max(len(getattr(r, f)) for r in rows + [Row("check", "edition", "result", "")])
              for f in ("check", "edition", "result")]
    lines = [f"{'check':<{widths[0]}}  {'edition':<{widths[1]}}  {'result':<{widths[2]}}  details"]
    for r in rows:
        lines.append(f"{r.check:<{widths[0]}}  {r.edition:<{widths[1]}}  "
                     f"{r.result:<{widths[2]}}  {r.details}")
    return "\n".join(lines)


def write_json(rows: list[Row], path: Path) -> None:
    report = {"ok": not any(r.failed for r in rows), "checks": [asdict(r) for r in rows]}
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
