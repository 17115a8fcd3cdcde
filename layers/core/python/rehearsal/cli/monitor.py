"""``rehearsal monitor``: trends, anomalies and behaviour adherence of human and AI agents, as a dashboard.

Monitoring is informational: the command exits 0 whatever it finds, unless ``--fail-on-anomaly`` asks a
scheduled job to fail when an anomaly is found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rehearsal.cli import UserError, console
from rehearsal.cli.errors import user_errors
from rehearsal.cli.insights import stored_conversations, topic_groups_of
from rehearsal.evaluate.behaviours import compile_behaviours, load_behaviours
from rehearsal.insights.conversation import Conversation
from rehearsal.insights.corpus import CorpusError
from rehearsal.insights.flows import FlowDiscoveryError
from rehearsal.insights.ingest import IngestError, ingest_path
from rehearsal.insights.topics import TopicsError
from rehearsal.monitor import Anomaly, Period, build_monitor_report, write_dashboard
from rehearsal.monitor.dashboard import format_value
from rehearsal.settings import Settings

_SHOWN_PROBLEMS = 20
_SHOWN_EVIDENCE = 1  # the rest are in the dashboard and the JSON
_EVIDENCE_WIDTH = 110  # columns the table needs to show an evidence id beside every figure


def _read_conversations(corpus: str) -> tuple[list[Conversation], list[str]]:
    """A JSONL file (read with the JSONL importer, de-identified like an ingest) or a stored corpus name."""
    path = Path(corpus)
    if not (path.suffix in {".jsonl", ".gz"} or path.is_file()):
        return stored_conversations(corpus, Settings()), []
    result = ingest_path(path, "jsonl")
    skipped = [str(record) for record in result.quarantined]
    if not result.conversations:
        raise UserError(f"{path}: no conversation could be read", skipped[:_SHOWN_PROBLEMS])
    return result.conversations, skipped


def _anomaly_table(anomalies: list[Anomaly], *, width: int) -> Table:
    """Figures never wrap and names fold; below ``_EVIDENCE_WIDTH`` columns (a CI log) the evidence ids are
    left to the dashboard, so that every figure still shows."""
    table = Table(title=f"{len(anomalies)} anomal{'y' if len(anomalies) == 1 else 'ies'}")
    table.add_column("period", no_wrap=True)
    table.add_column("metric", overflow="fold", min_width=16)  # "escalation_rate" whole
    table.add_column("segment", overflow="fold")
    table.add_column("value (baseline)", no_wrap=True)
    table.add_column("z", justify="right", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    with_evidence = width >= _EVIDENCE_WIDTH
    if with_evidence:
        table.add_column("evidence", overflow="fold")
    for a in anomalies:
        more = len(a.evidence) - _SHOWN_EVIDENCE
        evidence = ", ".join(a.evidence[:_SHOWN_EVIDENCE]) + (f" +{more}" if more > 0 else "")
        figures = [
            a.period.isoformat(),
            a.metric,
            a.segment,
            f"{format_value(a.metric, a.value)} ({format_value(a.metric, a.baseline)})",
            f"{a.score:+.1f}",
            str(a.sample),
        ]
        table.add_row(*figures, *([evidence] if with_evidence else []))
    return table


def monitor_command(
    *,
    corpus: Annotated[
        str,
        typer.Option(help="A stored corpus name (see `insights ingest`) or a JSONL file of conversations."),
    ],
    out: Annotated[Path, typer.Option(help="Folder for monitor.html and monitor.json.")],
    period: Annotated[Period, typer.Option(help="Bucket conversations by UTC day or ISO week.")] = Period.DAY,
    topics_dir: Annotated[
        Path | None, typer.Option("--topics", help="A topics run folder: also trend each topic.")
    ] = None,
    behaviours: Annotated[
        Path | None, typer.Option(help="A behaviours YAML file: measure adherence of human and AI agents.")
    ] = None,
    fail_on_anomaly: Annotated[
        bool, typer.Option("--fail-on-anomaly", help="Exit 1 when any anomaly is found (scheduled checks).")
    ] = False,
) -> None:
    """Trends per period and segment, behaviour adherence, and anomalies, as an HTML dashboard and JSON."""
    with user_errors(IngestError, CorpusError, TopicsError, FlowDiscoveryError):
        compiled = compile_behaviours(load_behaviours(behaviours)) if behaviours else None
        topics = topic_groups_of(topics_dir) if topics_dir else None
        conversations, skipped = _read_conversations(corpus)
    report = build_monitor_report(
        conversations,
        period=period,
        source=corpus,
        topics=topics,
        behaviours=compiled,
        skipped_records=skipped,
    )
    html_path, json_path = write_dashboard(report, out)
    series = report.series
    console.print(
        f"{series.conversations} conversation(s) in {len(series.periods)} period(s) of a {period.value}; "
        f"{series.undated} without a time; {len(skipped)} record(s) skipped",
        markup=False,
    )
    for problem in skipped[:_SHOWN_PROBLEMS]:
        console.print(f"  skipped {problem}", markup=False, soft_wrap=True)
    if report.adherence is not None and report.adherence.failed:
        console.print(
            f"{len(report.adherence.failed)} conversation(s) could not be judged (see the dashboard)"
        )
    if report.anomalies:
        console.print(_anomaly_table(report.anomalies, width=console.width))
    else:
        console.print("no anomalies")
    console.print(f"dashboard: {html_path} (data: {json_path})", markup=False)
    if fail_on_anomaly and report.anomalies:
        raise typer.Exit(1)
