"""Spec problems with their place: file, line (when known) and JSON path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

PathPart = str | int


class SpecProblem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    line: int | None = None
    path: str = ""
    message: str

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        return f"{place}: {self.path}: {self.message}" if self.path else f"{place}: {self.message}"


class SpecValidationError(ValueError):
    """Every problem found in a suite, each with its place; ``str`` lists them one per line."""

    def __init__(self, problems: Sequence[SpecProblem]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in the suite:\n" + "\n".join(map(str, self.problems))
        )


def format_path(parts: Sequence[PathPart]) -> str:
    """``("expect", "tool_calls", 0, "tool")`` → ``expect.tool_calls[0].tool``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def data_path(data: Any, loc: Sequence[PathPart]) -> list[PathPart]:
    """The part of a pydantic error location that exists in the data (drops union tags and model names)."""
    path: list[PathPart] = []
    node = data
    for index, part in enumerate(loc):
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_list or (isinstance(node, dict) and part in node):
            node = node[part]
        elif index == len(loc) - 1 and isinstance(node, dict) and isinstance(part, str):
            pass  # a missing field: name it
        else:
            continue
        path.append(part)
    return path


def problems_from(
    error: ValidationError,
    data: Any,
    file: str,
    prefix: Sequence[PathPart] = (),
    lines: LineIndex | None = None,
) -> list[SpecProblem]:
    problems = []
    for detail in error.errors(include_url=False):
        path = [*prefix, *data_path(data, detail["loc"])]
        message = detail["msg"].removeprefix("Value error, ")
        line = lines.line(path) if lines else None
        problems.append(SpecProblem(file=file, line=line, path=format_path(path), message=message))
    return problems


class LineIndex:
    """Maps a data path to the line it was written on (1-based)."""

    def __init__(self, lines: dict[tuple[PathPart, ...], int]) -> None:
        self._lines = lines

    def line(self, path: Sequence[PathPart]) -> int | None:
        key = tuple(path)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return self._lines.get((), None)
