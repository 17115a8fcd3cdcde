from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from rehearsal.llm import StubOpenAIServer, StubReply


def post(server: StubOpenAIServer, path: str, body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("POST", path, body=json.dumps(body), headers={"content-type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read()), dict(response.getheaders())
    finally:
        connection.close()


CHAT = "/v1/chat/completions"
REQUEST = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def test_scripted_replies_are_used_in_order_then_the_default() -> None:
    # Given
    with StubOpenAIServer([StubReply.say("one"), StubReply.say("two")], default_text="default") as server:
        # When
        texts = [post(server, CHAT, REQUEST)[1]["choices"][0]["message"]["content"] for _ in range(3)]
    # Then
    assert texts == ["one", "two", "default"]


def test_responder_answers_when_the_script_is_empty() -> None:
    # Given
    def responder(request: dict[str, Any]) -> StubReply:
        return StubReply.say(f"you said {request['messages'][-1]['content']}")

    with StubOpenAIServer(responder=responder) as server:
        # When
        _, body, _ = post(server, CHAT, REQUEST)
    # Then
    assert body["choices"][0]["message"]["content"] == "you said hi"


def test_scripted_error_carries_status_and_retry_after() -> None:
    # Given
    with StubOpenAIServer([StubReply.error(429, retry_after_s=1.5)]) as server:
        # When
        status, body, headers = post(server, CHAT, REQUEST)
    # Then
    assert (status, headers.get("retry-after"), body["error"]["code"]) == (429, "1.5", "http_429")


def test_requests_are_recorded() -> None:
    # Given
    with StubOpenAIServer() as server:
        # When
        post(server, CHAT, REQUEST)
        recorded = server.requests
    # Then
    assert [(request.path, request.body) for request in recorded] == [(CHAT, REQUEST)]


def test_embeddings_are_deterministic_unit_vectors() -> None:
    # Given
    request = {"model": "e", "input": ["refund my order", "refund my order", "hello"]}
    with StubOpenAIServer() as server:
        # When
        _, body, _ = post(server, "/v1/embeddings", request)
    # Then
    first, second, third = (item["embedding"] for item in body["data"])
    assert first == second and first != third
    assert sum(value * value for value in first) == pytest.approx(1.0)


@pytest.mark.parametrize("payload", ["not json", [1, 2]])
def test_bad_request_bodies_get_a_400(payload: Any) -> None:
    # Given
    with StubOpenAIServer() as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        raw = payload if isinstance(payload, str) else json.dumps(payload)
        # When
        connection.request("POST", CHAT, body=raw)
        status = connection.getresponse().status
        connection.close()
    # Then
    assert status == 400


def test_concurrent_slow_requests_overlap() -> None:
    # Given: 256 clients, 200 ms latency each
    with StubOpenAIServer(latency_s=0.2) as server, ThreadPoolExecutor(256) as pool:
        # When
        statuses = list(pool.map(lambda _: post(server, CHAT, REQUEST)[0], range(256)))
    # Then: served side by side, not one after another
    assert statuses == [200] * 256
    assert server.max_in_flight >= 128


def test_a_failing_responder_answers_500_with_its_error() -> None:
    # Given
    def responder(request: dict[str, Any]) -> StubReply:
        raise KeyError("messages")

    with StubOpenAIServer(responder=responder) as server:
        # When
        status, body, _ = post(server, CHAT, REQUEST)
    # Then
    assert status == 500 and "KeyError" in body["error"]["message"]


def test_streaming_requests_are_refused() -> None:
    # Given
    with StubOpenAIServer() as server:
        # When
        status, body, _ = post(server, CHAT, {**REQUEST, "stream": True})
    # Then
    assert (status, body["error"]["code"]) == (400, "stream_unsupported")


def test_one_connection_carries_several_requests() -> None:
    # Given: an HTTP/1.1 keep-alive connection
    with StubOpenAIServer([StubReply.say("one"), StubReply.say("two")]) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        texts = []
        # When
        for _ in range(2):
            connection.request("POST", CHAT, body=json.dumps(REQUEST))
            texts.append(json.loads(connection.getresponse().read())["choices"][0]["message"]["content"])
        connection.close()
    # Then
    assert texts == ["one", "two"]


def test_other_methods_than_post_get_a_405() -> None:
    # Given
    with StubOpenAIServer() as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        # When
        connection.request("GET", "/v1/models")
        status = connection.getresponse().status
        connection.close()
    # Then
    assert status == 405
