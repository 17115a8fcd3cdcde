"""Fault injection as tool-registry middleware: seeded tool errors, added latency and malformed results.

One injector serves every conversation of a runtime; each conversation registers its own fault spec and
seed, so faults are reproducible per item whatever else runs concurrently.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from rehearsal.runtime.tool_types import Next, ToolInvocation
from rehearsal.simulate.records import FaultKind, InjectedFault
from rehearsal.simulate.specs.faults import FaultSpec

MALFORMED_RESULT: dict[str, Any] = {"malformed": True, "raw": "<html><body>502 Bad Gateway</body></html>"}
"""An injected malformed result: HTML where JSON was expected, wrapped as an object."""


class InjectedToolError(RuntimeError):
    """The error a tool raises when an error fault is injected (as a crashed backend would)."""


@dataclass
class _ConversationFaults:
    spec: FaultSpec
    rng: random.Random
    calls: int = 0
    injected: list[InjectedFault] = field(default_factory=list)


class FaultInjector:
    """``registry.wrap(injector)`` — calls of unregistered conversations pass through untouched."""

    def __init__(self) -> None:
        self._conversations: dict[str, _ConversationFaults] = {}
        self._lock = threading.Lock()

    def begin(self, conversation_id: str, spec: FaultSpec, seed: int) -> None:
        """Raises ``ValueError`` when the conversation is already running: its faults would mix."""
        if spec.active:
            with self._lock:
                if conversation_id in self._conversations:
                    raise ValueError(f"conversation {conversation_id!r} is already running on this simulator")
                self._conversations[conversation_id] = _ConversationFaults(spec, random.Random(seed))

    def end(self, conversation_id: str) -> list[InjectedFault]:
        with self._lock:
            faults = self._conversations.pop(conversation_id, None)
        return faults.injected if faults else []

    def __call__(self, invocation: ToolInvocation, call_next: Next) -> Any:
        faults = self._conversations.get(invocation.ctx.conversation_id)
        if faults is None or (faults.spec.tools and invocation.tool not in faults.spec.tools):
            return call_next(invocation)
        index = faults.calls
        faults.calls += 1
        spec = faults.spec
        # Draw every number on every call so one fault kind does not shift the others' sequence.
        error_draw, malformed_draw = faults.rng.random(), faults.rng.random()
        if spec.latency_ms > 0:
            faults.injected.append(
                InjectedFault(
                    tool=invocation.tool,
                    kind=FaultKind.LATENCY,
                    call_index=index,
                    detail=f"+{spec.latency_ms:g} ms",
                )
            )
            time.sleep(spec.latency_ms / 1000.0)
        if error_draw < spec.error_rate:
            faults.injected.append(
                InjectedFault(tool=invocation.tool, kind=FaultKind.ERROR, call_index=index)
            )
            raise InjectedToolError(f"injected failure of {invocation.tool}")
        if malformed_draw < spec.malformed_rate:
            faults.injected.append(
                InjectedFault(tool=invocation.tool, kind=FaultKind.MALFORMED, call_index=index)
            )
            return dict(MALFORMED_RESULT)
        return call_next(invocation)
