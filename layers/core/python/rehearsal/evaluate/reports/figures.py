"""The headline figures of the HTML report as cards: value, what it means, and whether it is good news."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rehearsal.evaluate.aggregate import RunAggregate
from rehearsal.evaluate.results import ItemResult, Verdict

Tone = Literal["good", "warn", "bad", ""]


@dataclass(frozen=True)
class Card:
    key: str
    value: str
    label: str
    detail: str = ""
    tone: Tone = ""


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def count(number: int, noun: str) -> str:
    """``1 item``, ``2 items``: every noun the report counts takes a plain s."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


VERDICTS = {
    Verdict.PASS: "pass",
    Verdict.FAIL: "fail",
    Verdict.INCONCLUSIVE_SIMULATOR: "inconclusive (simulator)",
    Verdict.ERRORED: "errored",
}


def verdict_label(verdict: Verdict) -> str:
    return VERDICTS[verdict]


def rate_tone(rate: float | None) -> Tone:
    if rate is None:
        return ""
    return "good" if rate >= 0.95 else ("warn" if rate >= 0.7 else "bad")


def money(amount: float) -> str:
    """Cents when they matter, more digits for the fractions of a cent a cheap model costs."""
    if amount == 0 or amount >= 1:
        return f"${amount:,.2f}"
    return f"${amount:.4f}" if amount < 0.1 else f"${amount:.3f}"


def duration(ms: float) -> str:
    if ms >= 10_000:
        return f"{ms / 1000:.0f} s"
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:.0f} ms"


def headline_cards(aggregate: RunAggregate, items: list[ItemResult]) -> list[Card]:
    rate = aggregate.pass_rate
    passed, failed = aggregate.count(Verdict.PASS), aggregate.count(Verdict.FAIL)
    tool = aggregate.tool_accuracy
    inconclusive, errored = aggregate.count(Verdict.INCONCLUSIVE_SIMULATOR), aggregate.count(Verdict.ERRORED)
    critical_items = sum(1 for item in items if item.critical_failures)
    return [
        Card(
            "pass_rate",
            percent(rate.rate),
            "pass rate",
            f"95% CI {percent(rate.low, 0)}–{percent(rate.high, 0)} · {passed} of {rate.total} decided",
            rate_tone(rate.rate),
        ),
        *([_pass_hat_k(aggregate)] if aggregate.k > 1 else []),
        Card(
            "critical_failures",
            str(aggregate.critical_failures),
            "critical failures",
            f"in {critical_items} of {count(aggregate.items, 'item')}"
            if critical_items
            else "no critical requirement broken",
            "bad" if aggregate.critical_failures else "good",
        ),
        Card(
            "items",
            f"{passed} · {failed}",
            "passed · failed",
            f"of {count(aggregate.items, 'item')} · {inconclusive} inconclusive · {errored} errored",
            "bad" if failed or errored else "good",
        ),
        Card(
            "tool_f1",
            percent(tool.accuracy, 0),
            "tool-call accuracy (F1)",
            f"precision {percent(tool.precision, 0)} · recall {percent(tool.recall, 0)}"
            if tool.accuracy is not None
            else "no tool call expected or made",
            rate_tone(tool.accuracy),
        ),
        Card(
            "latency",
            duration(aggregate.agent_turn_latency_ms.p95),
            "p95 agent turn",
            f"p50 {duration(aggregate.agent_turn_latency_ms.p50)} · "
            f"conversation p95 {duration(aggregate.latency_ms.p95)}",
        ),
        Card(
            "cost",
            money(aggregate.cost_usd.total),
            "model cost, agent and visitors",
            f"the agent's {money(aggregate.agent_cost_usd.mean)} per conversation",
        ),
        Card(
            "turns", f"{aggregate.turns.mean:.1f}", "turns per conversation", f"max {aggregate.turns.max:.0f}"
        ),
    ]


def _pass_hat_k(aggregate: RunAggregate) -> Card:
    """The largest k leads: the chance that every one of k trials of a scenario passes."""
    k = aggregate.k
    value = aggregate.pass_hat_k.get(k)
    others = " · ".join(f"^{j} {percent(aggregate.pass_hat_k.get(j))}" for j in range(2, k))
    detail = f"all {k} trials of a scenario pass" + (f" · {others}" if others else "")
    return Card("pass_hat_k", percent(value), f"pass^{k}", detail, rate_tone(value))
