"""The two engines behind one interface: ``open(ctx)`` and ``turn(ctx, text)``, both effect generators."""

from __future__ import annotations

from typing import Literal, Protocol

from rehearsal.runtime.turn import EngineRun, TurnContext


class Engine(Protocol):
    name: Literal["flow", "llm"]

    def open(self, ctx: TurnContext) -> EngineRun: ...

    def turn(self, ctx: TurnContext, text: str) -> EngineRun: ...
