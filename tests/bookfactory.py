"""Write small casebook book projects into a temporary directory, for tests.

Not a test module: import it from tests with ``from bookfactory import make_book, md``
(pytest puts ``tests/`` on ``sys.path`` because the test modules there are rootless).

    make_book(tmp_path, cases=None, *, front=None, back=None, yaml_extra="",
              book_yaml=None, slug="test-book", files=None) -> Path

    Writes a book project into ``tmp_path / "book"`` and returns that directory
    (resolved, so it compares equal to the paths casebook reports).

    cases, front, back
        Mappings of a path relative to the book directory to the file's content.
        A ``str`` is written as UTF-8 exactly as given (no newline translation);
        ``bytes`` are written as they are (for BOM, CRLF, GBK, binary tests).
        Insertion order is the reading order. ``cases`` defaults to one case,
        ``source/cases/01/001-a.md``.
    book_yaml
        None: generate book.yaml (see below). A ``str`` or ``bytes``: write it
        verbatim as book.yaml instead; the files in cases/front/back/files are
        still written, but only what ``book_yaml`` lists is part of the book.
    yaml_extra
        Text appended to the generated book.yaml (ignored when ``book_yaml`` is
        given), e.g. ``"print: {trim: 185mm}\\n"``. Repeating a generated key is
        a YAML duplicate-key error.
    slug
        The ``slug:`` of the generated book.yaml.
    files
        Extra files (same form as ``cases``) written but not listed in book.yaml.

    The generated book.yaml is, line by line::

        1  slug: test-book
        2  title: 测试之书
        3  lang: zh-CN
        4  front:                         (only when front is given)
        5    - "source/front/preface.md"  (one line per front file)
           parts:
             - title: "第1部分"           (one part per parent folder of the cases,
               cases:                      numbered in order of first appearance)
                 - "source/cases/01/001-a.md"
           back:                          (only when back is given)
             - "source/back/afterword.md"
           <yaml_extra>

    Use ``yaml_line(book_dir, needle)`` to find the line of an entry rather than
    counting by hand.

    md(title="甲", body="正文。\\n", **meta) -> str
        The text of a Markdown source: ``---``, ``title: …``, one ``key: value``
        line per extra meta entry (values written as given), ``---``, a blank
        line, then the body. ``title=None`` leaves the title out. With a title
        alone the body starts at line ``BODY_LINE`` (5).

One-case books, built in this process, and copies of the sample book:

    case_book(tmp_path, title, body, **make_book_options) -> Path
        ``make_book`` with the one case ``CASE``, of ``md(title, body)``.
    build_case(tmp_path, title, body, *, yaml_extra="", **options) -> dict
        ``case_book``, built by ``build_book``.
    build_book(book_dir, **options) -> dict
        ``build()`` of the book into the ``out`` folder beside it, in this process
        (``workers=0``); ``options`` are more ``Options`` fields. The paths it wrote.
    long_case_book(tmp_path, count, at, text, filler=...) -> (Path, int)
        A one-case book whose body is ``count`` paragraphs of ``filler`` (``{i}``:
        the paragraph's number), paragraph ``at`` replaced by ``text``; the book
        and the line of ``CASE`` that paragraph stands at.
    sample_copy(where, slug=None, *, cache=True) -> Path
        A copy of tests/data/sample at ``where``; with ``slug``, its book.yaml's slug
        is ``slug`` (else it stays ``sample``). ``cache=False`` leaves out the
        ``.casebook-cache`` a build of tests/data/sample in place may have left there.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import DATA

from casebook.build.pipeline import CACHE_DIR, Options, build

CASE = "source/cases/01/001-a.md"  # the one case of a book made with the default cases
DEFAULT_CASES = {CASE: "---\ntitle: 甲\n---\n\n正文。\n"}
BODY_LINE = 5  # md(title, body): ---, title, ---, a blank line, then the body


def md(title: str | None = "甲", body: str = "正文。\n", **meta) -> str:
    """The text of a Markdown source with front matter (see the module docstring)."""
    lines = ["---"]
    if title is not None:
        lines.append(f"title: {title}")
    lines += [f"{key}: {value}" for key, value in meta.items()]
    lines += ["---", "", ""]
    return "\n".join(lines) + body


def _write(root: Path, files: dict) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # JSON strings are valid YAML scalars


def generated_yaml(cases: dict, front: dict | None = None, back: dict | None = None,
                   slug: str = "test-book") -> str:
    """The book.yaml ``make_book`` writes for these files (without ``yaml_extra``)."""
    lines = [f"slug: {slug}", "title: 测试之书", "lang: zh-CN"]
    if front:
        lines.append("front:")
        lines += [f"  - {_quote(rel)}" for rel in front]
    groups: dict[str, list[str]] = {}
    for rel in cases:
        groups.setdefault(Path(rel).parent.as_posix(), []).append(rel)
    lines.append("parts:" if groups else "parts: []")
    for number, members in enumerate(groups.values(), start=1):
        lines.append(f"  - title: {_quote(f'第{number}部分')}")
        lines.append("    cases:")
        lines += [f"      - {_quote(rel)}" for rel in members]
    if back:
        lines.append("back:")
        lines += [f"  - {_quote(rel)}" for rel in back]
    return "\n".join(lines) + "\n"


def make_book(tmp_path: Path, cases: dict | None = None, *, front: dict | None = None,
              back: dict | None = None, yaml_extra: str = "",
              book_yaml: str | bytes | None = None, slug: str = "test-book",
              files: dict | None = None) -> Path:
    """Write a book project into ``tmp_path / "book"`` and return it (see module docstring)."""
    root = (Path(tmp_path) / "book").resolve()
    root.mkdir(parents=True, exist_ok=True)
    cases = DEFAULT_CASES if cases is None else cases
    for group in (cases, front or {}, back or {}, files or {}):
        _write(root, group)
    if book_yaml is None:
        book_yaml = generated_yaml(cases, front, back, slug) + yaml_extra
    _write(root, {"book.yaml": book_yaml})
    return root


def yaml_line(book_dir: Path, needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` line of book.yaml containing ``needle``."""
    found = 0
    text = (Path(book_dir) / "book.yaml").read_text(encoding="utf-8-sig")
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            found += 1
            if found == nth:
                return number
    raise AssertionError(f"{needle!r} occurs {found} time(s) in book.yaml, not {nth}")


