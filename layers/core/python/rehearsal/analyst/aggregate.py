"""Aggregate answers: counts, shares and rates computed from the corpus metadata and its topics, with the
numbers shown and a few example conversations cited at their opening request."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from rehearsal.analyst.classify import GroupBy, Metric, Plan
from rehearsal.analyst.evidence import TurnBook
from rehearsal.analyst.models import AnswerKind, CitedAnswer, Claim, Composer, Figure, turn_id
from rehearsal.analyst.turns import TopicOf
from rehearsal.insights.conversation import Conversation, Outcome, Speaker
from rehearsal.storage.analysis import analyze

MIN_SUPPORT = 3
"""Groups smaller than this are listed but not ranked first: one escalated chat is not a 100% rate."""
EXAMPLES = 3
OPENING_MESSAGES = 2
STATES_A_NEED = 5
SHOWN_GROUPS = 10
UNKNOWN_TOPIC = "(no topic)"

_OUTCOME_WORD = {
    Outcome.ESCALATED: "escalated",
    Outcome.RESOLVED: "resolved",
    Outcome.ABANDONED: "abandoned",
}


@dataclass(frozen=True)
class _Row:
    conversation: Conversation
    topic: str
    opening_turn: int | None

    def group(self, by: GroupBy) -> str:
        if by is GroupBy.TOPIC:
            return self.topic
        if by is GroupBy.CHANNEL:
            return self.conversation.channel
        if by is GroupBy.OUTCOME:
            return self.conversation.outcome.value
        return "all conversations"


def _opening_turn(conversation: Conversation) -> int | None:
    """The turn that says why the customer came: the first of their first few messages long enough to
    state a need, else the longest of them (so "Hi, it's Sam" gives way to "I lost my card")."""
    candidates = [
        (len(analyze(turn.text)), position)
        for position, turn in enumerate(conversation.turns)
        if turn.speaker is Speaker.CUSTOMER and turn.text.strip()
    ][:OPENING_MESSAGES]
    stated = [position for words, position in candidates if words >= STATES_A_NEED]
    if stated:
        return stated[0]
    if candidates:
        return max(candidates, key=lambda c: (c[0], -c[1]))[1]
    return next((p for p, t in enumerate(conversation.turns) if t.text.strip()), None)


def _rows(conversations: Sequence[Conversation], topics: TopicOf) -> list[_Row]:
    return [
        _Row(c, topics[c.id][1] if c.id in topics else UNKNOWN_TOPIC, _opening_turn(c)) for c in conversations
    ]


def _matching(rows: list[_Row], subject: Sequence[str]) -> tuple[list[_Row], list[str]]:
    """Rows whose topic or contact reason mention any subject word that occurs somewhere at all."""
    terms = {term for word in subject for term in analyze(word)}
    if not terms:
        return rows, []
    texts = {id(row): set(analyze(f"{row.topic} {row.conversation.contact_reason}")) for row in rows}
    used = sorted(term for term in terms if any(term in text for text in texts.values()))
    if not used:
        return rows, []
    return [row for row in rows if texts[id(row)] & set(used)], used


def _figure(group: str, rows: list[_Row], total: int, plan: Plan) -> Figure:
    outcome = plan.outcome
    if plan.metric is Metric.SATISFACTION:
        known = [r.conversation.satisfaction for r in rows if r.conversation.satisfaction is not None]
        mean = statistics.fmean(known) if known else None
        return Figure(group=group, count=len(known), total=len(rows), value=mean)
    if plan.metric is Metric.HANDLE_TIME:
        times = [r.conversation.handle_time_seconds for r in rows]
        known_times = [t for t in times if t is not None]
        value = statistics.median(known_times) if known_times else None
        return Figure(group=group, count=len(known_times), total=len(rows), value=value)
    if outcome is not None:
        hits = sum(1 for r in rows if r.conversation.outcome is outcome)
        return Figure(group=group, count=hits, total=len(rows), rate=hits / len(rows) if rows else None)
    return Figure(group=group, count=len(rows), total=total, rate=len(rows) / total if total else None)


def _score(figure: Figure) -> float:
    if figure.value is not None:
        return figure.value
    return figure.rate if figure.rate is not None else float(figure.count)


def _describe(figure: Figure, plan: Plan) -> str:
    if plan.metric is Metric.SATISFACTION:
        if figure.value is None:
            return f"{figure.group}: no satisfaction score among {figure.total} conversations"
        return (
            f"{figure.group}: mean satisfaction {figure.value:.2f} ({figure.count} of {figure.total} scored)"
        )
    if plan.metric is Metric.HANDLE_TIME:
        if figure.value is None:
            return f"{figure.group}: no timestamps among {figure.total} conversations"
        return f"{figure.group}: median handle time {figure.value:.0f} s ({figure.count} timed)"
    share = f" ({figure.rate:.1%})" if figure.rate is not None else ""
    if plan.outcome is not None:
        return f"{figure.group}: {figure.count} of {figure.total} {_OUTCOME_WORD[plan.outcome]}{share}"
    return f"{figure.group}: {figure.count} of {figure.total} conversations{share}"


def _measure(row: _Row, metric: Metric) -> float | None:
    if metric is Metric.SATISFACTION:
        return row.conversation.satisfaction
    if metric is Metric.HANDLE_TIME:
        return row.conversation.handle_time_seconds
    return None


def _examples(rows: list[_Row], plan: Plan, book: TurnBook) -> list[str]:
    """Conversations that show the figure: with the outcome counted, or the most extreme measured ones."""
    chosen = [r for r in rows if plan.outcome is None or r.conversation.outcome is plan.outcome] or rows
    if plan.metric in (Metric.SATISFACTION, Metric.HANDLE_TIME):
        sign = 1.0 if plan.descending is False else -1.0
        measured = [(value, r) for r in chosen if (value := _measure(r, plan.metric)) is not None]
        chosen = [r for _, r in sorted(measured, key=lambda p: (sign * p[0], p[1].conversation.id))]
    ids = [turn_id(r.conversation.id, r.opening_turn) for r in chosen if r.opening_turn is not None]
    return [i for i in ids if i in book][:EXAMPLES]


def _ordered(figures: list[Figure], plan: Plan) -> list[Figure]:
    sign = -1.0 if plan.descending is not False else 1.0

    def small(figure: Figure) -> bool:
        return (figure.total if plan.outcome else figure.count) < MIN_SUPPORT

    return sorted(figures, key=lambda f: (small(f), sign * _score(f), f.group))


def aggregate_answer(
    question: str, plan: Plan, conversations: Sequence[Conversation], topics: TopicOf, book: TurnBook
) -> CitedAnswer:
    everything = _rows(conversations, topics)
    notes: list[str] = []
    rows, used = _matching(everything, plan.subject)
    if used:
        notes.append(f"counted conversations whose topic or opening request mentions: {', '.join(used)}")
    if plan.group_by is GroupBy.TOPIC and not topics:
        notes.append(
            "topics are unknown for this corpus: run `rehearsal insights topics` and pass --topics, "
            "or run the insights cluster stage; showing the overall figure"
        )
        plan = plan.model_copy(update={"group_by": GroupBy.NONE})
    total = len(everything)
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        name = row.group(plan.group_by)
        if plan.group_by is GroupBy.NONE and used:
            name = f"mentioning {' or '.join(used)}"
        groups.setdefault(name, []).append(row)
    figures = _ordered([_figure(name, members, total, plan) for name, members in groups.items()], plan)
    claims: list[Claim] = []
    lines: list[str] = []
    if figures:
        head = figures[0]
        examples = _examples(groups[head.group], plan, book)
        lead = _describe(head, plan)
        if plan.group_by is not GroupBy.NONE:
            word = "highest" if plan.descending is not False else "lowest"
            metric = plan.metric.value.replace("_", " ")
            lead = f"{plan.group_by.value.capitalize()} with the {word} {metric}: {lead}"
        claims.append(Claim(text=lead + ".", citations=examples))
        lines.append(lead + ". " + " ".join(f"[{i}]" for i in examples))
        for figure in figures[1:SHOWN_GROUPS]:
            claims.append(Claim(text=_describe(figure, plan) + "."))
            lines.append("- " + _describe(figure, plan))
        if len(figures) > SHOWN_GROUPS:
            lines.append(f"- … and {len(figures) - SHOWN_GROUPS} more group(s)")
    citations = book.citations(i for claim in claims for i in claim.citations)
    return CitedAnswer(
        question=question,
        kind=AnswerKind.AGGREGATE,
        composer=Composer.FIGURES,
        answer="\n".join(lines) if lines else "No conversation matches the question.",
        claims=claims,
        figures=figures,
        citations=citations,
        conversations=len(rows),
        low_evidence=not rows,
        notes=notes,
    )
