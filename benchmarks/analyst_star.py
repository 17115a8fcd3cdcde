"""The analyst on STAR (1,802 de-identified dialogues, ~28k turns): indexing cost, answer latency, citation
exactness and how well evidential answers stay on the asked-about task.

* Indexing: every non-empty turn embedded (cached) and indexed, cold; then again (an idempotent no-op).
* Aggregate: computed figures compared with an independent count over the corpus (abandonment by task).
* Evidential: one question per STAR task, answered offline; task precision = share of the cited
  conversations whose STAR task is the one asked about. Every citation must quote its turn exactly, every
  claim must appear in its cited turn, and no quote may hold anything the de-identifier would still redact.

Topics are STAR's own task labels (the truth), so retrieval is measured apart from topic discovery.

Run: .venv/bin/python benchmarks/analyst_star.py [--embeddings minilm|lexical] [--home DIR] [--data DIR]
[--out FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rehearsal.analyst import CitedAnswer, answer
from rehearsal.analyst.service import context_for
from rehearsal.insights.conversation import Conversation, Outcome
from rehearsal.insights.deid import Deidentifier
from rehearsal.insights.ingest import ingest_path
from rehearsal.settings import Settings
from rehearsal.storage.factory import build_stores

QUESTIONS = {
    "bank_fraud_report": "What do customers say about fraudulent charges on their bank account?",
    "bank_balance": "What do customers say when they want to check their account balance?",
    "doctor_followup": "What do customers ask about the follow-up instructions from their doctor?",
    "doctor_schedule": "What do customers say when they schedule an appointment with a doctor?",
    "hotel_book": "What do customers say when they book a hotel room?",
    "hotel_search": "What do customers look for when they search for a hotel?",
    "ride_book": "What do customers say when they book a ride?",
    "ride_status": "What do customers ask about the status of their ride?",
}


def _timed(call: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _tasks(conversation: Conversation) -> list[str]:
    return [str(task) for task in conversation.metadata.get("tasks", [])] or [
        str(conversation.metadata.get("task"))
    ]


def _check_citations(result: CitedAnswer, by_id: dict[str, Conversation]) -> dict[str, int]:
    exact = in_quote = clean = 0
    quotes = {citation.id: citation.quote for citation in result.citations}
    for citation in result.citations:
        exact += citation.quote == by_id[citation.conversation_id].turns[citation.turn].text
        clean += Deidentifier().redact(citation.quote) == citation.quote
    claims = [claim for claim in result.claims if claim.citations]
    in_quote = sum(all(claim.text in quotes[c] for c in claim.citations) for claim in claims)
    return {
        "citations": len(result.citations),
        "exact_quotes": exact,
        "clean_quotes": clean,
        "claims": len(claims),
        "claims_in_quote": in_quote,
    }


def _aggregate_check(conversations: list[Conversation], result: CitedAnswer) -> dict[str, Any]:
    counts = Counter(str(c.metadata.get("task")) for c in conversations)
    abandoned = Counter(str(c.metadata.get("task")) for c in conversations if c.outcome is Outcome.ABANDONED)
    expected = {task: (abandoned[task], counts[task]) for task in counts}
    computed = {f.group: (f.count, f.total) for f in result.figures}
    top = max(expected, key=lambda task: (abandoned[task] / counts[task], task))
    return {
        "question": result.question,
        "answer": result.answer.splitlines()[0],
        "figures_match_independent_count": computed == expected,
        "top_group": result.figures[0].group,
        "expected_top_group": top,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/star"))
    parser.add_argument("--embeddings", choices=["minilm", "lexical"], default="minilm")
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--home", type=Path, help="Keep stores (and the embedding cache) here between runs.")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/analyst_star.json"))
    args = parser.parse_args()

    conversations = ingest_path(args.data, "star").conversations
    by_id = {c.id: c for c in conversations}
    labels = sorted({str(c.metadata.get("task")) for c in conversations})
    topics = {
        c.id: (labels.index(str(c.metadata.get("task"))), str(c.metadata.get("task"))) for c in conversations
    }
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(backend="local", home=args.home or Path(scratch))
        stores = build_stores(settings)

        def build() -> Any:
            return context_for(
                "star", conversations, stores, settings=settings, topics=topics, embeddings=args.embeddings
            )

        (context, reports), cold_wall, cold_cpu = _timed(build)
        (_, again), warm_wall, warm_cpu = _timed(build)
        aggregate, aggregate_wall, _ = _timed(
            lambda: answer("Which topic has the highest abandonment rate?", context)
        )
        evidential: list[dict[str, Any]] = []
        for task, question in QUESTIONS.items():
            result, wall, cpu = _timed(lambda question=question: answer(question, context, k=args.k))
            cited = {c.conversation_id for c in result.citations}
            on_task = sum(task in _tasks(by_id[cid]) for cid in cited)
            evidential.append(
                {
                    "task": task,
                    "question": question,
                    "wall_s": round(wall, 3),
                    "cpu_s": round(cpu, 3),
                    "cited_conversations": len(cited),
                    "task_precision": round(on_task / len(cited), 3) if cited else None,
                    "low_evidence": result.low_evidence,
                    "first_claim": result.claims[0].text if result.claims else None,
                    **_check_citations(result, by_id),
                }
            )
    precisions = [row["task_precision"] for row in evidential if row["task_precision"] is not None]
    totals = {
        key: sum(row[key] for row in evidential) for key in ("citations", "exact_quotes", "clean_quotes")
    }
    summary = {
        "recorded_at": datetime.now(UTC).isoformat(),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "embedder": reports[0].embedder,
        "conversations": len(conversations),
        "turns_indexed": reports[0].turns,
        "index_cold": {"wall_s": round(cold_wall, 2), "cpu_s": round(cold_cpu, 2)},
        "index_again": {
            "wall_s": round(warm_wall, 2),
            "cpu_s": round(warm_cpu, 2),
            "rebuilt": again[0].rebuilt,
        },
        "aggregate": {**_aggregate_check(conversations, aggregate), "wall_s": round(aggregate_wall, 3)},
        "evidential": {
            "mean_task_precision": round(statistics.fmean(precisions), 3) if precisions else None,
            "median_wall_s": round(statistics.median(row["wall_s"] for row in evidential), 3),
            "citations": totals["citations"],
            "exact_quotes": totals["exact_quotes"],
            "clean_quotes": totals["clean_quotes"],
            "claims_in_quote": sum(r["claims_in_quote"] for r in evidential),
            "claims": sum(r["claims"] for r in evidential),
            "questions": evidential,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({key: value for key, value in summary.items() if key != "evidential"}, indent=2))
    print({key: value for key, value in summary["evidential"].items() if key != "questions"})
    for row in evidential:
        line = f"  {row['task']:<18} precision {row['task_precision']}  {row['wall_s']} s"
        print(f"{line}  {row['first_claim']!r}")


if __name__ == "__main__":
    main()
