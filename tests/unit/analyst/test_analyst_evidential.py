"""Evidential answers: retrieved turns, extractive claims, and citations that quote real turns verbatim."""

from __future__ import annotations

import pytest
from analyst_corpus import RAW_PERSONAL_DATA

from rehearsal.analyst import AnalystContext, AnalystError, CitedAnswer, answer
from rehearsal.analyst.evidence import cited_ids
from rehearsal.analyst.models import AnswerKind, Composer
from rehearsal.insights.conversation import Conversation

QUESTIONS = [
    "Why do customers escalate about refunds?",
    "What do customers say about their parcel?",
    "What do customers say about lost cards?",
]


def _turn_text(conversations: list[Conversation], conversation_id: str, turn: int) -> str:
    return next(c for c in conversations if c.id == conversation_id).turns[turn].text


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_citation_quotes_its_turn_verbatim(
    question: str, context: AnalystContext, conversations: list[Conversation]
) -> None:
    # When an evidential question is answered
    result = answer(question, context)

    # Then each citation names a real turn and quotes exactly its text
    assert result.kind is AnswerKind.EVIDENTIAL and result.citations
    for citation in result.citations:
        assert citation.id == f"{citation.conversation_id}#{citation.turn}"
        assert citation.quote == _turn_text(conversations, citation.conversation_id, citation.turn)


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_claim_is_a_sentence_of_the_turn_it_cites(question: str, context: AnalystContext) -> None:
    # When an evidential question is answered extractively
    result = answer(question, context)

    # Then every claim is cited, appears verbatim in its cited turn, and the text cites only those turns
    quotes = {citation.id: citation.quote for citation in result.citations}
    assert result.composer is Composer.EXTRACTIVE
    for claim in result.claims:
        assert claim.citations and all(claim.text in quotes[c] for c in claim.citations)
    assert set(cited_ids(result.answer)) == set(quotes)


def test_an_escalation_question_draws_on_escalated_conversations(context: AnalystContext) -> None:
    # When asked why customers escalate about refunds
    result = answer("Why do customers escalate about refunds?", context)

    # Then the evidence comes from the escalated refund conversations
    assert {c.conversation_id for c in result.citations} <= {"r1", "r2", "r4"}
    assert {c.outcome for c in result.citations} == {"escalated"}
    assert not result.low_evidence


def test_a_question_nothing_speaks_to_says_so_instead_of_inventing(context: AnalystContext) -> None:
    # When asked about something no conversation mentions
    result = answer("What do customers say about volcanoes?", context)

    # Then the answer says there is not enough evidence and cites nothing
    assert result.low_evidence
    assert result.citations == [] and result.claims == []
    assert "Not enough evidence" in result.answer


@pytest.mark.parametrize(
    "question",
    [*QUESTIONS, "Which topic has the highest escalation rate?", "What share of chats are abandoned?"],
)
def test_no_personal_data_reaches_an_answer(question: str, context: AnalystContext) -> None:
    # Given a corpus whose raw transcripts held a name, an email address and a phone number
    # When questions are answered
    result: CitedAnswer = answer(question, context)

    # Then none of that personal data appears anywhere in the answer
    dumped = result.model_dump_json()
    assert not [value for value in RAW_PERSONAL_DATA if value.lower() in dumped.lower()]


@pytest.mark.parametrize(
    ("question", "k", "message"),
    [("", 8, "question: empty"), ("   \n ", 8, "question: empty"), ("why?", 0, "k: must be at least 1")],
)
def test_bad_input_gets_a_clear_error(question: str, k: int, message: str, context: AnalystContext) -> None:
    # When the question or k is unusable / Then the error names the field
    with pytest.raises(AnalystError, match=message):
        answer(question, context, k=k)


def test_claims_stay_on_the_whole_question_and_one_conversation_is_flagged(context: AnalystContext) -> None:
    # Given deliveries that were late (d2) and deliveries whose address changed (d4)
    # When asked why deliveries are late
    result = answer("Why are deliveries late?", context)

    # Then only the late delivery is quoted, and one conversation is called little evidence
    assert [c.id for c in result.citations] == ["d2#0"]
    assert result.low_evidence and result.conversations == 1


def test_an_agents_question_is_never_quoted_as_a_finding(context: AnalystContext) -> None:
    # Given d2, where the agent asks "Could you give me the order number?"
    # When asked what agents say about order numbers
    result = answer("What do agents say about the order number?", context)

    # Then the agent's question is not offered as evidence
    assert "Could you give me the order number?" not in [claim.text for claim in result.claims]
