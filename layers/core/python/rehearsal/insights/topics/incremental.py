"""New data against existing topics, without recomputing them.

Each new item goes to its nearest topic centre when it is at least ``novelty_threshold`` similar; the centre
moves by a running mean. Items further than that from every topic wait in ``pending``; once enough of them
are alike (a cohesive cluster of at least ``min_new_topic_size``), they become a new topic. Earlier topics,
their ids and their members are untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from rehearsal.insights.embeddings.port import Embedder, EmbeddingError, Vectors, normalise
from rehearsal.insights.topics.cluster import ClusterParams, cohesion_cut, nearest, smooth
from rehearsal.insights.topics.labels import ctfidf_keywords, label_from_keywords, representatives
from rehearsal.insights.topics.metrics import rank_opportunities, readiness, topic_stats
from rehearsal.insights.topics.models import NOVEL, Assignment, PendingItem, Topic, TopicItem, TopicModel


def assign_items(
    model: TopicModel,
    items: Sequence[TopicItem],
    embedder: Embedder,
    *,
    vectors: Vectors | None = None,
    min_new_topic_size: int = 5,
    now: datetime | None = None,
) -> tuple[TopicModel, list[Assignment]]:
    """Assign ``items``; returns the updated model and one assignment per item (plus one per earlier pending
    item that has just joined a new topic)."""
    if embedder.name != model.embedder:
        raise EmbeddingError(
            f"these topics were built with embedder {model.embedder!r}; assigning with {embedder.name!r} "
            "would compare vectors from different spaces"
        )
    model = model.model_copy(deep=True)
    if vectors is None:
        vectors = embedder.embed([item.text for item in items])
    vectors = normalise(vectors)
    centroids = np.asarray(model.centroids, dtype=np.float32)
    labels, similarity = nearest(vectors, centroids, chunk_size=50_000)
    sums = centroids * np.array([[topic.size] for topic in model.topics], dtype=np.float32)
    assignments: list[Assignment] = []
    for index, item in enumerate(items):
        topic, score = int(labels[index]), float(similarity[index])
        if not item.text.strip() or score < model.novelty_threshold:
            model.pending.append(PendingItem(id=item.id, text=item.text, vector=vectors[index].tolist()))
            assignments.append(Assignment(id=item.id, topic=NOVEL, similarity=round(score, 4)))
            continue
        sums[topic] += vectors[index]
        model.topics[topic].size += 1
        assignments.append(Assignment(id=item.id, topic=topic, similarity=round(score, 4)))
    model.centroids = [[round(float(v), 6) for v in row] for row in normalise(sums)]
    model.total_items += len(items)
    promoted = _form_new_topics(model, min_new_topic_size)
    by_id = {assignment.id: assignment for assignment in promoted}
    assignments = [by_id.pop(a.id, a) for a in assignments] + list(by_id.values())
    _refresh_shares(model)
    model.updated_at = now or datetime.now(UTC)
    return model, assignments


def _form_new_topics(model: TopicModel, min_size: int) -> list[Assignment]:
    pool = [item for item in model.pending if item.text.strip()]
    if len(pool) < min_size:
        return []
    vectors = normalise(np.asarray([item.vector for item in pool], dtype=np.float32))
    neighbours = int(model.params.get("smoothing_neighbours", 0))
    space = smooth(vectors, neighbours) if neighbours > 0 else vectors  # cut as discovery cut: same space
    labels = cohesion_cut(space, float(model.params.get("cohesion", ClusterParams.cohesion)))
    groups = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    groups = [group for group in groups if len(group) >= min_size]
    if not groups:
        return []
    texts = [item.text for item in pool]
    group_labels = np.full(len(pool), len(groups), dtype=np.int64)  # the rest is one contrasting class
    for number, group in enumerate(groups):
        group_labels[group] = number
    keywords = ctfidf_keywords(texts, group_labels, len(groups) + 1)
    existing = np.asarray(model.centroids, dtype=np.float32)
    promoted: list[Assignment] = []
    taken: set[str] = set()
    for number, group in enumerate(groups):
        centroid = normalise(vectors[group].sum(axis=0, keepdims=True))[0]
        similarity = vectors[group] @ centroid
        topic_id = len(model.topics)
        members = [TopicItem(id=pool[int(i)].id, text=pool[int(i)].text) for i in group]
        stats = topic_stats(members, model.total_items)
        model.topics.append(
            Topic(
                id=topic_id,
                label=label_from_keywords(keywords[number], f"topic {topic_id}"),
                keywords=keywords[number],
                representatives=representatives(texts, vectors, group, centroid),
                size=len(group),
                cohesion=round(float(similarity.mean()), 4),
                stats=stats,
                readiness=readiness(
                    stats,
                    cohesion=float(similarity.mean()),
                    nearest_similarity=float((existing @ centroid).max()),
                ),
            )
        )
        model.centroids.append([round(float(v), 6) for v in centroid])
        promoted.extend(
            Assignment(id=pool[int(i)].id, topic=topic_id, similarity=round(float(s), 4))
            for i, s in zip(group, similarity, strict=True)
        )
        taken.update(pool[int(i)].id for i in group)
    model.pending = [item for item in model.pending if item.id not in taken]
    return promoted


def _refresh_shares(model: TopicModel) -> None:
    total = max(1, model.total_items)
    for topic in model.topics:
        topic.stats.volume = topic.size
        topic.stats.share = round(topic.size / total, 4)
    model.opportunities = rank_opportunities([(t.id, t.label, t.stats, t.readiness) for t in model.topics])
