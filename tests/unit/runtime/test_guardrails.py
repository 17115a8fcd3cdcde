from __future__ import annotations

from typing import Any

import pytest

from rehearsal.bundles.schema import EndReason
from rehearsal.runtime.events import GuardrailTriggered, Handoff, ToolCallStatus

from .conftest import make_bundle, runtime_for


def guarded(**guardrails: Any) -> Any:
    return runtime_for(make_bundle(guardrails=guardrails))


def kinds(events: list[Any]) -> list[tuple[str, str]]:
    return [(event.kind, event.action) for event in events if isinstance(event, GuardrailTriggered)]


def test_unmet_precondition_blocks_the_call_and_says_why(world: dict[str, Any]) -> None:
    # Given a refund that requires a verified identity, and a flow that skips verification
    runtime = guarded(
        tool_preconditions=[{"tool": "refund", "requires": ["identity_verified"], "message": "Verify first."}]
    )
    session = runtime.start("c", world=world)
    session.respond("I want a refund for A1001")
    # When the customer confirms
    reply = session.respond("yes")
    # Then the refund never ran
    call = session.state.tool_calls[-1]
    assert call.status is ToolCallStatus.BLOCKED
    assert world["orders"]["A1001"]["status"] == "shipped"
    assert ("tool_precondition", "blocked") in kinds(reply.events)
    assert "Verify first." in reply.messages


def test_precondition_met_lets_the_call_run(world: dict[str, Any]) -> None:
    runtime = guarded(tool_preconditions=[{"tool": "refund", "requires": ["identity_verified"]}])
    session = runtime.start("c", world=world)
    session.state.facts["identity_verified"] = "verify"
    session.respond("I want a refund for A1001")
    reply = session.respond("yes")
    assert session.state.tool_calls[-1].status is ToolCallStatus.OK
    assert reply.ended is EndReason.RESOLVED


@pytest.mark.parametrize(
    ("rule", "expected_text", "action"),
    [
        ({"name": "promises", "phrases": ["It is"], "replacement": "[blocked]"}, "[blocked]", "blocked"),
        ({"name": "status", "patterns": [r"ship\w+"], "action": "redact"}, "It is [redacted].", "redacted"),
    ],
)
def test_forbidden_content_is_caught_before_the_reply_is_sent(
    world: dict[str, Any], rule: dict[str, Any], expected_text: str, action: str
) -> None:
    session = guarded(forbidden_content=[rule]).start("c", world=world)
    reply = session.respond("where is my order A1001")
    assert reply.messages == [expected_text]
    assert session.state.turns[-1].text == expected_text
    assert ("forbidden_content", action) in kinds(reply.events)


def test_escalation_phrase_hands_off_to_a_human(world: dict[str, Any]) -> None:
    trigger = {"name": "angry", "phrases": ["manager"], "message": "Connecting you."}
    session = guarded(escalation_triggers=[trigger]).start("c", world=world)
    reply = session.respond("Get me your MANAGER now")
    assert reply.ended is EndReason.ESCALATED
    assert reply.messages == ["Connecting you."]
    assert any(isinstance(event, Handoff) and event.to_agent == "human" for event in reply.events)


def test_escalation_after_consecutive_fallbacks(world: dict[str, Any]) -> None:
    trigger = {"name": "lost", "after_fallbacks": 2, "action": "end"}
    session = guarded(escalation_triggers=[trigger]).start("c", world=world)
    assert session.respond("qwerty zxcv").ended is None
    reply = session.respond("asdf hjkl")
    assert reply.ended is EndReason.GUARDRAIL
    assert ("escalation_trigger", "ended") in kinds(reply.events)


def test_turn_limit_ends_the_conversation(world: dict[str, Any]) -> None:
    session = guarded(turn_limit={"max_agent_turns": 3, "message": "Bye now."}).start("c", world=world)
    session.open()
    session.respond("where is my order")
    reply = session.respond("A1001")
    assert reply.ended is EndReason.TURN_LIMIT
    assert reply.messages[-1] == "Bye now."
    assert session.state.agent_turn_count == 3
