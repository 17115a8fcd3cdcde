"""Reading a bundle file (YAML or JSON) into plain data plus the line of every key and list item.

YAML lines come from the composed node tree (``start_mark``); JSON lines from a small locating pass over
text that ``json`` has already accepted. Both report duplicate keys, which the parsers would silently drop.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]  # public, missing from the stubs
from typing import Any

import yaml

from rehearsal.bundles.problems import BundleValidationError, Loc, PathPart, Problem, format_path

_YamlLoader = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)  # libyaml when present: same nodes and marks, ~10x faster
_JSON_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity")
_WHITESPACE = re.compile(r"[ \t\n\r]*")


@dataclass(frozen=True)
class SourceDocument:
    file: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # found while reading, e.g. duplicate keys

    def line(self, loc: Sequence[PathPart]) -> int | None:
        """The line of ``loc``, or of its nearest ancestor that has one."""
        key = tuple(loc)
        while key not in self.lines and key:
            key = key[:-1]
        return self.lines.get(key)


def is_json(text: str, filename: str) -> bool:
    lower = filename.lower()
    if lower.endswith(".json"):
        return True
    if lower.endswith((".yaml", ".yml")):
        return False
    return text.lstrip().startswith("{")


def parse_document(text: str, *, filename: str) -> SourceDocument:
    """Parse ``text``; a syntax error raises ``BundleValidationError`` with its line."""
    return _parse_json(text, filename) if is_json(text, filename) else _parse_yaml(text, filename)


# --- YAML -------------------------------------------------------------------------------------------------


def _parse_yaml(text: str, filename: str) -> SourceDocument:
    loader = _YamlLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        line = mark.line + 1 if mark is not None else None
        problem = Problem(file=filename, line=line, message=f"not valid YAML: {reason}")
        raise BundleValidationError([problem]) from None
    finally:
        loader.dispose()
    document = SourceDocument(file=filename, data=data)
    if node is not None:
        _index_yaml(node, (), document, set())
    return document


def _index_yaml(node: yaml.Node, loc: Loc, document: SourceDocument, active: set[int]) -> None:
    document.lines.setdefault(loc, node.start_mark.line + 1)
    if id(node) in active:  # a recursive alias: its lines are already known
        return
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                document.problems.append(_duplicate(document.file, line, (*loc, key)))
                continue
            seen.add(key)
            document.lines[(*loc, key)] = line
            _index_yaml(value_node, (*loc, key), document, active)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_yaml(item, (*loc, index), document, active)
    active.discard(id(node))


def _duplicate(file: str, line: int, loc: Loc) -> Problem:
    return Problem(file=file, line=line, path=format_path(loc), message=f"duplicate key {loc[-1]!r}")


# --- JSON -------------------------------------------------------------------------------------------------


def _parse_json(text: str, filename: str) -> SourceDocument:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        problem = Problem(file=filename, line=error.lineno, message=f"not valid JSON: {error.msg}")
        raise BundleValidationError([problem]) from None
    document = SourceDocument(file=filename, data=data)
    try:
        _JsonLocator(text, document).value(0, ())
    except (IndexError, ValueError):  # text json accepts but the locator does not: report without lines
        document.lines.clear()
    return document


class _JsonLocator:
    """Walks JSON text that is known to be valid, recording the line of each key and item."""

    def __init__(self, text: str, document: SourceDocument) -> None:
        self.text = text
        self.document = document
        self.newlines = [index for index, char in enumerate(text) if char == "\n"]

    def line_at(self, position: int) -> int:
        return bisect.bisect_left(self.newlines, position) + 1

    def skip(self, position: int) -> int:
        match = _WHITESPACE.match(self.text, position)
        return match.end() if match else position

    def value(self, position: int, loc: Loc) -> int:
        """Index the value starting at ``position`` (whitespace allowed); return where it ends."""
        position = self.skip(position)
        self.document.lines.setdefault(loc, self.line_at(position))
        char = self.text[position]
        if char == "{":
            return self.members(position + 1, loc)
        if char == "[":
            return self.items(position + 1, loc)
        if char == '"':
            return scanstring(self.text, position + 1)[1]
        match = _JSON_SCALAR.match(self.text, position)
        return match.end() if match else position + 1

    def members(self, position: int, loc: Loc) -> int:
        seen: set[str] = set()
        position = self.skip(position)
        while self.text[position] != "}":
            key, after = scanstring(self.text, position + 1)
            line = self.line_at(position)
            if key in seen:
                self.document.problems.append(_duplicate(self.document.file, line, (*loc, key)))
            else:
                seen.add(key)
                self.document.lines[(*loc, key)] = line
            position = self.value(self.skip(after) + 1, (*loc, key))  # past the ':'
            position = self.skip(position)
            if self.text[position] == ",":
                position = self.skip(position + 1)
        return position + 1

    def items(self, position: int, loc: Loc) -> int:
        index = 0
        position = self.skip(position)
        while self.text[position] != "]":
            position = self.skip(self.value(position, (*loc, index)))
            index += 1
            if self.text[position] == ",":
                position = self.skip(position + 1)
        return position + 1
