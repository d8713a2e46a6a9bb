"""The rules of the Chinese copy lint: each finds problems in one prose segment.

A rule is ``rule(text, settings) -> Iterator[Hit]``; offsets are in the segment, whose markup
is already masked (see ``lint_markdown``). A hit may carry a replacement for its span; ``safe``
says whether ``lint --fix`` may apply it without a person looking.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterator

CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
FW_PUNCT = "，。、；：！？“”‘’（）《》〈〉【】「」『』…—～·"
ALNUM = "A-Za-z0-9"
SPACE = " \t\u00a0"
SPACING_CHOICES = ("none", "space")
GROUPING_CHOICES = ("none", "comma", "space")
_GROUP_SEPARATOR = {"none": "", "comma": ",", "space": "\u202f"}
_SEP_NAMES = {" ": "a space", "\u00a0": "a no-break space", "\u2009": "a thin space",
              "\u202f": "a narrow no-break space", ",": "commas"}


@dataclass(frozen=True)
class Settings:
    """The book's choices (book.yaml ``lint:``): spacing between CJK and Latin, digit groups."""

    cjk_latin_space: str = "none"
    digit_grouping: str = "none"


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    message: str
    replacement: str | None = None
    safe: bool = False


def _is_cjk(ch: str) -> bool:
    return bool(ch) and re.match(f"[{CJK}]", ch) is not None


# -- half-width punctuation ------------------------------------------------------------------
_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_HALF = re.compile(rf"(?<=[{CJK}{FW_PUNCT}])[{SPACE}]*([,;:?!])[{SPACE}]*")
_PAREN = re.compile(rf"[{SPACE}]*\(([^()\n]*)\)[{SPACE}]*")


def halfwidth_punctuation(text: str, settings: Settings) -> Iterator[Hit]:
    """``, ; : ? ! ( )`` in Chinese text: the full-width form is the right one."""
    for m in _HALF.finditer(text):
        mark, after = m.group(1), text[m.end():m.end() + 1]
        yield Hit(m.start(), m.end(), f"half-width '{mark}' in Chinese text; use "
                  f"'{_FULL[mark]}'", _FULL[mark], safe=not re.match(f"[{ALNUM}]", after))
    paired: set[int] = set()
    for m in _PAREN.finditer(text):
        open_at, close_at = text.index("(", m.start()), m.end(1)
        around = text[max(m.start() - 1, 0):m.start()] + m.group(1) + text[m.end():m.end() + 1]
        if any(_is_cjk(ch) for ch in around):
            paired |= {open_at, close_at}
            yield Hit(m.start(), m.end(), "half-width parentheses in Chinese text; use （）",
                      f"（{m.group(1)}）", safe=True)
    for i, ch in enumerate(text):
        beside_cjk = _is_cjk(text[i - 1:i]) or _is_cjk(text[i + 1:i + 2])
        if ch in "()" and i not in paired and beside_cjk:
            full = "（" if ch == "(" else "）"
            yield Hit(i, i + 1, f"half-width '{ch}' in Chinese text, without its pair; use "
                      f"'{full}'", full)


# -- quotes and brackets -----------------------------------------------------------------------
QUOTES = {"“": "”", "‘": "’"}
BRACKETS = {"（": "）", "《": "》", "〈": "〉", "【": "】", "「": "」", "『": "』"}


def _apostrophe(text: str, i: int) -> bool:
    """’ between Latin letters is an apostrophe (Pudong’s), not a closing quote."""
    before, after = text[i - 1:i], text[i + 1:i + 2]
    return bool(re.match(f"[{ALNUM}]", before)) and bool(re.match("[A-Za-z]", after))


