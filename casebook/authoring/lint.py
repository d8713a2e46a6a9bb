"""The Chinese copy lint: run the rules over a book's Markdown, report findings, apply safe fixes.

Findings point into the source file as written (line 1 is the front matter's ``---``; columns
count characters from 1), so an editor can jump there. ``--fix`` applies only the fixes the rules
mark safe, rewriting each file atomically and keeping its BOM, line endings and encoding.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from casebook.authoring.lint_markdown import segments
from casebook.authoring.lint_rules import (
    GROUPING_CHOICES,
    RULES,
    SPACING_CHOICES,
    Settings,
)
from casebook.errors import Collector, SourceError
from casebook.fsio import rewrite_file
from casebook.source import comments, yamlines
from casebook.source import loader as source
from casebook.source.bodycheck import UNSIGNED, unsigned_commentaries
from casebook.source.frontmatter import split
from casebook.source.schema import Field, check_mapping
from casebook.source.textfile import read_text, split_front_matter

log = logging.getLogger(__name__)

LINT_FIELDS = (Field("cjk_latin_space", choices=SPACING_CHOICES),
               Field("digit_grouping", choices=GROUPING_CHOICES))
_BOM = "\ufeff"


@dataclass(frozen=True)
class Finding:
    """One problem: where it is, which rule, what is wrong, and the suggested replacement."""

    path: Path
    line: int
    col: int
    rule: str
    message: str
    start: int
    end: int
    old: str
    new: str | None = None
    safe: bool = False

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.rule}: {self.message}"
        if self.new is None:
            return text
        change = f"insert {self.new!r}" if not self.old else (
            f"delete {self.old!r}" if not self.new else f"{self.old!r} → {self.new!r}")
        note = "" if self.safe else "; check by hand, not applied by --fix"
        return f"{text} [fix: {change}{note}]"


@dataclass
class Report:
    """The findings that remain after linting (and fixing), and how many fixes were applied."""

    findings: list[Finding] = field(default_factory=list)
    fixed: int = 0
    files: int = 0
    fixed_files: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class _Source:
    text: str
    encoding: str
    bom: bool


def settings(book_dir: Path) -> Settings:
    """The ``lint:`` mapping of book.yaml (both keys optional), validated with its line."""
    path = Path(book_dir) / source.BOOK_FILE
    shown = _shown(path)
    if not path.is_file():
        raise SourceError(f"no {source.BOOK_FILE} here; pass --book DIR of a book project", shown)
    data = yamlines.load(read_text(path, shown), shown)
    lint = data.get("lint") if isinstance(data, dict) else None
    if lint is None:
        return Settings()
    errors = Collector()
    good = check_mapping(lint, LINT_FIELDS, shown, errors, "lint")
    errors.raise_if_any()
    return Settings(**good)


def lint_text(text: str, path: Path, options: Settings) -> list[Finding]:
    """Every finding in one Markdown source's text, in file order."""
    found = []
    for segment in segments(text):
        for rule, check in RULES.items():
            for hit in check(segment.text, options):
                start, end = segment.start + hit.start, segment.start + hit.end
                line, col = _position(text, start)
                found.append(Finding(path, line, col, rule, hit.message, start, end,
                                     text[start:end], hit.replacement, hit.safe))
    found += _comments(text, path) + _unsigned(text, path) + _foreign(text, path)
    found.sort(key=lambda f: (f.start, f.end, f.rule))
    return found


def _comments(text: str, path: Path) -> list[Finding]:
    """Editors' notes left in the text: no edition shows them, the lint lists them."""
    found = []
    for c in comments.find(text):
        line, col = _position(text, c.start)
        found.append(Finding(path, line, col, "comment", f"note left in the text: "
                             f"{c.note or '(empty)'}", c.start, c.end, c.text))
    return found


