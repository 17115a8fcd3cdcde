"""The visitor's self-check: flags simulator mistakes so evaluation can mark an item inconclusive (simulator).

* a disclosed fact that is not among the visitor's known facts, or differs from the known value;
* a fact-like token (email, id, long number) in the visitor's words that no known fact contains and the
  agent has not said before;
* a turn pursuing a goal the scenario never gave the visitor.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence

from rehearsal.simulate.records import SimulatorIssue, VisitorTurnLog

_FACT_LIKE = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # emails
    r"|\b(?=[A-Za-z-]*\d)(?=[\d-]*[A-Za-z])[A-Za-z0-9-]{4,}\b"  # ids mixing letters and digits
    r"|\b\d[\d ,.-]{3,}\d\b"  # long numbers: phones, card digits, postcodes
)


def check_visitor(
    log: Iterable[VisitorTurnLog],
    known_facts: Mapping[str, Collection[str]],
    goal_intents: Collection[str],
    agent_turns: Sequence[tuple[int, str]] = (),
) -> list[SimulatorIssue]:
    """``known_facts``: fact → the values the visitor may state (see ``Scenario.fact_values``);
    ``agent_turns``: (turn index, text) of the agent — repeating what the agent said is not inventing."""
    allowed = {name: {value.strip().casefold() for value in values} for name, values in known_facts.items()}
    known_text = " ".join(value for values in allowed.values() for value in values)
    issues: list[SimulatorIssue] = []
    for entry in log:
        for fact, value in entry.disclosed.items():
            if fact not in known_facts:
                issues.append(
                    SimulatorIssue(kind="invented_fact", turn=entry.turn, detail=f"stated {fact}={value!r}")
                )
            elif value.strip().casefold() not in allowed[fact]:
                detail = f"stated {fact}={value!r}, knows {sorted(known_facts[fact])}"
                issues.append(SimulatorIssue(kind="contradicted_fact", turn=entry.turn, detail=detail))
        heard = " ".join(text for index, text in agent_turns if index < entry.turn).casefold()
        for match in _FACT_LIKE.finditer(entry.text):
            token = match.group(0)
            if token.casefold() not in known_text and token.casefold() not in heard:
                detail = f"said {token!r}, which is none of its known facts"
                issues.append(SimulatorIssue(kind="invented_fact", turn=entry.turn, detail=detail))
        if entry.goal is not None and entry.goal not in goal_intents:
            detail = f"pursued {entry.goal!r}, not one of {sorted(goal_intents)}"
            issues.append(SimulatorIssue(kind="left_goal", turn=entry.turn, detail=detail))
    return issues
