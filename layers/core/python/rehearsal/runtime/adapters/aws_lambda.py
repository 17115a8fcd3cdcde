"""Lambda-bound tools: the function receives ``{"tool", "arguments", "conversation_id"}`` and returns
the result as JSON, or ``{"error": {"code", "message"}}`` for a declared error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.config import Config

from rehearsal.bundles.schema import LambdaBinding, ToolDecl
from rehearsal.runtime.tool_types import Handler, ToolContext, ToolError

ClientFactory = Callable[[Config], Any]
"""Builds a Lambda client from a botocore config: ``lambda cfg: session.client("lambda", config=cfg)``."""


def lambda_handler_factory(client_factory: ClientFactory) -> Callable[[ToolDecl], Handler]:
    """For ``ToolRegistry.from_bundle(lambda_handler=...)``: one client per timeout, created on first use."""
    clients: dict[float, Any] = {}

    def client_for(timeout_s: float) -> Any:
        if timeout_s not in clients:
            clients[timeout_s] = client_factory(
                Config(
                    read_timeout=timeout_s, connect_timeout=min(timeout_s, 5.0), retries={"max_attempts": 0}
                )
            )
        return clients[timeout_s]

    def build(declaration: ToolDecl) -> Handler:
        binding = declaration.binding
        assert isinstance(binding, LambdaBinding)

        def call(arguments: dict[str, Any], ctx: ToolContext) -> Any:
            payload = {
                "tool": declaration.name,
                "arguments": arguments,
                "conversation_id": ctx.conversation_id,
            }
            response = client_for(declaration.timeout_s).invoke(
                FunctionName=binding.function_arn, Payload=json.dumps(payload).encode()
            )
            body = json.loads(response["Payload"].read() or b"null")
            if response.get("FunctionError"):
                message = body.get("errorMessage", "") if isinstance(body, dict) else str(body)
                raise ToolError("lambda_error", message)
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                raise ToolError(
                    str(body["error"].get("code", "error")), str(body["error"].get("message", ""))
                )
            return body

        return call

    return build
