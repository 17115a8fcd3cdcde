"""LLM ports and adapters: the chat-model port, an OpenAI-compatible provider and a local stub server."""

from rehearsal.llm.openai_provider import OpenAIChatModel
from rehearsal.llm.ports import (
    AsyncChatModel,
    ChatCompletion,
    ChatModel,
    LLMError,
    ModelOutputError,
    ModelUnavailable,
    RequestedToolCall,
)
from rehearsal.llm.stub_server import StubOpenAIServer, StubReply

__all__ = [
    "AsyncChatModel",
    "ChatCompletion",
    "ChatModel",
    "LLMError",
    "ModelOutputError",
    "ModelUnavailable",
    "OpenAIChatModel",
    "RequestedToolCall",
    "StubOpenAIServer",
    "StubReply",
]
