"""The agent runtime: conversation state, the flow and llm engines, tools, guardrails, routing, telemetry."""

from rehearsal.runtime.agent import AgentRuntime, EngineUnavailableError
from rehearsal.runtime.session import Session
from rehearsal.runtime.tools import ToolContext, ToolError, ToolRegistry, tool

__all__ = [
    "AgentRuntime",
    "EngineUnavailableError",
    "Session",
    "ToolContext",
    "ToolError",
    "ToolRegistry",
    "tool",
]
