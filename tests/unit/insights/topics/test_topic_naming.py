"""Topic names from a chat model (a local OpenAI-compatible stub), with the keyword label as fallback."""

from __future__ import annotations

from fakes import INTENTS, KeywordEmbedder, phrasings

from rehearsal.insights.topics import TopicItem, discover_topics
from rehearsal.insights.topics.naming import name_topics
from rehearsal.llm.openai_provider import OpenAIChatModel
from rehearsal.llm.stub_server import StubOpenAIServer, StubReply


def test_topics_get_the_models_names_and_bad_answers_leave_them_unnamed() -> None:
    # Given three topics and a model that names the first well and answers the others with prose
    texts = phrasings("card", 12) + phrasings("pin", 8) + phrasings("refund", 6)
    model = discover_topics(
        [TopicItem(id=str(n), text=t) for n, t in enumerate(texts)], KeywordEmbedder(list(INTENTS))
    ).model
    replies = [StubReply.say('{"name": "Card Delivery"}'), StubReply.say("Sure! This topic is about PINs.")]
    with StubOpenAIServer(replies) as server:
        chat = OpenAIChatModel(base_url=server.base_url, api_key="k", model="stub", max_retries=0)
        # When the topics are named
        named = name_topics(model, chat)
        prompts = [r.body["messages"][1]["content"] for r in server.requests]
    # Then the largest topic has the name, the other keeps only its label, and prompts carry keywords
    largest, *others = sorted(model.topics, key=lambda t: -t.size)
    assert named == 1
    assert largest.name == "Card Delivery"
    assert all(other.name is None and other.label for other in others)
    assert "card" in prompts[0]
