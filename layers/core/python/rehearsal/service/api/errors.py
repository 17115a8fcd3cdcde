"""One error shape for every API response that is not a success::

    {"error": {"status": 400, "code": "invalid_body", "message": "…",
               "details": [{"path": "body.x", "message": "…"}]}}

Library exceptions are translated here, in one place; anything unexpected is a 500 without internals.
"""

from __future__ import annotations

import logging

from chalice import Response
from pydantic import BaseModel, ConfigDict, ValidationError

from rehearsal.bundles.problems import BundleValidationError
from rehearsal.bundles.store import BundleNotFound, BundleStoreError
from rehearsal.evaluate.alignment import UnknownQuestionError
from rehearsal.runtime.bindings import BindingError
from rehearsal.simulate.specs.errors import SpecValidationError
from rehearsal.storage.ports import Conflict, NotFound

log = logging.getLogger("rehearsal.api")


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    message: str


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: int
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorEnvelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    error: ErrorBody


class ApiError(Exception):
    """An error the client can act on, with its HTTP status."""

    def __init__(
        self, status: int, code: str, message: str, details: list[ErrorDetail] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []

    def response(self) -> Response:
        body = ErrorEnvelope(
            error=ErrorBody(status=self.status, code=self.code, message=self.message, details=self.details)
        )
        return Response(body=body.model_dump(mode="json"), status_code=self.status)


def validation_details(error: ValidationError, prefix: str) -> list[ErrorDetail]:
    """One detail per field error, its JSON path under ``prefix`` (``body``, ``query``)."""
    return [
        ErrorDetail(path=".".join([prefix, *(str(part) for part in item["loc"])]), message=item["msg"])
        for item in error.errors()
    ]


def _problems(error: BundleValidationError | SpecValidationError) -> list[ErrorDetail]:
    """Bundle and suite problems carry their place: the JSON path, and file and line in the message."""
    return [
        ErrorDetail(path=problem.path or problem.file, message=str(problem)) for problem in error.problems
    ]


def translate(error: Exception) -> ApiError:
    """The API error for a library exception."""
    if isinstance(error, ApiError):
        return error
    if isinstance(error, BundleNotFound | NotFound | UnknownQuestionError):
        return ApiError(404, "not_found", str(error).strip("'\""))
    if isinstance(error, Conflict):
        return ApiError(409, "conflict", str(error))
    if isinstance(error, BundleValidationError):
        return ApiError(400, "invalid_bundle", "the bundle does not validate", _problems(error))
    if isinstance(error, SpecValidationError):
        return ApiError(400, "invalid_suite", "the suite does not fit", _problems(error))
    if isinstance(error, BindingError):
        return ApiError(409, "tools_unavailable", f"the bundle's tools cannot be bound here: {error}")
    if isinstance(error, BundleStoreError):
        return ApiError(409, "bundle_state", str(error))
    log.exception("unhandled API error")
    return ApiError(500, "internal", "an internal error occurred")
