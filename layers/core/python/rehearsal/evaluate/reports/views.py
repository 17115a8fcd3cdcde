"""What the HTML report shows of items and transcripts: each turn with the checks that cite it and the tool
calls made in it, failing items grouped by scenario, and side-by-side diffs with changed words marked."""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from rehearsal.evaluate.compare import (
    Change,
    DiffRow,
    DiffTurn,
    RequirementDelta,
    RunComparison,
    ScenarioChange,
)
from rehearsal.evaluate.criticality import severity_rank
from rehearsal.evaluate.results import CheckResult, ItemResult, Verdict
from rehearsal.runtime.events import ToolCall
from rehearsal.runtime.state import ConversationState

ARGUMENTS_LIMIT = 160
"""Characters of a tool call's arguments shown inline; the JSON report has them whole."""


@dataclass(frozen=True)
class CallView:
    call: ToolCall
    cited: bool = False  # a failing check's evidence names this call
    changed: bool = False  # in a diff: the other run never made this call

    @property
    def signature(self) -> str:
        arguments = ", ".join(
            f"{name}={json.dumps(value, default=str)}" for name, value in self.call.arguments.items()
        )
        if len(arguments) > ARGUMENTS_LIMIT:
            arguments = arguments[: ARGUMENTS_LIMIT - 1] + "…"
        return f"{self.call.tool}({arguments})"


@dataclass(frozen=True)
class TurnView:
    index: int
    role: str
    text: str
    failing: list[CheckResult]
    passing: list[CheckResult]
    calls: list[CallView] = field(default_factory=list)

    @property
    def highlight(self) -> str:
        """The agent's failing turns are marked red; a customer turn a failure cites is context for it."""
        if not self.failing:
            return ""
        return "failing" if self.role == "agent" else "cited"


@dataclass(frozen=True)
class ItemView:
    item: ItemResult
    turns: list[TurnView]
    unplaced: list[CheckResult]  # failures whose evidence has no turn (end state, missing calls)
    stray_calls: list[CallView] = field(default_factory=list)  # calls of a turn that has no text
    has_transcript: bool = True


@dataclass(frozen=True)
class ScenarioGroup:
    scenario_id: str
    items: list[ItemView]
    total: int  # the scenario's items in the run, failing or not

    @property
    def critical(self) -> bool:
        return any(view.item.critical_failures for view in self.items)


def item_view(item: ItemResult, conversation: ConversationState | None) -> ItemView:
    failing: dict[int, list[CheckResult]] = {}
    passing: dict[int, list[CheckResult]] = {}
    unplaced: list[CheckResult] = []
    cited_calls: set[str] = set()
    for check in sorted(item.checks, key=lambda c: severity_rank(c.criticality)):
        if not check.applicable:
            continue
        turns = {e.turn for e in check.evidence if e.turn is not None}
        if check.failed:
            cited_calls.update(e.tool_call_id for e in check.evidence if e.tool_call_id)
            if not turns:
                unplaced.append(check)
        for turn in turns:
            (failing if check.failed else passing).setdefault(turn, []).append(check)
    if conversation is None:
        return ItemView(item=item, turns=[], unplaced=unplaced, has_transcript=False)
    calls = {
        turn: [CallView(call, cited=call.id in cited_calls) for call in made]
        for turn, made in _by_turn(conversation.tool_calls).items()
    }
    turns_view = [
        TurnView(
            t.index,
            t.role,
            t.text,
            failing.get(t.index, []),
            passing.get(t.index, []),
            calls.pop(t.index, []) if t.role == "agent" else [],
        )
        for t in conversation.turns
    ]
    stray = [view for index in sorted(calls) for view in calls[index]]
    return ItemView(item=item, turns=turns_view, unplaced=unplaced, stray_calls=stray)


def scenario_groups(
    items: Sequence[ItemResult],
    transcripts: Mapping[str, ConversationState],
    *,
    limit: int,
) -> tuple[list[ScenarioGroup], int]:
    """Items that did not pass, by scenario, scenarios with critical failures first; at most ``limit`` items
    get a view. Returns the groups and how many items were left out."""
    totals = Counter(item.scenario_id for item in items)
    needing = [item for item in items if item.verdict is not Verdict.PASS]
    shown = needing[:limit]
    by_scenario: dict[str, list[ItemView]] = {}
    for item in shown:
        by_scenario.setdefault(item.scenario_id, []).append(item_view(item, transcripts.get(item.item_id)))
    groups = [ScenarioGroup(sid, views, totals[sid]) for sid, views in by_scenario.items()]
    groups.sort(key=lambda g: (not g.critical, g.scenario_id))
    return groups, len(needing) - len(shown)


# --- the compare view ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffSide:
    index: int
    role: str
    text: Markup
    calls: list[CallView] = field(default_factory=list)


@dataclass(frozen=True)
class DiffRowView:
    tag: str
    before: DiffSide | None
    after: DiffSide | None


@dataclass(frozen=True)
class DiffView:
    item_id: str
    rows: list[DiffRowView]
    scenario: ScenarioChange | None
    open: bool

    @property
    def changed_turns(self) -> int:
        return sum(1 for row in self.rows if row.tag != "equal")


