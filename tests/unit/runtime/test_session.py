from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rehearsal.bundles.schema import EndReason
from rehearsal.runtime import AgentRuntime, EngineUnavailableError
from rehearsal.runtime.events import ConversationEnded, ErrorCode, FactGranted, RuntimeError_, TurnCompleted
from rehearsal.runtime.tools import ToolRegistry

from .conftest import runtime_for


def test_every_turn_records_turns_and_a_completion_event(mini_bundle: Any, world: dict[str, Any]) -> None:
    session = runtime_for(mini_bundle).start("c", world=world)
    reply = session.respond("where is my order A1001")
    assert [turn.role for turn in session.state.turns] == ["customer", "agent"]
    completed = [event for event in reply.events if isinstance(event, TurnCompleted)]
    assert len(completed) == 1 and completed[0].turn == 1 and completed[0].engine == "flow"


def test_async_respond_matches_sync(mini_bundle: Any, world: dict[str, Any]) -> None:
    session = runtime_for(mini_bundle, tools=ToolRegistry.from_bundle(mini_bundle)).start("c", world=world)
    reply = asyncio.run(session.arespond("where is my order A1001"))
    assert reply.messages == ["It is shipped."]


def test_a_crash_inside_the_engine_ends_with_an_error_event(mini_bundle: Any, world: dict[str, Any]) -> None:
    # Given a tool registry whose middleware breaks the runtime itself (not a tool failure)
    runtime = runtime_for(mini_bundle)
    session = runtime.start("c", world=world)
    runtime.engine.turn = lambda ctx, text: (_ for _ in ()).throw(RuntimeError("bug"))  # type: ignore[method-assign]
    # When the customer speaks
    reply = session.respond("hello")
    # Then the conversation ends with a typed error instead of raising
    assert reply.ended is EndReason.ERROR
    assert [e.code for e in reply.events if isinstance(e, RuntimeError_)] == [ErrorCode.INTERNAL]
    assert any(isinstance(e, ConversationEnded) for e in reply.events)


def test_messages_after_the_end_are_ignored(mini_bundle: Any, world: dict[str, Any]) -> None:
    session = runtime_for(mini_bundle).start("c", world=world)
    session.state.ended = EndReason.RESOLVED
    reply = session.respond("hello?")
    assert reply.messages == [] and reply.ended is EndReason.RESOLVED
    assert session.state.turns == []


def test_a_granting_tool_records_the_fact(mini_bundle: Any, world: dict[str, Any]) -> None:
    from rehearsal.runtime.turn import CallTool

    runtime = runtime_for(mini_bundle)
    session = runtime.start("c", world=world)

    def verify_turn(ctx: Any, text: str) -> Any:
        yield CallTool("verify", {"email": text})

    runtime.engine.turn = verify_turn  # type: ignore[method-assign]
    reply = session.respond("jane@example.com")
    assert session.state.facts == {"identity_verified": "verify"}
    assert any(isinstance(e, FactGranted) for e in reply.events)


def test_llm_engine_without_a_model_is_a_clear_error(mini_bundle: Any) -> None:
    with pytest.raises(EngineUnavailableError, match="chat model"):
        AgentRuntime(mini_bundle, engine="llm")


def test_state_serialises_to_json(mini_bundle: Any, world: dict[str, Any]) -> None:
    session = runtime_for(mini_bundle).start("c", world=world)
    session.respond("where is my order A1001")
    dumped = session.state.model_dump_json()
    assert session.state.model_validate_json(dumped).tool_calls[0].result == {
        "order_id": "A1001",
        "status": "shipped",
    }


def _failing(error: Exception) -> Any:
    def middleware(invocation: Any, next: Any) -> Any:
        raise error

    return middleware


@pytest.mark.parametrize(
    ("error", "code"),
    [(ValueError("boom"), ErrorCode.TOOL_RAISED), (TimeoutError("slow"), ErrorCode.TOOL_TIMEOUT)],
)
def test_a_failing_tool_is_an_error_event_and_the_conversation_continues(
    mini_bundle: Any, world: dict[str, Any], error: Exception, code: ErrorCode
) -> None:
    # Given a lookup tool that raises or times out
    tools = ToolRegistry.from_bundle(mini_bundle, isolation="inline").wrap(_failing(error))
    session = runtime_for(mini_bundle, tools=tools).start("c", world=world)
    # When the flow calls it
    reply = session.respond("where is my order A1001")
    # Then the error is recorded, the flow takes its on_error path, and the conversation goes on
    assert [e.code for e in reply.events if isinstance(e, RuntimeError_)] == [code]
    assert reply.messages == ["No such order."]
    assert reply.ended is None
