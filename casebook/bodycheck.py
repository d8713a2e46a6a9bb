"""Checks on a Markdown body that pandoc would accept silently but that are authoring mistakes."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import Collector

_FENCE = re.compile(r"^(:{3,})\s*(.*?)\s*$")
_FENCED_CODE = re.compile(r"^(```|~~~)")


def check_body(body: str, first_line: int, path: Path, pending: bool, errors: Collector) -> None:
    """Report empty or stray bodies, unbalanced ``:::`` divs and commentaries without ``by``."""
    if pending and body.strip():
        errors.add("the file has text but is marked 'status: pending'; remove the status "
                   "line to publish it", path, first_line)
        return
    if not pending and not body.strip():
        errors.add("the body is empty; write the text, or mark the file 'status: pending'",
                   path, first_line)
        return
    _check_divs(body, first_line, path, errors)


def _check_divs(body: str, first_line: int, path: Path, errors: Collector) -> None:
    stack: list[int] = []
    in_code = False
    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        if _FENCED_CODE.match(line):
            in_code = not in_code
        match = None if in_code else _FENCE.match(line)
        if not match:
            continue
        if match.group(2):
            stack.append(number)
            _check_commentary(match.group(2), number, path, errors)
        elif stack:
            stack.pop()
        else:
            errors.add("':::' closes a div that was never opened", path, number)
    for number in stack:
        errors.add("fenced div opened here is never closed; add a ':::' line after it",
                   path, number)


def _check_commentary(attrs: str, number: int, path: Path, errors: Collector) -> None:
    if re.search(r"(^|[\s{.])commentary\b", attrs) and not re.search(r"\bby\s*=\s*\"[^\"]+\"",
                                                                        attrs):
        errors.add('a commentary needs its author: ::: {.commentary by="职务　姓名"}',
                   path, number)
