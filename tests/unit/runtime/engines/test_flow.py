from __future__ import annotations

from typing import Any

from rehearsal.bundles.schema import EndReason
from rehearsal.runtime.events import ErrorCode, Handoff, RuntimeError_, SlotFilled, ToolCallStatus

from ..conftest import bundle_data, make_bundle, runtime_for


def errors(events: list[Any]) -> list[ErrorCode]:
    return [event.code for event in events if isinstance(event, RuntimeError_)]


def test_open_says_the_greeting(mini_bundle: Any, world: dict[str, Any]) -> None:
    assert runtime_for(mini_bundle).start("c", world=world).open().messages == ["Hello!"]


def test_intent_flow_asks_for_a_slot_then_calls_the_tool(mini_bundle: Any, world: dict[str, Any]) -> None:
    session = runtime_for(mini_bundle).start("c", world=world)
    assert session.respond("where is my order?").messages == ["Order number?"]
    reply = session.respond("it's a1001")
    assert reply.messages == ["It is shipped."]
    assert session.state.slots["order_id"] == "A1001"
    assert session.state.position is None


def test_slots_in_the_first_message_skip_their_ask(mini_bundle: Any, world: dict[str, Any]) -> None:
    session = runtime_for(mini_bundle).start("c", world=world)
    reply = session.respond("track my package A1001")
    assert reply.messages == ["It is shipped."]
    assert any(isinstance(event, SlotFilled) for event in reply.events)


def test_tool_error_goes_to_the_on_error_stage(mini_bundle: Any, world: dict[str, Any]) -> None:
    session = runtime_for(mini_bundle).start("c", world=world)
    reply = session.respond("where is my order A9999")
    assert reply.messages == ["No such order."]
    assert session.state.last_error == {"status": "error", "code": "order_not_found", "message": "A9999"}


def test_unparseable_answer_reprompts_then_hands_off(mini_bundle: Any, world: dict[str, Any]) -> None:
    session = runtime_for(mini_bundle).start("c", world=world)
    session.respond("where is my order")
    assert session.respond("no idea").messages == ["Order number?"]
    reply = session.respond("still no idea")
    assert reply.ended is EndReason.ESCALATED


def test_new_intent_while_asking_switches_flows(mini_bundle: Any, world: dict[str, Any]) -> None:
    session = runtime_for(mini_bundle).start("c", world=world)
    session.respond("where is my order")
    reply = session.respond("actually I want a refund")
    assert reply.messages == ["Order number?"]
    assert session.state.position is not None and session.state.position.flow == "refund"


def test_out_of_scope_message_gets_the_fallback(mini_bundle: Any, world: dict[str, Any]) -> None:
    session = runtime_for(mini_bundle).start("c", world=world)
    reply = session.respond("what's the weather like in Paris")
    assert reply.messages == ["Sorry?"]
    assert session.state.consecutive_fallbacks == 1


def test_end_step_ends_with_its_reason(mini_bundle: Any, world: dict[str, Any]) -> None:
    session = runtime_for(mini_bundle).start("c", world=world)
    session.respond("refund my order A1001")
    reply = session.respond("yes")
    assert reply.ended is EndReason.RESOLVED
    assert world["orders"]["A1001"]["status"] == "refunded"


def _with_status_step(step: dict[str, Any]) -> Any:
    data = bundle_data()
    data["agents"][0]["flows"][0]["stages"][0]["steps"] = [step]
    return make_bundle(**{key: data[key] for key in ("agents",)})


def test_handoff_to_an_unknown_agent_is_an_error_event(world: dict[str, Any]) -> None:
    bundle = _with_status_step({"kind": "handoff", "to": "ghost"})
    reply = runtime_for(bundle).start("c", world=world).respond("where is my order")
    assert ErrorCode.UNKNOWN_AGENT in errors(reply.events)
    assert reply.ended is None


def test_goto_loop_is_stopped_with_an_error(world: dict[str, Any]) -> None:
    bundle = _with_status_step({"kind": "goto", "stage": "ask"})
    reply = runtime_for(bundle).start("c", world=world).respond("where is my order")
    assert ErrorCode.INTERNAL in errors(reply.events)
    assert reply.ended is None


def test_unresolved_template_is_an_error_event(world: dict[str, Any]) -> None:
    bundle = _with_status_step({"kind": "respond", "text": "Hi {{ slots.nobody }}"})
    reply = runtime_for(bundle).start("c", world=world).respond("where is my order")
    assert ErrorCode.TEMPLATE in errors(reply.events)
    assert reply.messages == ["Hi "]


def test_call_blocked_for_a_tool_outside_the_agents_list(world: dict[str, Any]) -> None:
    data = bundle_data()
    data["agents"][0]["tools"] = ["verify"]
    session = runtime_for(make_bundle(agents=data["agents"])).start("c", world=world)
    session.respond("where is my order A1001")
    call = session.state.tool_calls[-1]
    assert (call.status, call.error_code) == (ToolCallStatus.UNKNOWN_TOOL, "tool_not_allowed")


def test_router_hands_off_to_the_agent_that_owns_the_intent(world: dict[str, Any]) -> None:
    data = bundle_data()
    main = data["agents"][0]
    entry = {
        "name": "front",
        "fallback": "Front?",
        "intents": [{"name": "hello", "examples": ["hi", "hello"]}],
    }
    bundle = make_bundle(
        agents=[entry, main],
        router={"entry_agent": "front", "rules": [{"intents": ["status"], "to": "main"}]},
    )
    session = runtime_for(bundle).start("c", world=world)
    reply = session.respond("where is my order A1001")
    handoffs = [event for event in reply.events if isinstance(event, Handoff)]
    assert [(h.from_agent, h.to_agent) for h in handoffs] == [("front", "main")]
    assert reply.messages == ["It is shipped."]
    assert session.state.active_agent == "main"


def test_router_pattern_routes_a_message_no_intent_matched(world: dict[str, Any]) -> None:
    # Given a router rule that matches a keyword, and an agent without intents of its own
    data = bundle_data()
    other = {"name": "billing", "greeting": "Billing here.", "fallback": "Billing?"}
    rules = [{"patterns": [r"\binvoice\b"], "to": "billing"}]
    bundle = make_bundle(agents=[*data["agents"], other], router={"entry_agent": "main", "rules": rules})
    # When a message matches only the pattern
    reply = runtime_for(bundle).start("c", world=world).respond("about my invoice")
    # Then the conversation moves to that agent, which introduces itself
    assert [(e.from_agent, e.to_agent) for e in reply.events if isinstance(e, Handoff)] == [
        ("main", "billing")
    ]
    assert reply.messages == ["Billing here."]
