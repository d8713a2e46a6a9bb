"""Strict, typed checking of YAML mappings: unknown keys, wrong types, missing keys, with lines."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from casebook.errors import Collector
from casebook.source.yamlines import LineDict, LineList, YamlNumber

_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false",
               list: "a list", dict: "a mapping"}


@dataclass(frozen=True)
class Field:
    name: str
    type: type = str
    required: bool = False
    choices: tuple = ()


def _describe(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, YamlNumber):
        return "a number"
    for kind, name in ((dict, "a mapping"), (list, "a list"), (int, "a number"),
                       (float, "a number"), (str, "a string")):
        if isinstance(value, kind):
            return name
    return "empty" if value is None else type(value).__name__


def _coerce(value, field: Field):
    """Return the value in the field's type, or None when it cannot be."""
    if isinstance(value, YamlNumber):
        if field.type is str:
            return str(value)
        return value.number if isinstance(value.number, field.type) else None
    if field.type is int and isinstance(value, bool):
        return None
    if isinstance(value, field.type):
        return value
    return None


def line_of(data, key=None) -> int:
    if isinstance(data, LineDict):
        return data.key_lines.get(key, data.line) if key is not None else data.line
    if isinstance(data, LineList) and isinstance(key, int):
        return data.item_lines[key]
    return getattr(data, "line", 0)


def check_mapping(data, fields: tuple[Field, ...], path: Path, errors: Collector,
                  what: str, line: int = 1) -> dict:
    """Validate ``data`` against ``fields``; collect every problem; return the good values."""
    if not isinstance(data, dict):
        errors.add(f"{what} must be a mapping of keys, not {_describe(data)}", path,
                   getattr(data, "line", line))
        return {}
    known = {f.name: f for f in fields}
    result: dict = {}
    for key, value in data.items():
        where = line_of(data, key)
        field = known.get(key)
        if field is None:
            errors.add(_unknown_key(key, known, what), path, where)
            continue
        good = _coerce(value, field)
        if good is None:
            errors.add(f"'{key}' must be {_TYPE_NAMES[field.type]}, not {_describe(value)}",
                       path, where)
        elif field.choices and good not in field.choices:
            allowed = ", ".join(map(str, field.choices))
            errors.add(f"'{key}' must be one of: {allowed} (got {good!r})", path, where)
        elif field.type is str and not good.strip() and field.required:
            errors.add(f"'{key}' must not be empty", path, where)
        else:
            result[key] = good
    for field in fields:
        if field.required and field.name not in data:
            errors.add(f"'{field.name}' is missing from {what}", path, line_of(data) or line)
    return result


def _unknown_key(key, known: dict, what: str) -> str:
    close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
    return f"unknown key '{key}' in {what}{hint}"
