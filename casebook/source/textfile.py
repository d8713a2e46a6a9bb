"""Reading a Markdown source: encoding, size and binary checks, normalisation, front matter split."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from casebook.errors import SourceError

MAX_BYTES = 10 * 1024 * 1024
_FRONT_END = re.compile(r"^(---|\.\.\.)[ \t]*$", re.M)


@dataclass(frozen=True)
class SourceText:
    meta_text: str
    meta_line: int
    body: str
    body_line: int


def read_text(path: Path, shown: Path, encoding: str | None = None) -> str:
    """Read a UTF-8 text file, accepting a BOM and CRLF; refuse binary, GBK and huge files.

    With ``encoding`` (e.g. ``gb18030``), a file that is not UTF-8 is read in that encoding
    instead of being refused: the explicit way to build from legacy files.
    """
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise SourceError(f"file is {len(data) / 2**20:.2f} MB ({len(data):,} bytes); the limit "
                          f"for one source file is {MAX_BYTES // 2**20} MB: split it",
                          shown, 1)
    if b"\x00" in data:
        raise SourceError("binary file (contains NUL bytes), not UTF-8 text", shown,
                          data[:data.index(b"\x00")].count(b"\n") + 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = _decode_legacy(data, exc, shown, encoding)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _decode_legacy(data: bytes, exc: UnicodeDecodeError, shown: Path,
                   encoding: str | None) -> str:
    line = data[:exc.start].count(b"\n") + 1
    if encoding is None:
        raise SourceError(_encoding_message(data, exc), shown, line)
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as err:
        raise SourceError(f"neither UTF-8 nor {encoding}: {err}", shown, line) from None


def _encoding_message(data: bytes, exc: UnicodeDecodeError) -> str:
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
    return ("file is not UTF-8 but looks GBK/GB18030-encoded; convert it with "
            "`python build.py fix-encoding FILE` (keeps a .orig backup), or "
            "`iconv -f GB18030 -t UTF-8 FILE > FILE.utf8`, or build with --encoding gb18030")


def split_front_matter(text: str, shown: Path) -> SourceText:
    """Split ``---`` YAML front matter from the Markdown body, keeping line numbers."""
    if not text.strip():
        raise SourceError("file is empty; a source needs front matter with a title", shown, 1)
    if not text.startswith("---\n"):
        raise SourceError("missing YAML front matter: the file must start with a '---' line "
                          "followed by 'title: ...' and a closing '---'", shown, 1)
    end = _FRONT_END.search(text, 4)
    if end is None:
        raise SourceError("front matter is not closed: add a '---' line after it", shown, 1)
    meta_text = text[4:end.start()]
    body_start = end.end() + 1
    body_line = text[:body_start].count("\n") + 1
    return SourceText(meta_text, 2, text[body_start:], body_line)
