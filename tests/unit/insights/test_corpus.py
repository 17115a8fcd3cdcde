"""The stored corpus: JSONL shards, a quarantine file without content, a manifest written last."""

from __future__ import annotations

from pathlib import Path

import pytest

import rehearsal.insights.corpus as corpus_module
from rehearsal.insights.conversation import Conversation, HistoricalTurn, Speaker
from rehearsal.insights.corpus import CorpusError, iter_corpus, load_manifest, load_quarantine, save_corpus
from rehearsal.insights.ingest import IngestResult, QuarantineRecord
from rehearsal.storage.local import LocalBlobStore


def result(count: int) -> IngestResult:
    conversations = [
        Conversation(id=f"c{n}", turns=[HistoricalTurn(speaker=Speaker.CUSTOMER, text=f"[EMAIL_1] asks {n}")])
        for n in range(count)
    ]
    quarantined = [QuarantineRecord(file="in.jsonl", line=9, reason="not valid JSON")]
    return IngestResult(
        source="in.jsonl", format="jsonl", conversations=conversations, quarantined=quarantined
    )


def test_a_corpus_round_trips_through_shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given shards of two conversations and an ingest result of five
    monkeypatch.setattr(corpus_module, "SHARD_SIZE", 2)
    blobs = LocalBlobStore(tmp_path)
    # When it is saved and read back
    manifest = save_corpus(blobs, "calls", result(5))
    # Then three shards hold the five conversations in order, with counts and placeholder totals
    assert [s.conversations for s in manifest.shards] == [2, 2, 1]
    assert [c.id for c in iter_corpus(blobs, "calls")] == [f"c{n}" for n in range(5)]
    assert load_manifest(blobs, "calls").placeholders == {"EMAIL": 5}
    assert load_quarantine(blobs, "calls")[0].line == 9


def test_saving_again_replaces_the_corpus(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path)
    save_corpus(blobs, "calls", result(3))
    save_corpus(blobs, "calls", result(1))
    assert [c.id for c in iter_corpus(blobs, "calls")] == ["c0"]


@pytest.mark.parametrize("name", ["", "../up", "a/b", "x" * 65])
def test_bad_corpus_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(CorpusError, match="corpus name"):
        save_corpus(LocalBlobStore(tmp_path), name, result(1))


def test_a_missing_corpus_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="insights ingest"):
        load_manifest(LocalBlobStore(tmp_path), "nothing")
