"""Flow discovery on STAR, per task: SOP recall, next agent step, and step clustering against labels.

(a) SOP recall: the share of the task flowchart's agent-step transitions found in the discovered graph, with
    the graph capped at twice the flowchart's nodes. The flowchart (`graph` in tasks/<task>/<task>.json) maps
    each node to the agent step that follows it; nodes that are not agent steps are user answers (yes, no,
    info_missing…) or API results (available, query_success…). A transition through such a node is bridged:
    API results hang off the query that produced them (availability off the check query, success or
    failure off the last query the chart leaves open); yes/no hang off the open-ended agent questions (agent
    steps with no successor whose reply asks something); other user answers ("can't remember the account
    number or PIN") hang off the agent steps whose reply shares a distinctive word with the answer.
(b) Next agent step: train on 70% of a task's dialogues, predict each labelled agent action of the other 30%
    from what came before; top-1 accuracy, next to the first-order baseline (most frequent successor).
(c) Labels hidden: agent utterances clustered into steps; NMI and number of steps against STAR's labels.

Run: .venv/bin/python benchmarks/flows_star.py [--data DIR] [--out benchmarks/results/flows_star.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

from rehearsal.insights.conversation import Conversation, HistoricalTurn, Outcome, Speaker, ToolCallRecord
from rehearsal.insights.flows import FlowSettings, GraphLimits, Labelling, discover_flows, label_conversations
from rehearsal.insights.flows.models import StepKind
from rehearsal.insights.flows.predict import NextStepModel, first_order_accuracy, split_train_test

USER_ANSWERS = ("yes", "no")
STOP = frozenset({"the", "and", "you", "your", "can", "can't", "info", "missing", "remember", "what", "was"})


# --- STAR reading (until the shared importer lands) ----------------------------------------


def _star_value(raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    match = re.match(r"^api\.\w+\((.*)\)$", raw.strip())
    text = match.group(1) if match else raw
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text.strip().strip('"')


def read_star(path: Path) -> list[Conversation]:
    conversations = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            turns: list[HistoricalTurn] = []
            pending: ToolCallRecord | None = None
            for event in record["Events"]:
                agent, action = event["Agent"], event["Action"]
                time_ = datetime.fromtimestamp(event["UnixTime"], UTC) if "UnixTime" in event else None
                if agent == "User" and action == "utter":
                    turns.append(HistoricalTurn(speaker=Speaker.CUSTOMER, text=event["Text"], time=time_))
                elif agent == "Wizard" and action in ("pick_suggestion", "utter"):
                    turns.append(
                        HistoricalTurn(
                            speaker=Speaker.HUMAN_AGENT,
                            text=event["Text"],
                            time=time_,
                            action=event.get("ActionLabel"),
                        )
                    )
                elif agent == "Wizard" and action == "query":
                    args = {k: _star_value(v) for c in event.get("Constraints", []) for k, v in c.items()}
                    pending = ToolCallRecord(name=event["APIName"], arguments=args)
                    turns.append(HistoricalTurn(speaker=Speaker.SYSTEM, time=time_, tool_calls=[pending]))
                elif agent == "KnowledgeBase" and pending is not None:
                    pending.result = event.get("Item")
                    pending = None
            if not any(t.speaker is Speaker.CUSTOMER for t in turns):
                continue
            complete = record["CompletionLevel"] == "Complete"
            conversations.append(
                Conversation(
                    id=f"star-{record['DialogueID']}",
                    turns=turns,
                    outcome=Outcome.RESOLVED if complete else Outcome.ABANDONED,
                    metadata={"task": record["Scenario"]["WizardCapabilities"][0]["Task"]},
                )
            )
    return conversations


def load_star(root: Path) -> list[Conversation]:
    try:
        from rehearsal.insights.ingest.star import read_star as shared_reader
    except ImportError:
        return read_star(root / "dialogues.jsonl.gz")
    return shared_reader(root / "dialogues.jsonl.gz").conversations


# --- the flowchart as agent-step transitions ----------------------------------------


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z']+", text.lower()) if len(w) >= 3 and w not in STOP}


def flowchart(task_dir: Path, agent_labels: set[str]) -> tuple[set[tuple[str, str]], int]:
    """The chart's agent-step transitions (bridged over user answers and API results) and its node count."""
    spec = json.loads((task_dir / f"{task_dir.name}.json").read_text())
    responses = set(json.loads((task_dir / "responses.json").read_text()))
    graph: dict[str, str] = spec["graph"]
    replies: dict[str, str] = spec["replies"]
    nodes = set(graph) | set(graph.values())
    queries = {n for n in nodes if n.startswith("query") and replies.get(n, "").startswith("Query")}
    agent = {n for n in nodes if n in responses or n in agent_labels} | queries
    open_queries = sorted(q for q in queries if q not in graph)
    open_questions = {
        n for n in agent - queries if n not in graph and "?" in replies.get(n, "") and n != "anything_else"
    }
    # Words in three or more agent replies ("name") say nothing about which question an answer belongs to.
    spread = Counter(w for n in agent - queries for w in _content_words(replies.get(n, "")))
    common = {w for w, n in spread.items() if n >= 3}
    edges: set[tuple[str, str]] = set()
    for source, target in graph.items():
        if source in agent:
            edges.add((source, target))
            continue
        if source in USER_ANSWERS:
            sources = open_questions
        elif source in ("available", "unavailable"):
            sources = {q for q in open_queries if "check" in q} or set(open_queries)
        elif source.startswith("query_"):
            sources = {q for q in open_queries if "book" in q} or set(open_queries[-1:])
        else:  # another user answer: the agent steps that asked for what it is about
            words = _content_words(replies.get(source, "")) - common
            sources = {n for n in agent - queries if words & _content_words(replies.get(n, ""))}
        edges.update((s, target) for s in sources)
    return edges, len(nodes)


