from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Literal

import pytest

from rehearsal.bundles.schema import AgentBundle, ToolDecl
from rehearsal.runtime import ToolError, ToolRegistry, tool
from rehearsal.runtime.events import ToolCallStatus
from rehearsal.runtime.tools import BindingError, ToolContext, ToolInvocation, spec_of

from .conftest import bundle_data, lookup, make_bundle

CTX = ToolContext(
    world={"email": "jane@example.com", "orders": {"A1001": {"status": "shipped"}}}, conversation_id="c1"
)


@tool
def search(query: str, limit: int = 5, kind: Literal["a", "b"] | None = None) -> list[str]:
    """Search the catalogue.

    Args:
        query: What to look for.
        limit: How many results at most.
    """
    return [query] * limit


def test_tool_decorator_builds_schema_and_description_from_hints_and_docstring() -> None:
    spec = spec_of(search)
    assert spec is not None
    assert spec.description == "Search the catalogue."
    assert spec.input_schema == {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "What to look for."},
            "limit": {"type": "integer", "description": "How many results at most."},
            "kind": {"anyOf": [{"enum": ["a", "b"]}, {"type": "null"}]},
        },
        "required": ["query"],
        "additionalProperties": False,
    }


def test_context_parameter_is_not_part_of_the_schema() -> None:
    spec = spec_of(lookup)
    assert spec is not None
    assert list(spec.input_schema["properties"]) == ["order_id"]


@pytest.fixture
def registry(mini_bundle: AgentBundle) -> ToolRegistry:
    return ToolRegistry.from_bundle(mini_bundle)


def test_call_returns_the_validated_result(registry: ToolRegistry) -> None:
    outcome = registry.call("lookup", {"order_id": "A1001"}, CTX)
    assert outcome.status is ToolCallStatus.OK
    assert outcome.result == {"order_id": "A1001", "status": "shipped"}


def test_declared_error_is_an_error_outcome_with_its_code(registry: ToolRegistry) -> None:
    outcome = registry.call("lookup", {"order_id": "A9999"}, CTX)
    assert (outcome.status, outcome.error_code) == (ToolCallStatus.ERROR, "order_not_found")


@pytest.mark.parametrize("arguments", [{}, {"order_id": 7}, "not an object"])
def test_invalid_arguments_never_reach_the_tool(registry: ToolRegistry, arguments: Any) -> None:
    seen: list[ToolInvocation] = []

    def spy_on(invocation: ToolInvocation, next: Any) -> Any:
        seen.append(invocation)
        return next(invocation)

    spy = registry.wrap(spy_on)
    outcome = spy.call("lookup", arguments, CTX)
    assert outcome.status is ToolCallStatus.INVALID_ARGUMENTS
    assert seen == []


def test_unknown_tool_is_an_outcome_not_an_exception(registry: ToolRegistry) -> None:
    assert registry.call("nope", {}, CTX).status is ToolCallStatus.UNKNOWN_TOOL


@pytest.mark.parametrize("bad_result", [{"status": 3}, {"order_id": "A1001"}, {"status": object()}])
def test_result_failing_the_output_schema_is_a_schema_mismatch(
    registry: ToolRegistry, bad_result: Any
) -> None:
    # Given a middleware that makes the tool return a malformed result
    broken = registry.wrap(lambda invocation, next: bad_result)
    # When the tool is called
    outcome = broken.call("lookup", {"order_id": "A1001"}, CTX)
    # Then the result is not passed on
    assert outcome.status is ToolCallStatus.SCHEMA_MISMATCH
    assert outcome.result is None
    assert outcome.schema_errors


def test_a_tool_that_raises_is_an_error_outcome(registry: ToolRegistry) -> None:
    def explode(invocation: ToolInvocation, next: Any) -> Any:
        raise ValueError("boom")

    outcome = registry.wrap(explode).call("lookup", {"order_id": "A1001"}, CTX)
    assert (outcome.status, outcome.error_code) == (ToolCallStatus.ERROR, "tool_raised")
    assert "boom" in (outcome.error or "")


