"""Reading one spec file (YAML or JSON) with the bundles' line-tracking parser."""

from __future__ import annotations

from pathlib import Path

from rehearsal.bundles.problems import BundleValidationError
from rehearsal.bundles.source import SourceDocument, parse_document
from rehearsal.simulate.specs.errors import SpecProblem


class DocumentError(Exception):
    def __init__(self, problems: list[SpecProblem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def read_document(file: Path) -> SourceDocument:
    """Parse ``file``; an unreadable file or a syntax error raises ``DocumentError`` with its place."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DocumentError([SpecProblem(file=str(file), message=f"cannot read: {exc.strerror}")]) from None
    try:
        return parse_document(text, filename=str(file))
    except BundleValidationError as error:
        raise DocumentError(error.problems) from None
