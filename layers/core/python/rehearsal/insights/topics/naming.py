"""Human names for topics from a chat model, when one is configured; keyword labels stay as the fallback.

The model sees only de-identified material (keywords and representative phrasings) and must answer with
``{"name": "..."}``; anything else keeps the topic unnamed rather than failing the run.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rehearsal.insights.topics.models import TopicModel
from rehearsal.llm.ports import ChatModel, LLMError

_SYSTEM = (
    "You name customer-service contact reasons. Given keywords and example customer messages of one topic, "
    'answer with JSON only: {"name": "<2 to 5 words, Title Case, no quotes>"}.'
)


class TopicName(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=60)


def _ask(chat: ChatModel, keywords: list[str], examples: list[str]) -> str | None:
    prompt = f"Keywords: {', '.join(keywords)}\nExamples:\n" + "\n".join(f"- {e}" for e in examples)
    messages = [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": prompt}]
    try:
        reply = chat.complete(messages, temperature=0.0, max_tokens=40)
        return TopicName.model_validate(json.loads(reply.content or "")).name.strip()
    except (LLMError, ValueError, ValidationError):
        return None  # json.JSONDecodeError is a ValueError: an unusable answer leaves the topic unnamed


def name_topics(model: TopicModel, chat: ChatModel, *, limit: int = 100) -> int:
    """Fill ``Topic.name`` for the ``limit`` largest topics in place; returns how many were named."""
    named = 0
    for topic in sorted(model.topics, key=lambda t: -t.size)[:limit]:
        name = _ask(chat, topic.keywords, topic.representatives[:5])
        if name:
            topic.name = name
            named += 1
    return named