def _pairs(text: str, pairs: dict[str, str], quotes: bool) -> Iterator[Hit]:
    closers = {close: open_ for open_, close in pairs.items()}
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch in pairs:
            if quotes and stack and stack[-1][0] == ch:
                yield Hit(i, i + 1, f"a second '{ch}' before the first is closed; is it the "
                          f"closing '{pairs[ch]}'?", pairs[ch])
                stack.pop()
            else:
                stack.append((ch, i))
        elif ch in closers and not (ch == "’" and _apostrophe(text, i)):
            yield from _close(stack, ch, closers[ch], i, quotes)
    for ch, j in stack:
        yield Hit(j, j + 1, f"'{ch}' is not closed (no '{pairs[ch]}' in this paragraph)")


def _close(stack: list, ch: str, opener: str, i: int, quotes: bool) -> Iterator[Hit]:
    if any(c == opener for c, _ in stack):
        while stack[-1][0] != opener:
            c, j = stack.pop()
            yield Hit(j, j + 1, f"'{c}' is not closed before '{ch}'")
        stack.pop()
    elif quotes:
        yield Hit(i, i + 1, f"'{ch}' closes nothing; is it the opening '{opener}'?", opener)
        stack.append((opener, i))
    else:
        yield Hit(i, i + 1, f"'{ch}' without an opening '{opener}'")


def quote_pairs(text: str, settings: Settings) -> Iterator[Hit]:
    """“” and ‘’ must pair up, in the right direction, within a paragraph."""
    return _pairs(text, QUOTES, quotes=True)


def bracket_pairs(text: str, settings: Settings) -> Iterator[Hit]:
    """（） 《》 〈〉 【】 「」 『』 must pair up and nest within a paragraph."""
    return _pairs(text, BRACKETS, quotes=False)


# -- repeated punctuation ----------------------------------------------------------------------
_REPEAT = re.compile(r"([，、；：！？])\1+|(?<!。)。。(?!。)")
_MIXED = re.compile(r"[，。、；：]{2,}")
_ELLIPSIS = re.compile(rf"…+|。{{3,}}|·{{3,}}|(?<=[{CJK}])\.{{3,}}|\.{{3,}}(?=[{CJK}])")
_DASHES = re.compile(r"—{3,}")


def repeated_punctuation(text: str, settings: Settings) -> Iterator[Hit]:
    """Doubled marks (，， 。。), two different stops in a row (，。), bad ellipses and dashes."""
    for m in _REPEAT.finditer(text):
        mark = m.group(0)[0]
        yield Hit(m.start(), m.end(), f"'{m.group(0)}': repeated punctuation; write one '{mark}'",
                  mark, safe=mark not in "！？")
    for m in _MIXED.finditer(text):
        if len(set(m.group(0))) > 1:
            yield Hit(m.start(), m.end(), f"'{m.group(0)}': two punctuation marks in a row; "
                      f"keep one")
    for m in _ELLIPSIS.finditer(text):
        if m.group(0) != "……":
            yield Hit(m.start(), m.end(), f"'{m.group(0)}': the Chinese ellipsis is '……' "
                      f"(two U+2026)", "……", safe=m.group(0) == "…")
    for m in _DASHES.finditer(text):
        yield Hit(m.start(), m.end(), f"'{m.group(0)}': the Chinese dash is '——' (two U+2014)",
                  "——")


# -- spaces ------------------------------------------------------------------------------------
_CJK_SPACE = re.compile(rf"(?<=[{CJK}{FW_PUNCT}])[{SPACE}]+(?=[{CJK}{FW_PUNCT}])")
# a pipe table's padding (``记录）    |``) is no space in the text
_PUNCT_SPACE = re.compile(rf"(?<=[{FW_PUNCT}])[{SPACE}]+(?=[^\s\x00|])"
                          rf"|(?<=[^\s\x00|])[{SPACE}]+(?=[{FW_PUNCT}])")