def build_book(book_dir: Path, **options) -> dict[str, Path]:
    """The paths ``build()`` writes for the book into ``out`` beside it, in this process."""
    options.setdefault("workers", 0)
    return build(Options(book_dir=book_dir, out_dir=Path(book_dir).parent / "out", **options))


def case_book(tmp_path: Path, title: str | None, body: str, **make_book_options) -> Path:
    """A book of the one case ``CASE``, ``md(title, body)``, written into ``tmp_path``."""
    return make_book(tmp_path, {CASE: md(title, body)}, **make_book_options)


def build_case(tmp_path: Path, title: str | None, body: str, *, yaml_extra: str = "",
               **options) -> dict[str, Path]:
    """A one-case book of ``md(title, body)`` written into ``tmp_path`` and built there."""
    return build_book(case_book(tmp_path, title, body, yaml_extra=yaml_extra), **options)


def long_case_book(tmp_path: Path, count: int, at: int, text: str,
                   filler: str = "合成正文第{i}行。") -> tuple[Path, int]:
    """A one-case book of ``count`` paragraphs, ``text`` the one at ``at``; and its line."""
    paragraphs = [filler.format(i=i) for i in range(count)]
    paragraphs[at] = text
    root = case_book(tmp_path, "甲", "\n\n".join(paragraphs) + "\n")
    line = BODY_LINE + 2 * at
    written = (root / CASE).read_text(encoding="utf-8").splitlines()
    assert written[line - 1] == text, f"line {line} of {CASE} is not the paragraph at {at}"
    return root, line


def sample_copy(where: Path, slug: str | None = None, *, cache: bool = True) -> Path:
    """A copy of tests/data/sample at ``where``, its slug ``slug`` if given (module docstring)."""
    shutil.copytree(DATA / "sample", where,
                    ignore=None if cache else shutil.ignore_patterns(CACHE_DIR))
    if slug is None:
        return where
    yaml = where / "book.yaml"
    text = yaml.read_text(encoding="utf-8")
    yaml.write_text(text.replace("slug: sample", f"slug: {slug}", 1), encoding="utf-8")
    return where
