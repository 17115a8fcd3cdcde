"""Small statistics used by aggregation: Wilson score intervals and τ-bench's pass^k."""

from __future__ import annotations

import math
from collections.abc import Iterable

Z_95 = 1.959963984540054


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion; (0, 1) when there is no data.

    Preferred to the normal approximation because it stays inside [0, 1] and behaves at 0 % and 100 %,
    which is where release gates live.
    """
    if total < 0 or not 0 <= successes <= total:
        raise ValueError(f"need 0 <= successes <= total, got {successes}/{total}")
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    z2 = z * z
    denominator = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def pass_hat_k_task(trials: int, successes: int, k: int) -> float:
    """τ-bench's pass^k for one task: the chance that k trials drawn without replacement all succeed,
    C(c, k) / C(n, k)."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes}/{trials}")
    if trials < k:
        raise ValueError(f"pass^{k} needs at least {k} trials, got {trials}")
    return math.comb(successes, k) / math.comb(trials, k)


def pass_hat_k(tasks: Iterable[tuple[int, int]], k: int) -> float | None:
    """Mean pass^k over tasks given as (trials, successes); tasks with fewer than k trials are left out.
    None when no task has k trials."""
    values = [pass_hat_k_task(n, c, k) for n, c in tasks if n >= k]
    return sum(values) / len(values) if values else None
