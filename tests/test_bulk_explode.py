"""The columnar engine's vectorised route (`bulk/explode.py`, `pieces.py`, `vectorised.py`)
against the tokenizer and the scanner: a label it splits is one the tokenizer reads as one plain
list, into the same pieces; every label, split here or sent to `Scanner.score`, gets the values
`score_batch` gives."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milia_scan import Scanner, default_scanner

from .conftest import SHARED_DATA, shared_file
from .test_properties import LABELISH
from .test_tokenizer_reference import PLAINISH, SHAPED

pa = pytest.importorskip("pyarrow")
pytest.importorskip("numpy")

from milia_scan.bulk import explode, kernel  # noqa: E402  (needs pyarrow)
from milia_scan.bulk.contexts import ContextSpec  # noqa: E402
from milia_scan.bulk.rows import COLUMNS, first_label, profile_cells, result_cells  # noqa: E402

# Pieces that decide between the routes: separators of every width, periods that end a name or
# not, digit commas (ASCII, Unicode, across other separators), brackets, cue words and marks.
EDGES = st.lists(
    st.sampled_from(["Aqua", "Petrolatum", "Petrolaturn", "Mineral Oil", "Paraffinum Liquidum", "Lanolin",
                     "Isopropyl Myristate", "Salicylic Acid", "Retinol", "Niacinamide", "Cera Alba 41%",
                     "(0.5%)", "5% ", ", ", ",", ";", "|", "、", "，", "；", "•", "·", "●", "▪", "◦", "∙", " · ",
                     "1,2-Hexanediol", "1,", ",2", "1;2", "١,٢", "²,3", "1,²", "，2", "Vit. E", "Alcohol Denat.",
                     ". ", ".\u00a0", ".*", ".²", ".x", "x.", "0.5", "(and)", "( AND )", "(et)", "(y", "e)",
                     "(", ")", "[", "]", "{", "}", "Ingredients", "contains", ":", "：", "+", "±", "\n", "\r",
                     "\u2028", "\u2029", "*", "†", "Organic", " ", "\u00a0", "\t", "é", "x", "",
                     "Isohexadecane- Butylene Glycol", "Co -Polymer", "C12- 15", "La- vandula", " - ", "-"]),
    max_size=30,
).map("".join)
LABELS = st.one_of(EDGES, PLAINISH, LABELISH, SHAPED)
CONTEXTS = ["leave-on", "rinse-off", "eye-area"]


def vectorised_pieces(scanner: Scanner, labels: list[str]) -> list[list[str] | None]:
    """The pieces of each label the vectorised split takes (None: the tokenizer's), as the
    engine decides it: the byte predicate, then no resolved piece with a bracket left open or a
    cue word."""
    ex = explode.explode(pa.array(labels, pa.string()))
    out: list[list[str] | None] = [[] if p else None for p in ex.plain.tolist()]
    for row, text in zip(ex.rows.tolist(), explode.piece_texts(ex.pieces).to_pylist()):
        out[row].append(text)  # type: ignore[union-attr]
    for i, texts in enumerate(out):
        if texts is not None and any(p.unbalanced or p.cue for p in map(scanner.piece, texts)):
            out[i] = None
    return out


def check_split(scanner: Scanner, labels: list[str]) -> int:
    """Each label the vectorised split takes reads as one plain list of the same pieces."""
    taken = 0
    for label, texts in zip(labels, vectorised_pieces(scanner, labels)):
        if texts is None:
            continue
        batches, parts = scanner._tokenizer.read(label)
        assert len(batches) == 1 and len(parts) == 1, label
        region = batches[0].region
        assert (region.start, region.end, region.section, region.may_contain) == (0, len(label), "ingredients", False)
        assert batches[0].texts == texts, label
        taken += 1
    return taken


def check_scores(scanner: Scanner, labels: list[str], context: str | list[str]) -> None:
    """`score_array` gives each row what `score_batch` (Scanner.score per label) gives."""
    got = kernel.score_array(pa.array([x if x.strip() else None for x in labels], pa.string()), scanner, context)
    spec = ContextSpec(context) if isinstance(context, str) else ContextSpec(None, "context")
    ref = kernel.score_batch([labels], ["ingredients"], scanner, spec, None if isinstance(context, str) else context)
    rows = [tuple(r) for r in zip(*[c.to_pylist() for c in got[: len(COLUMNS)]])] if labels else []
    assert rows == [result_cells(r, c) for r, c in zip(ref.results, ref.contexts)]
    assert (got.scored, got.empty) == (ref.scored, ref.empty)


@pytest.fixture(scope="module")
def real_labels() -> list[str]:
    shared_file("labels")
    labels: list[str] = []
    for path in sorted((SHARED_DATA / "labels").glob("*.csv")):
        with path.open(encoding="utf-8") as fh:
            labels += [row["ingredients"] for row in csv.DictReader(fh)]
    return labels


def test_split_agrees_with_the_tokenizer_on_real_labels(real_labels: list[str]) -> None:
    taken = check_split(default_scanner(), real_labels)
    assert taken > len(real_labels) // 2  # the route is the common one, not a rarity


def test_a_piece_after_two_separators_is_one_piece() -> None:
    """", Petrolatum" and "; Petrolatum" are two keys of one piece: resolving both in one batch
    once gave the second a code past the end of the table, and the pieces after it wrong codes."""
    scanner = Scanner()
    labels = ["Aqua, Petrolatum; Lanolin", "Aqua; Petrolatum, Retinyl Palmitate, Isopropyl Myristate",
              "Mineral Oil• Petrolatum, Cera Alba", "Aqua, Retinyl Palmitate"]
    for context in CONTEXTS:
        check_scores(scanner, labels, context)


def test_scores_agree_on_real_labels(real_labels: list[str]) -> None:
    for context in CONTEXTS:
        check_scores(default_scanner(), real_labels, context)


@given(st.lists(LABELS, max_size=8))
def test_split_agrees_with_the_tokenizer(labels: list[str]) -> None:
    check_split(default_scanner(), labels)


@given(st.lists(st.one_of(LABELS, st.none()), max_size=8))
def test_the_byte_test_is_one_list(labels: list[str | None]) -> None:
    """`explode` finds the cue characters and line breaks on the bytes: the labels it may split
    are exactly those `tokenizer.one_list` names (nulls: none)."""
    from milia_scan.tokenizer import one_list

    ex = explode.explode(pa.array(labels, pa.string()))
    assert ex.plain.tolist() == [x is not None and one_list(x) for x in labels]


@given(st.lists(st.tuples(LABELS, st.sampled_from(CONTEXTS)), max_size=8), st.booleans())
def test_scores_agree(rows: list[tuple[str, str]], one_context: bool) -> None:
    labels = [x for x, _ in rows]
    check_scores(default_scanner(), labels, "eye-area" if one_context else [c for _, c in rows])


def test_every_route_is_exercised() -> None:
    """Labels split on bytes and by `separators.split` (a period that ends a name, "(and)"),
    labels sent back by a character and by a resolved piece, and a blank one (split here too:
    `select_labels` makes it an empty row before)."""
    labels = ["Aqua, Petrolatum 41%, 1,2-Hexanediol • Lanolin", "Aqua. Petrolatum, Vit. E", "Ingredients: Aqua",
              "Aqua, Oil (Olive", "Aqua, May contain Mica", " ", "Aqua、Lanolin; Mineral Oil",
              "Cyclopentasiloxane (and) Dimethicone, 1,²x"]
    assert [t for t in vectorised_pieces(default_scanner(), labels)] == [
        ["Aqua", " Petrolatum 41%", " 1,2-Hexanediol ", " Lanolin"], ["Aqua", " Petrolatum", " Vit. E"], None, None,
        None, [" "], ["Aqua", "Lanolin", " Mineral Oil"], ["Cyclopentasiloxane ", " Dimethicone", " 1", "²x"]]
    check_split(default_scanner(), labels)
    check_scores(default_scanner(), labels, "leave-on")


def test_arrays_of_every_shape() -> None:
    """Sliced, large_string, empty and all-null arrays; one context or one per row."""
    a = pa.array(["x, y", "Aqua, Petrolatum", None, "Ingredients: Lanolin", "Mineral Oil; 1,2-Hexanediol",
                  "Aqua. Lanolin (and) x"])
    for arr in [a, a.slice(1), a.slice(1, 3), a.cast(pa.large_string()), a.cast(pa.large_string()).slice(2),
                pa.array([], pa.string()), pa.nulls(3, pa.string()), a.slice(5)]:
        for context in ("rinse-off", ["eye-area"] * len(arr)):
            got = kernel.score_array(arr, default_scanner(), context)
            c = context if isinstance(context, str) else "eye-area"
            ref = [None if x is None else default_scanner().score(x, context=c) for x in arr.to_pylist()]
            assert [tuple(r) for r in zip(*[col.to_pylist() for col in got[: len(COLUMNS)]])] == \
                [result_cells(r, c) for r in ref]
            assert (got.scored, got.empty) == (sum(r is not None for r in ref), sum(r is None for r in ref))


CELLS = st.one_of(st.none(), st.sampled_from(["", " ", "\u3000", "\xa0\t", "水", "Aqua", " Aqua ", "\x1f", "é"]))


@given(st.lists(st.tuples(CELLS, CELLS), max_size=6))
def test_labels_are_picked_as_first_label_picks_them(rows: list[tuple[str | None, str | None]]) -> None:
    names = ["a", "b"]
    cols = [pa.array([r[i] for r in rows], pa.string()) for i in range(2)]
    labels, used = kernel.select_labels(cols, names)
    assert list(zip(labels.to_pylist(), used.to_pylist())) == [first_label(r, names) for r in rows]


@given(st.lists(LABELS, max_size=6))
def test_profiles_take_the_scanner(labels: list[str]) -> None:
    """With the profiles' verdicts asked for, every label goes to Scanner.score(profiles=True)."""
    got = kernel.score_array(pa.array([x if x.strip() else None for x in labels], pa.string()), default_scanner(),
                             "leave-on", profiles=True)
    ref = kernel.score_batch([labels], ["ingredients"], default_scanner(), ContextSpec(profiles=True))
    rows = [tuple(r) for r in zip(*[c.to_pylist() for c in [*got[: len(COLUMNS)], *got.verdicts]])] if labels else []
    assert rows == [(*result_cells(r, c), *profile_cells(r)) for r, c in zip(ref.results, ref.contexts)]


@given(st.lists(st.one_of(st.none(), st.text(alphabet=',"\n;ab é\x00', max_size=6)), max_size=10), st.integers(0, 3))
def test_holding_finds_the_strings_that_hold_a_byte(values: list[str | None], skip: int) -> None:
    """`strings.holding` (a compare per byte value, one reduceat over the strings' starts) on
    empty strings, nulls and a sliced array."""
    from milia_scan.bulk.strings import holding

    arr = pa.array(values, pa.string()).slice(min(skip, len(values)))
    want = [v is not None and any(c in v for c in ',"\n') for v in arr.to_pylist()]
    assert holding(arr, b',"\n').tolist() == want
