from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from flows.refund_corpus import refund_corpus

from rehearsal.bundles.schema import AgentBundle, AskStep, BranchStep, CallStep
from rehearsal.insights.conversation import Conversation, HistoricalTurn, Speaker, ToolCallRecord
from rehearsal.insights.draft import DraftError, draft_bundle, write_draft
from rehearsal.insights.flows import discover_flows
from rehearsal.insights.flows.replay import replay
from rehearsal.runtime.tool_types import ToolError


def _draft():
    corpus = refund_corpus()
    return draft_bundle(discover_flows(corpus, group_by="task"), corpus, group_by="task", name="Refund desk")


def test_written_bundle_validates_against_the_schema(tmp_path: Path) -> None:
    # Given a draft from the refund flows
    paths = write_draft(_draft(), tmp_path)
    # When the bundle file is read back
    bundle = AgentBundle.model_validate(yaml.safe_load(paths[0].read_text()))
    # Then it is a valid bundle binding its tool to the generated replay module
    assert bundle.metadata.name == "refund_desk"
    assert bundle.tools[0].binding.model_dump() == {"kind": "python", "target": "draft_tools:orders"}
    assert "def orders(ctx, **arguments):" in (tmp_path / "draft_tools.py").read_text()


def test_intents_carry_real_customer_phrasings() -> None:
    intent = _draft().bundle.agents[0].intents[0]
    assert intent.examples == ["I want a refund for my order"]
    assert intent.flow == "refund"


def test_the_flow_asks_calls_with_the_slot_and_branches_on_the_result() -> None:
    # Given the drafted flow
    stages = {s.name: s for s in _draft().bundle.agents[0].flows[0].stages}
    # Then the ask fills a slot, the call passes it on with its operation, and the result picks the branch
    ask = stages["ask_order"].steps[0]
    call, branch = stages["call_orders_check"].steps
    assert isinstance(ask, AskStep) and ask.slot == "order"
    assert _draft().bundle.agents[0].slots[1].model_dump(include={"name", "type"}) == {
        "name": "order",
        "type": "id",
    }
    assert isinstance(call, CallStep) and call.args == {
        "RequestType": "Check",
        "order_id": "{{ slots.order }}",
    }
    assert isinstance(branch, BranchStep)
    assert {(c.when[0].path, c.when[0].value, c.goto) for c in branch.cases} == {
        ("last_result.status", "eligible", "confirm_refund"),
        ("last_result.status", "ineligible", "deny_refund"),
    }


def test_guardrails_and_side_effects_are_drafted() -> None:
    bundle = _draft().bundle
    assert bundle.guardrails.turn_limit is not None and bundle.guardrails.turn_limit.max_agent_turns >= 10
    assert bundle.guardrails.escalation_triggers[0].phrases == ["human"]
    assert bundle.tools[0].side_effects  # a Refund operation changes the world


def test_unknown_groups_are_named() -> None:
    corpus = refund_corpus()
    with pytest.raises(DraftError, match="unknown group"):
        draft_bundle(discover_flows(corpus, group_by="task"), corpus, group_by="task", groups=["billing"])


def test_replay_returns_recorded_responses_in_order_then_repeats_the_last() -> None:
    # Given a world with two recorded responses for the check operation
    world = {"replay": {"orders:check": [{"result": {"status": "eligible"}}, {"result": {"status": "x"}}]}}
    ctx = SimpleNamespace(world=world)
    # When the tool is replayed three times
    results = [replay("orders", {"RequestType": "Check"}, ctx, mode_argument="RequestType") for _ in range(3)]
    # Then the responses come back in order and the last repeats
    assert results == [{"status": "eligible"}, {"status": "x"}, {"status": "x"}]


@pytest.mark.parametrize(
    ("world", "code"),
    [({"replay": {"orders": [{"error": "card_declined"}]}}, "card_declined"), ({}, "no_recorded_response")],
)
def test_replay_raises_declared_errors(world: dict, code: str) -> None:
    with pytest.raises(ToolError) as raised:
        replay("orders", {}, SimpleNamespace(world=world))
    assert raised.value.code == code


def _two_tools(index: int, verified: bool) -> Conversation:
    turns = [HistoricalTurn(speaker=Speaker.CUSTOMER, text="I want to transfer money to my sister")]
    if verified:
        verify = ToolCallRecord(name="verify_identity", arguments={"pin": "1"}, result={"ok": True})
        turns.append(HistoricalTurn(speaker=Speaker.SYSTEM, tool_calls=[verify]))
    transfer = ToolCallRecord(name="transfer_funds", arguments={"amount": 5}, result={"status": "done"})
    turns += [
        HistoricalTurn(speaker=Speaker.SYSTEM, tool_calls=[transfer]),
        HistoricalTurn(speaker=Speaker.HUMAN_AGENT, text="The transfer is done.", action="done"),
    ]
    return Conversation(id=f"t{index}", turns=turns)


@pytest.mark.parametrize(("unverified", "guarded"), [(0, True), (1, False)])
def test_a_side_effect_tool_is_guarded_by_the_check_that_always_came_first(
    unverified: int, guarded: bool
) -> None:
    # Given transfers that followed a successful identity check in all (or all but one of five) transcripts
    corpus = [_two_tools(i, verified=i >= unverified) for i in range(5)]
    # When a bundle is drafted
    bundle = draft_bundle(discover_flows(corpus), corpus).bundle
    # Then the transfer requires the verification's fact only when the evidence is (nearly) unanimous
    preconditions = [(p.tool, p.requires) for p in bundle.guardrails.tool_preconditions]
    assert preconditions == ([("transfer_funds", ["verify_identity_succeeded"])] if guarded else [])
    grants = [g.fact for g in bundle.tool("verify_identity").grants]
    assert grants == (["verify_identity_succeeded"] if guarded else [])


def test_a_no_to_a_yes_no_question_leads_where_it_led_in_the_transcripts() -> None:
    # Given customers who sometimes said "no" to "Shall I go ahead?", after which the agent closed
    stages = {s.name: s for s in _draft().bundle.agents[0].flows[0].stages}
    # Then the drafted question branches on the answer: no skips the refund
    _, branch = stages["confirm_refund"].steps
    assert isinstance(branch, BranchStep)
    assert [(c.when[0].path, c.when[0].value, c.goto) for c in branch.cases] == [
        ("slots.refund", False, "anything_else")
    ]
    assert stages["confirm_refund"].next == "call_orders_refund"
