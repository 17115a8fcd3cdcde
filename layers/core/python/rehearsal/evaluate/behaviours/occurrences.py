"""When a behaviour is required: each trigger occurrence and the agent turns or tool call it is judged on."""

from __future__ import annotations

from dataclasses import dataclass

from rehearsal.evaluate.behaviours.classifier import TextClassifier
from rehearsal.evaluate.behaviours.spec import (
    AlwaysTrigger,
    ConversationEndTrigger,
    ConversationStartTrigger,
    CustomerSaysTrigger,
    ToolCallTrigger,
    Trigger,
)
from rehearsal.evaluate.behaviours.transcript import Transcript, TranscriptCall, TranscriptTurn


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One time the behaviour was required: what set it off, and what the agent did in reply."""

    trigger_turn: int | None
    trigger_quote: str
    scope: tuple[TranscriptTurn, ...]
    call: TranscriptCall | None = None
    trigger_confidence: float = 1.0


def find_occurrences(
    trigger: Trigger, transcript: Transcript, classifier: TextClassifier | None = None
) -> list[Occurrence]:
    """``classifier`` is the trigger's compiled classifier (``customer_says`` only)."""
    agent_turns = transcript.agent_turns()
    if isinstance(trigger, AlwaysTrigger):
        return [Occurrence(None, "", tuple(agent_turns))] if agent_turns else []
    if isinstance(trigger, ConversationStartTrigger):
        scope = tuple(agent_turns[: trigger.within])
        return [Occurrence(scope[0].index, scope[0].text, scope)] if scope else []
    if isinstance(trigger, ConversationEndTrigger):
        scope = tuple(agent_turns[-trigger.within :])
        return [Occurrence(scope[-1].index, scope[-1].text, scope)] if scope else []
    if isinstance(trigger, CustomerSaysTrigger):
        if classifier is None:
            raise ValueError("a customer_says trigger needs its classifier")
        return _customer_says(transcript, classifier, trigger.within)
    return _tool_calls(trigger, transcript)


def _customer_says(transcript: Transcript, classifier: TextClassifier, within: int) -> list[Occurrence]:
    found = []
    for turn in transcript.turns:
        if turn.role != "customer":
            continue
        detection = classifier.detect(turn.text)
        if detection.positive:
            scope = _replies_after(transcript.turns, turn.index, within)
            found.append(Occurrence(turn.index, turn.text, scope, trigger_confidence=detection.confidence))
    return found


def _tool_calls(trigger: ToolCallTrigger, transcript: Transcript) -> list[Occurrence]:
    tools = set(trigger.tools)
    found = []
    for call in transcript.calls:
        if (call.tool in tools or (trigger.side_effects and call.side_effects)) and (
            call.ok or trigger.attempts
        ):
            scope = _replies_after(transcript.turns, call.turn - 1, 1)
            quote = scope[0].text if scope else ""
            found.append(Occurrence(call.turn, quote, scope, call=call))
    return found


def _replies_after(
    turns: tuple[TranscriptTurn, ...], position: int, within: int
) -> tuple[TranscriptTurn, ...]:
    """Agent turns after ``position``, up to the ``within``-th customer turn that follows."""
    replies: list[TranscriptTurn] = []
    customer_turns = 0
    for turn in turns[position + 1 :]:
        if turn.role == "customer":
            customer_turns += 1
            if customer_turns >= within and replies:
                break
            continue
        replies.append(turn)
    return tuple(replies)
