"""A local OpenAI-compatible HTTP server for tests and benchmarks (never the network).

It speaks ``POST /v1/chat/completions`` (non-streaming) and ``POST /v1/embeddings``. Replies come from a
script (text, tool calls — malformed arguments included —, HTTP errors with ``Retry-After``, per-reply
delays), then from a ``responder(request_json)`` callable, then a default text. A fixed latency is added to
every reply. Each connection gets its own thread with HTTP/1.1 keep-alive, so hundreds of concurrent slow
requests overlap instead of queueing. Every request is recorded.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from types import TracebackType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

EMBEDDING_DIMENSIONS = 64


class StubToolCall(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    arguments: str = Field(description="Sent verbatim, so it may be malformed JSON.")


class StubReply(BaseModel):
    """One scripted answer: a completion (text and/or tool calls) or an HTTP error."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str | None = None
    tool_calls: list[StubToolCall] = Field(default_factory=list)
    status: int = 200
    retry_after_s: float | None = None
    delay_s: float = Field(0.0, ge=0, description="Added to the server's fixed latency (e.g. a timeout).")
    error_message: str = "scripted error"

    @classmethod
    def say(cls, text: str, *, delay_s: float = 0.0) -> StubReply:
        return cls(text=text, delay_s=delay_s)

    @classmethod
    def call(cls, name: str, arguments: dict[str, Any] | str, *, text: str | None = None) -> StubReply:
        raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
        return cls(text=text, tool_calls=[StubToolCall(name=name, arguments=raw)])

    @classmethod
    def error(
        cls, status: int, *, retry_after_s: float | None = None, message: str = "scripted error"
    ) -> StubReply:
        return cls(status=status, retry_after_s=retry_after_s, error_message=message)

    @classmethod
    def hang(cls, delay_s: float) -> StubReply:
        """Answer only after ``delay_s``: longer than the client's timeout, it is a timeout."""
        return cls(text="(late)", delay_s=delay_s)


class RecordedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    body: dict[str, Any]
    authorization: str | None = None
    received_at: float = Field(description="time.monotonic() when the request arrived.")


