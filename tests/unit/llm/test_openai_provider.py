from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from rehearsal.bundles.schema import ModelSettings, Pricing
from rehearsal.llm import ModelOutputError, ModelUnavailable, OpenAIChatModel, StubOpenAIServer, StubReply
from rehearsal.llm.openai_provider import Transport
from rehearsal.llm.retry import RetryPolicy

MESSAGES = [{"role": "user", "content": "where is my order A-1001"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "description": "Look up an order.",
            "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
        },
    }
]


TRANSPORTS = pytest.mark.parametrize("transport", ["sdk", "direct"])


@pytest.fixture
def server() -> Iterator[StubOpenAIServer]:
    with StubOpenAIServer() as stub:
        yield stub


def make_model(server: StubOpenAIServer, **overrides: object) -> OpenAIChatModel:
    options: dict[str, object] = {
        "timeout_s": 2.0,
        "retry": RetryPolicy(max_retries=2, base_delay_s=0.001, max_delay_s=0.5),
        "pricing": Pricing(input_per_1k_tokens=1.0, output_per_1k_tokens=2.0),
    }
    options.update(overrides)
    return OpenAIChatModel(server.base_url, "test-key", "stub-model", **options)  # type: ignore[arg-type]


@TRANSPORTS
def test_returns_the_requested_tool_call(server: StubOpenAIServer, transport: Transport) -> None:
    # Given
    server.script(StubReply.call("lookup_order", {"order_id": "A-1001"}))
    # When
    completion = make_model(server, transport=transport).complete(MESSAGES, tools=TOOLS)
    # Then
    assert completion.content is None
    assert [(call.name, call.arguments) for call in completion.tool_calls] == [
        ("lookup_order", '{"order_id": "A-1001"}')
    ]
    assert completion.finish_reason == "tool_calls"
    assert server.requests[0].body["tools"] == TOOLS
    assert server.requests[0].authorization == "Bearer test-key"


def test_malformed_arguments_are_returned_as_is(server: StubOpenAIServer) -> None:
    # Given
    server.script(StubReply.call("lookup_order", '{"order_id": A-1001'))
    # When
    completion = make_model(server).complete(MESSAGES, tools=TOOLS)
    # Then
    assert completion.tool_calls[0].arguments == '{"order_id": A-1001'


@TRANSPORTS
def test_retries_after_429_honouring_retry_after(server: StubOpenAIServer, transport: Transport) -> None:
    # Given
    server.script(StubReply.error(429, retry_after_s=0.3), StubReply.say("hello"))
    # When
    completion = make_model(server, transport=transport).complete(MESSAGES)
    # Then
    first, second = server.requests
    assert completion.content == "hello"
    assert completion.retries == 1
    assert second.received_at - first.received_at >= 0.29


@TRANSPORTS
def test_retries_a_500_then_succeeds(server: StubOpenAIServer, transport: Transport) -> None:
    # Given
    server.script(StubReply.error(500), StubReply.say("recovered"))
    # When
    completion = asyncio.run(make_model(server, transport=transport).acomplete(MESSAGES))
    # Then
    assert (completion.content, completion.retries, len(server.requests)) == ("recovered", 1, 2)


@TRANSPORTS
def test_timeouts_are_retried_then_raise_model_unavailable(
    server: StubOpenAIServer, transport: Transport
) -> None:
    # Given: every attempt answers after the client's timeout
    server.script(*[StubReply.hang(0.6)] * 3)
    model = make_model(server, timeout_s=0.2, transport=transport)
    # When
    with pytest.raises(ModelUnavailable) as raised:
        asyncio.run(model.acomplete(MESSAGES))
    # Then
    assert raised.value.attempts == 3
    assert "timed out" in str(raised.value)


@TRANSPORTS
def test_a_client_error_is_not_retried(server: StubOpenAIServer, transport: Transport) -> None:
    # Given
    server.script(StubReply.error(400, message="bad request"), StubReply.say("never"))
    # When
    with pytest.raises(ModelUnavailable) as raised:
        make_model(server, transport=transport).complete(MESSAGES)
    # Then
    assert (raised.value.status, raised.value.attempts, len(server.requests)) == (400, 1, 1)


@TRANSPORTS
def test_usage_and_cost_come_from_the_response_and_pricing(
    server: StubOpenAIServer, transport: Transport
) -> None:
    # Given: the stub counts words — 5 in the prompt, 2 in the reply
    server.script(StubReply.say("on its way"))
    # When
    completion = make_model(server, transport=transport).complete(MESSAGES)
    # Then
    assert (completion.input_tokens, completion.output_tokens) == (5, 3)
    assert completion.cost_usd == pytest.approx((5 * 1.0 + 3 * 2.0) / 1000)
    assert completion.latency_ms > 0


