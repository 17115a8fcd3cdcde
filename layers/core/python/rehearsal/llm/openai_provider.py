"""``ChatModel`` over any OpenAI-compatible endpoint, with our retry loop, token usage and cost per call.

Per call the SDK's default path costs milliseconds of CPU — its httpx transport, the transformation of the
request parameters and the typed parsing of the response — which caps a run at a few hundred calls a second.
So the SDK sends through an aiohttp session with a connection pool as large as the concurrency
(``lean_http``), posts the request already encoded (our messages are in the wire format, and a stage's tool
schemas are encoded once), reuses the rest of the request the SDK built for the first post of its kind, and
only the fields we read are validated.

Two transports. ``sdk`` (the default, and the agent runtime's) calls the SDK client for every request.
``direct`` sends the very request that client would send — its URL, auth and default headers, taken from it
once — on the same pool, and raises failures as the SDK does; it skips the SDK's per-call option, header and
httpx request/response objects, about half the CPU of a call. Simulated visitors use it: their calls are the
harness's, and the harness's CPU per call is what bounds a run of hundreds of conversations.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import time
import uuid
import weakref
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
import httpx2
import openai
from openai._models import FinalRequestOptions
from pydantic import BaseModel, ConfigDict, ValidationError

from rehearsal.bundles.schema import ModelSettings, Pricing
from rehearsal.llm.lean_http import LeanAsyncClient
from rehearsal.llm.ports import (
    AsyncChatModel,
    ChatCompletion,
    Messages,
    ModelOutputError,
    ModelUnavailable,
    RequestedToolCall,
    ToolSchemas,
    cost_of,
)
from rehearsal.llm.retry import Failure, RetryPolicy, classify

_PLACEHOLDER_KEY = "unused"  # local OpenAI-compatible servers accept any key, the SDK insists on one
DEFAULT_MAX_CONNECTIONS = 256  # as many as a run keeps in flight: a smaller pool queues calls behind it
_CHAT_PATH = "/chat/completions"
_PER_BODY = frozenset({"content-length", "host"})  # worked out by httpx for each request
_DEFAULT_SECURITY = FinalRequestOptions.model_fields["security"].default
_ENCODING_HEADERS = frozenset({b"content-encoding", b"content-length"})  # of a body already decoded
_ENCODED_TOOLS_KEPT = 64  # schema lists kept encoded: one per agent of the bundles a model serves


def _to_json(value: Any) -> bytes:
    """As the SDK encodes a body (compact, UTF-8, no NaN)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


class _Wire(BaseModel):
    """The fields of a chat completion we read; others are the endpoint's business."""

    model_config = ConfigDict(extra="ignore")


class _WireFunction(_Wire):
    name: str
    arguments: str | None = None


class _WireToolCall(_Wire):
    id: str
    type: str = "function"
    function: _WireFunction | None = None


class _WireMessage(_Wire):
    content: str | None = None
    tool_calls: list[_WireToolCall] | None = None


class _WireChoice(_Wire):
    message: _WireMessage
    finish_reason: str | None = None


class _WireUsage(_Wire):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class _WireCompletion(_Wire):
    model: str | None = None
    choices: list[_WireChoice] | None = None
    usage: _WireUsage | None = None


class _SteadyOpenAI(openai.AsyncOpenAI):
    """The SDK client, with what every plain post to it shares worked out once. Our posts are plain — a JSON
    body already encoded and nothing else set — so the URL, headers and extensions the SDK builds around the
    first body of a kind serve every later one. ``tests/unit/llm`` checks the requests against the stock
    client's, byte for byte."""

    _plain: dict[tuple[object, ...], httpx2.Request]

    def _build_request(self, options: FinalRequestOptions, *, retries_taken: int = 0) -> httpx2.Request:
        body = options.json_data
        if not isinstance(body, bytes) or not self._is_plain(options):
            return super()._build_request(options, retries_taken=retries_taken)
        # Everything but the body depends only on these: the first request of a kind is the SDK's own.
        key = (options.url, retries_taken, self._base_url, self.api_key, self.organization, self.project)
        templates = self.__dict__.setdefault("_plain", {})
        template = templates.get(key)
        if template is None:
            template = templates[key] = super()._build_request(options, retries_taken=retries_taken)
        headers = [(name, value) for name, value in template.headers.multi_items() if name not in _PER_BODY]
        return httpx2.Request(
            template.method, template.url, headers=headers, content=body, extensions=template.extensions
        )

    def _is_plain(self, options: FinalRequestOptions) -> bool:
        return (
            options.method == "post"
            and options.extra_json is None
            and not options.params
            and options.files is None
            and options.content is None
            and isinstance(options.headers, openai.NotGiven)
            and isinstance(options.timeout, openai.NotGiven)
            and (self._idempotency_header is None or options.idempotency_key is None)
            and options.security == _DEFAULT_SECURITY
        )

    @property
    def user_agent(self) -> str:
        """The stock client's (it names the class): endpoints see the SDK they know."""
        return f"{openai.AsyncOpenAI.__name__}/Python {self._version}"


