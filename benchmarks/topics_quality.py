"""Topic discovery quality with the number of topics NOT given: ACC (Hungarian), NMI, ARI, topics found.

Data sets (../shared/data): BANKING77 test (3,080 utterances, 77 intents), DSTC11 insurance (913 customer
turns, 22 intents), STAR (each dialogue's contact reason → its task). For each: MiniLM (the default) and the
lexical fallback, through the same `discover_topics` the CLI runs. Hyper-parameters were tuned on BANKING77
*train* only (`--tune` reruns that grid); the test split is never used to choose them. A MiniLM + KMeans run
*given* the true K is printed as a reference point.

Run: .venv/bin/python benchmarks/topics_quality.py [--data DIR] [--tune] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans

from rehearsal.insights.embeddings import CachedEmbedder, EmbeddingCache, LexicalEmbedder, MiniLMEmbedder
from rehearsal.insights.ingest import ingest_path
from rehearsal.insights.topics import ClusterParams, TopicItem, discover_topics, params_for, score_clustering
from rehearsal.insights.topics.items import items_from_conversations
from rehearsal.storage.local import LocalBlobStore

ROOT = Path(__file__).resolve().parent
# Each grid: parameter → values; every combination is run on BANKING77 train.
MINILM_GRID: dict[str, Sequence[float]] = {
    "smoothing_neighbours": (0, 5, 10, 20),
    "cohesion": (0.24, 0.27, 0.30, 0.33, 0.36),
    "min_size_ratio": (0.5,),
}
LEXICAL_GRID: dict[str, Sequence[float]] = {
    "smoothing_neighbours": (0,),
    "cohesion": (0.4, 0.5, 0.6, 0.7),
    "min_size_ratio": (0.3, 0.5, 0.7),
}


@dataclass(frozen=True)
class Dataset:
    name: str
    items: list[TopicItem]
    truth: list[str]


def banking77(data: Path, split: str) -> Dataset:
    with (data / "banking77" / f"{split}.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    items = [TopicItem(id=str(i), text=row["text"]) for i, row in enumerate(rows)]
    return Dataset(f"banking77-{split}", items, [row["category"] for row in rows])


def dstc11(data: Path) -> Dataset:
    lines = (data / "dstc11-insurance" / "test-utterances.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    items = [TopicItem(id=row["utterance_id"], text=row["utterance"]) for row in rows]
    return Dataset("dstc11-insurance", items, [row["intent"] for row in rows])


def star(data: Path) -> Dataset:
    conversations = ingest_path(data / "star" / "dialogues.jsonl.gz", "star").conversations
    items = items_from_conversations(conversations)
    return Dataset("star-dialogue-task", items, [str(c.metadata.get("task")) for c in conversations])


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def evaluate(dataset: Dataset, embedder: CachedEmbedder | LexicalEmbedder, params: ClusterParams) -> dict:
    started = time.perf_counter()
    vectors = embedder.embed([item.text for item in dataset.items])
    embedded = time.perf_counter()
    run = discover_topics(dataset.items, embedder, params=params, vectors=vectors)
    finished = time.perf_counter()
    by_id = {a.id: a.topic for a in run.assignments}
    predicted = [by_id[item.id] for item in dataset.items]
    scores = score_clustering(dataset.truth, predicted)
    # The hierarchy's upper level against the same truth: how well parents recover coarser groupings.
    parent_of = {topic.id: topic.parent for topic in run.model.topics}
    parents = score_clustering(dataset.truth, [parent_of.get(topic, -1) for topic in predicted])
    return {
        "dataset": dataset.name,
        "embedder": embedder.family,
        "items": len(dataset.items),
        **scores.model_dump(),
        "parents": parents.model_dump(),
        "embed_seconds": round(embedded - started, 2),
        "discover_seconds": round(finished - embedded, 2),
        "params": {
            "cohesion": params.cohesion,
            "min_size_ratio": params.min_size_ratio,
            "smoothing_neighbours": params.smoothing_neighbours,
        },
    }


def kmeans_given_k(dataset: Dataset, vectors: np.ndarray) -> dict:
    k = len(set(dataset.truth))
    labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(vectors)
    scores = score_clustering(dataset.truth, labels.tolist())
    return {
        "dataset": dataset.name,
        "embedder": "minilm",
        "method": "kmeans-given-true-k",
        **scores.model_dump(),
    }


def tune(train: Dataset, minilm: CachedEmbedder) -> list[dict]:
    """The grids on BANKING77 train that chose the defaults (MiniLM, and lexical with its own grid)."""
    rows = []
    lexical = LexicalEmbedder().fit([item.text for item in train.items])
    for embedder, grid in ((minilm, MINILM_GRID), (lexical, LEXICAL_GRID)):
        for values in itertools.product(*grid.values()):
            overrides = dict(zip(grid, values, strict=True))
            rows.append(evaluate(train, embedder, params_for(embedder.family, **overrides)))
            print(json.dumps(rows[-1]), flush=True)
    return rows


def markdown(results: list[dict], references: list[dict], meta: dict) -> str:
    lines = [
        "# Topic discovery quality (number of topics not given)",
        "",
        f"Measured {meta['date']} on {meta['machine']['processor']} ({meta['machine']['cpus']} CPUs), "
        f"Python {meta['machine']['python']}. Defaults tuned on BANKING77 train only.",
        "",
        "| data set | embedder | items | ACC | NMI | ARI | topics found | true topics | parents ACC / NMI | "
        "discover s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results:
        lines.append(
            f"| {row['dataset']} | {row['embedder']} | {row['items']} | {row['acc']} | {row['nmi']} | "
            f"{row['ari']} | {row['topics_found']} | {row['true_topics']} | "
            f"{row['parents']['acc']} / {row['parents']['nmi']} ({row['parents']['topics_found']}) | "
            f"{row['discover_seconds']} |"
        )
    lines += ["", "Reference, MiniLM + KMeans *given* the true number of topics:", ""]
    for row in references:
        lines.append(f"- {row['dataset']}: ACC {row['acc']} / NMI {row['nmi']} / ARI {row['ari']}")
    lines += [
        "",
        "How the defaults were chosen (BANKING77 train only, the full pipeline as above; every grid point "
        "is in the JSON): for MiniLM, averaging each sampled vector with its 5 nearest neighbours and "
        "cutting at cohesion 0.27 scored best on all three measures (train ACC 63.4 / NMI 78.9 / ARI 52.9, "
        "against 63.1 / 78.4 / 52.2 without smoothing at 0.36). Fragments are absorbed only when their "
        "centre is at least 0.5 similar to a larger topic, so rare but distinct contact reasons survive "
        "(about 0.8 ACC on train). The lexical fallback's cohesion 0.7 came from its own grid.",
        "",
        "STAR: the contact reason is the customer's opening with greetings skipped; several STAR tasks "
        "share openings (booking or searching a hotel, a doctor's schedule or follow-up), so dialogue → "
        "task is the hardest of the three.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "rehearsal-benchmarks")
    parser.add_argument("--tune", action="store_true", help="Rerun the tuning grid on BANKING77 train.")
    args = parser.parse_args()
    if not args.data.is_dir():
        args.data = Path("/work/shared/data")
    minilm = CachedEmbedder(MiniLMEmbedder(threads=2), EmbeddingCache(LocalBlobStore(args.cache)))
    datasets = [banking77(args.data, "test"), dstc11(args.data), star(args.data)]
    results, references = [], []
    for dataset in datasets:
        results.append(evaluate(dataset, minilm, params_for("minilm")))
        print(json.dumps(results[-1]), flush=True)
        lexical = LexicalEmbedder().fit([item.text for item in dataset.items])
        results.append(evaluate(dataset, lexical, params_for("lexical")))
        print(json.dumps(results[-1]), flush=True)
        references.append(kmeans_given_k(dataset, minilm.embed([item.text for item in dataset.items])))
    meta = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}
    report: dict = {**meta, "results": results, "references": references}
    recorded = args.out / "topics_quality.json"
    if args.tune:
        report["tuning_banking77_train"] = tune(banking77(args.data, "train"), minilm)
    elif recorded.is_file():  # keep the recorded tuning grid when only the evaluation is rerun
        report["tuning_banking77_train"] = json.loads(recorded.read_text(encoding="utf-8")).get(
            "tuning_banking77_train", []
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "topics_quality.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "topics_quality.md").write_text(markdown(results, references, meta), encoding="utf-8")


if __name__ == "__main__":
    main()