_WORDS = re.compile(r"\s*\S+\s*|\s+")
MARK_SIMILARITY = 0.5
"""Below this share of common words two turns are different sentences: marking stray common words helps
nobody."""


def word_marks(before: str, after: str) -> tuple[Markup, Markup]:
    """Both texts escaped, with the words only one of them has wrapped in <del> / <ins>; unmarked when the two
    have little in common."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    if matcher.ratio() < MARK_SIMILARITY:
        return escape(before), escape(after)
    left: list[Markup] = []
    right: list[Markup] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if tag == "equal":
            left.append(escape(removed))
            right.append(escape(added))
            continue
        if removed:
            left.append(Markup("<del>{}</del>").format(removed))
        if added:
            right.append(Markup("<ins>{}</ins>").format(added))
    return Markup("").join(left), Markup("").join(right)


CallsByTurn = Mapping[int, Sequence[ToolCall]]
DiffCalls = Mapping[str, tuple[Sequence[ToolCall], Sequence[ToolCall]]]
"""By item id: the tool calls of its baseline transcript and of this run's."""


def _by_turn(calls: Sequence[ToolCall]) -> dict[int, list[ToolCall]]:
    turns: dict[int, list[ToolCall]] = {}
    for call in calls:
        turns.setdefault(call.turn, []).append(call)
    return turns


def _side(
    turn: DiffTurn | None, calls: CallsByTurn, other: set[str], text: Markup | None = None
) -> DiffSide | None:
    if turn is None:
        return None
    views = [CallView(call, changed=_call_key(call) not in other) for call in calls.get(turn.index, [])]
    return DiffSide(turn.index, turn.role, escape(turn.text) if text is None else text, views)


def _call_key(call: ToolCall) -> str:
    return f"{CallView(call).signature} {call.status.value}"


def _row_view(
    row: DiffRow, before: CallsByTurn, after: CallsByTurn, old_keys: set[str], new_keys: set[str]
) -> DiffRowView:
    """Tool calls sit on the turn that made them; a call the other run never made is marked."""
    old_text = new_text = None
    if row.tag == "changed" and row.before is not None and row.after is not None:
        old_text, new_text = word_marks(row.before.text, row.after.text)
    return DiffRowView(
        row.tag, _side(row.before, before, new_keys, old_text), _side(row.after, after, old_keys, new_text)
    )


def diff_views(
    diffs: Mapping[str, Sequence[DiffRow]],
    comparison: RunComparison | None,
    scenario_of: Mapping[str, str],
    calls: DiffCalls | None = None,
) -> list[DiffView]:
    """Regressed scenarios first; the first diff is open so the page shows one without a click. An item with
    no stored transcript in either run (a turn test) has nothing to show. ``scenario_of`` maps an item id to
    its scenario."""
    changes = {change.scenario_id: change for change in comparison.scenarios} if comparison else {}
    views = []
    for item_id, rows in diffs.items():
        if not rows:
            continue
        old_calls, new_calls = (calls or {}).get(item_id, ((), ()))
        keys = [{_call_key(call) for call in side} for side in (old_calls, new_calls)]
        rows_view = [_row_view(row, _by_turn(old_calls), _by_turn(new_calls), *keys) for row in rows]
        views.append((changes.get(scenario_of.get(item_id, "")), item_id, rows_view))
    views.sort(key=lambda view: (_CHANGE_ORDER[view[0].change] if view[0] else len(_CHANGE_ORDER), view[1]))
    return [
        DiffView(item_id, rows, change, open=position == 0)
        for position, (change, item_id, rows) in enumerate(views)
    ]


_CHANGE_ORDER = {
    Change.REGRESSED: 0,
    Change.NEW: 1,
    Change.IMPROVED: 2,
    Change.REMOVED: 3,
    Change.UNCHANGED: 4,
}


@dataclass(frozen=True)
class CompareTables:
    scenarios: list[ScenarioChange]
    steady_scenarios: list[ScenarioChange]
    requirements: list[RequirementDelta]
    steady_requirements: list[RequirementDelta]


def compare_tables(comparison: RunComparison) -> CompareTables:
    """What moved is listed; what did not is folded away. Drops first, then new or removed requirements, then
    gains, biggest first."""
    moved = [s for s in comparison.scenarios if s.change is not Change.UNCHANGED]
    moved.sort(key=lambda s: (_CHANGE_ORDER[s.change], s.scenario_id))
    changed = [r for r in comparison.requirements if r.delta != 0]
    changed.sort(key=_requirement_order)
    return CompareTables(
        scenarios=moved,
        steady_scenarios=[s for s in comparison.scenarios if s.change is Change.UNCHANGED],
        requirements=changed,
        steady_requirements=[r for r in comparison.requirements if r.delta == 0],
    )


def _requirement_order(requirement: RequirementDelta) -> tuple[int, float]:
    delta = requirement.delta
    if delta is None:
        return (1, 0.0)
    return (0, delta) if delta < 0 else (2, -delta)
