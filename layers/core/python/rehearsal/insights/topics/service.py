"""Topics from a source named on the command line or in a stage event: a stored corpus or an utterance CSV."""

from __future__ import annotations

from pathlib import Path

from rehearsal.insights.corpus import iter_corpus
from rehearsal.insights.embeddings import CachedEmbedder, build_embedder, index_vectors
from rehearsal.insights.ingest import QuarantineRecord, read_utterances
from rehearsal.insights.topics.cluster import TopicsError
from rehearsal.insights.topics.discover import TopicRun, discover_topics, embed_items, params_for
from rehearsal.insights.topics.incremental import assign_items
from rehearsal.insights.topics.items import items_from_conversations
from rehearsal.insights.topics.models import TopicItem, TopicModel
from rehearsal.insights.topics.naming import name_topics
from rehearsal.settings import Settings
from rehearsal.storage.ports import BlobStore, SearchIndex

TOPICS_INDEX = "insights-topics"


def load_items(
    source: str, blobs: BlobStore, *, text_column: str = "text", id_column: str = "id"
) -> tuple[list[TopicItem], list[QuarantineRecord]]:
    """A path to a ``.csv`` is an utterance list; anything else names a stored corpus."""
    path = Path(source)
    if path.suffix.lower() in (".csv", ".gz") or path.is_file():
        return read_utterances(path, text_column=text_column, id_column=id_column)
    return items_from_conversations(iter_corpus(blobs, source)), []


def _embedder(
    settings: Settings, items: list[TopicItem], blobs: BlobStore, backend: str | None
) -> CachedEmbedder:
    return build_embedder(settings, corpus=[item.text for item in items], blobs=blobs, backend=backend)


def run_topics(
    items: list[TopicItem],
    *,
    settings: Settings,
    blobs: BlobStore,
    search: SearchIndex | None = None,
    backend: str | None = None,
    cohesion: float | None = None,
    seed: int = 0,
) -> TopicRun:
    """Embed (through the cache), index the vectors, and discover topics."""
    if not items:
        raise TopicsError("nothing to cluster: the source has no usable texts")
    embedder = _embedder(settings, items, blobs, backend)
    overrides: dict[str, float | int] = {"seed": seed}
    if cohesion is not None:
        overrides["cohesion"] = cohesion
    usable = [item for item in items if item.text.strip()]
    vectors = embed_items(usable, embedder)
    if search is not None:
        index_vectors(search, TOPICS_INDEX, [i.id for i in usable], [i.text for i in usable], vectors)
    run = discover_topics(items, embedder, params=params_for(embedder.family, **overrides), vectors=vectors)
    if settings.llm_configured:
        from rehearsal.llm.openai_provider import OpenAIChatModel  # the SDK only where an LLM is used

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        chat = OpenAIChatModel(base_url=settings.llm_base_url, api_key=key, model=settings.llm_model)
        name_topics(run.model, chat)
    return run


def run_assign(
    model: TopicModel,
    items: list[TopicItem],
    *,
    settings: Settings,
    blobs: BlobStore,
    backend: str | None = None,
    min_new_topic_size: int = 5,
) -> TopicRun:
    if model.embedder_family == "lexical":
        raise TopicsError(
            "topics built with the lexical fallback cannot take new data: its space is fitted per corpus; "
            "rerun `topics` on the combined data, or install the embeddings extra"
        )
    embedder = _embedder(settings, items, blobs, backend or model.embedder_family)
    updated, assignments = assign_items(model, items, embedder, min_new_topic_size=min_new_topic_size)
    return TopicRun(model=updated, assignments=assignments)