def space_in_cjk(text: str, settings: Settings) -> Iterator[Hit]:
    """Spaces between Chinese characters, or beside full-width punctuation (U+3000 is allowed).

    Beside punctuation the space is always wrong (safe to delete); between two characters it
    may stand for a deliberate U+3000 (between names), so deleting it is only suggested.
    """
    for m in _PUNCT_SPACE.finditer(text):
        yield Hit(m.start(), m.end(), "space beside full-width punctuation; delete it", "",
                  safe=True)
    punct = {m.start() for m in _PUNCT_SPACE.finditer(text)}
    for m in _CJK_SPACE.finditer(text):
        if m.start() not in punct:
            yield Hit(m.start(), m.end(), "space between Chinese characters; delete it (or "
                      "write U+3000 '\u3000' if it separates names)", "")


_NO_SPACE = re.compile(rf"(?<=[{CJK}])[{SPACE}]+(?=[{ALNUM}])|(?<=[{ALNUM}])[{SPACE}]+(?=[{CJK}])")
_JOINED = re.compile(rf"(?<=[{CJK}])(?=[{ALNUM}])|(?<=[{ALNUM}])(?=[{CJK}])")
_ODD_SPACE = re.compile(rf"(?<=[{CJK}])(?! (?=[{ALNUM}]))[{SPACE}]+(?=[{ALNUM}])"
                        rf"|(?<=[{ALNUM}])(?! (?=[{CJK}]))[{SPACE}]+(?=[{CJK}])")


def cjk_latin_spacing(text: str, settings: Settings) -> Iterator[Hit]:
    """The book's choice between Chinese and Latin letters or digits: no space, or one space."""
    if settings.cjk_latin_space == "none":
        for m in _NO_SPACE.finditer(text):
            yield Hit(m.start(), m.end(), "space between Chinese and Latin text; this book "
                      "writes none (book.yaml lint.cjk_latin_space: none)", "", safe=True)
        return
    for m in _JOINED.finditer(text):
        yield Hit(m.start(), m.end(), "no space between Chinese and Latin text; this book "
                  "writes one (book.yaml lint.cjk_latin_space: space)", " ", safe=True)
    for m in _ODD_SPACE.finditer(text):
        yield Hit(m.start(), m.end(), "write exactly one plain space between Chinese and "
                  "Latin text", " ", safe=True)


# -- digits and letters ------------------------------------------------------------------------
_GROUPED = re.compile(r"(?<![0-9A-Za-z.,])\d{1,3}([ \u00a0\u2009\u202f,])\d{3}(?:\1\d{3})*"
                      r"(?!\d|[ \u00a0\u2009\u202f,]\d)")
_FULLWIDTH = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")


def digit_grouping(text: str, settings: Settings) -> Iterator[Hit]:
    """Digits grouped by thousands (2 600, 2,600) other than as the book chose."""
    wanted = settings.digit_grouping
    for m in _GROUPED.finditer(text):
        sep = m.group(1)
        if (wanted == "space" and sep != ",") or (wanted == "comma" and sep == ","):
            continue
        fixed = m.group(0).replace(sep, _GROUP_SEPARATOR[wanted])
        yield Hit(m.start(), m.end(), f"digits grouped with {_SEP_NAMES[sep]}; this book "
                  f"writes '{fixed}' (book.yaml lint.digit_grouping: {wanted})", fixed,
                  safe=sep != ",")


def fullwidth_alnum(text: str, settings: Settings) -> Iterator[Hit]:
    """Full-width digits and Latin letters (２０１０, ＡＢＣ): write them half-width."""
    for m in _FULLWIDTH.finditer(text):
        half = unicodedata.normalize("NFKC", m.group(0))
        yield Hit(m.start(), m.end(), f"full-width '{m.group(0)}'; write '{half}'", half,
                  safe=True)


Rule = Callable[[str, Settings], Iterator[Hit]]
RULES: dict[str, Rule] = {
    "halfwidth-punctuation": halfwidth_punctuation,
    "quote-pairs": quote_pairs,
    "bracket-pairs": bracket_pairs,
    "repeated-punctuation": repeated_punctuation,
    "space-in-cjk": space_in_cjk,
    "digit-grouping": digit_grouping,
    "fullwidth-alnum": fullwidth_alnum,
    "cjk-latin-spacing": cjk_latin_spacing,
}
