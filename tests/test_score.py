"""Scorer: the properties the issue promises, on the pure function and through scan()."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milia_scan import scan
from milia_scan.score import band_for, position_factor, score_risks

AQUAPHOR = "Petrolatum 41%, Mineral Oil, Ceresin, Lanolin Alcohol, Panthenol, Glycerin, Bisabolol"
NIVEA = ("Aqua, Paraffinum Liquidum, Cera Microcristallina, Glycerin, Lanolin Alcohol (Eucerit), Paraffin, "
         "Panthenol, Decyl Oleate, Octyldodecanol, Aluminum Stearates, Citric Acid, Magnesium Sulfate, "
         "Magnesium Stearate, Parfum, Limonene, Geraniol, Hydroxycitronellal, Linalool, Citronellol, "
         "Benzyl Benzoate, Cinnamyl Alcohol")
GEL = "Water, Glycerin, Niacinamide, Sodium Hyaluronate, Carbomer, Sodium Hydroxide, Phenoxyethanol"
BASE = "Aqua, Glycerin, Cetyl Alcohol, Niacinamide, Phenoxyethanol"

risks = st.lists(st.tuples(st.floats(0, 1), st.integers(0, 60)), max_size=12)
contexts = st.sampled_from(["rinse-off", "leave-on", "eye-area"])


def test_known_products() -> None:
    assert scan(AQUAPHOR).band == "high"
    assert scan(NIVEA).band == "high"
    gel = scan(GEL)
    assert gel.score == 0 and gel.band == "low" and not gel.hits


def test_empty_and_harmless_score_zero() -> None:
    for label in ("", "   ", "Aqua, Glycerin", "Ingredients:"):
        r = scan(label)
        assert r.score == 0 and r.band == "low" and not r.hits


def test_position_matters() -> None:
    s0, end, front = scan(BASE).score, scan(BASE + ", Petrolatum").score, scan("Petrolatum, " + BASE).score
    assert s0 < end < front


def test_context_order() -> None:
    ro, lo, ey = (scan(NIVEA, context=c).score for c in ("rinse-off", "leave-on", "eye-area"))
    assert ro < lo <= ey


def test_bad_context_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown context 'face'"):
        scan("Aqua", context="face")


def test_contributions_add_up_to_the_score() -> None:
    r = scan(NIVEA)
    assert abs(sum(h.contribution for h in r.hits) - r.score) < 0.05 * len(r.hits) + 0.01
    assert all(h.contribution > 0 for h in r.hits)


def test_helpful_actives_do_not_hide_risk() -> None:
    assert scan("Petrolatum, Salicylic Acid, Retinol").score == scan("Petrolatum").score


def test_repeat_counts_once() -> None:
    r = scan("Petrolatum, Aqua, Petrolatum")
    assert scan("Petrolatum, Aqua").score == r.score
    assert [h.contribution for h in r.hits][1] == 0.0


@given(risks, contexts)
def test_score_in_range_and_contributions_sum(rs, ctx) -> None:
    out = score_risks(rs, ctx)
    assert 0 <= out.score <= 100 and out.band == band_for(out.score)
    assert abs(sum(out.contributions) - out.score) <= 0.01 * len(rs) + 1e-9


@given(risks, st.floats(0, 1), st.integers(0, 60), contexts)
def test_adding_a_risk_never_lowers(rs, w, k, ctx) -> None:
    assert score_risks([*rs, (w, k)], ctx).score >= score_risks(rs, ctx).score


@given(risks, st.integers(0, 11), contexts)
def test_moving_earlier_never_lowers(rs, i, ctx) -> None:
    if not rs:
        return
    i %= len(rs)
    w, k = rs[i]
    earlier = [*rs[:i], (w, max(0, k - 3)), *rs[i + 1 :]]
    assert score_risks(earlier, ctx).score >= score_risks(rs, ctx).score


@given(risks)
def test_context_order_holds_for_any_hits(rs) -> None:
    ro, lo, ey = (score_risks(rs, c).score for c in ("rinse-off", "leave-on", "eye-area"))
    assert ro <= lo <= ey


def test_position_factor_is_non_increasing() -> None:
    vals = [position_factor(k) for k in range(80)]
    assert all(a >= b for a, b in zip(vals, vals[1:])) and vals[0] == 1.0
