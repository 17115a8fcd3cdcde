"""Per-process state of the API (settings, stores, launcher) and request parsing into contract models."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from chalice.app import Request
from pydantic import BaseModel, TypeAdapter, ValidationError

from rehearsal.bundles.store import BundleStore
from rehearsal.pipeline.launcher import RunLauncher, StepFunctionsLauncher
from rehearsal.service.api.errors import ApiError, ErrorDetail, validation_details
from rehearsal.service.conversations import RuntimeCache
from rehearsal.settings import Settings
from rehearsal.storage.factory import Stores, build_stores

Body = TypeVar("Body", bound=BaseModel)

MAX_BODY_BYTES = 1024 * 1024  # bundles and suite snapshots are tens of KiB; API Gateway allows 10 MiB


_configured: list[Settings] = []


@cache
def settings() -> Settings:
    return _configured[-1] if _configured else Settings()


@cache
def stores() -> Stores:
    return build_stores(settings())


def bundle_store() -> BundleStore:
    return BundleStore(stores().blobs, stores().runs)


_tool_search_paths: list[Path] = []


def configure(*, settings: Settings | None = None, tool_search_paths: Sequence[Path] = ()) -> None:
    """Use ``settings`` instead of the environment's, and look Python-bound tools of live bundles up in
    ``tool_search_paths`` (``rehearsal serve``); forgets everything built from the previous settings."""
    _configured[:] = [settings] if settings is not None else []
    _tool_search_paths[:] = [Path(path) for path in tool_search_paths]
    reset()


@cache
def runtimes() -> RuntimeCache:
    return RuntimeCache(bundle_store(), search_paths=_tool_search_paths)


@cache
def launcher() -> RunLauncher:
    if settings().backend == "aws":
        return StepFunctionsLauncher.from_settings(settings())
    from rehearsal.service.local_launcher import LocalLauncher

    return LocalLauncher(settings(), stores())


def reset() -> None:
    """Forget the cached settings, stores and launcher (tests, or settings changed at run time)."""
    for cached in (settings, stores, launcher, runtimes):
        cached.cache_clear()


def raw_body(request: Request) -> bytes:
    raw = request.raw_body or b""
    body = raw.encode("utf-8") if isinstance(raw, str) else raw
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, "body_too_large", f"the body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
    return body


def json_body(request: Request) -> Any:
    body = raw_body(request)
    if not body.strip():
        raise ApiError(
            400, "invalid_body", "a JSON body is required", [ErrorDetail(path="body", message="empty")]
        )
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(
            400, "invalid_body", "the body is not valid JSON", [ErrorDetail(path="body", message=str(error))]
        ) from None


def parse_body(request: Request, model: type[Body]) -> Body:
    return parse_as(model, json_body(request), "body")


def parse_query(request: Request, model: type[Body]) -> Body:
    return parse_as(model, dict(request.query_params or {}), "query")


def parse_as(model: type[Body], data: Any, place: str) -> Body:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiError(
            400,
            f"invalid_{place}",
            f"the {place} does not match {model.__name__}",
            validation_details(error, place),
        ) from None


def path_param(value: str, annotation: Any, name: str) -> Any:
    """A path parameter checked like a body field: a bad one is a 400 naming ``path.<name>``."""
    try:
        return TypeAdapter(annotation).validate_python(value)
    except ValidationError as error:
        raise ApiError(
            400, "invalid_path", f"invalid {name}", validation_details(error, f"path.{name}")
        ) from None
