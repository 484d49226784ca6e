"""Hits -> a 0-100 score on two axes and overall, with each hit's contribution. Pure functions;
see docs/scoring.md.

Per risk ingredient i:
  weights  o_i = occlusion weight (the milia axis: a heavy film), c_i = (median published
           comedogenic rating / 5) ** 2 (the pore-clogging axis), w_i = max(o_i, c_i) (overall)
  amount   m_i = min(1, sqrt(percent / FULL_PERCENT)) when the label declares its percentage,
           else the position factor max(FLOOR, 0.5 ** (k_i / HALF_LIFE)), k_i = ingredients
           before it that are neither risks nor helpful actives (INCI lists run in descending
           concentration)
  share    a_i = min(CAP, MAX_SINGLE * context multiplier * weight * m_i), one per axis and overall
Score = 100 * (1 - prod(1 - a_i)) on each axis and overall: each risk adds independent evidence,
so adding one never lowers a score, nor does moving one earlier or declaring more of it. Since
w_i >= o_i and w_i >= c_i, the overall score is never below either axis.
Contributions split the overall score in proportion to -ln(1 - a_i), so they add up to it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from .models import AxisName, LexiconEntry

HALF_LIFE = 5.0
FLOOR = 0.2  # past ~10 ingredients (below ~1%) the order is free, so position stops counting
# A declared percentage is read on the same curve: FULL_PERCENT or more weighs as the first
# ingredient (1.0), FLOOR_PERCENT as the floor (0.2); the square root joins the two.
FULL_PERCENT = 25.0
FLOOR_PERCENT = 1.0
DECLARED_EXPONENT = 0.5  # = log(FLOOR) / log(FLOOR_PERCENT / FULL_PERCENT)
MAX_SINGLE = 0.75  # one ingredient alone cannot make a product certain to clog
CAP = 0.99
OCCLUSION_WEIGHT = {"occlusive": 0.9, "film-forming": 0.3, "none": 0.0}
CONTEXT_MULTIPLIER = {"rinse-off": 0.35, "leave-on": 1.0, "eye-area": 1.3}
BANDS = ((50, "high"), (20, "moderate"), (0, "low"))
# The six rating lists all copy one origin: Fulton's rabbit-ear assay (fulton-1989).
RATING_ORIGIN = "Fulton 1989"


class Weights(NamedTuple):
    """How strongly one ingredient is linked to each claim, 0-1."""

    occlusion: float  # the milia axis: a heavy occlusive film (OCCLUSION_WEIGHT)
    comedogenic: float  # the pore-clogging axis: (median rating / 5) ** 2

    @property
    def overall(self) -> float:
        """The stronger of the two: what the overall score weighs (each ingredient counts once)."""
        return self.occlusion if self.occlusion > self.comedogenic else self.comedogenic

    @property
    def axes(self) -> tuple[AxisName, ...]:
        """The axes this ingredient feeds (a weight above zero)."""
        return (("milia",) if self.occlusion > 0 else ()) + (("pore_clogging",) if self.comedogenic > 0 else ())


class Risk(NamedTuple):
    """One risk ingredient as the scorer sees it: its weights and how much of it there is."""

    occlusion: float
    comedogenic: float
    amount: float  # 0-1: `amount_factor` of its place or its declared percentage


class Values(NamedTuple):
    """The three 0-100 scores of one list."""

    score: int
    milia: int
    pore_clogging: int


class Scored(NamedTuple):
    score: int
    band: str
    contributions: list[float]  # aligned with the input risks; 0.0 for repeats
    milia: int
    pore_clogging: int


class RatingEvidence(NamedTuple):
    """The published comedogenic ratings of one ingredient, read as what they are: copies of one
    measurement (Fulton's rabbit-ear assay), so one line of evidence however many lists print it."""

    rating: float | None  # the value the score uses: the median of the copies
    copies: tuple[str, ...]  # each list's value as it gives it, e.g. "acne-org-bad-list 0-2"
    disagree: bool  # the copies do not all give the same value

    def describe(self) -> str:
        """One line for a hit's explanation, e.g. 'comedogenic 0/5: one line of evidence
        (Fulton 1989, copied by 2 lists: acne-org-bad-list 0, hautschutzengel 5; the copies
        disagree: the median is used)'."""
        if self.rating is None:
            return "no published comedogenic rating"
        lists = "list" if len(self.copies) == 1 else "lists"
        text = (f"comedogenic {self.rating:g}/5: one line of evidence ({RATING_ORIGIN}, copied by "
                f"{len(self.copies)} {lists}: {', '.join(self.copies)}")
        return text + ("; the copies disagree: the median is used)" if self.disagree else ")")


def rating_evidence(entry: LexiconEntry) -> RatingEvidence:
    """An entry's ratings as one line of evidence: the median of the copies (`LexiconEntry.rating`),
    every copy's value with its list, and whether they disagree. Agreement between copies adds
    nothing to the weight: they are not independent."""
    copies = tuple(f"{r.source} {str(r).split('/', 1)[0]}" for r in entry.comedogenic)
    values = {(r.rating, r.rating_max) for r in entry.comedogenic}
    return RatingEvidence(entry.rating, copies, len(values) > 1)


def entry_weights(entry: LexiconEntry) -> Weights:
    """One ingredient's weight on each axis, 0-1.

    The rating is the median of the Fulton-derived copies, counted as one source
    (`rating_evidence`), squared: the lists
    read 0-2 as low and 4-5 as high, so a 2 weighs 0.16 and a 5 weighs 1.0.
    """
    rating = entry.rating
    return Weights(OCCLUSION_WEIGHT[entry.occlusion], ((rating or 0.0) / 5.0) ** 2)


def risk_weight(entry: LexiconEntry) -> float:
    """How strongly one ingredient is linked to clogged pores and milia, 0-1: the stronger of its
    occlusion and comedogenic weights (what the overall score uses)."""
    return entry_weights(entry).overall


def position_factor(others_before: int) -> float:
    """1.0 for the first ingredient, halving every HALF_LIFE others before it, never below FLOOR."""
    return POSITION_FACTORS[others_before] if others_before < len(POSITION_FACTORS) else FLOOR


# position_factor(k) for k < 64, for hot loops that look it up inline (FLOOR from k = 12 on)
POSITION_FACTORS: tuple[float, ...] = tuple(max(FLOOR, 0.5 ** (k / HALF_LIFE)) for k in range(64))


def declared_factor(percent: float) -> float:
    """The amount factor of a declared percentage: 1.0 from FULL_PERCENT (25%) up, FLOOR (0.2) at
    1%, the square root in between and below; never decreasing."""
    if not percent > 0.0:  # zero, negative or NaN
        return 0.0
    return min(1.0, (percent / FULL_PERCENT) ** DECLARED_EXPONENT)


def amount_factor(others_before: int, percent: float | None = None) -> float:
    """How much of an ingredient there is, 0-1: its declared percentage when the label gives one,
    else its place in the list."""
    return position_factor(others_before) if percent is None else declared_factor(percent)


def band_for(score: float) -> str:
    for threshold, name in BANDS:
        if score >= threshold:
            return name
    return "low"


def _percent(clear: float) -> int:
    return int(round(100.0 * (1.0 - clear)))


def score_values(risks: Sequence[tuple[float, float, float]], context: str = "leave-on") -> Values:
    """The overall, milia and pore-clogging scores alone, for risks given as `Risk` (or plain
    (occlusion, comedogenic, amount) tuples)."""
    scale = MAX_SINGLE * CONTEXT_MULTIPLIER[context]
    clear = clear_m = clear_p = 1.0
    for o, c, m in risks:  # min() spelled out: this runs for every risk of every bulk row
        a = scale * (o if o > c else c) * m
        clear *= 1.0 - (a if a < CAP else CAP)
        a = scale * o * m
        clear_m *= 1.0 - (a if a < CAP else CAP)
        a = scale * c * m
        clear_p *= 1.0 - (a if a < CAP else CAP)
    return Values(_percent(clear), _percent(clear_m), _percent(clear_p))


def score_rows(rows: Any, occlusion: Any, comedogenic: Any, amount: Any, scale: Any, n: int) -> tuple[Any, Any, Any]:
    """`score_values` of n lists at once (bulk's vectorised route), as numpy arrays of the overall,
    milia and pore-clogging scores. The risks are flat arrays in label order, `rows` giving each
    one's list (non-decreasing); `scale` is MAX_SINGLE * CONTEXT_MULTIPLIER[context] per list.

    The same operations in the same order as `score_values`, so the same ints: each product runs
    over a list's risks in label order (the k-th risk of every list in one step; a product over a
    whole segment at once might multiply in another order and round differently)."""
    import numpy as np

    clear = np.ones((3, n))
    if len(rows):
        s = scale[rows]
        weighed = ((s * np.where(occlusion > comedogenic, occlusion, comedogenic)) * amount,
                   (s * occlusion) * amount, (s * comedogenic) * amount)
        kept = [1.0 - np.where(a < CAP, a, CAP) for a in weighed]
        rank = np.arange(len(rows)) - np.searchsorted(rows, rows)  # the k-th risk of its list
        order = np.argsort(rank, kind="stable")
        bounds = np.searchsorted(rank[order], np.arange(int(rank.max()) + 2))
        for k in range(len(bounds) - 1):
            at = order[bounds[k] : bounds[k + 1]]  # one risk per list at most: no repeated index
            for c, f in zip(clear, kept):
                c[rows[at]] *= f[at]
    values = np.rint(100.0 * (1.0 - clear)).astype(np.int64)  # round(): halves to even, as rint
    return values[0], values[1], values[2]


def score_risks(risks: Sequence[tuple[float, float, float]], context: str = "leave-on") -> Scored:
    """Score risk hits given as `Risk`, in label order, with each one's share of the overall score.

    A repeated ingredient should count once: the caller passes repeats with weights 0.
    """
    scale = MAX_SINGLE * CONTEXT_MULTIPLIER[context]
    logs: list[float] = []
    clear = clear_m = clear_p = 1.0
    for o, c, m in risks:  # score_values' loop, keeping each risk's capped overall share (one pass)
        a = scale * (o if o > c else c) * m
        a = a if a < CAP else CAP
        clear *= 1.0 - a
        logs.append(-math.log1p(-a))
        a = scale * o * m
        clear_m *= 1.0 - (a if a < CAP else CAP)
        a = scale * c * m
        clear_p *= 1.0 - (a if a < CAP else CAP)
    score = _percent(clear)
    total = sum(logs)
    contributions = [round(score * lg / total, 2) for lg in logs] if total > 0 else [0.0] * len(logs)
    return Scored(score, band_for(score), contributions, _percent(clear_m), _percent(clear_p))
