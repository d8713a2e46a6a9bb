"""`new` and `import`: name new case files, write them from a template and list them in book.yaml.

File names follow the book's own convention, ``<NNN>-<pinyin>.md``: ``NNN`` continues the
highest number prefix in book.yaml (three digits, or more if the book already uses more), and
the rest is the title in toneless pinyin, one syllable per word joined by ``-``, ASCII only,
cut at a syllable to at most ``SLUG_MAX`` characters (外资银行金融机构 →
``111-wai-zi-yin-hang-jin-rong-ji-gou``). The file goes into the folder of the part's last
case (``source/cases/<NN>/`` for a part without cases).

book.yaml is never regenerated: ruamel.yaml's round-trip loader finds the part's case list
and the line of its last entry, one line per new case is inserted after that entry with the
same indentation, and the result is parsed again to prove it lists exactly the old cases plus
the new ones. Every other byte of the file (comments, quoting, flow style, blank lines) is kept.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from casebook.errors import SourceError
from casebook.fsio import rewrite_file
from casebook.render.templates import TEMPLATES_DIR

log = logging.getLogger(__name__)
BOOK_FILE = "book.yaml"
CASE_TEMPLATE = "source/case.md.j2"
SLUG_MAX = 40
_NUMBER = re.compile(r"^(\d+)-")
_WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class NewCase:
    """A case file to create: its path relative to the book, and its full text."""

    rel: str
    text: str


def slug(title: str, fallback: str = "case") -> str:
    """The ASCII part of a file name: toneless pinyin syllables and Latin words, joined by -."""
    from pypinyin import lazy_pinyin
    words: list[str] = []
    for chunk in lazy_pinyin(title):
        words += [w.lower() for w in _WORD.findall(chunk)]
    name = ""
    for word in words:
        candidate = f"{name}-{word}" if name else word
        if len(candidate) > SLUG_MAX:
            break
        name = candidate
    return name or fallback


def yaml_quote(text: str) -> str:
    """A YAML single-quoted scalar (the form the book's sources use for titles)."""
    return "'" + text.replace("'", "''") + "'"


def render_case(title: str, unit: str = "", pending: bool = False, body: str = "") -> str:
    """The text of a case file, from templates/source/case.md.j2."""
    for name, value in (("title", title), ("unit", unit)):
        if "\n" in value or "\r" in value:
            raise SourceError(f"the {name} must be one line: {value!r}")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    return env.get_template(CASE_TEMPLATE).render(
        title=yaml_quote(title), unit=yaml_quote(unit) if unit else "", pending=pending,
        body=body.strip("\n"))


class BookYaml:
    """book.yaml as text plus its round-trip parse, for inserting case entries."""

    def __init__(self, book_dir: Path):
        self.path = Path(book_dir) / BOOK_FILE
        if not self.path.is_file():
            raise SourceError(f"no {BOOK_FILE} here; use --book DIR", self.path)
        self.text = self.path.read_text(encoding="utf-8")
        self.data = self._parse(self.text)
        parts = self.data.get("parts") if isinstance(self.data, CommentedMap) else None
        if not isinstance(parts, CommentedSeq) or not parts:
            raise SourceError("book.yaml has no 'parts' list", self.path)
        self.parts = parts

    def _parse(self, text: str):
        try:
            return YAML(typ="rt").load(text)
        except MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            raise SourceError(f"book.yaml is not valid YAML: {exc.problem}", self.path,
                              line) from None

    def cases(self, number: int) -> CommentedSeq:
        """The case list of part ``number`` (1-based), or a clear error."""
        if not 1 <= number <= len(self.parts):
            raise SourceError(f"there is no part {number}: book.yaml has {len(self.parts)} "
                              f"part(s), numbered 1 to {len(self.parts)}", self.path)
        part = self.parts[number - 1]
        cases = part.get("cases") if isinstance(part, CommentedMap) else None
        if not isinstance(cases, CommentedSeq):
            line = self.parts.lc.item(number - 1)[0] + 1
            raise SourceError(f"part {number} has no 'cases' list", self.path, line)
        return cases

    def all_cases(self) -> list[str]:
        return [str(c) for p in self.parts if isinstance(p, CommentedMap)
                for c in (p.get("cases") or [])]

    def insert(self, number: int, entries: list[str]) -> str:
        """book.yaml's text with ``entries`` added at the end of part ``number``."""
        cases = self.cases(number)
        line, col = self._last_entry(number, cases)
        lines = self.text.splitlines(keepends=True)
        end = self._entry_end(lines, line, col)
        prefix = lines[line][:col]
        newline = "\r\n" if lines[line].endswith("\r\n") else "\n"
        if not lines[end - 1].endswith(("\n", "\r")):
            lines[end - 1] += newline
        added = [f"{prefix}{entry}{newline}" for entry in entries]
        text = "".join(lines[:end] + added + lines[end:])
        self._prove(text, number, [str(c) for c in cases] + entries)
        return text

    def _last_entry(self, number: int, cases: CommentedSeq) -> tuple[int, int]:
        if not cases:
            raise SourceError(f"part {number} lists no cases yet; add the first entry by "
                              "hand", self.path, self.parts.lc.item(number - 1)[0] + 1)
        if cases.fa.flow_style():
            raise SourceError(f"part {number} lists its cases in flow style ([…]); write "
                              "them one per line ('- path')", self.path, cases.lc.line + 1)
        return cases.lc.item(len(cases) - 1)

    @staticmethod
    def _entry_end(lines: list[str], line: int, col: int) -> int:
        """The index of the line after the entry starting at (line, col): continuations too."""
        dash = lines[line].rfind("-", 0, col)
        end = line + 1
        while end < len(lines):
            stripped = lines[end].strip()
            indent = len(lines[end]) - len(lines[end].lstrip(" "))
            if not stripped or stripped.startswith("#") or indent <= dash:
                break
            end += 1
        return end

    def _prove(self, text: str, number: int, expected: list[str]) -> None:
        data = self._parse(text)
        got = [str(c) for c in data["parts"][number - 1]["cases"]]
        if got != expected:
            raise SourceError(f"could not add the entries to part {number} safely (the list "
                              f"would read {got[-3:]}); add them by hand", self.path)

    def save(self, text: str) -> None:
        rewrite_file(self.path, text.encode("utf-8"))


def next_number(entries: list[str]) -> tuple[int, int]:
    """The number the next case file takes, and the digits to print it with."""
    numbers = [m.group(1) for e in entries if (m := _NUMBER.match(Path(e).name))]
    if not numbers:
        return len(entries) + 1, 3
    return max(int(n) for n in numbers) + 1, max(3, *(len(n) for n in numbers))


def plan_paths(book: BookYaml, part: int, titles: list[str]) -> list[str]:
    """The book-relative paths the new cases of part ``part`` get, in order."""
    cases = book.cases(part)
    folder = (Path(str(cases[-1])).parent.as_posix() if cases
              else f"source/cases/{part:02d}")
    number, width = next_number(book.all_cases())
    return [f"{folder}/{number + i:0{width}d}-{slug(t)}.md" for i, t in enumerate(titles)]


def add_cases(book_dir: Path, book: BookYaml, part: int, cases: list[NewCase]) -> list[Path]:
    """Write the case files (never over an existing one) and list them in book.yaml."""
    listed = set(book.all_cases())
    for case in cases:
        target = Path(book_dir) / case.rel
        if target.exists() or case.rel in listed:
            raise SourceError("refusing to overwrite an existing case file", target)
    text = book.insert(part, [c.rel for c in cases])
    written: list[Path] = []
    try:
        for case in cases:
            target = Path(book_dir) / case.rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(case.text)
            written.append(target)
        book.save(text)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def create(book_dir: Path, title: str, part: int, unit: str = "") -> Path:
    """`new`: a pending case file for ``title`` at the end of part ``part``."""
    title = title.strip()
    if not title:
        raise SourceError("the title is empty")
    book = BookYaml(book_dir)
    _warn_if_titled(book_dir, book.all_cases(), title)
    rel = plan_paths(book, part, [title])[0]
    path = add_cases(book_dir, book, part, [NewCase(rel, render_case(title, unit.strip(),
                                                                      pending=True))])[0]
    log.info("Created %s (status: pending) at the end of part %d in %s", rel, part, BOOK_FILE)
    return path


_TITLE = re.compile(r"^title:\s*(.*?)\s*$", re.M)


def _warn_if_titled(book_dir: Path, listed: list[str], title: str) -> None:
    """A second case with a title already in the book is most likely a slip: say so."""
    for rel in listed:
        try:
            head = (Path(book_dir) / rel).read_text(encoding="utf-8")[:2000]
        except (OSError, UnicodeDecodeError):
            continue
        found = _TITLE.search(head)
        if found and found.group(1).strip("'\"") == title:
            log.warning("%s already has a case titled %s: %s; adding another", BOOK_FILE,
                        title, rel)
            return
