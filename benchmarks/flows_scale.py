"""Flow discovery at scale: STAR dialogues resampled to about 100k agent utterances, timed and measured.

Each copy of a dialogue gets its own id and its customer words a light perturbation (a seeded word dropped or
duplicated), so that grouping, labelling, graphs, paths, decision points, templates and slot inference all run
on the whole volume. Given labels and clustered steps (labels hidden) are measured separately; peak memory is
the process's maximum resident set size.

Run: .venv/bin/python benchmarks/flows_scale.py [--utterances 100000] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rehearsal.insights.conversation import Conversation, HistoricalTurn, Speaker
from rehearsal.insights.flows import FlowSettings, Labelling, discover_flows

sys.path.insert(0, str(Path(__file__).parent))
from flows_star import load_star


def _perturb(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 3:
        index = rng.randrange(len(words))
        words = (
            words[:index] + words[index + 1 :] if rng.random() < 0.5 else words[: index + 1] + words[index:]
        )
    return " ".join(words)


def _copy(conversation: Conversation, number: int, rng: random.Random, *, hide_labels: bool) -> Conversation:
    turns = [
        turn.model_copy(
            update={
                "text": _perturb(turn.text, rng) if turn.speaker is Speaker.CUSTOMER else turn.text,
                "action": None if hide_labels else turn.action,
            }
        )
        for turn in conversation.turns
    ]
    return conversation.model_copy(update={"id": f"{conversation.id}-{number}", "turns": turns})


def _agent_utterances(conversations: list[Conversation]) -> int:
    return sum(1 for c in conversations for t in c.turns if _spoken_by_agent(t))


def _spoken_by_agent(turn: HistoricalTurn) -> bool:
    return turn.speaker is Speaker.HUMAN_AGENT and bool(turn.text.strip())


def resample(
    base: list[Conversation], utterances: int, seed: int, *, hide_labels: bool
) -> list[Conversation]:
    rng = random.Random(seed)
    per_copy = _agent_utterances(base)
    copies = max(1, round(utterances / per_copy))
    return [_copy(c, n, rng, hide_labels=hide_labels) for n in range(copies) for c in base]


def _measure(conversations: list[Conversation], labelling: Labelling) -> dict[str, Any]:
    started = time.perf_counter()
    discovery = discover_flows(conversations, group_by="task", settings=FlowSettings(labelling=labelling))
    seconds = time.perf_counter() - started
    return {
        "labelling": labelling.value,
        "conversations": len(conversations),
        "agent_utterances": _agent_utterances(conversations),
        "tool_calls": sum(len(t.tool_calls) for c in conversations for t in c.turns),
        "seconds": round(seconds, 2),
        "groups": len(discovery.groups),
        "steps": sum(len(g.graph.nodes) - 2 for g in discovery.groups),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/star")
    parser.add_argument("--utterances", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results/flows_scale.json")
    args = parser.parse_args()
    base = load_star(args.data)
    runs = []
    for labelling in (Labelling.GIVEN, Labelling.CLUSTERED):
        corpus = resample(base, args.utterances, args.seed, hide_labels=labelling is Labelling.CLUSTERED)
        runs.append(_measure(corpus, labelling))
        del corpus
        print(runs[-1])
    report = {
        "benchmark": "flows_scale",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "seed": args.seed,
        "runs": runs,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
