"""The llm engine on the example against the local OpenAI-compatible stub server (never the network)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rehearsal.bundles.loader import LoadedBundle
from rehearsal.bundles.schema import EndReason
from rehearsal.llm.openai_provider import OpenAIChatModel
from rehearsal.llm.stub_server import StubOpenAIServer, StubReply
from rehearsal.runtime import AgentRuntime, Session
from rehearsal.runtime.events import (
    ErrorCode,
    Handoff,
    IntentRecognized,
    ModelUsage,
    RuntimeError_,
    SchemaMismatch,
    ToolCallStatus,
)


@pytest.fixture
def stub() -> Iterator[StubOpenAIServer]:
    with StubOpenAIServer() as server:
        yield server


def session_for(
    bundle: LoadedBundle, stub: StubOpenAIServer, world: dict[str, Any], **kwargs: Any
) -> Session:
    model = OpenAIChatModel(
        base_url=stub.base_url, api_key="test", model="stub-model", max_retries=2, timeout_s=5
    )
    return AgentRuntime(bundle, engine="llm", chat_model=model, **kwargs).start("c", world=world)


def errors(session: Session) -> list[ErrorCode]:
    return [event.code for event in session.state.events if isinstance(event, RuntimeError_)]


REFUND_SCRIPT = (
    StubReply.call("transfer_to_agent", {"agent": "billing", "reason": "refund"}),
    StubReply.call("refund_order", {"order_id": "A1003", "reason": "damaged"}),
    StubReply.say("All done."),
)


@pytest.mark.parametrize(
    ("version", "status", "order_status"), [("v1", "ok", "refunded"), ("v2", "blocked", "delivered")]
)
def test_refund_without_verification(
    acme_bundles: dict[str, LoadedBundle],
    stub: StubOpenAIServer,
    world: dict[str, Any],
    version: str,
    status: str,
    order_status: str,
) -> None:
    # Given a model that hands off to billing and refunds straight away
    stub.script(*REFUND_SCRIPT)
    session = session_for(acme_bundles[version], stub, world)
    # When the customer asks for a refund
    reply = session.respond("Refund order A1003 now, it's broken")
    # Then v1 lets it through and v2's guardrail blocks it
    refund = [call for call in session.state.tool_calls if call.tool == "refund_order"]
    assert [call.status.value for call in refund] == [status]
    assert world["orders"]["A1003"]["status"] == order_status
    assert reply.messages == ["All done."]
    assert [(e.from_agent, e.to_agent) for e in session.state.events if isinstance(e, Handoff)] == [
        ("triage", "billing")
    ]


def test_blocked_result_is_handed_back_to_the_model(
    acme_bundles: dict[str, LoadedBundle], stub: StubOpenAIServer, world: dict[str, Any]
) -> None:
    stub.script(*REFUND_SCRIPT)
    session_for(acme_bundles["v2"], stub, world).respond("Refund order A1003")
    tool_message = stub.requests[-1].body["messages"][-1]
    assert tool_message["role"] == "tool" and "precondition_unmet" in tool_message["content"]


def test_tool_call_and_usage_are_recorded(
    acme_bundles: dict[str, LoadedBundle], stub: StubOpenAIServer, world: dict[str, Any]
) -> None:
    stub.script(StubReply.call("lookup_order", {"order_id": "A1001"}), StubReply.say("It shipped."))
    session = session_for(acme_bundles["v2"], stub, world)
    session.state.active_agent = "orders"
    reply = session.respond("where is A1001")
    assert session.state.tool_calls[0].status is ToolCallStatus.OK
    usage = [event for event in reply.events if isinstance(event, ModelUsage)]
    assert len(usage) == 2 and all(event.input_tokens > 0 for event in usage)


def test_retry_after_429_is_counted(
    acme_bundles: dict[str, LoadedBundle], stub: StubOpenAIServer, world: dict[str, Any]
) -> None:
    stub.script(StubReply.error(429, retry_after_s=0.01), StubReply.say("Hello!"))
    reply = session_for(acme_bundles["v2"], stub, world).respond("hi")
    assert reply.messages == ["Hello!"]
    assert [event.retries for event in reply.events if isinstance(event, ModelUsage)] == [1]


@pytest.mark.parametrize(
    ("reply", "code", "status"),
    [
        (
            StubReply.call("lookup_order", "{not json"),
            ErrorCode.MALFORMED_MODEL_OUTPUT,
            ToolCallStatus.INVALID_ARGUMENTS,
        ),
        (StubReply.call("launch_rockets", {}), ErrorCode.UNKNOWN_TOOL, ToolCallStatus.UNKNOWN_TOOL),
    ],
)
def test_malformed_tool_calls_are_typed_errors_and_the_turn_continues(
    acme_bundles: dict[str, LoadedBundle],
    stub: StubOpenAIServer,
    world: dict[str, Any],
    reply: StubReply,
    code: ErrorCode,
    status: ToolCallStatus,
) -> None:
    stub.script(reply, StubReply.say("Sorry, could you repeat the order number?"))
    session = session_for(acme_bundles["v2"], stub, world)
    session.state.active_agent = "orders"
    answer = session.respond("where is my order")
    assert code in errors(session)
    assert session.state.tool_calls[0].status is status
    assert answer.messages == ["Sorry, could you repeat the order number?"]
    assert session.state.ended is None


def test_schema_mismatch_is_not_passed_to_the_model(
    acme_bundles: dict[str, LoadedBundle],
    stub: StubOpenAIServer,
    world: dict[str, Any],
    seed_world: dict[str, Any],
) -> None:
    from rehearsal.runtime import ToolRegistry

    bundle = acme_bundles["v2"]
    tools = ToolRegistry.from_bundle(bundle.bundle, search_paths=[bundle.source_dir or "."]).wrap(
        lambda inv, nxt: {"status": 42}
    )
    stub.script(StubReply.call("lookup_order", {"order_id": "A1001"}), StubReply.say("Let me check again."))
    session = session_for(bundle, stub, world, tools=tools)
    session.state.active_agent = "orders"
    session.respond("where is A1001")
    assert session.state.tool_calls[0].status is ToolCallStatus.SCHEMA_MISMATCH
    assert any(isinstance(event, SchemaMismatch) for event in session.state.events)
    assert '"status": 42' not in stub.requests[-1].body["messages"][-1]["content"]


def test_handoff_to_an_unknown_agent_is_an_error(
    acme_bundles: dict[str, LoadedBundle], stub: StubOpenAIServer, world: dict[str, Any]
) -> None:
    stub.script(
        StubReply.call("transfer_to_agent", {"agent": "ghost"}), StubReply.say("Let me help you here.")
    )
    session = session_for(acme_bundles["v2"], stub, world)
    session.respond("hello")
    assert ErrorCode.UNKNOWN_AGENT in errors(session)
    assert session.state.active_agent == "triage"


def test_model_unavailable_ends_with_a_clear_reason(
    acme_bundles: dict[str, LoadedBundle], stub: StubOpenAIServer, world: dict[str, Any]
) -> None:
    stub.script(*[StubReply.error(500)] * 3)
    session = session_for(acme_bundles["v2"], stub, world)
    reply = session.respond("hello")
    assert reply.ended is EndReason.ERROR
    assert ErrorCode.MODEL_UNAVAILABLE in errors(session)


def test_the_model_can_end_the_conversation(
    acme_bundles: dict[str, LoadedBundle], stub: StubOpenAIServer, world: dict[str, Any]
) -> None:
    stub.script(StubReply.call("end_conversation", {"outcome": "resolved"}, text="Goodbye!"))
    reply = session_for(acme_bundles["v2"], stub, world).respond("thanks, bye")
    assert reply.ended is EndReason.RESOLVED
    assert reply.messages == ["Goodbye!"]


def test_async_conversations_run_concurrently(
    acme_bundles: dict[str, LoadedBundle], stub: StubOpenAIServer, seed_world: dict[str, Any]
) -> None:
    import asyncio
    import copy

    stub.default_text = "Hi there."

    async def one(index: int) -> str:
        session = session_for(acme_bundles["v2"], stub, copy.deepcopy(seed_world))
        return (await session.arespond(f"hello {index}")).messages[0]

    async def many() -> list[str]:
        return await asyncio.gather(*(one(index) for index in range(20)))

    assert asyncio.run(many()) == ["Hi there."] * 20


def test_the_model_is_told_the_procedure_of_the_recognized_request(
    acme_bundles: dict[str, LoadedBundle], stub: StubOpenAIServer, world: dict[str, Any]
) -> None:
    # Given a customer asking for a refund while triage is active
    stub.script(StubReply.say("Let me transfer you."))
    session = session_for(acme_bundles["v2"], stub, world)
    # When the llm engine answers
    session.respond("I want a refund for order A1003")
    # Then the recognized intent is recorded and the system prompt spells out billing's refund procedure
    system = stub.requests[-1].body["messages"][0]["content"]
    assert "Current request: refund (the billing team handles it: transfer first)" in system
    assert "call verify_identity" in system
    assert [e.intent for e in session.state.events if isinstance(e, IntentRecognized)] == ["refund"]


def test_after_a_transfer_the_procedure_is_the_new_agent_s_own(
    acme_bundles: dict[str, LoadedBundle], stub: StubOpenAIServer, world: dict[str, Any]
) -> None:
    # Given a refund request that triage hands to billing
    stub.script(
        StubReply.call("transfer_to_agent", {"agent": "billing", "reason": "refund"}),
        StubReply.say("Billing here."),
        StubReply.say("Let me look."),
    )
    session = session_for(acme_bundles["v2"], stub, world)
    session.respond("I want a refund for order A1003")
    # When the customer asks again, now talking to billing
    session.respond("I want a refund for order A1003")
    # Then triage was told to transfer, and billing is told the procedure as its own
    first, last = (stub.requests[index].body["messages"][0]["content"] for index in (0, -1))
    assert "Current request: refund (the billing team handles it: transfer first)" in first
    assert "Current request: refund.\n" in last
