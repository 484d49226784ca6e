"""Properties of the whole pipeline on arbitrary text (hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from milia_scan import normalize, scan, tokenize

# Text that looks like labels: names, separators, brackets, marks, odd whitespace and unicode.
LABELISH = st.lists(
    st.sampled_from(
        list("aeilmnoprstuAEIMOPT0123456789 ,;()/[]{}%.*-:\n\t\u00a0\u200b\u3001\uff0c•·")
        + ["Petrolatum", "Mineral Oil", "Aqua", "May contain", "Ingredients:", "(and)", "İ", "ß", "\ufb01",
           "Active ingredients", "Inactive ingredients", "Drug Facts", "+/-", "USP", "\\"]
    ),
    max_size=60,
).map("".join)
ANY_TEXT = st.text(max_size=200)
RISKY = st.sampled_from(["Petrolatum", "Mineral Oil", "Lanolin", "Isopropyl Myristate", "Cera Alba",
                         "Dimethicone", "Laureth-4", "Cocos Nucifera Oil", "Paraffin"])
HARMLESS = st.lists(st.sampled_from(["Aqua", "Glycerin", "Niacinamide", "Panthenol", "Tocopherol",
                                     "Xanthan Gum", "Phenoxyethanol", "Cetyl Alcohol"]), max_size=10)


def _spans_ok(label: str, items) -> bool:
    return all(0 <= t.start <= t.end <= len(label) and label[t.start : t.end] == t.text for t in items)


@given(st.one_of(ANY_TEXT, LABELISH))
def test_scan_never_raises_and_spans_slice_the_input(label: str) -> None:
    r = scan(label)
    assert 0 <= r.score <= 100
    assert _spans_ok(label, r.ingredients) and _spans_ok(label, r.hits) and _spans_ok(label, r.helpful)
    assert all(0.0 <= h.confidence <= 1.0 for h in r.hits)
    starts = [t.start for t in r.ingredients]
    assert starts == sorted(starts), "tokens come in label order"


@given(st.one_of(ANY_TEXT, LABELISH))
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.one_of(ANY_TEXT, LABELISH))
def test_token_normal_forms_are_fixed_points(label: str) -> None:
    for t in tokenize(label):
        assert normalize(t.normalized) == t.normalized


@given(HARMLESS, RISKY, st.integers(0, 12), st.sampled_from(["leave-on", "rinse-off", "eye-area"]))
def test_adding_a_risky_ingredient_never_lowers_the_score(names, risky, where, ctx) -> None:
    label = ", ".join(names)
    i = where % (len(names) + 1)
    with_risk = ", ".join([*names[:i], risky, *names[i:]])
    assert scan(with_risk, context=ctx).score >= scan(label, context=ctx).score
    assert scan(with_risk, context=ctx).score > 0


@given(HARMLESS, RISKY, st.integers(0, 12))
def test_moving_a_risky_ingredient_earlier_never_lowers_the_score(names, risky, where) -> None:
    i = where % (len(names) + 1)
    later = ", ".join([*names, risky])
    earlier = ", ".join([*names[:i], risky, *names[i:]])
    assert scan(earlier).score >= scan(later).score
