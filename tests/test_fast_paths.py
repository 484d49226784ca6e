"""The fast paths agree with the reference paths: the plain-list tokenizer with the general one,
and the lean `Scanner.score` with the full `Scanner.scan`, on real labels and on arbitrary text."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milia_scan import Scanner
from milia_scan.tokenizer import split_label, split_label_general

from .conftest import SHARED_DATA, shared_file
from .test_properties import LABELISH

PLAINISH = st.lists(
    st.sampled_from(["Aqua", "Petrolatum", "Glycerin", "Cera Alba", " (Water)", "(", ")", "[nano]", "*", ".",
                     " ", ",", ", ", ";", "•", "1", "2", "%", "Organic", "(and)", "May contain", "Mica",
                     "\u00a0", "\u200b", "Laureth-4", "Isopropyl Myristate", "]", "{", "é", "_", "/"]),
    max_size=40,
).map("".join)


# A header or marker in front sends the rest through the general path's region code.
REGIONS = st.builds(lambda head, body: head + body,
                    st.sampled_from(["Ingredients: ", "INCI: ", "Aqua, May contain: ", "Aqua [+/- ", "Water\n"]),
                    PLAINISH)


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


def test_tokenizer_paths_agree_on_real_labels(real_labels) -> None:
    diff = [label for label in real_labels if split_label(label) != split_label_general(label, reference=True)]
    assert not diff, diff[:3]


@given(st.one_of(PLAINISH, LABELISH, REGIONS))
def test_tokenizer_paths_agree(label: str) -> None:
    assert split_label(label) == split_label_general(label, reference=True)


@given(st.one_of(PLAINISH, LABELISH))
def test_windowed_header_search_finds_every_header(label: str) -> None:
    from milia_scan.tokenizer import _header_marks, _header_marks_full

    assert _header_marks(label, label.lower()) == _header_marks_full(label)


def _from_scan(scanner: Scanner, label: str) -> tuple:
    r = scanner.scan(label)
    return (r.score, r.band, tuple(dict.fromkeys(h.id for h in r.hits)),
            tuple(dict.fromkeys(h.id for h in r.helpful)))


def test_score_equals_scan_on_real_labels(real_labels, scanner) -> None:
    diff = [label for label in real_labels if tuple(scanner.score(label)) != _from_scan(scanner, label)]
    assert not diff, diff[:3]


@given(st.one_of(PLAINISH, LABELISH), st.sampled_from(["leave-on", "rinse-off", "eye-area"]))
def test_score_equals_scan(label: str, context: str) -> None:
    from milia_scan import default_scanner

    s = default_scanner()
    r = s.scan(label, context=context)
    lean = s.score(label, context=context)
    assert (lean.score, lean.band) == (r.score, r.band)
    assert lean.hits == tuple(dict.fromkeys(h.id for h in r.hits))
