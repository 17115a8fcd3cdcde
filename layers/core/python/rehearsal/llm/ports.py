"""The chat-model port: what the runtime, the visitor simulator and the judges need from an LLM.

Adapters: ``OpenAIChatModel`` (any OpenAI-compatible endpoint). Tests and benchmarks point it at
``StubOpenAIServer`` rather than mocking the port.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Annotated, Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.bundles.schema import Pricing


class RequestedToolCall(BaseModel):
    """A tool call the model asked for. ``arguments`` is the raw text: the runtime validates it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    arguments: str = Field(description="As the model produced it; may be malformed JSON.")


class ChatCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    content: str | None = None
    tool_calls: list[RequestedToolCall] = Field(default_factory=list)
    input_tokens: Annotated[int, Field(ge=0)] = 0
    output_tokens: Annotated[int, Field(ge=0)] = 0
    cost_usd: Annotated[float, Field(ge=0)] = 0.0
    latency_ms: Annotated[float, Field(ge=0, description="Wall time of the call, retries included.")] = 0.0
    retries: Annotated[int, Field(ge=0)] = 0
    model: str = ""
    finish_reason: str | None = None


def cost_of(pricing: Pricing, input_tokens: int, output_tokens: int) -> float:
    return (input_tokens * pricing.input_per_1k_tokens + output_tokens * pricing.output_per_1k_tokens) / 1000


class LLMError(Exception):
    """Base class of chat-model failures callers may handle."""


class ModelUnavailable(LLMError):  # noqa: N818 - the name is part of the shared contract
    """The model could not answer: retries exhausted, or a request error that retrying cannot fix."""

    def __init__(self, message: str, *, status: int | None = None, attempts: int = 1) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = attempts


class ModelOutputError(LLMError):
    """The endpoint answered, but not with a usable chat completion."""


Messages = list[dict[str, Any]]
ToolSchemas = list[dict[str, Any]]


@runtime_checkable
class ChatModel(Protocol):
    """One chat completion per call; messages and tools in the OpenAI chat format."""

    async def acomplete(
        self,
        messages: Messages,
        *,
        tools: ToolSchemas | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> ChatCompletion: ...

    def complete(
        self,
        messages: Messages,
        *,
        tools: ToolSchemas | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> ChatCompletion: ...


class AsyncChatModel(ChatModel):
    """Base for adapters: implement ``acomplete``; the blocking ``complete`` comes with it."""

    def complete(
        self,
        messages: Messages,
        *,
        tools: ToolSchemas | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> ChatCompletion:
        """Runs ``acomplete`` on a background loop, so it also works where a loop is already running."""
        call = self.acomplete(messages, tools=tools, temperature=temperature, max_tokens=max_tokens)
        return asyncio.run_coroutine_threadsafe(call, background_loop()).result()


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def background_loop() -> asyncio.AbstractEventLoop:
    """A process-wide event loop on a daemon thread, for blocking callers and long-lived async clients."""
    global _loop  # noqa: PLW0603 - one loop per process serves every blocking caller
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="chat-model-loop", daemon=True).start()
        return _loop


def _forget_the_parents_loop() -> None:
    """A forked child inherits the loop object but not the thread that runs it (nor, maybe, a free lock):
    a call handed to it would wait forever. The child makes its own on first use."""
    global _loop, _loop_lock
    _loop, _loop_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_the_parents_loop)