def _slow_bundle(timeout_s: float) -> AgentBundle:
    data = bundle_data()
    data["tools"][0]["timeout_s"] = timeout_s
    return AgentBundle.model_validate(data)


def _sleep(invocation: ToolInvocation, next: Any) -> Any:
    time.sleep(0.3)
    return next(invocation)


@pytest.mark.parametrize("isolation", ["thread", "inline"])
def test_a_call_past_its_timeout_is_a_timeout_outcome(isolation: Any) -> None:
    registry = ToolRegistry.from_bundle(_slow_bundle(0.05), isolation=isolation).wrap(_sleep)
    outcome = registry.call("lookup", {"order_id": "A1001"}, CTX)
    assert outcome.status is ToolCallStatus.TIMEOUT


def test_thread_isolation_returns_at_the_deadline() -> None:
    # Given a tool that takes 1.5 s and a timeout of 0.05 s
    def linger(invocation: ToolInvocation, next: Any) -> Any:
        time.sleep(1.5)
        return next(invocation)

    registry = ToolRegistry.from_bundle(_slow_bundle(0.05)).wrap(linger)
    # When it is called on a worker thread
    started = time.perf_counter()
    registry.call("lookup", {"order_id": "A1001"}, CTX)
    # Then the caller gets its answer long before the tool finishes
    assert time.perf_counter() - started < 1.0


def test_async_call_times_out_too() -> None:
    registry = ToolRegistry.from_bundle(_slow_bundle(0.05)).wrap(_sleep)
    outcome = asyncio.run(registry.acall("lookup", {"order_id": "A1001"}, CTX))
    assert outcome.status is ToolCallStatus.TIMEOUT


def test_async_call_returns_the_result(registry: ToolRegistry) -> None:
    outcome = asyncio.run(registry.acall("lookup", {"order_id": "A1001"}, CTX))
    assert outcome.result == {"order_id": "A1001", "status": "shipped"}


def test_results_are_detached_from_the_world() -> None:
    @tool
    def live(*, ctx: ToolContext) -> dict[str, Any]:
        """Return a live part of the world."""
        return ctx.world["orders"]["A1001"]

    registry = ToolRegistry.from_functions([live], isolation="inline")
    world = {"orders": {"A1001": {"status": "shipped"}}}
    outcome = registry.call("live", {}, ToolContext(world=world, conversation_id="c"))
    world["orders"]["A1001"]["status"] = "changed"
    assert outcome.result == {"status": "shipped"}


def test_middleware_added_last_runs_outermost(registry: ToolRegistry) -> None:
    order: list[str] = []

    def mark(name: str) -> Any:
        def middleware(invocation: ToolInvocation, next: Any) -> Any:
            order.append(name)
            return next(invocation)

        return middleware

    registry.wrap(mark("inner")).wrap(mark("outer")).call("lookup", {"order_id": "A1001"}, CTX)
    assert order == ["outer", "inner"]


def test_binding_problems_are_listed_together() -> None:
    data = bundle_data()
    data["tools"][0]["binding"]["target"] = "no_such_module_xyz:f"
    data["tools"][1]["binding"]["target"] = f"{lookup.__module__}:missing"
    with pytest.raises(BindingError) as raised:
        ToolRegistry.from_bundle(AgentBundle.model_validate(data))
    assert "tools.lookup" in str(raised.value) and "tools.verify" in str(raised.value)


def test_python_binding_is_found_in_a_search_path(tmp_path: Any) -> None:
    (tmp_path / "rt_search_path_tools.py").write_text(
        "def ping(*, ctx):\n    return {'pong': ctx.conversation_id}\n", encoding="utf-8"
    )
    bundle = make_bundle(
        tools=[
            {
                "name": "ping",
                "description": "Ping.",
                "binding": {"kind": "python", "target": "rt_search_path_tools:ping"},
            }
        ]
    )
    registry = ToolRegistry.from_bundle(bundle, search_paths=[tmp_path])
    assert registry.call("ping", {}, CTX).result == {"pong": "c1"}