async def _lifetime(client: openai.AsyncOpenAI, forget: Callable[[], object]) -> AsyncGenerator[None, None]:
    """Holds a client for as long as its event loop runs: ``asyncio.run`` finalizes async generators before
    it closes the loop (``shutdown_asyncgens``), which closes the client's connections on the loop that owns
    them."""
    try:
        yield
    finally:
        forget()
        await client.close()


@dataclass
class _LoopClient:
    """What one event loop's calls share: the SDK client, its connection pool, and when it is closed."""

    sdk: _SteadyOpenAI
    http: LeanAsyncClient
    lifetime: AsyncGenerator[None, None]
    direct: _DirectTarget | None = None
    pid: int = field(default_factory=os.getpid)  # a forked child holds its parent's, but not their loops


@dataclass(frozen=True)
class _DirectTarget:
    """The chat-completions request as the SDK client would send it: its URL, headers and timeouts."""

    url: str
    headers: dict[str, str]
    timeout: aiohttp.ClientTimeout

    @classmethod
    def of(cls, client: _SteadyOpenAI, timeout_s: float) -> _DirectTarget:
        headers = {**client.default_headers, **client.auth_headers}
        return cls(
            url=str(client._prepare_url(_CHAT_PATH)),
            headers={name: value for name, value in headers.items() if isinstance(value, str)},  # not Omit
            timeout=aiohttp.ClientTimeout(sock_connect=timeout_s, sock_read=timeout_s, connect=timeout_s),
        )


_Clients = dict[asyncio.AbstractEventLoop, _LoopClient]


def _close_on_other_threads(clients: _Clients) -> None:
    """At exit (or when the model goes), close the clients of loops running on other threads — the background
    loop of blocking calls is on a daemon thread, which the interpreter stops without finalizing anything.
    A client on this thread's loop is closed by that loop's async-generator finalizer."""
    try:
        here: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        here = None
    for loop, held in list(clients.items()):
        if held.pid != os.getpid():
            continue
        if loop is not here and loop.is_running() and not loop.is_closed():
            with contextlib.suppress(Exception):  # a loop that no longer answers has nothing left to close
                asyncio.run_coroutine_threadsafe(_end(held.lifetime), loop).result(timeout=2)


async def _end(lifetime: AsyncGenerator[None, None]) -> None:
    await lifetime.aclose()


Transport = Literal["sdk", "direct"]


