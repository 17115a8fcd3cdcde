"""Scripted conversations of the example with the flow engine: v1's flaws show, v2 fixes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rehearsal.bundles.loader import LoadedBundle
from rehearsal.bundles.schema import EndReason
from rehearsal.runtime import AgentRuntime, Session
from rehearsal.runtime.events import GuardrailTriggered, Handoff, ToolCallStatus


def chat(bundle: LoadedBundle, world: dict[str, Any], *messages: str) -> Session:
    session = AgentRuntime(bundle).start("conv-1", world=world)
    session.open()
    for message in messages:
        session.respond(message)
    return session


def called(session: Session, tool: str) -> list[ToolCallStatus]:
    return [call.status for call in session.state.tool_calls if call.tool == tool]


REFUND = ("I want a refund for order A1003", "it arrived broken", "yes please")


def test_v1_refunds_without_verifying_identity(
    acme_bundles: dict[str, LoadedBundle], world: dict[str, Any]
) -> None:
    session = chat(acme_bundles["v1"], world, *REFUND)
    assert called(session, "refund_order") == [ToolCallStatus.OK]
    assert called(session, "verify_identity") == []
    assert world["orders"]["A1003"]["status"] == "refunded"


def test_v2_asks_for_verification_and_refuses_a_wrong_email(
    acme_bundles: dict[str, LoadedBundle], world: dict[str, Any]
) -> None:
    session = chat(acme_bundles["v2"], world, "I want a refund for order A1003", "someone@else.com")
    assert called(session, "refund_order") == []
    assert session.state.ended is EndReason.ESCALATED
    assert world["orders"]["A1003"]["status"] == "delivered"


def test_v2_refunds_after_verification(acme_bundles: dict[str, LoadedBundle], world: dict[str, Any]) -> None:
    session = chat(
        acme_bundles["v2"],
        world,
        "I want a refund for order A1003",
        "omar.haddad@example.com",
        "it's broken",
        "yes",
    )
    assert called(session, "refund_order") == [ToolCallStatus.OK]
    assert session.state.facts == {"identity_verified": "verify_identity"}
    assert world["refunds"][0]["reason"] == "damaged"


def test_v2_guardrail_blocks_a_refund_even_when_a_flow_skips_verification(
    acme_bundles: dict[str, LoadedBundle], world: dict[str, Any]
) -> None:
    # Given v1's flows under v2's guardrails (defence in depth: the runtime, not the flow, enforces it)
    v1, v2 = acme_bundles["v1"].bundle, acme_bundles["v2"].bundle
    hybrid = v1.model_copy(update={"guardrails": v2.guardrails})
    session = AgentRuntime(hybrid, search_paths=[acme_bundles["v1"].source_dir or Path(".")]).start(
        "c", world=world
    )
    # When the refund is confirmed without verification
    for message in REFUND:
        session.respond(message)
    # Then the call is blocked and recorded, and the order is untouched
    assert called(session, "refund_order") == [ToolCallStatus.BLOCKED]
    assert any(
        isinstance(e, GuardrailTriggered) and e.kind == "tool_precondition" for e in session.state.events
    )
    assert world["orders"]["A1003"]["status"] == "delivered"


@pytest.mark.parametrize(("version", "ended"), [("v1", None), ("v2", EndReason.ESCALATED)])
def test_angry_customer_is_escalated_only_in_v2(
    acme_bundles: dict[str, LoadedBundle], world: dict[str, Any], version: str, ended: EndReason | None
) -> None:
    session = chat(acme_bundles[version], world, "This is ridiculous, where is my order A1001?")
    assert session.state.ended is ended


def test_v2_answers_frustration_with_empathy(
    acme_bundles: dict[str, LoadedBundle], world: dict[str, Any]
) -> None:
    session = chat(acme_bundles["v2"], world, "I'm really frustrated with you people")
    assert "sorry" in session.state.turns[-1].text.lower()


def test_order_status_is_routed_to_the_orders_agent(
    acme_bundles: dict[str, LoadedBundle], world: dict[str, Any]
) -> None:
    session = chat(acme_bundles["v2"], world, "where is my order A1001?")
    handoffs = [(e.from_agent, e.to_agent) for e in session.state.events if isinstance(e, Handoff)]
    assert handoffs == [("triage", "orders")]
    assert "1Z999AA10123456784" in session.state.turns[-1].text


def test_cancel_after_verification_changes_the_world(
    acme_bundles: dict[str, LoadedBundle], world: dict[str, Any]
) -> None:
    session = chat(acme_bundles["v2"], world, "please cancel order A1002", "jane.doe@example.com", "yes")
    assert called(session, "cancel_order") == [ToolCallStatus.OK]
    assert world["orders"]["A1002"]["status"] == "cancelled"


def test_multi_issue_conversation_then_goodbye(
    acme_bundles: dict[str, LoadedBundle], world: dict[str, Any]
) -> None:
    session = chat(
        acme_bundles["v2"],
        world,
        "where is my order A1001?",
        "I also need to change the shipping address on order A1002",
        "jane.doe@example.com",
        "5 Pine Street, Seattle, WA 98101",
        "yes",
        "no thanks, that's all",
    )
    assert world["orders"]["A1002"]["shipping_address"] == "5 Pine Street, Seattle, WA 98101"
    assert session.state.ended is EndReason.RESOLVED


def test_unknown_order_is_reported(acme_bundles: dict[str, LoadedBundle], world: dict[str, Any]) -> None:
    session = chat(acme_bundles["v2"], world, "where is my order A9999")
    assert called(session, "lookup_order") == [ToolCallStatus.ERROR]
    assert "couldn't find" in session.state.turns[-1].text


def test_ask_for_a_human_escalates_with_a_ticket(
    acme_bundles: dict[str, LoadedBundle], world: dict[str, Any]
) -> None:
    session = chat(acme_bundles["v1"], world, "I want to talk to a human")
    assert session.state.ended is EndReason.ESCALATED
    assert world["tickets"][0]["conversation_id"] == "conv-1"


@pytest.mark.parametrize(("version", "blocked"), [("v1", False), ("v2", True)])
def test_delivery_promise_is_caught_only_in_v2(
    acme_bundles: dict[str, LoadedBundle], world: dict[str, Any], version: str, blocked: bool
) -> None:
    session = chat(acme_bundles[version], world, "I received the wrong item in order A1004", "a toaster")
    assert called(session, "ship_replacement") == [ToolCallStatus.OK]
    assert ("guarantee" not in session.state.turns[-1].text.lower()) is blocked
