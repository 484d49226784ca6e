"""Hits -> a 0-100 score with each hit's contribution. Pure functions; see docs/scoring.md.

Per risk ingredient i:
  weight  w_i = max(occlusion weight, (median published comedogenic rating / 5) ** 2)
  place   p_i = max(FLOOR, 0.5 ** (k_i / HALF_LIFE)), k_i = ingredients before it that are neither
                risks nor helpful actives (INCI lists run in descending concentration)
  share   a_i = min(CAP, MAX_SINGLE * context multiplier * w_i * p_i)
Score = 100 * (1 - prod(1 - a_i)): each risk adds independent evidence, so adding one never
lowers the score, and moving one earlier never lowers it (k_i only counts other ingredients).
Contributions split the score in proportion to -ln(1 - a_i), so they add up to the score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from .models import LexiconEntry

HALF_LIFE = 5.0
FLOOR = 0.2  # past ~10 ingredients (below ~1%) the order is free, so position stops counting
MAX_SINGLE = 0.75  # one ingredient alone cannot make a product certain to clog
CAP = 0.99
OCCLUSION_WEIGHT = {"occlusive": 0.9, "film-forming": 0.3, "none": 0.0}
CONTEXT_MULTIPLIER = {"rinse-off": 0.35, "leave-on": 1.0, "eye-area": 1.3}
BANDS = ((50, "high"), (20, "moderate"), (0, "low"))


class Scored(NamedTuple):
    score: int
    band: str
    contributions: list[float]  # aligned with the input risks; 0.0 for repeats


def risk_weight(entry: LexiconEntry) -> float:
    """How strongly one ingredient is linked to clogged pores and milia, 0-1.

    The rating is squared: the lists read 0-2 as low and 4-5 as high, so a 2 weighs 0.16 and a
    5 weighs 1.0.
    """
    rating = entry.rating
    return max(OCCLUSION_WEIGHT[entry.occlusion], ((rating or 0.0) / 5.0) ** 2)


def position_factor(others_before: int) -> float:
    """1.0 for the first ingredient, halving every HALF_LIFE others before it, never below FLOOR."""
    return _FACTORS[others_before] if others_before < len(_FACTORS) else FLOOR


_FACTORS = [max(FLOOR, 0.5 ** (k / HALF_LIFE)) for k in range(64)]


def band_for(score: float) -> str:
    for threshold, name in BANDS:
        if score >= threshold:
            return name
    return "low"


def _shares(risks: Sequence[tuple[float, int]], context: str) -> list[float]:
    mult = CONTEXT_MULTIPLIER[context]
    return [min(CAP, MAX_SINGLE * mult * w * position_factor(k)) for w, k in risks]


def score_value(risks: Sequence[tuple[float, int]], context: str = "leave-on") -> int:
    """The 0-100 score alone, for risk hits given as (weight, others_before)."""
    scale = MAX_SINGLE * CONTEXT_MULTIPLIER[context]
    clear = 1.0
    for w, k in risks:
        clear *= 1.0 - min(CAP, scale * w * position_factor(k))
    return int(round(100.0 * (1.0 - clear)))


def score_risks(risks: Sequence[tuple[float, int]], context: str = "leave-on") -> Scored:
    """Score risk hits given as (weight, others_before), in label order, with each one's share.

    A repeated ingredient should count once: the caller passes repeats with weight 0.
    """
    shares = _shares(risks, context)
    logs = [-math.log1p(-a) for a in shares]
    total = sum(logs)
    score = score_value(risks, context)
    contributions = [round(score * lg / total, 2) if total > 0 else 0.0 for lg in logs]
    return Scored(score, band_for(score), contributions)
