"""Behaviour and gate files load like the suite: every problem with its file, line and path."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from rehearsal.bundles.source import SourceDocument
from rehearsal.simulate.specs.errors import SpecValidationError, problems_from
from rehearsal.simulate.specs.source import DocumentError, read_document

ModelT = TypeVar("ModelT", bound=BaseModel)


def read_spec_document(path: str | Path) -> SourceDocument:
    try:
        return read_document(Path(path))
    except DocumentError as exc:
        raise SpecValidationError(exc.problems) from None


def validate_spec(
    model: type[ModelT], data: Any, source: str, document: SourceDocument | None = None
) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SpecValidationError(problems_from(exc, data, source, (), document)) from None
