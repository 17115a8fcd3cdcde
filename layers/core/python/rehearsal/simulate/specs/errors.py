"""Spec problems with their place: file, line (when known) and JSON path — the same ``Problem`` as bundles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from rehearsal.bundles.problems import PathPart, data_path, format_path
from rehearsal.bundles.problems import Problem as SpecProblem
from rehearsal.bundles.source import SourceDocument

__all__ = ["PathPart", "SpecProblem", "SpecValidationError", "data_path", "format_path", "problems_from"]


class SpecValidationError(ValueError):
    """Every problem found in a suite, each with its place; ``str`` lists them one per line."""

    def __init__(self, problems: Sequence[SpecProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line is None, p.line or 0))
        count = len(self.problems)
        header = f"{count} problem{'s' if count != 1 else ''} in the suite:"
        super().__init__("\n".join([header, *map(str, self.problems)]))


def problems_from(
    error: ValidationError,
    data: Any,
    file: str,
    prefix: Sequence[PathPart] = (),
    document: SourceDocument | None = None,
) -> list[SpecProblem]:
    problems = []
    for detail in error.errors(include_url=False):
        path = [*prefix, *data_path(data, detail["loc"])]
        message = detail["msg"].removeprefix("Value error, ")
        line = document.line(path) if document else None
        problems.append(SpecProblem(file=file, line=line, path=format_path(path), message=message))
    return problems
