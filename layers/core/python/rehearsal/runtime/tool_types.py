"""The small types tool authors and bindings share: the call context, declared errors, handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ToolContext:
    """What a tool sees besides its arguments: the conversation's world state (a plain JSON dict) and ids."""

    world: dict[str, Any]
    conversation_id: str
    agent: str | None = None


class ToolError(Exception):
    """A declared error (``ToolDecl.errors``): a business outcome such as ``order_not_found``, not a crash."""

    def __init__(self, code: str, message: str = "", *, retryable: bool = False) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.retryable = retryable


Handler = Callable[[dict[str, Any], ToolContext], Any]


@dataclass(frozen=True, slots=True)
class ToolInvocation:
    """One call as middleware sees it."""

    tool: str
    arguments: dict[str, Any]
    ctx: ToolContext


Next = Callable[[ToolInvocation], Any]
Middleware = Callable[[ToolInvocation, Next], Any]
"""Wraps every tool call (fault injection, tracing): call ``next(invocation)`` or raise / return instead."""
