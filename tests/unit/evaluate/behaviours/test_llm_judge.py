from __future__ import annotations

import json

import pytest

from rehearsal.evaluate.behaviours import Transcript, compile_behaviours, parse_behaviours
from rehearsal.evaluate.behaviours.llm_judge import LLMJudge
from rehearsal.llm.openai_provider import OpenAIChatModel
from rehearsal.llm.stub_server import StubOpenAIServer, StubReply

from ..builders import conversation

DEFINITIONS = parse_behaviours(
    [
        {
            "id": "empathy",
            "description": "Expressed empathy when the customer is upset",
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


def _judge(text: str, server: StubOpenAIServer):
    model = OpenAIChatModel(server.base_url, "test-key", timeout_s=5, max_retries=0)
    book = compile_behaviours(DEFINITIONS, second_opinion=LLMJudge(model))
    transcript = Transcript.from_state(conversation(("customer", "This is ridiculous!"), ("agent", text)))
    return book.judge("empathy").judge(transcript)


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_the_llm_settles_a_turn_the_detector_is_unsure_of(answer):
    # Given a model that answers with a confident verdict
    reply = json.dumps({"answer": answer, "confidence": 0.9, "rationale": "judged"})
    with StubOpenAIServer([StubReply.say(reply)]) as server:
        # When
        result = _judge(UNSURE, server)
        asked = server.requests

    # Then
    assert result.passed is (answer == "yes")
    assert result.confidence == 0.9 and result.review is None
    assert "agent: Let me see what happened with it." in asked[0].body["messages"][1]["content"]


def test_the_llm_is_not_asked_when_the_detector_is_sure():
    with StubOpenAIServer() as server:
        result = _judge("I'm so sorry about that.", server)
        assert server.requests == []
    assert result.passed is True


def test_a_malformed_llm_answer_leaves_the_detector_verdict_for_a_person_to_review():
    with StubOpenAIServer([StubReply.say("Yes, definitely empathetic!")]) as server:
        result = _judge(UNSURE, server)
    assert result.review is not None and result.confidence < 0.7
