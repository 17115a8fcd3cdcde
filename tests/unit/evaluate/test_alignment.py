from __future__ import annotations

from pathlib import Path

import pytest

from rehearsal.evaluate.alignment import AlignmentQueue, UnknownQuestionError, affected_items
from rehearsal.evaluate.behaviours import compile_behaviours, parse_behaviours
from rehearsal.evaluate.evaluator import evaluate_record
from rehearsal.evaluate.results import Verdict
from rehearsal.storage.local import SqliteRunStore

from .builders import conversation, record, scenario

DEFINITIONS = parse_behaviours(
    [
        {
            "id": "empathy_when_upset",
            "description": "Expressed empathy when the customer is upset",
            "question": "Does this reply acknowledge the customer's feelings?",
            "trigger": {"kind": "customer_says", "classifier": {"patterns": ["ridiculous"]}},
            "detector": {
                "kind": "agent_says",
                "classifier": {
                    "patterns": ["sorry"],
                    "positive": ["that must be frustrating", "I can see why you are upset"],
                    "negative": ["What is your order number?", "Your refund has been issued."],
                },
            },
        }
    ]
)
UNSURE = "Let me see what happened with it."
SCENARIO = scenario(behaviours=[{"behaviour": "empathy_when_upset"}])


@pytest.fixture
def queue(tmp_path: Path) -> AlignmentQueue:
    return AlignmentQueue(SqliteRunStore(tmp_path / "runs.sqlite3"))


def _evaluate(queue: AlignmentQueue, trial: int = 0):
    state = conversation(("customer", "hi"), ("customer", "This is ridiculous!"), ("agent", UNSURE))
    rec = record(state, trial=trial)
    return rec, evaluate_record(rec, SCENARIO, behaviours=compile_behaviours(DEFINITIONS, queue.labels()))


def test_a_low_confidence_verdict_becomes_a_question_showing_the_turn_and_its_context(queue):
    # Given
    rec, result = _evaluate(queue)

    # When
    [question] = queue.ask(result, rec.conversation, run_id="R1")

    # Then
    assert question.question == "Does this reply acknowledge the customer's feelings?"
    assert (question.turn, question.text) == (2, UNSURE)
    assert [t.text for t in question.context] == ["hi", "This is ridiculous!"]
    assert "turn" in question.rationale and question.confidence < 0.7
    assert [q.fingerprint for q in queue.pending()] == [question.fingerprint]


def test_the_same_turn_is_asked_about_once_even_from_another_item_or_run(queue):
    # Given a question already asked
    rec, result = _evaluate(queue)
    queue.ask(result, rec.conversation, run_id="R1")

    # When the same words come up in another trial and another run
    rec2, result2 = _evaluate(queue, trial=1)
    again = queue.ask(result2, rec2.conversation, run_id="R2")

    # Then
    assert again == []
    assert len(queue.pending()) == 1


def test_an_answer_becomes_a_label_and_changes_the_verdict(queue):
    # Given an uncertain verdict that was put to a reviewer
    rec, before = _evaluate(queue)
    [question] = queue.ask(before, rec.conversation)

    # When the reviewer corrects the detector
    queue.answer(question.fingerprint, not question.detected, by="lead@acme.test")
    _, after = _evaluate(queue)

    # Then
    assert queue.labels() == {"empathy_when_upset": {UNSURE: not question.detected}}
    assert {before.verdict, after.verdict} == {Verdict.PASS, Verdict.FAIL}
    assert after.checks[-1].confidence == 1.0
    assert queue.pending() == []
    assert affected_items([before], [question.fingerprint]) == [before.item_id]


def test_an_answered_question_is_not_asked_again(queue):
    rec, result = _evaluate(queue)
    [question] = queue.ask(result, rec.conversation)
    queue.answer(question.fingerprint, False)
    rec2, result2 = _evaluate(queue)
    assert queue.ask(result2, rec2.conversation) == []
    assert queue.get(question.fingerprint).answer is False


def test_answering_an_unknown_question_is_a_clear_error(queue):
    with pytest.raises(UnknownQuestionError, match="no question 'nope'"):
        queue.answer("nope", True)
