"""What topics cluster: each conversation's contact reason with the facts the metrics need."""

from __future__ import annotations

from collections.abc import Iterable

from rehearsal.insights.conversation import Conversation, Speaker
from rehearsal.insights.topics.models import TopicItem


def item_from_conversation(conversation: Conversation) -> TopicItem:
    spoken = [turn for turn in conversation.turns if turn.text.strip() and turn.speaker is not Speaker.SYSTEM]
    return TopicItem(
        id=conversation.id,
        text=conversation.contact_reason,
        outcome=conversation.outcome,
        handle_time_seconds=conversation.handle_time_seconds,
        satisfaction=conversation.satisfaction,
        turns=len(spoken),
        tool_calls=sum(len(turn.tool_calls) for turn in conversation.turns),
    )


def items_from_conversations(conversations: Iterable[Conversation]) -> list[TopicItem]:
    return [item_from_conversation(conversation) for conversation in conversations]