class OpenAIChatModel(AsyncChatModel):
    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        model: str = "gpt-4o-mini",
        *,
        timeout_s: float = 30.0,
        max_retries: int = 3,
        pricing: Pricing | None = None,
        retry: RetryPolicy | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        transport: Transport = "sdk",
    ) -> None:
        self.base_url = base_url
        self.transport = transport
        self.model = model
        self.timeout_s = timeout_s
        self.pricing = pricing or Pricing()
        self.retry = retry or RetryPolicy(max_retries=max_retries)
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.max_connections = max_connections
        self._api_key = api_key or _PLACEHOLDER_KEY
        # One client per event loop: a connection pool belongs to the loop it was opened on.
        self._clients: _Clients = {}
        self._encoded_tools: dict[int, tuple[ToolSchemas, bytes]] = {}
        self._key_prefix = f"rehearsal-{uuid.uuid4().hex[:12]}"
        self._calls = itertools.count(1)
        weakref.finalize(self, _close_on_other_threads, self._clients)

    @classmethod
    def from_settings(
        cls,
        settings: ModelSettings,
        *,
        api_key: str | None,
        base_url: str | None = None,
        transport: Transport = "sdk",
    ) -> OpenAIChatModel:
        """From a bundle's model settings; ``base_url`` overrides the bundle's endpoint."""
        return cls(
            transport=transport,
            base_url=base_url or settings.base_url,
            api_key=api_key,
            model=settings.model,
            timeout_s=settings.timeout_s,
            max_retries=settings.max_retries,
            pricing=settings.pricing,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
        )

    async def _client(self) -> _LoopClient:
        """The running loop's client, made on first use there; callers' loops come and go (``asyncio.run``
        in tests and scripts) and a call never hops to another thread's loop."""
        loop = asyncio.get_running_loop()
        held = self._clients.get(loop)
        if held is None:
            http_client = LeanAsyncClient(max_connections=self.max_connections, timeout_s=self.timeout_s)
            client = _SteadyOpenAI(
                api_key=self._api_key,
                base_url=self.base_url,
                timeout=self.timeout_s,
                max_retries=0,
                http_client=http_client,
            )
            held = _LoopClient(client, http_client, _lifetime(client, lambda: self._clients.pop(loop, None)))
            if self.transport == "direct":
                held.direct = _DirectTarget.of(client, self.timeout_s)
            self._clients[loop] = held
            await anext(held.lifetime)  # registers the generator with this loop's shutdown
        return held

    def _request(
        self, messages: Messages, tools: ToolSchemas | None, temperature: float | None, max_tokens: int | None
    ) -> bytes:
        """The request body as JSON, the tool schemas spliced in as encoded the first time they were sent."""
        request: dict[str, Any] = {"model": self.model, "messages": messages}
        temperature = self.temperature if temperature is None else temperature
        if temperature is not None:
            request["temperature"] = temperature
        max_tokens = self.max_tokens if max_tokens is None else max_tokens
        if max_tokens is not None:
            request["max_tokens"] = max_tokens
        body = _to_json(request)
        if not tools:
            return body
        return body[:-1] + b',"tools":' + self._tools_json(tools) + b"}"

    def _tools_json(self, tools: ToolSchemas) -> bytes:
        """A runtime sends the same schema list object for a stage on every call: encoded once. The entry
        holds the list itself, so that its id is not reused while it is cached."""
        held = self._encoded_tools.get(id(tools))
        if held is None or held[0] is not tools:
            if len(self._encoded_tools) >= _ENCODED_TOOLS_KEPT:
                self._encoded_tools.clear()
            held = self._encoded_tools[id(tools)] = (tools, _to_json(tools))
        return held[1]

    def _unavailable(self, failure: Failure, attempts: int) -> ModelUnavailable:
        where = self.base_url or "the default endpoint"
        return ModelUnavailable(
            f"model {self.model!r} at {where} failed after {attempts} attempt(s): {failure.message}",
            status=failure.status,
            attempts=attempts,
        )

    def _next_delay(self, error: Exception, retry: int) -> float:
        """Seconds to wait before the next attempt, or raise ``ModelUnavailable`` when done."""
        failure = classify(error)
        if not failure.retryable or retry >= self.retry.max_retries:
            raise self._unavailable(failure, retry + 1) from error
        return self.retry.delay_s(retry, failure.retry_after_s)

    def _completion(self, raw: bytes, retries: int, started: float) -> ChatCompletion:
        try:
            response = _WireCompletion.model_validate_json(raw)
        except ValidationError as error:
            raise ModelOutputError(
                f"model {self.model!r} answered with an unexpected body: {_first_problem(error)}"
            ) from error
        if not response.choices:
            raise ModelOutputError(f"model {self.model!r} returned no choices")
        choice = response.choices[0]
        calls = [
            RequestedToolCall(id=call.id, name=call.function.name, arguments=call.function.arguments or "")
            for call in choice.message.tool_calls or []
            if call.type == "function" and call.function is not None
        ]
        usage = response.usage
        input_tokens = usage.prompt_tokens if usage else 0
        output_tokens = usage.completion_tokens if usage else 0
        return ChatCompletion(
            content=choice.message.content,
            tool_calls=calls,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=cost_of(self.pricing, input_tokens, output_tokens),
            latency_ms=(time.perf_counter() - started) * 1000,
            retries=retries,
            model=response.model or self.model,
            finish_reason=choice.finish_reason,
        )

    async def acomplete(
        self,
        messages: Messages,
        *,
        tools: ToolSchemas | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> ChatCompletion:
        request = self._request(messages, tools, temperature, max_tokens)
        held = await self._client()
        # One key per call, kept across our retries (the SDK would draw a UUID per attempt).
        options: openai.RequestOptions = {"idempotency_key": f"{self._key_prefix}-{next(self._calls)}"}
        started = time.perf_counter()
        retry = 0
        while True:
            try:
                if held.direct is None:
                    # The SDK's own path for any endpoint: its base URL, auth, timeouts and error types,
                    # without re-transforming wire-ready parameters or building typed response models.
                    response = await held.sdk.post(_CHAT_PATH, body=request, cast_to=bytes, options=options)
                else:
                    response = await _post_direct(held, held.direct, request)
            except openai.OpenAIError as error:
                await asyncio.sleep(self._next_delay(error, retry))
                retry += 1
                continue
            return self._completion(response, retry, started)


async def _post_direct(held: _LoopClient, target: _DirectTarget, body: bytes) -> bytes:
    """The request the SDK client would send, on its pool, without its per-call machinery; failures are
    raised as the SDK raises them, so that retries and messages are the same on both paths."""
    try:
        status, headers, content = await held.http.exchange(
            "POST", target.url, target.headers, body, target.timeout, decompress=True
        )
    except TimeoutError as error:
        raise openai.APITimeoutError(request=httpx2.Request("POST", target.url)) from error
    except aiohttp.ClientError as error:
        message, request = str(error) or type(error).__name__, httpx2.Request("POST", target.url)
        raise openai.APIConnectionError(message=message, request=request) from error
    if not 200 <= status < 300:
        request = httpx2.Request("POST", target.url)
        decoded = [(name, value) for name, value in headers if name.lower() not in _ENCODING_HEADERS]
        response = httpx2.Response(status, headers=decoded, content=content, request=request)
        raise held.sdk._make_status_error_from_response(response)
    return content


def _first_problem(error: ValidationError) -> str:
    """Where and what: ``choices.0.message: Field required`` — the body's JSON path, not a stack trace."""
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "body"
    return f"{where}: {problem['msg']}"