def test_from_settings_uses_the_bundle_model_settings(server: StubOpenAIServer) -> None:
    # Given
    settings = ModelSettings(engine="llm", model="m-1", temperature=0.7, max_tokens=64)
    model = OpenAIChatModel.from_settings(settings, api_key=None, base_url=server.base_url)
    # When
    model.complete(MESSAGES)
    # Then
    body = server.requests[0].body
    assert (body["model"], body["temperature"], body["max_tokens"]) == ("m-1", 0.7, 64)


def test_one_model_serves_several_event_loops(server: StubOpenAIServer) -> None:
    # Given
    model = make_model(server)
    # When: each asyncio.run has its own loop
    replies = [asyncio.run(model.acomplete(MESSAGES)).content for _ in range(2)]
    # Then
    assert replies == ["OK", "OK"]


def test_a_body_without_choices_is_a_model_output_error() -> None:
    # Given
    body = {"id": "x", "object": "chat.completion"}
    # When / Then
    with (
        StubOpenAIServer(responder=lambda request: body) as server,
        pytest.raises(ModelOutputError, match="no choices"),
    ):
        make_model(server).complete(MESSAGES)


def test_complete_works_inside_a_running_event_loop(server: StubOpenAIServer) -> None:
    # Given
    model = make_model(server)

    async def caller() -> str | None:
        return model.complete(MESSAGES).content  # a blocking call from async code

    # When
    content = asyncio.run(caller())
    # Then
    assert content == "OK"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"choices": [{"finish_reason": "stop"}]}, "choices.0.message"),
        ({"choices": [{"message": {"content": 7}}]}, "choices.0.message.content"),
        ({"choices": [{"message": {"tool_calls": [{"function": {"name": "f"}}]}}]}, "tool_calls.0.id"),
    ],
)
def test_an_unexpected_body_is_a_model_output_error_naming_the_field(
    body: dict[str, Any], where: str
) -> None:
    # Given / When / Then
    with (
        StubOpenAIServer(responder=lambda request: body) as server,
        pytest.raises(ModelOutputError, match=where),
    ):
        make_model(server).complete(MESSAGES)


def test_fields_the_model_does_not_read_are_ignored() -> None:
    # Given: an endpoint that adds its own fields
    body = {
        "choices": [{"message": {"content": "hi", "refusal": None}, "finish_reason": "stop", "logprobs": {}}],
        "system_fingerprint": "fp",
    }
    with StubOpenAIServer(responder=lambda request: body) as server:
        # When
        completion = make_model(server).complete(MESSAGES)
    # Then
    assert (completion.content, completion.model) == ("hi", "stub-model")


def test_the_client_of_a_finished_event_loop_is_closed(server: StubOpenAIServer) -> None:
    # Given
    model = make_model(server)

    async def call_then_look() -> tuple[int, object]:
        await model.acomplete(MESSAGES)
        return len(model._clients), next(iter(model._clients.values())).sdk

    # When
    held_during, client = asyncio.run(call_then_look())
    # Then: asyncio.run finalized the client with its loop
    assert held_during == 1
    assert model._clients == {}
    assert client.is_closed()  # type: ignore[attr-defined]


def test_concurrent_calls_share_one_connection_pool(server: StubOpenAIServer) -> None:
    # Given: a pool of four connections and a slow endpoint
    server.latency_s = 0.05
    model = make_model(server, max_connections=4)

    async def many() -> None:
        await asyncio.gather(*(model.acomplete(MESSAGES) for _ in range(16)))

    # When
    asyncio.run(many())
    # Then: never more in flight than the pool holds
    assert len(server.requests) == 16
    assert server.max_in_flight == 4


@TRANSPORTS
def test_a_refused_connection_is_retried_then_raises_model_unavailable(transport: Transport) -> None:
    # Given an endpoint nobody listens on
    with StubOpenAIServer() as server:
        model = make_model(server, transport=transport)
    # When
    with pytest.raises(ModelUnavailable) as raised:
        model.complete(MESSAGES)
    # Then
    assert raised.value.attempts == 3
    assert "connection failed" in str(raised.value)


def test_the_steady_client_builds_urls_and_headers_as_the_sdk_does() -> None:
    # Given the stock SDK client and ours, on the same endpoint and organization
    import openai

    from rehearsal.llm.openai_provider import _SteadyOpenAI

    options: dict[str, Any] = {"api_key": "k", "base_url": "http://127.0.0.1:9/v1", "organization": "org-1"}
    stock, steady = openai.AsyncOpenAI(**options), _SteadyOpenAI(**options)

    def headers(client: openai.AsyncOpenAI) -> dict[str, str]:  # an omitted header is not sent
        return {name: value for name, value in client.default_headers.items() if isinstance(value, str)}

    for _ in range(2):  # the second time from what was worked out the first
        # Then every request shares the same URL and default headers
        assert steady._prepare_url("/chat/completions") == stock._prepare_url("/chat/completions")
        assert headers(steady) == headers(stock)
    # and a new base URL or organization is honoured
    stock.base_url = steady.base_url = "http://127.0.0.1:9/other/"
    stock.organization = steady.organization = "org-2"
    assert str(steady._prepare_url("/chat/completions")) == "http://127.0.0.1:9/other/chat/completions"
    assert headers(steady) == headers(stock)
    assert headers(steady)["OpenAI-Organization"] == "org-2"


