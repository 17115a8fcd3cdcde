"""Topic discovery end to end: embed the items, cluster them, then describe and measure every topic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import numpy as np

from rehearsal.insights.embeddings.port import Embedder, Vectors, normalise
from rehearsal.insights.topics.cluster import (
    FAMILY_DEFAULTS,
    Clustering,
    ClusterParams,
    TopicsError,
    discover_clusters,
    member_similarity,
)
from rehearsal.insights.topics.hierarchy import group_topics, parent_label
from rehearsal.insights.topics.labels import ctfidf_keywords, label_from_keywords, representatives
from rehearsal.insights.topics.lookalikes import find_look_alikes
from rehearsal.insights.topics.metrics import rank_opportunities, readiness, topic_stats
from rehearsal.insights.topics.models import Assignment, ParentTopic, Topic, TopicItem, TopicModel

NOVELTY_PERCENTILE = 2.0  # members below this percentile of similarity to their centre count as novel later


@dataclass(frozen=True)
class TopicRun:
    model: TopicModel
    assignments: list[Assignment]


def params_for(family: str, **overrides: float | int) -> ClusterParams:
    """Clustering parameters tuned for an embedding family, with explicit overrides on top."""
    values = asdict(ClusterParams())
    values.update(FAMILY_DEFAULTS.get(family, {}))
    values.update(overrides)
    return ClusterParams(**values)


def embed_items(items: Sequence[TopicItem], embedder: Embedder) -> Vectors:
    return normalise(embedder.embed([item.text for item in items]))


def discover_topics(
    items: Sequence[TopicItem],
    embedder: Embedder,
    *,
    params: ClusterParams | None = None,
    vectors: Vectors | None = None,
    now: datetime | None = None,
) -> TopicRun:
    """Cluster ``items`` (empty texts are skipped and reported as novel) into topics with K unknown."""
    usable = [item for item in items if item.text.strip()]
    if not usable:
        raise TopicsError("no item has any text to cluster: check the text column or the transcripts' turns")
    params = params or params_for(embedder.family)
    if vectors is None:
        vectors = embed_items(usable, embedder)
    vectors = normalise(vectors)
    clustering = discover_clusters(vectors, params)
    model = build_model(usable, vectors, clustering, embedder=embedder, params=params, now=now)
    skipped = [Assignment(id=item.id, topic=-1, similarity=0.0) for item in items if not item.text.strip()]
    similarity = member_similarity(vectors, clustering.centroids, clustering.labels)
    assignments = [
        Assignment(id=item.id, topic=int(label), similarity=round(float(score), 4))
        for item, label, score in zip(usable, clustering.labels, similarity, strict=True)
    ]
    return TopicRun(model=model, assignments=assignments + skipped)


def build_model(
    items: Sequence[TopicItem],
    vectors: Vectors,
    clustering: Clustering,
    *,
    embedder: Embedder,
    params: ClusterParams,
    now: datetime | None = None,
) -> TopicModel:
    texts = [item.text for item in items]
    labels, centroids = clustering.labels, clustering.centroids
    count = len(centroids)
    keywords = ctfidf_keywords(texts, labels, count)
    own_similarity = member_similarity(vectors, centroids, labels)
    between = centroids @ centroids.T
    np.fill_diagonal(between, -1.0)
    topics: list[Topic] = []
    for topic in range(count):
        members = np.flatnonzero(labels == topic)
        stats = topic_stats([items[int(i)] for i in members], len(items))
        cohesion = float(own_similarity[members].mean())
        nearest = float(between[topic].max()) if count > 1 else 0.0
        topics.append(
            Topic(
                id=topic,
                label=label_from_keywords(keywords[topic], f"topic {topic}"),
                keywords=keywords[topic],
                representatives=representatives(texts, vectors, members, centroids[topic]),
                size=len(members),
                cohesion=round(cohesion, 4),
                stats=stats,
                readiness=readiness(stats, cohesion=cohesion, nearest_similarity=nearest),
            )
        )
    parents = _parents(topics, centroids)
    return TopicModel(
        created_at=now or datetime.now(UTC),
        embedder=embedder.name,
        embedder_family=embedder.family,
        params={key: value for key, value in asdict(params).items() if isinstance(value, int | float)},
        novelty_threshold=round(float(np.percentile(own_similarity, NOVELTY_PERCENTILE)), 4),
        topics=topics,
        parents=parents,
        look_alikes=find_look_alikes(texts, vectors, labels, centroids),
        opportunities=rank_opportunities([(t.id, t.label, t.stats, t.readiness) for t in topics]),
        centroids=[[round(float(value), 6) for value in row] for row in centroids],
        total_items=len(items),
    )


def _parents(topics: list[Topic], centroids: Vectors) -> list[ParentTopic]:
    parents: list[ParentTopic] = []
    for parent_id, group in enumerate(group_topics(centroids)):
        for child in group:
            topics[child].parent = parent_id
        parents.append(
            ParentTopic(
                id=parent_id,
                label=parent_label([topics[c].keywords for c in group], [topics[c].size for c in group]),
                children=group,
                volume=sum(topics[c].size for c in group),
            )
        )
    return parents
