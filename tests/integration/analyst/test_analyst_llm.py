"""The LLM path against the local OpenAI-compatible stub server: the model composes, the analyst checks."""

from __future__ import annotations

from rehearsal.analyst import AskRequest, ask
from rehearsal.analyst.models import Composer
from rehearsal.llm import OpenAIChatModel, StubOpenAIServer, StubReply
from rehearsal.settings import Settings
from rehearsal.storage.factory import build_stores

from .conftest import CORPUS

QUESTION = "Why do customers escalate about refunds?"
VALID, INVENTED = "r1#1", "zz99#7"


def _model(server: StubOpenAIServer) -> OpenAIChatModel:
    return OpenAIChatModel(base_url=server.base_url, api_key="test-key", model="stub-model", max_retries=0)


def test_the_models_invented_citation_is_rejected_and_its_valid_one_kept(stored_corpus: Settings) -> None:
    # Given a model that cites one turn it was given and one it made up
    reply = f"Customers escalate when items arrive broken [{VALID}]. They distrust the courts [{INVENTED}]."
    with StubOpenAIServer([StubReply.say(reply)]) as server:
        # When the analyst answers with it
        result = ask(
            AskRequest(question=QUESTION, corpus=CORPUS),
            build_stores(stored_corpus),
            settings=stored_corpus,
            chat_model=_model(server),
        )
        prompt = server.requests[0].body["messages"][1]["content"]

    # Then the valid citation was among the evidence sent and survives with its verbatim quote
    assert f"[{VALID}]" in prompt and INVENTED not in prompt
    assert result.composer is Composer.LLM
    assert [c.id for c in result.citations] == [VALID]
    assert result.citations[0].quote == "I want a refund for my order, it arrived broken."
    # And the invented one is removed from the text, reported, and its claim flagged
    assert result.rejected_citations == [INVENTED]
    assert INVENTED not in result.answer
    assert [claim.supported for claim in result.claims] == [True, False]


def test_a_failing_model_falls_back_to_the_extractive_answer(stored_corpus: Settings) -> None:
    # Given a model endpoint that rejects the request
    with StubOpenAIServer([StubReply.error(400, message="bad request")]) as server:
        # When the analyst answers
        result = ask(
            AskRequest(question=QUESTION, corpus=CORPUS),
            build_stores(stored_corpus),
            settings=stored_corpus,
            chat_model=_model(server),
        )

    # Then the offline answer is given, cited, with a note saying why
    assert result.composer is Composer.EXTRACTIVE and result.citations
    assert any("chat model failed" in note for note in result.notes)


def test_a_reply_citing_nothing_given_is_replaced_by_the_extractive_answer(stored_corpus: Settings) -> None:
    # Given a model whose only citation is invented
    with StubOpenAIServer([StubReply.say(f"It is all about weather [{INVENTED}].")]) as server:
        result = ask(
            AskRequest(question=QUESTION, corpus=CORPUS),
            build_stores(stored_corpus),
            settings=stored_corpus,
            chat_model=_model(server),
        )

    # Then nothing of the model's answer is shown as fact, and the rejection is reported
    assert result.composer is Composer.EXTRACTIVE
    assert "weather" not in result.answer
    assert result.rejected_citations == [INVENTED]