def _step_candidates(node: str, call_steps: list[str]) -> set[str]:
    if not node.startswith("query"):
        return {node}
    mode = node.removeprefix("query").strip("_")
    matched = {s for s in call_steps if mode and s.endswith(f":{mode}")}
    return matched or set(call_steps)


def sop_recall(reference: set[tuple[str, str]], found: set[tuple[str, str]], call_steps: list[str]) -> float:
    hits = sum(
        any((a, b) in found for a in _step_candidates(s, call_steps) for b in _step_candidates(t, call_steps))
        for s, t in reference
    )
    return hits / len(reference) if reference else 1.0


# --- benchmark ------------------------------------------------------------


def run(data: Path, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    conversations = load_star(data)
    loaded = time.perf_counter()
    by_task: dict[str, list[Conversation]] = {}
    for conversation in conversations:
        by_task.setdefault(str(conversation.metadata["task"]), []).append(conversation)
    tasks = sorted(t for t in by_task if (data / "tasks" / t).is_dir())
    results: dict[str, Any] = {}
    for task in tasks:
        members = by_task[task]
        labels = {t.action for c in members for t in c.turns if t.action}
        reference, chart_nodes = flowchart(data / "tasks" / task, labels)
        limits = GraphLimits(max_nodes=2 * chart_nodes)
        discovery = discover_flows(members, group_by="task", settings=FlowSettings(limits=limits))
        graph = discovery.groups[0].graph
        call_steps = [n.id for n in graph.nodes if n.kind is StepKind.CALL]
        unpruned = GraphLimits(max_nodes=None, min_edge_count=1, min_edge_share=0.0)
        everything = discover_flows(members, group_by="task", settings=FlowSettings(limits=unpruned))
        every_call = [n.id for n in everything.groups[0].graph.nodes if n.kind is StepKind.CALL]
        every_edge = everything.groups[0].graph.edge_set()
        labelled = label_conversations(members, _one_group, labelling=Labelling.GIVEN).conversations
        train, test = split_train_test(labelled, train_share=0.7, seed=seed)
        model = NextStepModel(seed=seed).fit(train)
        results[task] = {
            "dialogues": len(members),
            "flowchart_nodes": chart_nodes,
            "flowchart_transitions": len(reference),
            "graph_nodes": len(graph.nodes),
            "graph_edges": len(graph.edges),
            "sop_recall": round(sop_recall(reference, graph.edge_set(), call_steps), 4),
            # The share of chart transitions that occur at least once in the dialogues: the ceiling.
            "sop_attainable": round(sop_recall(reference, every_edge, every_call), 4),
            "next_step_top1": round(model.accuracy(test), 4),
            "next_step_first_order": round(first_order_accuracy(train, test), 4),
            "clustered": _clustered(members, reference, chart_nodes),
        }
    finished = time.perf_counter()
    mean = {
        key: round(float(np.mean([r[key] for r in results.values()])), 4)
        for key in ("sop_recall", "sop_attainable", "next_step_top1", "next_step_first_order")
    }
    for key in ("nmi", "sop_recall"):
        mean[f"clustered_{key}"] = round(float(np.mean([r["clustered"][key] for r in results.values()])), 4)
    return {
        "benchmark": "flows_star",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": _cpus()},
        "seed": seed,
        "dialogues": len(conversations),
        "seconds": {"load": round(loaded - started, 2), "discover_and_score": round(finished - loaded, 2)},
        "mean": mean,
        "tasks": results,
    }


def _clustered(
    members: list[Conversation], reference: set[tuple[str, str]], chart_nodes: int
) -> dict[str, Any]:
    """Steps discovered with the labels hidden, against the labels; and the chart's recall in that graph,
    each discovered step read as the label most of its utterances carry."""
    hidden = [c.model_copy(update={"turns": [_unlabelled(t) for t in c.turns]}) for c in members]
    corpus = label_conversations(hidden, _one_group, labelling=Labelling.CLUSTERED)
    truth, found = [], []
    for original, labelled in zip(members, corpus.conversations, strict=True):
        said = [t for t in original.turns if t.speaker is Speaker.HUMAN_AGENT and t.text.strip()]
        steps = [e.step for e in labelled.events if e.kind is StepKind.SAY]
        for turn, step in zip(said, steps, strict=True):
            if turn.action:
                truth.append(turn.action)
                found.append(step)
    votes: dict[str, Counter[str]] = {}
    for label, step in zip(truth, found, strict=True):
        votes.setdefault(step, Counter())[label] += 1
    named = {step: counter.most_common(1)[0][0] for step, counter in votes.items()}
    settings = FlowSettings(labelling=Labelling.CLUSTERED, limits=GraphLimits(max_nodes=2 * chart_nodes))
    graph = discover_flows(hidden, settings=settings).groups[0].graph
    edges = {(named.get(a, a), named.get(b, b)) for a, b in graph.edge_set()}
    calls = [n.id for n in graph.nodes if n.kind is StepKind.CALL]
    return {
        "nmi": round(float(normalized_mutual_info_score(truth, found)), 4),
        "steps_found": len(set(found)),
        "labels": len(set(truth)),
        "sop_recall": round(sop_recall(reference, edges, calls), 4),
    }


def _one_group(_: Conversation) -> str:
    return "all"


def _unlabelled(turn: HistoricalTurn) -> HistoricalTurn:
    return turn.model_copy(update={"action": None})


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/star")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results/flows_star.json")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    report = run(args.data, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["mean"], indent=2))
    for task, figures in report["tasks"].items():
        print(task, {k: v for k, v in figures.items() if k != "clustered"}, figures["clustered"])


if __name__ == "__main__":
    main()
