"""Scorer: the properties the issue promises, on the pure function and through scan()."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

import milia_scan
from milia_scan import scan
from milia_scan.score import (
    FLOOR,
    FULL_PERCENT,
    OCCLUSION_WEIGHT,
    Risk,
    Weights,
    amount_factor,
    band_for,
    declared_factor,
    position_factor,
    score_risks,
    score_values,
)

from .conftest import ROOT

AQUAPHOR = "Petrolatum 41%, Mineral Oil, Ceresin, Lanolin Alcohol, Panthenol, Glycerin, Bisabolol"
NIVEA = ("Aqua, Paraffinum Liquidum, Cera Microcristallina, Glycerin, Lanolin Alcohol (Eucerit), Paraffin, "
         "Panthenol, Decyl Oleate, Octyldodecanol, Aluminum Stearates, Citric Acid, Magnesium Sulfate, "
         "Magnesium Stearate, Parfum, Limonene, Geraniol, Hydroxycitronellal, Linalool, Citronellol, "
         "Benzyl Benzoate, Cinnamyl Alcohol")
GEL = "Water, Glycerin, Niacinamide, Sodium Hyaluronate, Carbomer, Sodium Hydroxide, Phenoxyethanol"
BASE = "Aqua, Glycerin, Cetyl Alcohol, Niacinamide, Phenoxyethanol"

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


def _risk(o: float, c: float, k: int, percent: float | None) -> Risk:
    return Risk(o, c, amount_factor(k, percent))


percents = st.none() | st.floats(0, 120)
weights = st.sampled_from(sorted(OCCLUSION_WEIGHT.values())) | st.floats(0, 1)
risk = st.builds(_risk, weights, st.floats(0, 1), st.integers(0, 60), percents)
risks = st.lists(risk, max_size=12)


def _at_least(a: Sequence[int], b: Sequence[int]) -> bool:
    """Every score of `a` (overall, milia, pore-clogging) is at least the same score of `b`."""
    return all(x >= y for x, y in zip(a, b, strict=True))


OINTMENT = "Petrolatum, Mineral Oil, Lanolin, Glycerin, Tocopherol"
SHOWER_GEL = ("Aqua, Sodium Laureth Sulfate, Cocamidopropyl Betaine, Sodium Chloride, Parfum, Glycol Distearate, "
              "Sodium Benzoate, Citric Acid, Limonene")


def test_declared_percentage_replaces_the_position() -> None:
    tail = "Aqua, Glycerin, Niacinamide, Panthenol, Xanthan Gum, Phenoxyethanol, "
    front = scan("Petrolatum, " + tail).score
    assert scan(tail + "Petrolatum 41%").score == front  # 41% >= 25%: weighs as the first ingredient
    assert scan("Petrolatum 2%, " + tail).score < front  # 2% first is still 2%
    assert scan(tail + "Petrolatum 2%").score == scan("Petrolatum 2%, " + tail).score
    hit = scan(tail + "Petrolatum 41%").hits[0]
    assert hit.percent == 41.0 and "41% declared (its amount, instead of its place)" in hit.why


def test_drug_facts_actives_use_their_percentage() -> None:
    label = ("Drug Facts Active ingredient: White Petrolatum 41% Purpose: Skin protectant. "
             "Inactive ingredients: Water, Glycerin, Panthenol, Mineral Oil")
    hit = next(h for h in scan(label).hits if h.id == "petrolatum")
    assert hit.section == "active" and hit.percent == 41.0
    weaker = scan(label.replace("41%", "5%"))
    assert weaker.score < scan(label).score and weaker.milia.score < scan(label).milia.score


def test_two_axes_and_their_hits() -> None:
    r = scan(AQUAPHOR)
    assert r.milia.band == "high" and r.milia.hits == ("petrolatum", "mineral-oil", "ceresin", "lanolin-alcohol")
    assert r.pore_clogging.hits == ("lanolin-alcohol",)  # the only one rated above 0
    assert r.score >= max(r.milia.score, r.pore_clogging.score)
    assert {h.id: h.axes for h in r.hits}["petrolatum"] == ("milia",)
    salt = scan("Aqua, Sodium Chloride, Glycerin")
    assert salt.milia.score == 0 and salt.pore_clogging.hits == ("sodium-chloride",)
    assert salt.hits[0].axes == ("pore_clogging",) and salt.score == salt.pore_clogging.score
    assert scan(GEL).milia.score == 0 and scan(GEL).pore_clogging.hits == ()


def test_an_ointment_is_high_on_the_milia_axis_unless_rinsed_off() -> None:
    for label in (OINTMENT, "Petrolatum", "Petrolatum, Glycerin, Aqua, Panthenol", AQUAPHOR):
        for ctx in ("leave-on", "eye-area"):
            assert scan(label, context=ctx).milia.band == "high", (label, ctx)
        assert scan(label, context="rinse-off").milia.score < scan(label).milia.score
    assert scan("Petrolatum", context="rinse-off").milia.band == "moderate"  # one occlusive, rinsed off


def test_a_shower_gel_rinsed_off_is_not_high() -> None:
    r = scan(SHOWER_GEL, context="rinse-off")
    assert r.band != "high" and r.milia.score == 0
    assert scan(SHOWER_GEL, context="leave-on").score >= r.score


def test_kit_axes_are_each_the_highest_part() -> None:
    kit = ("Cleanser ingredients: Aqua, Isopropyl Myristate, Glycerin. "
           "Night cream ingredients: Aqua, Petrolatum, Glycerin")
    r = scan(kit)
    assert [p.milia.hits for p in r.parts] == [(), ("petrolatum",)]
    assert r.milia == r.parts[1].milia and r.pore_clogging == r.parts[0].pore_clogging
    lean = milia_scan.default_scanner().score(kit)
    assert (lean.milia, lean.pore_clogging) == (r.milia.score, r.pore_clogging.score)


def test_rating_provenance_is_one_line_of_evidence() -> None:
    hit = scan("Aqua, Sodium Chloride").hits[0]
    assert len(hit.ratings) == 5 and "acne-org-bad-list" in hit.ratings[0]  # every value, with its source
    assert "one line of evidence (Fulton 1989, copied by 5 lists: acne-org-bad-list 5," in hit.why
    assert "isitcomedogenic 4" in hit.why and "the copies disagree: the median is used" in hit.why
    single = scan("Aqua, Microcrystalline Wax").hits[0]
    assert "copied by 1 list: hautschutzengel 5)" in single.why and "disagree" not in single.why
    ranged = scan("Aqua, Beeswax").hits[0]
    assert "acne-org-bad-list 0-2" in ranged.why


@given(risks, contexts)
def test_score_in_range_and_contributions_sum(rs, ctx) -> None:
    out = score_risks(rs, ctx)
    assert 0 <= out.score <= 100 and out.band == band_for(out.score)
    assert 0 <= out.milia <= 100 and 0 <= out.pore_clogging <= 100
    assert abs(sum(out.contributions) - out.score) <= 0.01 * len(rs) + 1e-9
    assert (out.score, out.milia, out.pore_clogging) == score_values(rs, ctx)


@given(risks, contexts)
def test_overall_is_never_below_either_axis(rs, ctx) -> None:
    v = score_values(rs, ctx)
    assert v.score >= v.milia and v.score >= v.pore_clogging


@given(risks, risk, contexts)
def test_adding_a_risk_never_lowers(rs, new, ctx) -> None:
    assert _at_least(score_values([*rs, new], ctx), score_values(rs, ctx))


@given(risks, st.integers(0, 11), st.floats(0, 1), st.floats(0, 1), st.integers(0, 60), contexts)
def test_moving_earlier_never_lowers(rs, i, o, c, k, ctx) -> None:
    i %= len(rs) + 1
    later = [*rs[:i], _risk(o, c, k, None), *rs[i:]]
    earlier = [*rs[:i], _risk(o, c, max(0, k - 3), None), *rs[i:]]
    assert _at_least(score_values(earlier, ctx), score_values(later, ctx))


@given(risks, st.integers(0, 11), st.floats(0, 1), st.floats(0, 1), st.floats(0, 120), st.floats(0, 50), contexts)
def test_a_larger_declared_percentage_never_lowers(rs, i, o, c, percent, more, ctx) -> None:
    i %= len(rs) + 1
    less = [*rs[:i], _risk(o, c, 0, percent), *rs[i:]]
    larger = [*rs[:i], _risk(o, c, 0, percent + more), *rs[i:]]
    assert _at_least(score_values(larger, ctx), score_values(less, ctx))


@given(risks)
def test_context_order_holds_for_any_hits(rs) -> None:
    ro, lo, ey = (score_values(rs, c) for c in ("rinse-off", "leave-on", "eye-area"))
    assert _at_least(lo, ro) and _at_least(ey, lo)


def test_position_factor_is_non_increasing() -> None:
    vals = [position_factor(k) for k in range(80)]
    assert all(a >= b for a, b in zip(vals, vals[1:])) and vals[0] == 1.0


def test_declared_factor_reads_percentages_on_the_position_curve() -> None:
    assert declared_factor(FULL_PERCENT) == 1.0 and declared_factor(100) == 1.0
    assert declared_factor(1.0) == pytest.approx(FLOOR)  # 1%: where the order stops counting
    assert declared_factor(0) == 0.0 and declared_factor(-3) == 0.0 and declared_factor(float("nan")) == 0.0
    vals = [declared_factor(p / 10) for p in range(0, 400)]
    assert all(a <= b for a, b in zip(vals, vals[1:]))
    assert amount_factor(3, None) == position_factor(3) and amount_factor(3, 4.0) == declared_factor(4.0)


def test_weights_feed_their_axes() -> None:
    assert Weights(0.9, 0.0).axes == ("milia",) and Weights(0.0, 0.36).axes == ("pore_clogging",)
    assert Weights(0.3, 0.04).axes == ("milia", "pore_clogging") and Weights(0.0, 0.0).axes == ()
    assert Weights(0.3, 0.64).overall == 0.64


def test_lean_score_agrees_with_the_report_on_the_corpus() -> None:
    """`Scanner.score` (bulk) gives the same score, band and axes as `scan` on every corpus label,
    kits and Drug Facts panels included."""
    scanner = milia_scan.default_scanner()
    corpus = ROOT / "tests" / "data" / "corpus.jsonl"
    for line in corpus.read_text(encoding="utf-8").splitlines():
        label = json.loads(line)["label"]
        for ctx in ("leave-on", "rinse-off", "eye-area"):
            r, lean = scanner.scan(label, context=ctx), scanner.score(label, context=ctx)
            assert (lean.score, lean.band, lean.milia, lean.pore_clogging) == (
                r.score, r.band, r.milia.score, r.pore_clogging.score), label