Responder = Callable[[dict[str, Any]], "StubReply | dict[str, Any]"]


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: words and punctuation runs."""
    return len(text.split())


def stub_embedding(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """Feature-hashed bag of words, L2-normalised: similar texts get similar vectors, deterministically."""
    vector = [0.0] * dimensions
    for word in text.lower().split():
        digest = hashlib.sha256(word.encode()).digest()
        index = int.from_bytes(digest[:4], "big") % dimensions
        vector[index] += 1.0 if digest[4] % 2 == 0 else -1.0
    norm = math.sqrt(sum(value * value for value in vector)) or 1.0
    return [value / norm for value in vector]


class StubOpenAIServer:
    def __init__(
        self,
        replies: Iterable[StubReply] = (),
        *,
        responder: Responder | None = None,
        latency_s: float = 0.0,
        default_text: str = "OK",
        model: str = "stub-model",
    ) -> None:
        self.responder = responder
        self.latency_s = latency_s
        self.default_text = default_text
        self.model = model
        self._script: deque[StubReply] = deque(replies)
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._ids = count(1)
        self._in_flight = 0
        self._max_in_flight = 0
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stub = self
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> StubOpenAIServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.02,), name="stub-openai", daemon=True
            )  # a short poll interval makes close() quick
            self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> StubOpenAIServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- script and log -------------------------------------------------------------------------------------

    def script(self, *replies: StubReply) -> None:
        with self._lock:
            self._script.extend(replies)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def max_in_flight(self) -> int:
        """The most requests ever handled at the same time: shows that slow requests overlap."""
        with self._lock:
            return self._max_in_flight

    @contextmanager
    def _serving(self) -> Iterator[None]:
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    @property
    def pending(self) -> int:
        """Scripted replies not yet used."""
        with self._lock:
            return len(self._script)

    def _record(self, request: RecordedRequest) -> StubReply | None:
        with self._lock:
            self._requests.append(request)
            if request.path.endswith("/chat/completions") and self._script:
                return self._script.popleft()
            return None

    # --- answers --------------------------------------------------------------------------------------------

    def handle(
        self, path: str, body: dict[str, Any], authorization: str | None
    ) -> tuple[int, dict[str, str], Any]:
        """(status, headers, JSON body) for one request; runs on the connection's thread."""
        scripted = self._record(
            RecordedRequest(path=path, body=body, authorization=authorization, received_at=time.monotonic())
        )
        if path.endswith("/embeddings"):
            time.sleep(self.latency_s)
            return 200, {}, self._embeddings(body)
        if not path.endswith("/chat/completions"):
            return 404, {}, _error_body(f"no route {path}", "not_found")
        if body.get("stream"):
            return 400, {}, _error_body("the stub server does not stream", "stream_unsupported")
        reply: StubReply | dict[str, Any] | None = scripted
        if reply is None and self.responder is not None:
            try:
                reply = self.responder(body)
            except Exception as error:  # a broken responder is the test's bug: show it to the client
                return 500, {}, _error_body(f"responder failed: {type(error).__name__}: {error}", "responder")
        if reply is None:
            reply = StubReply.say(self.default_text)
        time.sleep(self.latency_s + (reply.delay_s if isinstance(reply, StubReply) else 0.0))
        if isinstance(reply, dict):
            return 200, {}, reply
        if reply.status != 200:
            headers = {"retry-after": f"{reply.retry_after_s:g}"} if reply.retry_after_s is not None else {}
            return reply.status, headers, _error_body(reply.error_message, f"http_{reply.status}")
        return 200, {}, self._completion(body, reply)

    def _completion(self, request: dict[str, Any], reply: StubReply) -> dict[str, Any]:
        number = next(self._ids)
        tool_calls = [
            {
                "id": f"call_{number}_{index}",
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for index, call in enumerate(reply.tool_calls)
        ]
        prompt_text = " ".join(str(message.get("content") or "") for message in request.get("messages", []))
        output_text = (reply.text or "") + " ".join(call.arguments for call in reply.tool_calls)
        prompt_tokens, completion_tokens = count_tokens(prompt_text), count_tokens(output_text)
        message: dict[str, Any] = {"role": "assistant", "content": reply.text}
        if tool_calls:
            message["tool_calls"] = tool_calls
        return {
            "id": f"chatcmpl-stub-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(request.get("model") or self.model),
            "choices": [
                {"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def _embeddings(self, request: dict[str, Any]) -> dict[str, Any]:
        inputs = request.get("input", [])
        texts = [inputs] if isinstance(inputs, str) else [str(item) for item in inputs]
        dimensions = int(request.get("dimensions") or EMBEDDING_DIMENSIONS)
        tokens = sum(count_tokens(text) for text in texts)
        return {
            "object": "list",
            "model": str(request.get("model") or self.model),
            "data": [
                {"object": "embedding", "index": index, "embedding": stub_embedding(text, dimensions)}
                for index, text in enumerate(texts)
            ],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }


def _error_body(message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "stub_error", "code": code}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the listen backlog: bursts of hundreds of connections must not be refused
    stub: StubOpenAIServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client gave up (e.g. its timeout): nothing to report
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the SDK's connection pool reuses connections
    disable_nagle_algorithm = True  # headers and body go out as two writes: without this, +40 ms per reply
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send(400, {}, _error_body("request body is not JSON", "invalid_json"))
            return
        if not isinstance(body, dict):
            self._send(400, {}, _error_body("request body must be a JSON object", "invalid_json"))
            return
        with self.server.stub._serving():
            status, headers, payload = self.server.stub.handle(
                self.path, body, self.headers.get("authorization")
            )
        self._send(status, headers, payload)

    def _send(self, status: int, headers: dict[str, str], payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request log is ``StubOpenAIServer.requests``."""
