"""Sharing a whole number out in proportion to weights, under caps."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def apportion(total: int, weights: Mapping[K, float], caps: Mapping[K, int] | None = None) -> dict[K, int]:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainder),
    none above its cap (water-filling).

    :raises ValueError: the caps hold less than ``total``.
    """
    caps = caps or {}
    if sum(caps.get(k, total) for k in weights) < total:
        raise ValueError(f"cannot place {total} under the caps")
    result: dict[K, int] = {}
    free, remaining = dict(weights), total
    while free:
        scale = remaining / (sum(free.values()) or 1)
        over = [k for k, w in free.items() if k in caps and w * scale > caps[k]]
        if not over:
            break
        for k in over:
            result[k] = caps[k]
            remaining -= caps[k]
            del free[k]
    shares = {k: remaining * w / (sum(free.values()) or 1) for k, w in free.items()}
    floors = {k: math.floor(s) for k, s in shares.items()}
    left = remaining - sum(floors.values())
    for k in sorted(shares, key=lambda k: (floors[k] - shares[k], str(k)))[:left]:
        floors[k] += 1
    result.update(floors)
    return result
