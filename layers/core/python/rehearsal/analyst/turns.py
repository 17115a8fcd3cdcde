"""Turn records from what the analyst reads: the de-identified corpus and a run's simulated transcripts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from pydantic import ValidationError

from rehearsal.analyst.models import AnalystError, Source, TurnRecord
from rehearsal.insights.conversation import Conversation
from rehearsal.insights.deid import Deidentifier
from rehearsal.pipeline.archive import RunArchive
from rehearsal.simulate.records import SimulationRecord
from rehearsal.storage.factory import Stores
from rehearsal.storage.ports import NotFound

TopicOf = Mapping[str, tuple[int, str]]
"""Conversation id → (topic id, topic label)."""


def corpus_turns(conversations: Iterable[Conversation], topics: TopicOf | None = None) -> list[TurnRecord]:
    """One record per non-empty turn; ``turn`` keeps the position in ``Conversation.turns``."""
    topics = topics or {}
    records: list[TurnRecord] = []
    for conversation in conversations:
        topic, label = topics.get(conversation.id, (None, None))
        for position, turn in enumerate(conversation.turns):
            if not turn.text.strip():
                continue
            records.append(
                TurnRecord(
                    conversation_id=conversation.id,
                    turn=position,
                    speaker=turn.speaker.value,
                    text=turn.text,
                    outcome=conversation.outcome.value,
                    channel=conversation.channel,
                    topic=topic,
                    topic_label=label,
                )
            )
    return records


def run_conversation_id(run_id: str, item_id: str) -> str:
    return f"{run_id}/{item_id}"


def _verdicts(archive: RunArchive, run_id: str, item_ids: Iterable[str]) -> dict[str, str]:
    verdicts: dict[str, str] = {}
    for item_id in item_ids:
        try:
            verdicts[item_id] = str(json.loads(archive.read(archive.result_key(run_id, item_id)))["verdict"])
        except (NotFound, KeyError, ValueError):
            continue  # not evaluated yet: its outcome stays unknown
    return verdicts


def run_turns(run_id: str, stores: Stores) -> list[TurnRecord]:
    """Turns of every simulated conversation of ``run_id``; the item's verdict is its outcome."""
    archive = RunArchive(stores)
    try:
        manifest = json.loads(archive.read(archive.manifest_key(run_id)))
    except NotFound:
        raise AnalystError(f"no run named {run_id!r}: start one with `rehearsal run` first") from None
    item_ids = [str(entry["item_id"]) for entry in manifest]
    verdicts = _verdicts(archive, run_id, item_ids)
    records: list[TurnRecord] = []
    for item_id in item_ids:
        try:
            raw = archive.read(archive.simulation_key(run_id, item_id))
        except NotFound:
            continue  # the item never simulated: nothing to cite
        try:
            simulation = SimulationRecord.model_validate_json(raw)
        except ValidationError:
            continue  # an unreadable item costs its own turns, never the run's
        if simulation.conversation is None:
            continue
        # Personas carry realistic names, emails and card numbers: redacted like any stored transcript.
        deid = Deidentifier()
        for turn in simulation.conversation.turns:
            deid.learn_names(turn.text)
        for turn in simulation.conversation.turns:
            if not turn.text.strip():
                continue
            records.append(
                TurnRecord(
                    conversation_id=run_conversation_id(run_id, item_id),
                    turn=turn.index,
                    speaker="customer" if turn.role == "customer" else "ai_agent",
                    text=deid.redact(turn.text),
                    source=Source.SIMULATED,
                    outcome=verdicts.get(item_id, "unknown"),
                    run_id=run_id,
                    scenario_id=simulation.scenario_id,
                )
            )
    return records