def test_the_body_is_the_sdk_s_json_with_each_tool_list_encoded_once(server: StubOpenAIServer) -> None:
    # Given a model asked twice with the same tool list, then with another
    model = make_model(server, temperature=0.2)
    first = model._request(MESSAGES, TOOLS, None, None)
    second = model._request([*MESSAGES, {"role": "assistant", "content": "ok"}], TOOLS, None, 50)
    other_tools = [{**TOOLS[0], "function": {**TOOLS[0]["function"], "name": "cancel_order"}}]
    third = model._request(MESSAGES, other_tools, None, None)
    # Then each body is the complete request as JSON
    expected = {"model": "stub-model", "messages": MESSAGES, "tools": TOOLS, "temperature": 0.2}
    assert json.loads(first) == expected
    assert json.loads(second)["max_tokens"] == 50
    assert json.loads(second)["tools"] == TOOLS
    assert json.loads(third)["tools"] == other_tools
    # and each tool list was encoded once
    assert len(model._encoded_tools) == 2
    assert json.loads(model._request(MESSAGES, None, None, None)) == {
        "model": "stub-model",
        "messages": MESSAGES,
        "temperature": 0.2,
    }


@TRANSPORTS
def test_a_gzipped_endpoint_is_read_on_both_paths(transport: Transport) -> None:
    # Given an endpoint that gzips what it sends, as hosted ones do
    with StubOpenAIServer(compress=True) as server:
        server.script(StubReply.error(400, message="unsupported parameter"), StubReply.say("on its way"))
        model = make_model(server, transport=transport)
        # When a call fails, then one succeeds
        with pytest.raises(ModelUnavailable) as raised:
            model.complete(MESSAGES)
        completion = model.complete(MESSAGES)
    # Then the error's message and the completion were both decoded
    assert "unsupported parameter" in str(raised.value)
    assert completion.content == "on its way"


@pytest.mark.parametrize("retries_taken", [0, 1])
def test_a_plain_post_is_built_as_the_sdk_builds_it(retries_taken: int) -> None:
    # Given the stock SDK client and ours, and posts of two bodies, plain or with a header of their own
    import openai
    from openai._models import FinalRequestOptions

    from rehearsal.llm.openai_provider import _SteadyOpenAI

    options: dict[str, Any] = {"api_key": "k", "base_url": "http://127.0.0.1:9/v1", "max_retries": 0}
    stock, steady = openai.AsyncOpenAI(**options), _SteadyOpenAI(**options)
    posts = [
        FinalRequestOptions.construct(method="post", url="/chat/completions", json_data=body, **extra)
        for body in (b'{"model":"m","messages":[]}', b'{"model":"m","messages":[{"role":"user"}]}')
        for extra in ({}, {"headers": {"x-trace": "1"}})
    ]
    for post in posts:
        # When each is built by both
        ours = steady._build_request(post, retries_taken=retries_taken)
        theirs = stock._build_request(post, retries_taken=retries_taken)
        # Then the requests are the same, byte for byte
        assert (ours.method, ours.url, ours.content) == (theirs.method, theirs.url, theirs.content)
        assert sorted(ours.headers.multi_items()) == sorted(theirs.headers.multi_items())
        assert ours.extensions == theirs.extensions


def test_one_call_keeps_one_idempotency_key_across_its_retries(
    server: StubOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an endpoint that throttles the first attempt, and a record of each attempt's key
    from rehearsal.llm.openai_provider import _SteadyOpenAI

    keys: list[str | None] = []
    build = _SteadyOpenAI._build_request

    def recording(self: _SteadyOpenAI, options: Any, *, retries_taken: int = 0) -> Any:
        keys.append(options.idempotency_key)
        return build(self, options, retries_taken=retries_taken)

    monkeypatch.setattr(_SteadyOpenAI, "_build_request", recording)
    server.script(StubReply.error(429, retry_after_s=0), StubReply.say("first"), StubReply.say("second"))
    model = make_model(server)
    # When two calls are made, the first retried once
    model.complete(MESSAGES)
    model.complete(MESSAGES)
    # Then the retry reused its call's key, and the next call got its own
    assert keys[0] == keys[1] != keys[2]
    assert all(key and key.startswith("rehearsal-") for key in keys)
