"""The local search index: speed at insights scale, and retrieval quality of BM25, k-NN and hybrid.

Speed: N documents (real BANKING77 utterances, cycled) with seeded random 384-d float32 vectors —
upsert in one batch and in batches of 1,000 (segments and compaction), reopen from disk, then query
latencies (k-NN, BM25, hybrid with a filter). Wall time and process CPU time are both recorded: the
machine is shared, so CPU time is the steadier figure.

Quality: BANKING77 train utterances are indexed with their intent as a field and TF-IDF + LSA vectors
(scikit-learn, fitted on train only); each test utterance asks for its nearest train utterance and the
intent of the top hit is compared with its own (top-1 accuracy), for BM25 alone, k-NN alone and hybrid.
With ``--minilm`` the same is done with all-MiniLM-L6-v2 sentence embeddings (the embeddings extra).

Run: .venv/bin/python benchmarks/search_index.py [--documents 100000] [--minilm] [--data DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from rehearsal.storage.local import LocalSearchIndex
from rehearsal.storage.ports import SearchDocument

DIMENSIONS = 384
QUERIES = 50


def _rows(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["text"], row["category"]) for row in csv.DictReader(handle)]


def _timed(action: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _latencies(action: Callable[[int], Any]) -> dict[str, float]:
    seconds = []
    for number in range(QUERIES):
        _, wall, _ = _timed(functools.partial(action, number))
        seconds.append(wall * 1000)
    ordered = sorted(seconds)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * len(ordered))], 2),
    }


def speed(texts: list[str], count: int) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
    documents = [
        SearchDocument(
            id=f"u{row}",
            text=texts[row % len(texts)],
            vector=vectors[row].tolist(),
            fields={"shard": row % 10},
        )
        for row in range(count)
    ]
    figures: dict[str, Any] = {"documents": count, "dimensions": DIMENSIONS}
    with tempfile.TemporaryDirectory() as folder:
        index = LocalSearchIndex(Path(folder) / "one")
        index.ensure_index("bench", dimensions=DIMENSIONS)
        _, wall, cpu = _timed(lambda: index.upsert("bench", documents))
        figures["upsert_one_batch"] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}

        batched = LocalSearchIndex(Path(folder) / "batched")
        batched.ensure_index("bench", dimensions=DIMENSIONS)

        def in_batches() -> None:
            for start in range(0, count, 1_000):
                batched.upsert("bench", documents[start : start + 1_000])

        _, wall, cpu = _timed(in_batches)
        figures["upsert_batches_of_1000"] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}

        reopened = LocalSearchIndex(Path(folder) / "one")
        _, wall, cpu = _timed(lambda: reopened.count("bench"))
        figures["reopen"] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}

        queries = rng.standard_normal((QUERIES, DIMENSIONS)).astype(np.float32)
        figures["knn_k10"] = _latencies(lambda n: reopened.search("bench", vector=queries[n].tolist()))
        _, wall, cpu = _timed(lambda: reopened.search("bench", text="card"))
        figures["bm25_first_query_builds_postings"] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}
        figures["bm25_k10"] = _latencies(lambda n: reopened.search("bench", text=texts[n]))
        figures["hybrid_k10_filtered"] = _latencies(
            lambda n: reopened.search(
                "bench", text=texts[n], vector=queries[n].tolist(), filters={"shard": [1, 2, 3]}
            )
        )
    return figures


def lsa_vectors(train: list[str], test: list[str]) -> tuple[np.ndarray, np.ndarray]:
    tfidf = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2)
    svd = TruncatedSVD(n_components=256, random_state=0)
    return svd.fit_transform(tfidf.fit_transform(train)), svd.transform(tfidf.transform(test))


def minilm_vectors(train: list[str], test: list[str]) -> tuple[np.ndarray, np.ndarray]:
    from rehearsal.insights.embeddings import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    return embedder.embed(train), embedder.embed(test)


def quality(
    train: list[tuple[str, str]],
    test: list[tuple[str, str]],
    embed: Callable[[list[str], list[str]], tuple[np.ndarray, np.ndarray]],
) -> dict[str, Any]:
    train_vectors, test_vectors = embed([text for text, _ in train], [text for text, _ in test])
    with tempfile.TemporaryDirectory() as folder:
        index = LocalSearchIndex(folder)
        index.ensure_index("banking77", dimensions=int(train_vectors.shape[1]))
        index.upsert(
            "banking77",
            [
                SearchDocument(
                    id=str(row), text=text, vector=train_vectors[row].tolist(), fields={"intent": intent}
                )
                for row, (text, intent) in enumerate(train)
            ],
        )
        modes: dict[str, Callable[[int], dict[str, Any]]] = {
            "bm25": lambda row: {"text": test[row][0]},
            "knn": lambda row: {"vector": test_vectors[row].tolist()},
            "hybrid_0.5": lambda row: {"text": test[row][0], "vector": test_vectors[row].tolist()},
            "hybrid_0.3": lambda row: {
                "text": test[row][0],
                "vector": test_vectors[row].tolist(),
                "text_weight": 0.3,
            },
        }
        results = {}
        for mode, arguments in modes.items():
            correct = 0
            for row, (_, intent) in enumerate(test):
                hits = index.search("banking77", k=1, **arguments(row))
                correct += bool(hits) and hits[0].fields["intent"] == intent
            results[mode] = round(100 * correct / len(test), 1)
    return {"train": len(train), "test": len(test), "top1_intent_accuracy_pct": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--minilm", action="store_true", help="also measure quality with MiniLM vectors")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "search_index.json")
    arguments = parser.parse_args()
    train = _rows(arguments.data / "banking77" / "train.csv")
    test = _rows(arguments.data / "banking77" / "test.csv")
    report: dict[str, Any] = {
        "benchmark": "search_index",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_at_start": os.getloadavg(),
        },
        "speed": speed([text for text, _ in train], arguments.documents),
        "quality": {"tfidf_lsa_256": quality(train, test, lsa_vectors)},
    }
    if arguments.minilm:
        report["quality"]["minilm_384"] = quality(train, test, minilm_vectors)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
