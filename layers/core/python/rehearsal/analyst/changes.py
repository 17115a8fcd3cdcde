""" "What changed?": the monitor's anomalies over the corpus, each cited with conversations that show it.

The figures are the monitor's own (``rehearsal.monitor``: robust z-scores against the same weekday, and
proportion tests against the trailing weeks), so the analyst and the dashboard never disagree. Each change
cites the last words of a few of its evidence conversations (where an outcome shows) or, for a volume
change, their opening requests.
"""

from __future__ import annotations

from collections.abc import Sequence

from rehearsal.analyst.evidence import TurnBook
from rehearsal.analyst.models import AnswerKind, CitedAnswer, Claim, Composer, turn_id
from rehearsal.analyst.turns import TopicOf
from rehearsal.insights.conversation import Conversation
from rehearsal.monitor import Anomaly, Period, build_monitor_report
from rehearsal.monitor.dashboard import format_value

SHOWN_CHANGES = 5
CITED_PER_CHANGE = 2


def _cited_turn(conversation: Conversation, metric: str) -> int | None:
    """The turn a change shows in: the opening request for volume, else the conversation's last words."""
    spoken = [index for index, turn in enumerate(conversation.turns) if turn.text.strip()]
    if not spoken:
        return None
    return spoken[0] if metric == "volume" else spoken[-1]


def _describe(anomaly: Anomaly) -> str:
    metric = anomaly.metric.removeprefix("adherence:").replace("_", " ")
    kind = "adherence to " if anomaly.metric.startswith("adherence:") else ""
    value, usual = (format_value(anomaly.metric, figure) for figure in (anomaly.value, anomaly.baseline))
    return (
        f"{anomaly.period.isoformat()}: {kind}{metric} ({anomaly.segment}) went {anomaly.direction.value} to "
        f"{value} against a usual {usual} (z {anomaly.score:+.1f}, {anomaly.sample} conversations)"
    )


def changes_answer(
    question: str, conversations: Sequence[Conversation], topics: TopicOf, book: TurnBook, *, source: str
) -> CitedAnswer:
    by_id = {conversation.id: conversation for conversation in conversations}
    report = build_monitor_report(
        conversations,
        period=Period.DAY,
        source=source,
        topics={conversation_id: label for conversation_id, (_, label) in topics.items()} or None,
    )
    series, notes = report.series, []
    if series.undated:
        notes.append(f"{series.undated} conversation(s) have no time and are not in the trends")
    base = {"question": question, "kind": AnswerKind.AGGREGATE, "composer": Composer.FIGURES, "notes": notes}
    if not series.periods:
        text = "No dated conversation: trends need a start time or turn times."
        return CitedAnswer(answer=text, low_evidence=True, **base)
    span = f"{series.conversations} conversation(s) over {len(series.periods)} day(s)"
    if not report.anomalies:
        return CitedAnswer(
            answer=f"No unusual change in {span}: every day is within its usual range.",
            conversations=series.conversations,
            **base,
        )
    # The newest first; within a day, the whole corpus before its segments, then the strongest.
    newest_first = sorted(
        report.anomalies, key=lambda a: (a.period, a.segment == "overall", abs(a.score)), reverse=True
    )
    claims = []
    for anomaly in newest_first[:SHOWN_CHANGES]:
        cited = []
        for conversation_id in anomaly.evidence:
            conversation = by_id.get(conversation_id)
            turn = _cited_turn(conversation, anomaly.metric) if conversation else None
            if turn is not None and turn_id(conversation_id, turn) in book:
                cited.append(turn_id(conversation_id, turn))
            if len(cited) == CITED_PER_CHANGE:
                break
        claims.append(Claim(text=_describe(anomaly), citations=cited))
    lines = [f"{len(report.anomalies)} unusual change(s) in {span}, the newest first:"]
    lines += [f"- {claim.text} " + " ".join(f"[{c}]" for c in claim.citations) for claim in claims]
    if len(report.anomalies) > SHOWN_CHANGES:
        more = len(report.anomalies) - SHOWN_CHANGES
        lines.append(f"- … and {more} more (`rehearsal monitor` shows them all)")
    return CitedAnswer(
        answer="\n".join(line.rstrip() for line in lines),
        claims=claims,
        citations=book.citations(c for claim in claims for c in claim.citations),
        conversations=series.conversations,
        **base,
    )
