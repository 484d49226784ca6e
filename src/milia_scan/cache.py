"""Bounded memo dicts for the hot path: memory stays flat however many labels go through."""

from __future__ import annotations

from itertools import islice
from typing import Any


def make_room(cache: dict[Any, Any], limit: int) -> None:
    """Keep `cache` under `limit` entries: when full, drop the older half (in insertion order).

    Clearing everything would throw away the common tokens too (water, glycerin) and slow every
    label down until they came back; a dropped common token is re-inserted at once and survives
    the next round.
    """
    if len(cache) >= limit:
        for key in list(islice(cache, limit // 2)):
            del cache[key]
