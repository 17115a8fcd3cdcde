"""Conversations as step sequences: given action labels when the data has them, else clustered steps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rehearsal.insights.conversation import Conversation, HistoricalTurn, Speaker
from rehearsal.insights.flows.clustering import StepClusterer
from rehearsal.insights.flows.models import LabelledConversation, StepEvent, StepKind
from rehearsal.insights.flows.tools import CallProfile

AGENTS = frozenset({Speaker.HUMAN_AGENT, Speaker.AI_AGENT})
_PENDING = "\x00pending"
"""Placeholder step of an utterance waiting for its cluster."""


class Labelling(StrEnum):
    AUTO = "auto"  # given labels when most agent turns carry one
    GIVEN = "given"
    CLUSTERED = "clustered"


@dataclass
class LabelledCorpus:
    conversations: list[LabelledConversation]
    labelling: Labelling
    profile: CallProfile
    labels: dict[str, str] = field(default_factory=dict)
    """Step id → human-readable label."""
    examples: dict[str, list[str]] = field(default_factory=dict)


def choose_labelling(
    conversations: Sequence[Conversation], requested: Labelling = Labelling.AUTO
) -> Labelling:
    if requested is not Labelling.AUTO:
        return requested
    spoken = [t for c in conversations for t in c.turns if t.speaker in AGENTS and t.text.strip()]
    labelled = sum(1 for turn in spoken if turn.action)
    return Labelling.GIVEN if spoken and labelled >= len(spoken) / 2 else Labelling.CLUSTERED


def label_conversations(
    conversations: Sequence[Conversation],
    group_of: Callable[[Conversation], str],
    *,
    labelling: Labelling = Labelling.AUTO,
    clusterer: StepClusterer | None = None,
) -> LabelledCorpus:
    """Label every agent turn and tool call of every conversation with a step."""
    mode = choose_labelling(conversations, labelling)
    profile = CallProfile.from_calls(call for c in conversations for t in c.turns for call in t.tool_calls)
    labelled = [
        LabelledConversation(
            conversation_id=c.id,
            group=group_of(c),
            outcome=c.outcome,
            events=events_of(c.turns, profile, given=mode is Labelling.GIVEN),
        )
        for c in conversations
    ]
    corpus = LabelledCorpus(labelled, mode, profile)
    if mode is Labelling.CLUSTERED:
        _fill_clusters(corpus, clusterer or StepClusterer())
    else:
        _given_labels(corpus)
    for conversation in labelled:
        for event in conversation.events:
            if event.kind is StepKind.CALL:
                corpus.labels.setdefault(event.step, event.text)
    return corpus


def events_of(turns: Sequence[HistoricalTurn], profile: CallProfile, *, given: bool) -> list[StepEvent]:
    """A conversation's steps in order; agent utterances wait for their cluster unless labels are `given`."""
    events: list[StepEvent] = []
    heard: list[str] = []
    for index, turn in enumerate(turns):
        if turn.speaker is Speaker.CUSTOMER:
            heard.append(turn.text.strip())
            continue
        for call in turn.tool_calls:
            events.append(
                StepEvent(
                    step=profile.step_id(call),
                    kind=StepKind.CALL,
                    turn=index,
                    text=call.name,
                    customer_before=" ".join(filter(None, heard)),
                    result=profile.result_signature(call),
                )
            )
            heard = []
        if turn.speaker not in AGENTS or not turn.text.strip():
            continue
        if given and not turn.action:
            continue  # free-form turns outside the label set are not steps of the procedure
        step = turn.action if given and turn.action else _PENDING
        events.append(
            StepEvent(
                step=step,
                kind=StepKind.SAY,
                turn=index,
                text=turn.text.strip(),
                customer_before=" ".join(filter(None, heard)),
            )
        )
        heard = []
    return events


def _given_labels(corpus: LabelledCorpus) -> None:
    texts: dict[str, Counter[str]] = {}
    for conversation in corpus.conversations:
        for event in conversation.events:
            if event.kind is StepKind.SAY:
                texts.setdefault(event.step, Counter())[event.text] += 1
    for step, counter in texts.items():
        corpus.labels[step] = counter.most_common(1)[0][0]
        corpus.examples[step] = [text for text, _ in counter.most_common(3)]


def _fill_clusters(corpus: LabelledCorpus, clusterer: StepClusterer) -> None:
    pending = [(c, i) for c in corpus.conversations for i, e in enumerate(c.events) if e.step == _PENDING]
    result = clusterer.fit([conversation.events[i].text for conversation, i in pending])
    for (conversation, index), step in zip(pending, result.assignments, strict=True):
        conversation.events[index] = conversation.events[index].model_copy(update={"step": step})
    corpus.labels.update(result.labels)
    corpus.examples.update(result.examples)
