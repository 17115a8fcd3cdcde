"""The hand-made corpus of the analyst tests: 12 conversations in 3 topics; the raw file holds a name, an
email address and a phone number that ingest de-identifies."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rehearsal.insights.conversation import Conversation

TRANSCRIPTS = Path(__file__).with_name("transcripts.jsonl")
TOPIC_IDS = {"refund request": 0, "lost card": 1, "delivery status": 2}
RAW_PERSONAL_DATA = ["Maria", "Lopez", "maria.lopez@example.com", "415-555-0132"]


def topics_of(conversations: Sequence[Conversation]) -> dict[str, tuple[int, str]]:
    labels = {c.id: str(c.metadata["topic"]) for c in conversations}
    return {cid: (TOPIC_IDS[label], label) for cid, label in labels.items()}
