"""Where the analyst's knowledge comes from: a stored corpus (or transcript files read directly) and the
topics found in it.

Topics come from a topics folder (``rehearsal insights topics --out DIR``) when one is given, else from the
insights cluster stage's output in the BlobStore (``insights/<corpus>/``), else nowhere: answers by topic
then say that topics are unknown.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from rehearsal.analyst.models import AnalystError
from rehearsal.analyst.turns import TopicOf
from rehearsal.insights.conversation import Conversation
from rehearsal.insights.corpus import CorpusError, iter_corpus
from rehearsal.insights.ingest import IngestError, ingest_path
from rehearsal.insights.topics.cluster import TopicsError
from rehearsal.insights.topics.models import Assignment, TopicModel
from rehearsal.insights.topics.output import ASSIGNMENTS_FILE, TOPICS_FILE, read_topic_model
from rehearsal.storage.ports import BlobStore, NotFound


def load_conversations(blobs: BlobStore, corpus: str) -> list[Conversation]:
    try:
        conversations = list(iter_corpus(blobs, corpus))
    except CorpusError as error:
        raise AnalystError(str(error)) from None
    if not conversations:
        raise AnalystError(f"corpus {corpus!r} holds no conversation")
    return conversations


def _topic_map(model: TopicModel, lines: str, where: str) -> dict[str, tuple[int, str]]:
    labels = {topic.id: topic.label for topic in model.topics}
    topics: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(lines.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            assignment = Assignment.model_validate_json(line)
        except ValidationError:
            raise AnalystError(f"{where}:{number}: not a topic assignment") from None
        if assignment.topic in labels:  # novel items (-1) have no topic yet
            topics[assignment.id] = (assignment.topic, labels[assignment.topic])
    return topics


def topics_from_folder(folder: Path) -> dict[str, tuple[int, str]]:
    try:
        model = read_topic_model(folder)
    except TopicsError as error:
        raise AnalystError(str(error)) from None
    path = (folder if folder.is_dir() else folder.parent) / ASSIGNMENTS_FILE
    if not path.is_file():
        raise AnalystError(f"{path}: no such file (the topics folder lacks its assignments)")
    return _topic_map(model, path.read_text(encoding="utf-8"), str(path))


def topics_from_store(blobs: BlobStore, corpus: str) -> TopicOf:
    """The cluster stage's topics of ``corpus``; empty when it has not run."""
    prefix = f"insights/{corpus}"
    try:
        raw_model = blobs.get(f"{prefix}/{TOPICS_FILE}")
        raw_assignments = blobs.get(f"{prefix}/{ASSIGNMENTS_FILE}")
    except NotFound:
        return {}
    try:
        model = TopicModel.model_validate_json(raw_model)
    except ValidationError:
        raise AnalystError(f"{prefix}/{TOPICS_FILE}: not a topic model") from None
    return _topic_map(model, raw_assignments.decode("utf-8"), f"{prefix}/{ASSIGNMENTS_FILE}")


def conversations_from_path(path: Path) -> list[Conversation]:
    """Transcripts read straight from a JSONL file or a folder of them (``*.jsonl``, ``*.jsonl.gz``),
    de-identified on reading like any ingest; the first of two conversations with one id is kept."""
    files = sorted([*path.glob("*.jsonl"), *path.glob("*.jsonl.gz")]) if path.is_dir() else [path]
    if not files:
        raise AnalystError(f"{path}: no *.jsonl or *.jsonl.gz file in this folder")
    conversations: dict[str, Conversation] = {}
    for file in files:
        try:
            result = ingest_path(file, "jsonl")
        except IngestError as error:
            raise AnalystError(str(error)) from None
        for conversation in result.conversations:
            conversations.setdefault(conversation.id, conversation)
    if not conversations:
        raise AnalystError(f"{path}: no conversation could be read (`rehearsal insights ingest` shows why)")
    return list(conversations.values())
