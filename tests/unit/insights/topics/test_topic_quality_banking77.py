"""Regression guard for the measured quality: BANKING77 test, number of topics not given (opt in: -m slow)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rehearsal.insights.embeddings import MiniLMEmbedder, minilm_available
from rehearsal.insights.topics import TopicItem, discover_topics, score_clustering

BANKING77 = Path(__file__).resolve().parents[5] / "shared" / "data" / "banking77" / "test.csv"


@pytest.mark.slow
@pytest.mark.embeddings
@pytest.mark.skipif(not (minilm_available() and BANKING77.is_file()), reason="needs MiniLM and BANKING77")
def test_banking77_topics_clear_the_bar_without_being_given_k() -> None:
    # Given the 3,080 BANKING77 test utterances embedded with MiniLM
    with BANKING77.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    items = [TopicItem(id=str(n), text=row["text"]) for n, row in enumerate(rows)]
    # When topics are discovered with the tuned defaults
    run = discover_topics(items, MiniLMEmbedder())
    # Then the bar holds: ACC ≥ 58 and NMI ≥ 80 (recorded: 65.8 / 82.3)
    by_id = {a.id: a.topic for a in run.assignments}
    scores = score_clustering([row["category"] for row in rows], [by_id[item.id] for item in items])
    assert scores.acc >= 58
    assert scores.nmi >= 80
