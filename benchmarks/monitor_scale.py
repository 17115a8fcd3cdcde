"""Monitoring at scale: a quarter of daily conversations, with planted changes, through ``rehearsal.monitor``.

A seeded corpus of ``--days`` days (default 91) with ``--per-day`` conversations a day (default 600, so about
55k), human and AI agents alternating, outcomes, CSAT and handle times drawn per day with quieter weekends.
Three changes are planted: an escalation spike (days 70–72, taken from resolutions), a drop in human agents'
greetings (days 50–52) and a volume surge (day 80, three times the usual). The report is built with the Acme
Retail behaviours and the dashboard rendered; the figures are wall and CPU time per part, peak memory, and
whether the anomalies found are exactly the planted ones.

Run: .venv/bin/python benchmarks/monitor_scale.py [--days 91] [--per-day 600] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from rehearsal.evaluate.behaviours import compile_behaviours, load_behaviours
from rehearsal.insights.conversation import Conversation, HistoricalTurn, Outcome, Speaker
from rehearsal.monitor import Period, build_monitor_report, render_html

EXAMPLE = Path(__file__).parents[1] / "examples" / "acme_retail"
FIRST_DAY = date(2026, 1, 5)  # a Monday
SPIKE_DAYS = range(70, 73)
GREETING_DROP_DAYS = range(50, 53)
SURGE_DAY = 80
OUTCOMES = (Outcome.RESOLVED, Outcome.ESCALATED, Outcome.ABANDONED, Outcome.UNRESOLVED)
USUAL_MIX = (0.80, 0.08, 0.07, 0.05)
SPIKE_MIX = (0.55, 0.33, 0.07, 0.05)
GREETING = "Hello, thanks for contacting Acme Retail. How can I help?"


def corpus(days: int, per_day: int, seed: int) -> list[Conversation]:
    rng = np.random.default_rng(seed)
    conversations = []
    for day_number in range(days):
        day = FIRST_DAY + timedelta(days=day_number)
        usual = per_day // 2 if day.weekday() >= 5 else per_day  # quiet weekends
        volume = int(rng.poisson(3 * usual if day_number == SURGE_DAY else usual))
        mix = SPIKE_MIX if day_number in SPIKE_DAYS else USUAL_MIX
        for number in range(volume):
            human = number % 2 == 1
            skips_greeting = human and day_number in GREETING_DROP_DAYS and rng.random() < 0.6
            start = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                seconds=int(rng.integers(0, 86_000))
            )
            agent = Speaker.HUMAN_AGENT if human else Speaker.AI_AGENT
            lines = [
                (agent, "What's the order number?" if skips_greeting else GREETING),
                (Speaker.CUSTOMER, f"Where is my order A{1000 + number % 900}?"),
                (agent, "It has shipped and arrives tomorrow."),
                (Speaker.CUSTOMER, "Thanks, that's all."),
            ]
            gaps = np.cumsum(rng.integers(15, 150, size=len(lines)))
            conversations.append(
                Conversation(
                    id=f"c{day:%m%d}-{number:04d}",
                    started_at=start,
                    turns=[
                        HistoricalTurn(speaker=speaker, text=text, time=start + timedelta(seconds=int(gap)))
                        for (speaker, text), gap in zip(lines, gaps, strict=True)
                    ],
                    outcome=OUTCOMES[int(rng.choice(len(OUTCOMES), p=mix))],
                    satisfaction=round(float(rng.uniform(0.55, 1.0)), 3),
                )
            )
    return conversations


def _planted(metric: str, segment: str, day: date) -> bool:
    number = (day - FIRST_DAY).days
    return (
        # escalations take their share from resolutions: both rates move on the spike days
        (metric in ("escalation_rate", "resolution_rate") and number in SPIKE_DAYS)
        or (metric.startswith("adherence:") and segment == "agent:human" and number in GREETING_DROP_DAYS)
        or (metric == "volume" and number == SURGE_DAY)
    )


def measure(days: int, per_day: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    conversations = corpus(days, per_day, seed)
    generated_s = time.perf_counter() - started
    behaviours = compile_behaviours(load_behaviours(EXAMPLE / "behaviours.yaml"))
    wall, cpu = time.perf_counter(), time.process_time()
    report = build_monitor_report(conversations, period=Period.DAY, source="synthetic", behaviours=behaviours)
    report_wall, report_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall = time.perf_counter()
    html = render_html(report)
    render_wall = time.perf_counter() - wall
    found = [(a.metric, a.segment, a.period) for a in report.anomalies]
    return {
        "conversations": len(conversations),
        "days": days,
        "corpus_generation_s": round(generated_s, 2),
        "report_wall_s": round(report_wall, 2),
        "report_cpu_s": round(report_cpu, 2),
        "conversations_per_s": round(len(conversations) / report_wall),
        "dashboard_render_s": round(render_wall, 2),
        "dashboard_kb": round(len(html.encode()) / 1024),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "anomalies": len(found),
        "on_planted_changes": [f"{m} {s} {d}" for m, s, d in found if _planted(m, s, d)],
        "unplanted": [f"{m} {s} {d}" for m, s, d in found if not _planted(m, s, d)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=91)
    parser.add_argument("--per-day", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "monitor_scale.json")
    args = parser.parse_args()
    results = {
        "benchmark": "monitor_scale",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "load_average_1m": round(os.getloadavg()[0], 2),
        **measure(args.days, args.per_day, args.seed),
    }
    print(json.dumps(results, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
