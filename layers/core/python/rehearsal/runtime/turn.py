"""One turn's working area, shared by the engines, the guardrails and the session.

Engines are generators: they ``yield`` effects (``CallTool``, ``AskModel``) and receive the outcome, so the
same engine code runs under the synchronous and the asynchronous driver in ``session``.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from datetime import date
from typing import Any

from rehearsal.bundles.schema import HUMAN, EndReason
from rehearsal.runtime.events import ErrorCode, Handoff, RuntimeError_, RuntimeEvent
from rehearsal.runtime.state import ConversationState
from rehearsal.runtime.templates import render


@dataclass(frozen=True, slots=True)
class CallTool:
    """Ask the runtime to call a tool; the engine receives the recorded ``ToolCall``."""

    tool: str
    arguments: Any
    save_as: str | None = None
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class AskModel:
    """Ask the chat model for a completion; the engine gets a ``ChatCompletion`` or the error thrown in."""

    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None
    temperature: float | None = None
    max_tokens: int | None = None


Effect = CallTool | AskModel
EngineRun = Generator[Effect, Any, None]


class TurnContext:
    """The state being changed, the messages to send and the events of one call of ``respond`` / ``open``."""

    __slots__ = ("agents", "end_detail", "events", "messages", "state", "today", "turn")

    def __init__(self, state: ConversationState, *, agents: frozenset[str], today: date) -> None:
        self.state = state
        self.agents = agents
        self.today = today
        self.turn = len(state.turns)  # the index the agent's reply will have
        self.messages: list[str] = []
        self.events: list[RuntimeEvent] = []
        self.end_detail = ""

    @property
    def ended(self) -> bool:
        return self.state.ended is not None

    def emit(self, event: RuntimeEvent) -> None:
        self.events.append(event)
        self.state.events.append(event)

    def error(self, code: ErrorCode, message: str) -> None:
        self.emit(RuntimeError_(turn=self.turn, code=code, message=message))

    def say(self, text: str) -> None:
        if text:
            self.messages.append(text)

    def scope(self, **extra: Any) -> dict[str, Any]:
        """What templates and conditions can read."""
        state = self.state
        return {
            "slots": state.slots,
            "vars": state.variables,
            "results": state.results,
            "facts": state.facts,
            "agent": state.active_agent,
            "last_result": state.last_result,
            "last_error": state.last_error,
            **extra,
        }

    def render(self, template: str) -> str:
        rendered = render(template, self.scope())
        if rendered.missing:
            self.error(ErrorCode.TEMPLATE, f"unresolved placeholders {rendered.missing} in {template!r}")
        return rendered.text

    def end(self, reason: EndReason, detail: str = "") -> None:
        if self.state.ended is None:
            self.state.ended = reason
            self.end_detail = detail

    def hand_off(self, to: str, reason: str = "") -> bool:
        """Move the conversation to sub-agent ``to`` (a human ends it); False when ``to`` is unknown."""
        state = self.state
        if to != HUMAN and to not in self.agents:
            self.error(
                ErrorCode.UNKNOWN_AGENT, f"no agent named {to!r} to hand off to (from {state.active_agent!r})"
            )
            return False
        self.emit(Handoff(turn=self.turn, from_agent=state.active_agent, to_agent=to, reason=reason))
        state.position = None
        if to == HUMAN:
            self.end(EndReason.ESCALATED, reason)
        else:
            state.active_agent = to
        return True
