"""Blueprints whose routes answer every failure in the API's one error shape and require IAM auth on AWS."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice import Blueprint, IAMAuthorizer, Response
from pydantic import BaseModel

from rehearsal.service.api.errors import translate

View = Callable[..., Any]

# API Gateway checks SigV4 signatures before a request reaches the function; locally it is not enforced
# and the bearer-token middleware guards the routes instead.
IAM = IAMAuthorizer()


def _as_response(result: Any) -> Any:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if isinstance(result, list) and result and isinstance(result[0], BaseModel):
        return [item.model_dump(mode="json") for item in result]
    return result


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one route."""

    path: str
    methods: tuple[str, ...]
    view: View
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    returns: Any
    content_types: tuple[str, ...]


class ApiBlueprint(Blueprint):
    def __init__(self, import_name: str) -> None:
        super().__init__(import_name)
        self.operations: list[Operation] = []

    def route(
        self,
        path: str,
        *,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        returns: Any = None,
        **kwargs: Any,
    ) -> Callable[[View], View]:
        """``body``, ``query`` and ``returns`` (default: the view's return annotation) document the route."""
        register = super().route(path, authorizer=IAM, **kwargs)

        def decorator(view: View) -> View:
            self.operations.append(
                Operation(
                    path=path,
                    methods=tuple(kwargs.get("methods", ["GET"])),
                    view=view,
                    body=body,
                    query=query,
                    returns=returns,
                    content_types=tuple(kwargs.get("content_types", ["application/json"])),
                )
            )

            @functools.wraps(view)
            def guarded(*args: Any, **params: Any) -> Any:
                try:
                    return _as_response(view(*args, **params))
                except Exception as error:  # every failure leaves in the one error shape
                    return translate(error).response()

            register(guarded)
            return view

        return decorator


def created(body: BaseModel, location: str) -> Response:
    return Response(body=body.model_dump(mode="json"), status_code=201, headers={"Location": location})
