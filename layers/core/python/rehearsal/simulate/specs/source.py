"""Reading one spec file (YAML or JSON) into data plus where each part was written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rehearsal.simulate.specs.errors import LineIndex, PathPart, SpecProblem


@dataclass(frozen=True)
class Document:
    file: Path
    data: Any
    lines: LineIndex

    @property
    def name(self) -> str:
        return str(self.file)


class DocumentError(Exception):
    def __init__(self, problem: SpecProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_document(file: Path) -> Document:
    """Parse ``file``; a missing file or a syntax error raises ``DocumentError`` with its place."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DocumentError(SpecProblem(file=str(file), message=f"cannot read: {exc.strerror}")) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise DocumentError(
            SpecProblem(file=str(file), line=line, message=f"not valid YAML: {reason}")
        ) from None
    lines: dict[tuple[PathPart, ...], int] = {}
    if node is not None:
        _index(node, (), lines)
    data = yaml.safe_load(text)
    return Document(file=file, data=data, lines=LineIndex(lines))


def _index(node: yaml.Node, path: tuple[PathPart, ...], lines: dict[tuple[PathPart, ...], int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index(item, (*path, index), lines)