def _unsigned(text: str, path: Path) -> list[Finding]:
    """A commentary fence without ``by``: the 点评 has no signature (markup, not prose)."""
    rows, found = text.split("\n"), []
    for line in unsigned_commentaries(text):
        start = sum(len(row) + 1 for row in rows[:line - 1])
        found.append(Finding(path, line, 1, "commentary-signature", UNSIGNED, start, start, ""))
    return found


def _foreign(text: str, path: Path) -> list[Finding]:
    """Front matter keys casebook does not read (other tools'): the build ignores each one."""
    try:
        src = split_front_matter(text.replace("\r\n", "\n"), path)
        meta = yamlines.load(src.meta_text, path, src.meta_line) if src.meta_text else None
    except SourceError:
        return []  # the build reports it
    every = source.CASE_FIELDS + source.MATTER_FIELDS
    _, ignored, _ = split(meta, every, tuple(f.name for f in every))
    rows, found = text.split("\n"), []
    for key, line, _ in ignored:
        start = sum(len(row) + 1 for row in rows[:line - 1])
        found.append(Finding(path, line, 1, "front-matter-key", f"front matter key '{key}' is "
                             "not casebook's; the build ignores it", start, start, ""))
    return found


def apply_safe(text: str, findings: list[Finding]) -> tuple[str, int]:
    """The text with every safe fix applied (overlapping fixes: the first wins), and their count."""
    chosen: list[Finding] = []
    for f in sorted((f for f in findings if f.safe and f.new is not None),
                    key=lambda f: (f.start, f.end)):
        if not chosen or f.start >= chosen[-1].end and not (f.start == f.end == chosen[-1].end):
            chosen.append(f)
    for f in reversed(chosen):
        text = text[:f.start] + f.new + text[f.end:]
    return text, len(chosen)


def lint_file(path: Path, options: Settings, fix: bool = False,
              encoding: str | None = None) -> tuple[list[Finding], int]:
    """Lint one file; with ``fix``, apply the safe fixes, rewrite it atomically, lint it again."""
    src = _read(path, encoding)
    findings = lint_text(src.text, path, options)
    if not fix:
        return findings, 0
    fixed_total = 0
    text = src.text
    for _ in range(5):  # a fix can uncover another (，，, → ，， → ，)
        text, fixed = apply_safe(text, findings)
        if not fixed:
            break
        fixed_total += fixed
        findings = lint_text(text, path, options)
    if fixed_total:
        _rewrite(path, text, src)
    return findings, fixed_total


def lint_book(book_dir: Path, files: list[Path] | None = None, fix: bool = False,
              encoding: str | None = None) -> Report:
    """Lint every Markdown source of the book (or just ``files``) with the book's settings."""
    options = settings(book_dir)
    paths = files or [doc.source for doc in source.load(book_dir, encoding).documents()
                      if not getattr(doc, "generated", "")]  # indexes have no source file
    report = Report(files=len(paths))
    for path in paths:
        findings, fixed = lint_file(Path(path), options, fix, encoding)
        report.findings += findings
        report.fixed += fixed
        if fixed:
            report.fixed_files.append(Path(path))
    return report


def _position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _read(path: Path, encoding: str | None) -> _Source:
    """The file's text exactly as written (no NFC, no newline change), for true positions."""
    shown = _shown(path)
    if not path.is_file():
        raise SourceError("no such file", shown)
    read_text(path, shown, encoding)  # the same refusals as the build: binary, GBK, size
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
        used = "utf-8"
    except UnicodeDecodeError:
        text, used = data.decode(encoding), encoding
    bom = text.startswith(_BOM)
    return _Source(text[1:] if bom else text, used, bom)


def _rewrite(path: Path, text: str, src: _Source) -> None:
    """Write the fixed text back in the file's own encoding, with its BOM if it had one."""
    rewrite_file(path, ((_BOM if src.bom else "") + text).encode(src.encoding))
    log.debug("rewrote %s", path)


def _shown(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path

