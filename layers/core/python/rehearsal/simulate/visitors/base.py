"""The visitor interface both engines implement, and what one visitor turn produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from rehearsal.simulate.records import DialogueAct, SimulatorIssue, VisitorTermination
from rehearsal.simulate.specs.persona import Tone


@dataclass
class VisitorTurn:
    """What the visitor says (``text`` None: says nothing more) and whether it stops after that."""

    text: str | None
    acts: list[DialogueAct] = field(default_factory=list)
    disclosed: dict[str, str] = field(default_factory=dict)
    termination: VisitorTermination | None = None
    mood: Tone | None = None
    goal: str | None = None
    cost_usd: float = 0.0
    issues: list[SimulatorIssue] = field(default_factory=list)

    @classmethod
    def stop(cls, termination: VisitorTermination, goal: str | None = None) -> VisitorTurn:
        return cls(text=None, termination=termination, goal=goal)


class Visitor(Protocol):
    """A simulated visitor. ``opening`` speaks first (inbound); ``reply`` answers the agent's last turn."""

    def opening(self) -> VisitorTurn: ...

    def reply(self, agent_messages: list[str], *, agent_ended: bool) -> VisitorTurn: ...

    async def aopening(self) -> VisitorTurn: ...

    async def areply(self, agent_messages: list[str], *, agent_ended: bool) -> VisitorTurn: ...
