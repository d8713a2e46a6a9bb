"""YAML loading that remembers the line of every key and list item, for path:line errors."""

from __future__ import annotations

import collections.abc
from pathlib import Path

import yaml

from casebook.errors import SourceError


class LineDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


class LineList(list):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list


class YamlNumber(str):
    """A YAML number kept as written ('38.00' stays '38.00'); ``.number`` holds its value."""

    number: int | float = 0


class _Loader(yaml.SafeLoader):
    """SafeLoader that records lines and keeps dates and numbers as the text written."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The same on libyaml's parser, where PyYAML has it: a build reads every document's front
    matter, and the pure-Python parser took 0.18 s of each build of a 110-case book. Text it
    refuses is parsed again by ``_Loader``, whose messages and marks the errors give."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, collections.abc.Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain word, not a list or mapping",
                key_node.start_mark)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


def _number_constructor(parse):
    def construct(loader: _Loader, node: yaml.ScalarNode) -> YamlNumber:
        text = YamlNumber(loader.construct_scalar(node))
        decimal = text.lstrip("+-").isdigit()
        text.number = int(text, 10) if decimal else parse(loader, node)  # 010 is 10, not 8
        return text
    return construct


for _loader in (_Loader, _FastLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    _loader.add_constructor("tag:yaml.org,2002:int",
                            _number_constructor(yaml.SafeLoader.construct_yaml_int))
    _loader.add_constructor("tag:yaml.org,2002:float",
                            _number_constructor(yaml.SafeLoader.construct_yaml_float))


def load(text: str, path: Path, first_line: int = 1):
    """Parse YAML text; a syntax error becomes a SourceError at the right line of ``path``."""
    try:
        data = yaml.load(text, Loader=_FastLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError:
        data = _slow(text, path, first_line)  # the error, as the pure-Python parser words it
    if first_line != 1:
        _shift(data, first_line - 1)
    return data


def _slow(text: str, path: Path, first_line: int):
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        # an unclosed quote or a key without ':' is best shown where it starts
        starts = ("end of stream" in (exc.problem or "")
                  or (exc.context or "").startswith("while scanning a simple key"))
        mark = (exc.context_mark if starts else None) or exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        raise SourceError(f"malformed YAML: {problem}", path, line) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"malformed YAML: {exc}", path, first_line) from None


def _shift(node, offset: int) -> None:
    if isinstance(node, LineDict):
        node.line += offset
        node.key_lines = {k: v + offset for k, v in node.key_lines.items()}
        for value in node.values():
            _shift(value, offset)
    elif isinstance(node, LineList):
        node.line += offset
        node.item_lines = [v + offset for v in node.item_lines]
        for value in node:
            _shift(value, offset)
