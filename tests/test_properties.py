"""Properties of the whole pipeline on arbitrary text (hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from milia_scan import default_scanner, normalize, scan, tokenize, vocabulary

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
CONTEXTS = st.sampled_from(["leave-on", "rinse-off", "eye-area"])
PERCENT = st.integers(1, 1000).map(lambda n: n / 10)  # 0.1 .. 100, as labels print them
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


def _scores(label: str, ctx: str = "leave-on") -> tuple[int, int, int]:
    r = scan(label, context=ctx)
    return r.score, r.milia.score, r.pore_clogging.score


def _at_least(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(x >= y for x, y in zip(a, b, strict=True))


@given(HARMLESS, RISKY, st.integers(0, 12), st.none() | PERCENT, CONTEXTS)
def test_adding_a_risky_ingredient_never_lowers_the_score(names, risky, where, percent, ctx) -> None:
    label = ", ".join(names)
    i = where % (len(names) + 1)
    added = risky if percent is None else f"{risky} {percent:g}%"
    with_risk = ", ".join([*names[:i], added, *names[i:]])
    assert _at_least(_scores(with_risk, ctx), _scores(label, ctx))  # overall and both axes
    if percent is None:  # a declared trace (Dimethicone 0.1%, rinsed off) may round to 0
        assert scan(with_risk, context=ctx).score > 0


@given(HARMLESS, RISKY, st.integers(0, 12), PERCENT, PERCENT, CONTEXTS)
def test_a_larger_declared_percentage_never_lowers_the_score(names, risky, where, p, q, ctx) -> None:
    i = where % (len(names) + 1)
    low, high = sorted((p, q))
    less, more = (", ".join([*names[:i], f"{risky} {x:g}%", *names[i:]]) for x in (low, high))
    assert _at_least(_scores(more, ctx), _scores(less, ctx))


@given(HARMLESS, st.lists(st.tuples(RISKY, st.none() | PERCENT), max_size=4), st.randoms())
def test_context_order_holds_through_the_pipeline(names, risks, rnd) -> None:
    items = [*names, *(r if p is None else f"{r} {p:g}%" for r, p in risks)]
    rnd.shuffle(items)
    label = ", ".join(items)
    ro, lo, ey = (_scores(label, c) for c in ("rinse-off", "leave-on", "eye-area"))
    assert _at_least(lo, ro) and _at_least(ey, lo)
    assert lo[0] >= max(lo[1], lo[2]), "the overall score is never below either axis"


@given(st.one_of(ANY_TEXT, LABELISH), CONTEXTS)
def test_lean_score_agrees_with_the_report(label: str, ctx: str) -> None:
    r, lean = scan(label, context=ctx), default_scanner().score(label, context=ctx)
    assert (lean.score, lean.band, lean.milia, lean.pore_clogging) == (
        r.score, r.band, r.milia.score, r.pore_clogging.score)
    assert set(lean.hits) == {h.id for h in r.hits}


@given(HARMLESS, RISKY, st.integers(0, 12))
def test_moving_a_risky_ingredient_earlier_never_lowers_the_score(names, risky, where) -> None:
    i = where % (len(names) + 1)
    later = ", ".join([*names, risky])
    earlier = ", ".join([*names[:i], risky, *names[i:]])
    assert scan(earlier).score >= scan(later).score


PADDING = st.text(alphabet=" \t\u00a0\n\u2009", max_size=3)


@given(st.one_of(ANY_TEXT, LABELISH), PADDING, PADDING)
def test_whitespace_around_a_piece_only_moves_its_trim(piece: str, before: str, after: str) -> None:
    """`Tokenizer.piece` trims and matches " Water " as "water" moved (`tokenizer.canonical`:
    one cache entry, one match): right only because `trim` ignores the whitespace at a piece's
    ends and the case of ASCII, and the matcher that case too."""
    from milia_scan.trim import trim

    padded = before + piece + after
    core, t = padded.strip(), trim(padded)
    c = trim(core)
    lead = len(padded) - len(padded.lstrip())
    assert tuple(t) == ((c.a + lead, c.b + lead) if c.b else (0, 0)) + (c.percent, c.unbalanced)
    scanner = default_scanner()
    for spelling in (padded, padded.swapcase()) if core.isascii() else (padded,):
        got = scanner.piece(spelling)  # through the canonical spelling
        assert (got.a, got.b, got.percent, got.unbalanced) == tuple(t)
        assert got.cue == any(w in spelling.lower() for w in vocabulary.CUE_WORDS)
        if got.b:  # what matching this spelling itself gives
            assert got.value == scanner._derive(spelling[got.a : got.b])


# Pieces the shortcut of `trim` could take or must not: letters at both ends, with an amount, a
# digit, a bracket, a mark, a legend or a disclaimer inside (its word in the cases labels print).
PIECEISH = st.lists(
    st.sampled_from(list("aAzZéªº ß-.%/_*†°¹²³()[]{}0123456789\u00a0\u200b")
                    + ["Oil", "Peg-10", " 40 g", " 41%", "organic", "Essential Oil", "Ingredient", "INGREDIENT",
                       "please be aware that ingredient", "this ingredient list is subject", "Vit. E"]),
    max_size=10,
).map("".join)


@given(PIECEISH, st.booleans())
def test_the_trim_shortcut_reads_as_the_full_trim(piece: str, active: bool) -> None:
    """Most pieces have a letter at both ends and nothing to cut: `trim` returns them whole
    without reading their edges; `_cut` reads them in full (looking for glued-on text too)."""
    from milia_scan.trim import _cut, trim

    assert trim(piece, active=active) == _cut(piece, active, True)
