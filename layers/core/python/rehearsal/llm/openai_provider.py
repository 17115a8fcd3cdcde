"""``ChatModel`` over any OpenAI-compatible endpoint, with our retry loop, token usage and cost per call.

Per call the SDK's default path costs milliseconds of CPU — its httpx transport, the transformation of the
request parameters and the typed parsing of the response — which caps a run at a few hundred calls a second.
So the SDK sends through an aiohttp session with a connection pool as large as the concurrency
(``lean_http``), posts the request as it is (our messages are already in the wire format) and only the
fields we read are validated.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import AsyncGenerator, Callable
from typing import Any

import openai
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


async def _lifetime(client: openai.AsyncOpenAI, forget: Callable[[], object]) -> AsyncGenerator[None, None]:
    """Holds a client for as long as its event loop runs: ``asyncio.run`` finalizes async generators before
    it closes the loop (``shutdown_asyncgens``), which closes the client's connections on the loop that owns
    them."""
    try:
        yield
    finally:
        forget()
        await client.close()


_Clients = dict[asyncio.AbstractEventLoop, tuple[openai.AsyncOpenAI, AsyncGenerator[None, None]]]


def _close_on_other_threads(clients: _Clients) -> None:
    """At exit (or when the model goes), close the clients of loops running on other threads — the background
    loop of blocking calls is on a daemon thread, which the interpreter stops without finalizing anything.
    A client on this thread's loop is closed by that loop's async-generator finalizer."""
    try:
        here: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        here = None
    for loop, (_, lifetime) in list(clients.items()):
        if loop is not here and loop.is_running() and not loop.is_closed():
            with contextlib.suppress(Exception):  # a loop that no longer answers has nothing left to close
                asyncio.run_coroutine_threadsafe(_end(lifetime), loop).result(timeout=2)


async def _end(lifetime: AsyncGenerator[None, None]) -> None:
    await lifetime.aclose()


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
    ) -> None:
        self.base_url = base_url
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
        weakref.finalize(self, _close_on_other_threads, self._clients)

    @classmethod
    def from_settings(
        cls, settings: ModelSettings, *, api_key: str | None, base_url: str | None = None
    ) -> OpenAIChatModel:
        """From a bundle's model settings; ``base_url`` overrides the bundle's endpoint."""
        return cls(
            base_url=base_url or settings.base_url,
            api_key=api_key,
            model=settings.model,
            timeout_s=settings.timeout_s,
            max_retries=settings.max_retries,
            pricing=settings.pricing,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
        )

    async def _client(self) -> openai.AsyncOpenAI:
        """The running loop's client, made on first use there; callers' loops come and go (``asyncio.run``
        in tests and scripts) and a call never hops to another thread's loop."""
        loop = asyncio.get_running_loop()
        held = self._clients.get(loop)
        if held is None:
            http_client = LeanAsyncClient(max_connections=self.max_connections, timeout_s=self.timeout_s)
            client = openai.AsyncOpenAI(
                api_key=self._api_key,
                base_url=self.base_url,
                timeout=self.timeout_s,
                max_retries=0,
                http_client=http_client,
            )
            held = client, _lifetime(client, lambda: self._clients.pop(loop, None))
            self._clients[loop] = held
            await anext(held[1])  # registers the generator with this loop's shutdown
        return held[0]

    def _request(
        self, messages: Messages, tools: ToolSchemas | None, temperature: float | None, max_tokens: int | None
    ) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.model, "messages": messages}
        if tools:
            request["tools"] = tools
        temperature = self.temperature if temperature is None else temperature
        if temperature is not None:
            request["temperature"] = temperature
        max_tokens = self.max_tokens if max_tokens is None else max_tokens
        if max_tokens is not None:
            request["max_tokens"] = max_tokens
        return request

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
        client = await self._client()
        started = time.perf_counter()
        retry = 0
        while True:
            try:
                # The SDK's own path for any endpoint: its base URL, auth, timeouts and error types, without
                # re-transforming parameters that are already wire-ready or building typed response models.
                response = await client.post("/chat/completions", body=request, cast_to=bytes)
            except openai.OpenAIError as error:
                await asyncio.sleep(self._next_delay(error, retry))
                retry += 1
                continue
            return self._completion(response, retry, started)


def _first_problem(error: ValidationError) -> str:
    """Where and what: ``choices.0.message: Field required`` — the body's JSON path, not a stack trace."""
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "body"
    return f"{where}: {problem['msg']}"
