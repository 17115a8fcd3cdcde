"""``ChatModel`` over any OpenAI-compatible endpoint, with our retry loop, token usage and cost per call."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import openai
from openai.types.chat import ChatCompletion as OpenAIResponse
from openai.types.chat import ChatCompletionMessageFunctionToolCall

from rehearsal.bundles.schema import ModelSettings, Pricing
from rehearsal.llm.ports import (
    AsyncChatModel,
    ChatCompletion,
    Messages,
    ModelOutputError,
    ModelUnavailable,
    RequestedToolCall,
    ToolSchemas,
    background_loop,
    cost_of,
)
from rehearsal.llm.retry import Failure, RetryPolicy, classify

_PLACEHOLDER_KEY = "unused"  # local OpenAI-compatible servers accept any key, the SDK insists on one


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
    ) -> None:
        self.base_url = base_url
        self.model = model
        self.timeout_s = timeout_s
        self.pricing = pricing or Pricing()
        self.retry = retry or RetryPolicy(max_retries=max_retries)
        self.temperature = temperature
        self.max_tokens = max_tokens
        self._api_key = api_key or _PLACEHOLDER_KEY
        self._async_client: openai.AsyncOpenAI | None = None

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

    def _client(self) -> openai.AsyncOpenAI:
        """The client, created on and only ever used from the background loop: its connection pool is
        bound to one loop, and callers' loops come and go (``asyncio.run`` in tests and scripts)."""
        if self._async_client is None:
            self._async_client = openai.AsyncOpenAI(
                api_key=self._api_key, base_url=self.base_url, timeout=self.timeout_s, max_retries=0
            )
        return self._async_client

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
        if isinstance(error, openai.APIResponseValidationError):
            raise ModelOutputError(
                f"model {self.model!r} answered with an unexpected body: {error}"
            ) from error
        failure = classify(error)
        if not failure.retryable or retry >= self.retry.max_retries:
            raise self._unavailable(failure, retry + 1) from error
        return self.retry.delay_s(retry, failure.retry_after_s)

    def _completion(self, response: OpenAIResponse, retries: int, started: float) -> ChatCompletion:
        if not response.choices:
            raise ModelOutputError(f"model {self.model!r} returned no choices")
        choice = response.choices[0]
        calls = [
            RequestedToolCall(id=call.id, name=call.function.name, arguments=call.function.arguments or "")
            for call in choice.message.tool_calls or []
            if isinstance(call, ChatCompletionMessageFunctionToolCall)
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
        loop = background_loop()
        if asyncio.get_running_loop() is loop:
            return await self._call(request)
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._call(request), loop))

    async def _call(self, request: dict[str, Any]) -> ChatCompletion:
        """Our retry loop around one chat completion; runs on the background loop."""
        started = time.perf_counter()
        retry = 0
        while True:
            try:
                response = await self._client().chat.completions.create(**request)
            except openai.OpenAIError as error:
                await asyncio.sleep(self._next_delay(error, retry))
                retry += 1
                continue
            return self._completion(response, retry, started)
