"""Bundle problems with their place (file, line, JSON path) and the one error that carries them all."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

PathPart = str | int
Loc = tuple[PathPart, ...]


def data_path(data: Any, loc: Iterable[PathPart]) -> Loc:
    """The part of a pydantic error location present in ``data``: union tags and validator names are
    dropped; a final missing key is kept so that the message can name it."""
    parts = list(loc)
    out: list[PathPart] = []
    node = data
    for position, part in enumerate(parts):
        in_dict = isinstance(node, dict) and part in node
        if in_dict or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            node = node[part]
        elif not (position == len(parts) - 1 and isinstance(node, dict)):
            continue
        out.append(part)
    return tuple(out)


def format_path(loc: Sequence[PathPart]) -> str:
    """``("agents", 0, "flows", 1, "name")`` → ``agents[0].flows[1].name``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class Problem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    line: int | None = None
    path: str = ""
    message: str

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{place}: {self.path}: {self.message}" if self.path else f"{place}: {self.message}"


class BundleValidationError(ValueError):
    """Every problem found in a bundle; ``str`` lists them one per line as ``file:line: path: message``."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda problem: (problem.line is None, problem.line or 0))
        count = len(self.problems)
        header = f"{count} problem{'s' if count != 1 else ''} in the bundle:"
        super().__init__("\n".join([header, *map(str, self.problems)]))
