"""Our retry policy for model calls: exponential backoff with full jitter, honouring ``Retry-After``.

The SDK's own retries are off (``max_retries=0``) so that every attempt is counted and the delays are ours.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import openai

RETRYABLE_STATUS = frozenset({408, 409, 429})


@dataclass(frozen=True)
class Failure:
    """How one failed attempt should be handled."""

    retryable: bool
    status: int | None
    retry_after_s: float | None
    message: str


def parse_retry_after(headers: dict[str, str] | object, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    get = getattr(headers, "get", None)
    if get is None:
        return None
    millis = get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def classify(error: Exception) -> Failure:
    """Retry on timeouts, connection errors, 408/409/429 and 5xx; anything else fails at once."""
    if isinstance(error, openai.APITimeoutError):
        return Failure(True, None, None, "the request timed out")
    if isinstance(error, openai.APIConnectionError):
        return Failure(True, None, None, f"connection failed: {error}")
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        retryable = status in RETRYABLE_STATUS or status >= 500
        retry_after = parse_retry_after(error.response.headers)
        return Failure(retryable, status, retry_after, f"HTTP {status}: {error}")
    return Failure(False, None, None, f"{type(error).__name__}: {error}")


@dataclass
class RetryPolicy:
    max_retries: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def delay_s(self, retry: int, retry_after_s: float | None = None) -> float:
        """Wait before retry number ``retry`` (0-based); a server's ``Retry-After`` wins, capped."""
        if retry_after_s is not None:
            return min(self.max_delay_s, retry_after_s)
        ceiling = min(self.max_delay_s, self.base_delay_s * (2**retry))
        return self._rng.uniform(0, ceiling)
