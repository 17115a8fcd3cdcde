from __future__ import annotations

import asyncio
import json
import socket

import httpx2
import pytest

from rehearsal.llm import StubOpenAIServer, StubReply
from rehearsal.llm.lean_http import LeanAsyncClient

REQUEST = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


async def post(url: str, *, timeout_s: float = 5.0) -> httpx2.Response:
    client = LeanAsyncClient(max_connections=4, timeout_s=timeout_s)
    try:
        return await client.post(url, json=REQUEST)
    finally:
        await client.aclose()


def test_a_json_request_gets_status_headers_and_body() -> None:
    # Given
    with StubOpenAIServer([StubReply.error(429, retry_after_s=2)]) as server:
        # When
        response = asyncio.run(post(f"{server.base_url}/chat/completions"))
        # Then
        assert (response.status_code, response.headers["retry-after"]) == (429, "2")
        assert json.loads(response.content)["error"]["code"] == "http_429"
        assert server.requests[0].body == REQUEST


def test_a_refused_connection_is_httpx_s_connect_error() -> None:
    # Given a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # When / Then
    with pytest.raises(httpx2.ConnectError):
        asyncio.run(post(f"http://127.0.0.1:{port}/v1/chat/completions"))


def test_a_late_answer_is_httpx_s_read_timeout() -> None:
    # Given an answer later than the timeout / When / Then
    with StubOpenAIServer([StubReply.hang(0.5)]) as server, pytest.raises(httpx2.ReadTimeout):
        asyncio.run(post(f"{server.base_url}/chat/completions", timeout_s=0.1))


def test_each_distinct_url_is_parsed_once() -> None:
    client = LeanAsyncClient(max_connections=1, timeout_s=1.0)
    first = client._merge_url("http://127.0.0.1:9/v1/chat/completions")
    assert client._merge_url("http://127.0.0.1:9/v1/chat/completions") is first
    assert str(client._merge_url("http://127.0.0.1:9/v1/embeddings")) == "http://127.0.0.1:9/v1/embeddings"
    request = client.build_request("POST", "http://127.0.0.1:9/v1/chat/completions")
    assert request.url == first
