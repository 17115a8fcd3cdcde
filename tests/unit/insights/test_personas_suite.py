from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flows.refund_corpus import Script, conversation, refund_corpus

from rehearsal.insights.conversation import Conversation
from rehearsal.insights.draft import held_out
from rehearsal.insights.flows import discover_flows
from rehearsal.insights.personas import PersonaError, build_suite, estimate_tone, write_suite
from rehearsal.simulate.specs import Suite, Tone

PLANTED = "Hi, I am John Smith, john.smith@example.com, card 4111 1111 1111 1111. I want a refund"


def _suite(corpus=None, **kwargs):
    corpus = corpus or refund_corpus()
    kwargs.setdefault("prefer_held_out", False)
    return build_suite(corpus, discover_flows(corpus, group_by="task"), group_by="task", **kwargs)


def test_written_suite_validates_against_the_suite_format(tmp_path: Path) -> None:
    # Given a suite drawn from the refund corpus
    written = _suite(per_group=20)
    path = write_suite(written, tmp_path)
    # When it is read back
    suite = Suite.model_validate(yaml.safe_load(path.read_text()))
    # Then it is the same suite, and each conversation with a known outcome became a scenario with its persona
    assert suite == written
    assert len(suite.scenarios) == 18
    assert {s.persona_id for s in suite.scenarios} == {p.id for p in suite.personas if not isinstance(p, str)}


def test_scenario_reads_goal_facts_world_and_expectations_from_the_conversation() -> None:
    # Given a refunded conversation
    scenario = next(s for s in _suite(per_group=20).scenarios if s.id == "s-c0")
    # Then the request is the goal, the answers known facts (named as the visitor hears them and read as the
    # draft's slots read them), the results the world, and the calls the expectation
    assert scenario.goal.intent == "refund"
    assert scenario.goal.utterances == ["I want a refund for my order"]
    assert scenario.goal.done_when == [r"Your\ refund\ has\ been\ issued\."]
    assert scenario.world.knows == {"order_id": "A1000", "refund": "yes"}
    assert scenario.world.patch["replay"]["orders:check"] == [{"result": {"status": "eligible", "total": 10}}]
    assert [c.requirement_id for c in scenario.expect.tool_calls] == [
        "calls:orders.check",
        "calls:orders.refund",
    ]
    assert scenario.expect.end_reason is not None and scenario.expect.end_reason.one_of == ["resolved"]


def test_observed_behaviours_become_policies_and_tone() -> None:
    # Given an escalated conversation where the customer called the answer ridiculous and asked for a human
    suite = _suite(per_group=20)
    scenario = next(s for s in suite.scenarios if s.id == "s-c15")
    persona = next(p for p in suite.personas if not isinstance(p, str) and p.id == scenario.persona_id)
    # Then the scenario asks for a human and expects an escalation, with an angry persona
    assert scenario.policies.ask_for_human_after == 2
    assert scenario.expect.end_reason is not None and scenario.expect.end_reason.one_of == ["escalated"]
    assert persona.tone is Tone.ANGRY


def test_unremembered_facts_are_unknown_to_the_visitor() -> None:
    corpus = [conversation(i, Script(remembers=False)) for i in range(3)]
    scenario = _suite(corpus).scenarios[0]
    assert scenario.world.does_not_know == ["order_id"]
    assert "order_id" not in scenario.world.knows


def _greeted_by_name(index: int) -> Conversation:
    """The customer gives personal data, and the agent repeats the name when asking for the order."""
    original = conversation(index, Script(request=PLANTED))
    turns = [
        t.model_copy(update={"text": f"John Smith, {t.text.lower()}"}) if t.action == "ask_order" else t
        for t in original.turns
    ]
    return original.model_copy(update={"turns": turns})


def test_personal_data_never_reaches_the_suite(tmp_path: Path) -> None:
    # Given a name, an email and a card number from the customer, and the name in the agent's question
    corpus = [_greeted_by_name(i) for i in range(4)]
    # When the suite is written
    text = write_suite(_suite(corpus), tmp_path).read_text()
    # Then none of it is in the file: synthetic values of the same types stand in its place
    for secret in ("John", "Smith", "john.smith@example.com", "4111"):
        assert secret not in text
    assert "visitor1@example.com" in text


@pytest.mark.parametrize(
    ("texts", "tone"),
    [
        (["This is ridiculous!!"], Tone.ANGRY),
        (["I'm worried, it is urgent"], Tone.ANXIOUS),
        (["Could you help me please, thanks"], Tone.POLITE),
        (["refund", "A100"], Tone.CURT),
    ],
)
def test_tone_is_read_from_the_customer_words(texts: list[str], tone: Tone) -> None:
    assert estimate_tone(texts) is tone


def test_unknown_group_is_named() -> None:
    with pytest.raises(PersonaError, match="unknown group"):
        _suite(groups=["billing"])


def test_visitors_come_from_conversations_the_draft_did_not_learn_from() -> None:
    # Given a corpus where some conversations are held out from the draft's phrasings
    corpus = refund_corpus()
    kept = {c.id for c in corpus if held_out(c.id)}
    # When a suite is drawn preferring them
    suite = _suite(corpus, per_group=20, prefer_held_out=True)
    # Then every scenario comes from a held-out conversation
    assert kept
    assert {s.id.removeprefix("s-") for s in suite.scenarios} <= kept


def test_world_changing_calls_the_human_agent_did_not_make_are_forbidden() -> None:
    # Given a customer who declined the refund, and one who got it
    scenarios = {s.id: s for s in _suite(per_group=20).scenarios}
    # Then refunding the one who declined is a critical failure, and the other must be refunded
    declined, refunded = scenarios["s-c10"].expect, scenarios["s-c0"].expect
    assert [(f.requirement_id, f.criticality.value) for f in declined.forbidden_tool_calls] == [
        ("never:orders.refund", "critical")
    ]
    assert refunded.forbidden_tool_calls == []
    assert "calls:orders.refund" in [c.requirement_id for c in refunded.tool_calls]
