"""A local OpenAI-compatible HTTP server for tests and benchmarks (never the network).

It speaks ``POST /v1/chat/completions`` (non-streaming) and ``POST /v1/embeddings``. Replies come from a
script (text, tool calls — malformed arguments included —, HTTP errors with ``Retry-After``, per-reply
delays), then from a ``responder(request_json)`` callable, then a default text. A fixed latency is added to
every reply; with ``compress`` the body is gzipped when the client accepts it, as hosted endpoints do. It is
an asyncio server on its own thread (HTTP/1.1 keep-alive, minimal parsing): a waiting reply costs a timer,
not a thread, so hundreds of concurrent slow requests overlap and thousands of requests a second are
answered. Every request is recorded.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import math
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from http import HTTPStatus
from itertools import count
from types import TracebackType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

EMBEDDING_DIMENSIONS = 64
LISTEN_BACKLOG = 1024  # bursts of hundreds of connections must not be refused


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
        compress: bool = False,
    ) -> None:
        self.responder = responder
        self.compress = compress  # gzip the body when the client accepts it, as hosted endpoints do
        self.latency_s = latency_s
        self.default_text = default_text
        self.model = model
        self._script: deque[StubReply] = deque(replies)
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._ids = count(1)
        self._in_flight = 0
        self._max_in_flight = 0
        # Bound now, so that the port is known before the server starts.
        self._socket = socket.create_server(("127.0.0.1", 0), backlog=LISTEN_BACKLOG)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._socket.getsockname()[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> StubOpenAIServer:
        if self._thread is None:
            self._loop = asyncio.new_event_loop()
            ready = threading.Event()
            self._thread = threading.Thread(
                target=self._serve, args=(self._loop, ready), name="stub-openai", daemon=True
            )
            self._thread.start()
            ready.wait()
        return self

    def _serve(self, loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(
            asyncio.start_server(self._connection, sock=self._socket, backlog=LISTEN_BACKLOG)
        )
        ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            pending = asyncio.all_tasks(loop)  # connections still open (keep-alive), replies still waiting
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    def close(self) -> None:
        if self._thread is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._thread = None
        self._socket.close()

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

    def _in_flight_by(self, delta: int) -> None:
        with self._lock:
            self._in_flight += delta
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    # --- HTTP -----------------------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One keep-alive connection: requests are answered in order until the client closes it."""
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, path, headers = _parse_head(head)
                length = int(headers.get("content-length") or 0)
                raw = await reader.readexactly(length) if length else b""
                self._in_flight_by(1)
                try:
                    status, extra, payload, delay_s = self.answer(method, path, raw, headers)
                    if delay_s > 0:
                        await asyncio.sleep(delay_s)
                finally:
                    self._in_flight_by(-1)
                gzipped = self.compress and "gzip" in headers.get("accept-encoding", "")
                writer.write(_response(status, extra, payload, gzipped=gzipped))
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            return  # the client went away (e.g. its timeout) or spoke something other than HTTP/1.1
        except asyncio.CancelledError:
            return  # the server is closing: ending quietly spares asyncio's "task cancelled" log
        finally:
            writer.close()

    # --- answers --------------------------------------------------------------------------------------------

    def answer(
        self, method: str, path: str, raw: bytes, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], Any, float]:
        """(status, headers, JSON body, seconds to wait before sending it) for one request."""
        if method != "POST":
            return 405, {}, _error_body(f"{method} is not supported", "method_not_allowed"), 0.0
        try:
            body = json.loads(raw or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return 400, {}, _error_body("request body is not JSON", "invalid_json"), 0.0
        if not isinstance(body, dict):
            return 400, {}, _error_body("request body must be a JSON object", "invalid_json"), 0.0
        scripted = self._record(
            RecordedRequest(
                path=path, body=body, authorization=headers.get("authorization"), received_at=time.monotonic()
            )
        )
        if path.endswith("/embeddings"):
            return 200, {}, self._embeddings(body), self.latency_s
        if not path.endswith("/chat/completions"):
            return 404, {}, _error_body(f"no route {path}", "not_found"), 0.0
        if body.get("stream"):
            return 400, {}, _error_body("the stub server does not stream", "stream_unsupported"), 0.0
        reply: StubReply | dict[str, Any] | None = scripted
        if reply is None and self.responder is not None:
            try:
                reply = self.responder(body)
            except Exception as error:  # a broken responder is the test's bug: show it to the client
                message = f"responder failed: {type(error).__name__}: {error}"
                return 500, {}, _error_body(message, "responder"), 0.0
        if reply is None:
            reply = StubReply.say(self.default_text)
        if isinstance(reply, dict):
            return 200, {}, reply, self.latency_s
        delay_s = self.latency_s + reply.delay_s
        if reply.status != 200:
            headers = {"retry-after": f"{reply.retry_after_s:g}"} if reply.retry_after_s is not None else {}
            return reply.status, headers, _error_body(reply.error_message, f"http_{reply.status}"), delay_s
        return 200, {}, self._completion(body, reply), delay_s

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


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    """(method, path, lower-cased headers) of a request head; ``ValueError`` when it is not HTTP."""
    request_line, *lines = head.decode("latin-1").split("\r\n")
    method, path, _version = request_line.split(" ", 2)
    headers = {}
    for line in lines:
        name, separator, value = line.partition(":")
        if separator:
            headers[name.strip().lower()] = value.strip()
    return method, path, headers


def _response(status: int, headers: dict[str, str], payload: Any, *, gzipped: bool = False) -> bytes:
    data = json.dumps(payload).encode()
    if gzipped:
        data = gzip.compress(data)
        headers = {**headers, "content-encoding": "gzip"}
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    lines = [
        f"HTTP/1.1 {status} {reason}",
        "content-type: application/json",
        f"content-length: {len(data)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data
