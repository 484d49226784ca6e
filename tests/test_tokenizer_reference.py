"""The production route (`Scanner.tokenize`, cached and with its shortcuts) agrees with the plain
reference tokenizer in tests/reference_tokenizer.py, on real labels and on arbitrary text."""

from __future__ import annotations

import csv
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milia_scan import Scanner

from . import reference_tokenizer as reference
from .conftest import SHARED_DATA, shared_file
from .test_properties import LABELISH

PLAINISH = st.lists(
    st.sampled_from(["Aqua", "Petrolatum", "Glycerin", "Cera Alba", " (Water)", "(", ")", "[nano]", "*", ".",
                     " ", ",", ", ", ";", "•", "1", "2", "%", "Organic", "(and)", "May contain", "Mica",
                     "\u00a0", "\u200b", "Laureth-4", "Isopropyl Myristate", "]", "{", "é", "_", "/", "\n",
                     "-\n", "\r\n", ". ", "Vit. E", "5%", "1,2-Hexanediol", "Wax (A, B (C, D (E, F)))", "(x, (y, z))"]),
    max_size=40,
).map("".join)
# Headers, kits and Drug Facts around plain-ish lists.
HEADS = st.sampled_from(["Ingredients: ", "INCI: ", "Cleanser: ", ". Step Two: ", "active: ", ",inactive: ",
                         "Active Ingredients: ", "Other: ", "Directions: ", "\nInactive ingredients ", "Drug Facts\n",
                         "Aqua, May contain: ", "Aqua [+/- ", "-Retinol: smooths. ", "Night Serum 30 ml ingredients: ",
                         "Pineapple Mask:INGREDIENTS: ", "Division: El (Estee Lauder)"])
SHAPED = st.lists(st.tuples(HEADS, PLAINISH), max_size=4).map(lambda xs: "".join(h + b for h, b in xs))


def production(scanner: Scanner, label: str) -> list[tuple]:
    return [(t.start, t.end, t.may_contain, t.section, t.part, t.percent) for t in scanner.tokenize(label)]


def _real_labels() -> list[str]:
    labels = []
    for path in sorted((SHARED_DATA / "labels").glob("*.csv")):
        with path.open(encoding="utf-8") as fh:
            labels += [row["ingredients"] for row in csv.DictReader(fh)]
    return labels


@pytest.fixture(scope="module")
def real_labels() -> list[str]:
    shared_file("labels")
    return _real_labels()


def test_route_agrees_with_the_reference_on_real_labels(real_labels, scanner) -> None:
    diff = [label for label in real_labels if production(scanner, label) != reference.tokenize(label)]
    assert not diff, diff[:3]


@given(st.one_of(PLAINISH, LABELISH, SHAPED))
def test_route_agrees_with_the_reference(label: str) -> None:
    from milia_scan import default_scanner

    assert production(default_scanner(), label) == reference.tokenize(label)


@given(st.one_of(PLAINISH, SHAPED))
def test_a_cold_cache_and_a_warm_one_agree(label: str) -> None:
    from milia_scan import default_scanner

    warm = default_scanner()
    first = production(warm, label)
    assert production(warm, label) == first  # the second read is served from the cache
    cold = pickle.loads(pickle.dumps(warm))  # a scanner pickles without its caches
    assert not cold._tokenizer._cache and not cold._tokenizer._actives
    assert production(cold, label) == first
