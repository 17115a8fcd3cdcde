from __future__ import annotations

from typing import Literal

from rehearsal.evaluate.behaviours import CompiledBehaviours, Transcript, compile_behaviours, parse_behaviours
from rehearsal.evaluate.results import CheckResult
from rehearsal.monitor.adherence import EXAMPLES_PER_CELL, AdherenceCell, AdherenceReport, measure_adherence
from rehearsal.monitor.periods import Period

from .builders import DAY0, conversation

BEHAVIOURS = parse_behaviours(
    [
        {
            "id": "greets",
            "description": "Greets the customer",
            "trigger": {"kind": "conversation_start"},
            "detector": {"kind": "agent_says", "classifier": {"patterns": [r"^\W*(hi|hello)\b"]}},
        },
        {
            "id": "thanks_at_end",
            "description": "Thanks the customer at the end",
            "applies_to": ["ai"],
            "review_below": 1.0,  # every verdict of the model (not a pattern) counts as unsure
            "trigger": {"kind": "conversation_end"},
            "detector": {
                "kind": "agent_says",
                "classifier": {
                    "patterns": [r"\bthank you\b"],
                    "positive": ["thanks a lot for your patience", "many thanks"],
                    "negative": ["what is the order number", "it has shipped"],
                },
            },
        },
    ]
)


def _report(*items: object) -> AdherenceReport:
    return measure_adherence(items, compile_behaviours(BEHAVIOURS), Period.DAY)  # type: ignore[arg-type]


def _cell(report: AdherenceReport, behaviour: str, agent: Literal["ai", "human"]) -> AdherenceCell:
    return next(c for c in report.totals if c.behaviour_id == behaviour and c.agent == agent)


def test_the_same_definition_judges_human_and_ai_agents() -> None:
    # Given a greeting human, a greeting AI agent and a human who does not greet
    report = _report(
        conversation("h1", 0, agent="human_agent"),
        conversation("a1", 0, agent="ai_agent"),
        conversation("h2", 0, texts=[("human_agent", "Order number?"), ("customer", "A1")]),
    )
    # When / Then
    human, ai = _cell(report, "greets", "human"), _cell(report, "greets", "ai")
    assert (human.applied, human.adhered, human.violated, human.adherence_rate) == (2, 1, 1, 0.5)
    assert (ai.applied, ai.adhered, ai.violated, ai.adherence_rate) == (1, 1, 0, 1.0)
    assert [c.start for c in report.cells if c.behaviour_id == "greets"] == [DAY0, DAY0]


def test_a_behaviour_for_ai_agents_only_is_not_applied_to_people() -> None:
    # Given a human conversation that ends without thanks
    report = _report(conversation("h1", 0, texts=[("customer", "hi"), ("human_agent", "It has shipped")]))
    # When / Then
    assert {(c.behaviour_id, c.agent) for c in report.totals} == {("greets", "human")}


def test_non_adherence_cites_the_conversations_own_turn_and_quote() -> None:
    # Given a system turn before the agent's first words
    item = conversation(
        "h1", 0, texts=[("system", "routed to queue 4"), ("human_agent", "Order number?"), ("customer", "A1")]
    )
    # When
    example = _report(item).totals[0].examples[0]
    # Then turn 1 of the conversation, not 0 of the transcript that drops system turns
    assert (example.conversation_id, example.turn, example.quote) == ("h1", 1, "Order number?")
    assert "greets" in example.rationale


def test_unsure_verdicts_are_counted_apart_from_the_rate() -> None:
    # Given one AI agent that says "thank you" (a pattern: sure) and one whose ending only the model judges
    report = _report(
        conversation("a1", 0, texts=[("customer", "ok"), ("ai_agent", "Hello. Thank you, bye")]),
        conversation("a2", 0, texts=[("customer", "ok"), ("ai_agent", "Hello, it has shipped")]),
    )
    # When
    cell = _cell(report, "thanks_at_end", "ai")
    # Then
    assert (cell.applied, cell.adhered, cell.violated, cell.inconclusive) == (2, 1, 0, 1)
    assert cell.adherence_rate == 1.0


def test_examples_are_capped_per_cell() -> None:
    # Given more non-greeting conversations than kept examples
    items = [
        conversation(f"h{i}", 0, texts=[("human_agent", "Order number?"), ("customer", "A1")])
        for i in range(EXAMPLES_PER_CELL + 3)
    ]
    # When
    cell = _report(*items).totals[0]
    # Then all are counted, a few are kept
    assert cell.violated == EXAMPLES_PER_CELL + 3 and len(cell.examples) == EXAMPLES_PER_CELL


class _Exploding(CompiledBehaviours):
    def judge_all(self, transcript: Transcript, *, agent: Literal["ai", "human"] = "ai") -> list[CheckResult]:
        if any("boom" in turn.text for turn in transcript.turns):
            raise ValueError("cannot judge")
        return super().judge_all(transcript, agent=agent)


def test_a_conversation_that_cannot_be_judged_is_listed_and_the_rest_go_on() -> None:
    # Given one conversation the judge fails on
    items = [conversation("bad", 0, texts=[("human_agent", "boom")]), conversation("ok", 0)]
    # When
    report = measure_adherence(items, _Exploding(BEHAVIOURS), Period.DAY)
    # Then
    assert report.failed == {"bad": "ValueError: cannot judge"}
    assert report.totals[0].applied == 1


def test_undated_conversations_are_left_to_the_series() -> None:
    # Given / When / Then
    assert _report(conversation("u", None)).totals == []


def test_after_a_handoff_a_verdict_counts_for_the_agent_whose_turn_it_rests_on() -> None:
    # Given an AI agent that greets and hands over to a person who answers without greeting
    item = conversation(
        "x",
        0,
        texts=[
            ("ai_agent", "Hello there"),
            ("customer", "a person please"),
            ("human_agent", "Order number?"),
        ],
    )
    # When
    report = _report(item)
    # Then the greeting (the AI agent's first turn) is the AI agent's alone
    assert [(c.behaviour_id, c.agent, c.adhered) for c in report.totals] == [("greets", "ai", 1)]
