"""One neutral view of a conversation for behaviours, whether an AI agent or a person served the customer.

Plain frozen dataclasses: built once per item and read many times on the hot path of a run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from rehearsal.runtime.events import FactGranted, ToolCall, ToolCalled, ToolCallStatus

if TYPE_CHECKING:
    from rehearsal.insights.conversation import Conversation
    from rehearsal.runtime.state import ConversationState

Role = Literal["customer", "agent"]


@dataclass(frozen=True, slots=True)
class TranscriptTurn:
    index: int
    role: Role
    text: str


@dataclass(frozen=True, slots=True)
class TranscriptCall:
    id: str
    tool: str
    turn: int
    ok: bool
    side_effects: bool


@dataclass(frozen=True, slots=True)
class TranscriptFact:
    fact: str
    turn: int


@dataclass(frozen=True, slots=True)
class Transcript:
    """Turns in order; tool calls and granted facts with the turn they belong to.

    ``events`` interleaves calls and facts in the order they happened, which is what "verified before the
    first account change" needs when both happen within one agent turn.
    """

    turns: tuple[TranscriptTurn, ...]
    events: tuple[TranscriptCall | TranscriptFact, ...] = field(default=())

    @property
    def calls(self) -> tuple[TranscriptCall, ...]:
        return tuple(event for event in self.events if isinstance(event, TranscriptCall))

    def agent_turns(self) -> list[TranscriptTurn]:
        return [turn for turn in self.turns if turn.role == "agent"]

    @classmethod
    def from_state(cls, state: ConversationState, side_effect_tools: Iterable[str] = ()) -> Transcript:
        """From the runtime's state; ``side_effect_tools`` come from the bundle's tool declarations."""
        side_effects = frozenset(side_effect_tools)
        turns = tuple(TranscriptTurn(turn.index, turn.role, turn.text) for turn in state.turns)
        events: list[TranscriptCall | TranscriptFact] = []
        for event in state.events:
            if isinstance(event, ToolCalled):
                events.append(_call(event.call, side_effects))
            elif isinstance(event, FactGranted):
                events.append(TranscriptFact(fact=event.fact, turn=event.turn))
        if not any(isinstance(event, TranscriptCall) for event in events):
            # Calls recorded only in ``tool_calls`` (no telemetry events) still count.
            events = [*(_call(call, side_effects) for call in state.tool_calls), *events]
        return cls(turns=turns, events=tuple(events))

    @classmethod
    def from_historical(cls, conversation: Conversation, side_effect_tools: Iterable[str] = ()) -> Transcript:
        """From a historical (human or AI) transcript; system turns dropped, tool calls kept in place."""
        side_effects = frozenset(side_effect_tools)
        turns: list[TranscriptTurn] = []
        events: list[TranscriptCall | TranscriptFact] = []
        for turn in conversation.turns:
            if turn.speaker == "system":
                continue
            index = len(turns)
            role: Role = "customer" if turn.speaker == "customer" else "agent"
            turns.append(TranscriptTurn(index, role, turn.text))
            for number, call in enumerate(turn.tool_calls):
                events.append(
                    TranscriptCall(
                        id=f"t{index}c{number}",
                        tool=call.name,
                        turn=index,
                        ok=call.error is None,
                        side_effects=call.name in side_effects,
                    )
                )
        return cls(turns=tuple(turns), events=tuple(events))


def _call(call: ToolCall, side_effects: frozenset[str]) -> TranscriptCall:
    return TranscriptCall(
        id=call.id,
        tool=call.tool,
        turn=call.turn,
        ok=call.status is ToolCallStatus.OK,
        side_effects=call.tool in side_effects,
    )