# --- HTTP and Lambda bindings -----------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        payload: dict[str, Any]
        if body.get("order_id") == "missing":
            payload, status = {"error": {"code": "order_not_found", "message": "no"}}, 404
        else:
            payload, status = {"echo": body, "auth": self.headers.get("Authorization")}, 200
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def http_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tool"
    server.shutdown()
    server.server_close()


def _http_registry(url: str) -> ToolRegistry:
    binding = {"kind": "http", "url": url, "headers": {"Authorization": "Bearer ${TOOL_TOKEN}"}}
    bundle = make_bundle(tools=[{"name": "remote", "description": "Remote.", "binding": binding}])
    return ToolRegistry.from_bundle(bundle, env={"TOOL_TOKEN": "t0k"})


def test_http_binding_posts_arguments_with_env_headers(http_url: str) -> None:
    outcome = _http_registry(http_url).call("remote", {"order_id": "A1"}, CTX)
    assert outcome.result == {"echo": {"order_id": "A1"}, "auth": "Bearer t0k"}


def test_http_error_body_becomes_a_declared_error(http_url: str) -> None:
    outcome = _http_registry(http_url).call("remote", {"order_id": "missing"}, CTX)
    assert (outcome.status, outcome.error_code) == (ToolCallStatus.ERROR, "order_not_found")


def test_unreachable_http_tool_is_an_error_outcome() -> None:
    outcome = _http_registry("http://127.0.0.1:9/tool").call("remote", {}, CTX)
    assert outcome.status is ToolCallStatus.ERROR


class _FakeLambda:
    """Stands in for the boto3 Lambda client (a third-party edge)."""

    def __init__(self, payload: Any, function_error: str | None = None) -> None:
        self.payload, self.function_error = payload, function_error
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        import io

        response: dict[str, Any] = {"Payload": io.BytesIO(json.dumps(self.payload).encode())}
        if self.function_error:
            response["FunctionError"] = self.function_error
        return response


def _lambda_registry(client: _FakeLambda) -> ToolRegistry:
    from rehearsal.runtime.adapters.aws_lambda import lambda_handler_factory

    arn = "arn:aws:lambda:eu-west-1:123456789012:function:acme-tools"
    bundle = make_bundle(
        tools=[{"name": "remote", "description": "R.", "binding": {"kind": "lambda", "function_arn": arn}}]
    )
    return ToolRegistry.from_bundle(bundle, lambda_handler=lambda_handler_factory(lambda config: client))


@pytest.mark.parametrize(
    ("client", "status", "code"),
    [
        (_FakeLambda({"ok": 1}), ToolCallStatus.OK, None),
        (_FakeLambda({"error": {"code": "order_not_found"}}), ToolCallStatus.ERROR, "order_not_found"),
        (
            _FakeLambda({"errorMessage": "crash"}, function_error="Unhandled"),
            ToolCallStatus.ERROR,
            "lambda_error",
        ),
    ],
)
def test_lambda_binding_outcomes(client: _FakeLambda, status: ToolCallStatus, code: str | None) -> None:
    outcome = _lambda_registry(client).call("remote", {"x": 1}, CTX)
    assert (outcome.status, outcome.error_code) == (status, code)
    assert json.loads(client.calls[0]["Payload"]) == {
        "tool": "remote",
        "arguments": {"x": 1},
        "conversation_id": "c1",
    }


def test_lambda_binding_without_a_client_is_a_binding_error() -> None:
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:acme-tools"
    bundle = make_bundle(
        tools=[{"name": "remote", "description": "R.", "binding": {"kind": "lambda", "function_arn": arn}}]
    )
    with pytest.raises(BindingError, match="Lambda"):
        ToolRegistry.from_bundle(bundle)


def test_declaration_from_a_decorated_function() -> None:
    spec = spec_of(search)
    assert spec is not None
    declaration = spec.declaration(timeout_s=2)
    assert isinstance(declaration, ToolDecl)
    assert declaration.binding.kind == "python" and declaration.timeout_s == 2


def test_tool_error_keeps_code_and_message() -> None:
    error = ToolError("not_refundable", "already refunded")
    assert (error.code, error.message) == ("not_refundable", "already refunded")
