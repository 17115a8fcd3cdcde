"""The HTTP API: blueprints by resource, one error shape, IAM auth on AWS and a bearer token locally."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import cache
from typing import Any

from chalice import Chalice, Response
from chalice.app import Request

from rehearsal import __version__
from rehearsal.service.api.bundles import bundles
from rehearsal.service.api.context import settings
from rehearsal.service.api.conversations import conversations
from rehearsal.service.api.errors import ApiError
from rehearsal.service.api.monitor import monitor
from rehearsal.service.api.openapi import build_openapi
from rehearsal.service.api.questions import questions
from rehearsal.service.api.routing import ApiBlueprint
from rehearsal.service.api.runs import runs
from rehearsal.service.api.watch import watch

BLUEPRINTS: tuple[ApiBlueprint, ...] = (bundles, runs, conversations, questions, watch, monitor)
TITLE = "Rehearsal API"


def _authorized(request: Request) -> bool:
    token = settings().api_token
    if token is None:  # on AWS: API Gateway has checked the IAM signature already
        return True
    given = request.headers.get("authorization") or ""
    return hmac.compare_digest(given.encode(), f"Bearer {token.get_secret_value()}".encode())


@cache
def create_app() -> Chalice:
    """The one API app of this process (Chalice replays a blueprint's routes only once)."""
    app = Chalice(app_name="rehearsal-api")
    register(app)
    return app


def register(app: Chalice) -> None:
    """Attach every blueprint, the bearer-token check and ``/openapi.json`` to ``app``."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)

    @app.middleware("http")
    def require_token(event: Request, get_response: Callable[[Request], Response]) -> Response:
        if not _authorized(event):
            return ApiError(401, "unauthorized", "a valid bearer token is required").response()
        return get_response(event)

    document = build_openapi(
        [operation for blueprint in BLUEPRINTS for operation in blueprint.operations],
        title=TITLE,
        version=__version__,
    )

    @app.route("/openapi.json", methods=["GET"])
    def openapi() -> dict[str, Any]:
        return document
