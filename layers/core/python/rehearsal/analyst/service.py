"""Wiring: open a corpus (and optionally a run) for questions, and the ``ask`` entry point that the CLI and
the ``analyst`` Lambda share."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.analyst.answer import DEFAULT_K, AnalystContext, answer
from rehearsal.analyst.evidence import TurnBook
from rehearsal.analyst.indexing import IndexReport, index_name, index_turns
from rehearsal.analyst.models import AnalystError, CitedAnswer
from rehearsal.analyst.sources import load_conversations, topics_from_folder, topics_from_store
from rehearsal.analyst.turns import TopicOf, corpus_turns, run_turns
from rehearsal.insights.conversation import Conversation
from rehearsal.insights.embeddings import EmbeddingError, build_embedder
from rehearsal.llm.ports import ChatModel
from rehearsal.settings import Settings
from rehearsal.storage.factory import Stores

MAX_K = 50


class AskRequest(BaseModel):
    """The ``analyst`` Lambda's event."""

    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, Field(min_length=1, max_length=2000)]
    corpus: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    run_id: str | None = Field(
        None, min_length=1, description="Also search this run's simulated transcripts."
    )
    k: Annotated[int, Field(ge=1, le=MAX_K, description="Conversations to retrieve.")] = DEFAULT_K


def open_context(
    corpus: str,
    stores: Stores,
    *,
    settings: Settings,
    run_id: str | None = None,
    topics_dir: Path | None = None,
    embeddings: str | None = None,
) -> tuple[AnalystContext, list[IndexReport]]:
    """Load the stored corpus and its topics, index its turns (and the run's) and return what ``answer``
    needs."""
    conversations = load_conversations(stores.blobs, corpus)
    topics = topics_from_folder(topics_dir) if topics_dir else topics_from_store(stores.blobs, corpus)
    return context_for(
        corpus, conversations, stores, settings=settings, topics=topics, run_id=run_id, embeddings=embeddings
    )


def context_for(
    corpus: str,
    conversations: Sequence[Conversation],
    stores: Stores,
    *,
    settings: Settings,
    topics: TopicOf | None = None,
    run_id: str | None = None,
    embeddings: str | None = None,
) -> tuple[AnalystContext, list[IndexReport]]:
    """Index already de-identified ``conversations`` (and the run's turns) under the name ``corpus``."""
    topics = topics or {}
    turns = corpus_turns(conversations, topics)
    simulated = run_turns(run_id, stores) if run_id else []
    try:
        embedder = build_embedder(
            settings, corpus=[t.text for t in turns], blobs=stores.blobs, backend=embeddings
        )
        reports = [index_turns(stores.search, stores.blobs, index_name("c", corpus), turns, embedder)]
        if run_id:
            reports.append(
                index_turns(stores.search, stores.blobs, index_name("r", run_id), simulated, embedder)
            )
    except EmbeddingError as error:
        raise AnalystError(f"embeddings: {error}") from None
    context = AnalystContext(
        corpus=corpus,
        conversations=conversations,
        book=TurnBook([*turns, *simulated]),
        search=stores.search,
        indexes=[report.index for report in reports],
        embedder=embedder,
        topics=topics,
    )
    return context, reports


def chat_model_from(settings: Settings) -> ChatModel | None:
    """The configured OpenAI-compatible model, or ``None`` for the offline engine."""
    if not settings.llm_configured:
        return None
    from rehearsal.llm.openai_provider import OpenAIChatModel  # the SDK only where an LLM is used

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return OpenAIChatModel(base_url=settings.llm_base_url, api_key=key, model=settings.llm_model)


def ask(
    request: AskRequest,
    stores: Stores,
    *,
    settings: Settings | None = None,
    chat_model: ChatModel | None = None,
) -> CitedAnswer:
    settings = settings or Settings()
    context, _ = open_context(request.corpus, stores, settings=settings, run_id=request.run_id)
    return answer(request.question, context, chat_model=chat_model or chat_model_from(settings), k=request.k)
