"""Running a coroutine to completion without an event loop, when none of its awaits can suspend.

The synchronous API (``Session.respond``, ``ToolRegistry.call``) runs the same coroutine as the asynchronous
one with blocking handlers underneath, so each piece of turn logic is written once.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class SuspendedError(RuntimeError):
    """A coroutine run with ``run_now`` tried to wait for the event loop."""


def run_now(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise SuspendedError("this call needs an event loop; use the async API")
