"""The matcher's shortcuts never change a resolution: `Matcher` agrees with the reference in
tests/reference_matcher.py (the whole search for every token) on typos and OCR misreadings of
every lexicon and look-alike name, and on the distinct pieces of a catalogue of real labels."""

from __future__ import annotations

import re
import sys
from functools import lru_cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milia_scan import load_lexicon
from milia_scan.match import Matcher, _words, read_vocabulary
from milia_scan.normalizer import _SIMPLE, _folded, compact_of
from milia_scan.tokenizer import Tokenizer

from .conftest import ROOT, SHARED_DATA, shared_file
from .reference_matcher import ReferenceMatcher

LEXICON = load_lexicon()
NAMES = sorted({n for e in LEXICON.entries.values() for n in (*e.names, *e.lookalikes)}
               | {n for g in LEXICON.lookalikes for n in g.names})
FAST, REFERENCE = Matcher(LEXICON), ReferenceMatcher(LEXICON)  # shared: the caches are tested too

LETTERS = "abcdefghijklmnoprstuy -"
OCR = [("m", "rn"), ("rn", "m"), ("o", "0"), ("l", "1"), ("i", "l"), ("I", "l"), ("e", "c"), ("d", "cl")]


@st.composite
def misspelt(draw: st.DrawFn) -> str:
    """A lexicon or look-alike name with one to three letter edits or OCR confusions, in any case,
    sometimes qualified, bracketed or slash-joined."""
    text = draw(st.sampled_from(NAMES))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["drop", "add", "swap", "replace", "ocr"]))
        if op == "drop":
            text = text[:i] + text[i + 1 :]
        elif op == "add":
            text = text[:i] + draw(st.sampled_from(LETTERS)) + text[i:]
        elif op == "swap" and i + 1 < len(text):
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        elif op == "replace":
            text = text[:i] + draw(st.sampled_from(LETTERS)) + text[i + 1 :]
        else:
            a, b = draw(st.sampled_from(OCR))
            text = text.replace(a, b, 1)
    text = draw(st.sampled_from([str, str.upper, str.lower, str.title]))(text)
    around = draw(st.sampled_from(["{}", "{}", "{}", "Organic {}", "{} (Vitamin E)", "{} (Oil", "Aqua/{}",
                                   "{}/Eau", "{} [nano]"]))
    return around.format(text)


@given(misspelt())
def test_typos_of_lexicon_names_resolve_as_the_reference(text: str) -> None:
    assert FAST.resolve(text) == REFERENCE.resolve(text)


def test_every_name_and_its_upper_case_resolve_as_the_reference() -> None:
    for name in NAMES:
        for text in (name, name.upper(), f"{name} (Aqua)", f"Organic {name}"):
            assert FAST.resolve(text) == REFERENCE.resolve(text), text


def _catalogue_pieces(labels: int) -> list[str]:
    """The distinct token texts a scanner would resolve, in the order it meets them."""
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    import catalogue

    seen: dict[str, None] = {}
    tokenizer = Tokenizer(seen.setdefault, None, 1 << 30)
    gen = catalogue.Generator(seed=3)
    for _ in range(labels):
        tokenizer.read(gen.label())
    return list(seen)


@lru_cache(maxsize=1)
def catalogue_pieces() -> list[str]:
    shared_file("labels")
    return _catalogue_pieces(6_000)


def test_catalogue_pieces_resolve_as_the_reference() -> None:
    pieces = catalogue_pieces()
    fast, reference = Matcher(LEXICON), ReferenceMatcher(LEXICON)
    assert [fast.resolve(p) for p in pieces] == [reference.resolve(p) for p in pieces]
    assert len(pieces) > 5_000 and sum(bool(reference.resolve(p).matches) for p in pieces) > 500


@pytest.mark.skipif(not (SHARED_DATA / "cosing").is_dir(), reason="no CosIng inventory in ../shared/data")
def test_with_a_vocabulary_resolve_as_the_reference() -> None:
    vocabulary = read_vocabulary(shared_file("cosing/cosing_inventory.csv"))
    fast, reference = Matcher(LEXICON, vocabulary), ReferenceMatcher(LEXICON, vocabulary)
    pieces = catalogue_pieces()[:1_000] + [n.lower().replace("e", "a", 1) for n in NAMES[::2]]
    assert [fast.resolve(p) for p in pieces] == [reference.resolve(p) for p in pieces]
    assert any(reference.resolve(p).rule == "vetoed" for p in pieces)


@given(st.text(alphabet=st.sampled_from("ab1 -/,.\t\u00a0\u2003\x1c"), max_size=20))
def test_words_split_where_the_regex_would(key: str) -> None:
    assert _words(key) == [w for w in re.split(r"[\s\-/,]+", key) if w]


@given(st.text(max_size=20))
def test_compact_keeps_letters_and_digits_only(key: str) -> None:
    assert compact_of(key) == "".join(c for c in key if c.isalnum())


@given(st.text(alphabet=st.sampled_from("aZ09 -"), max_size=20))
def test_simple_names_take_the_short_way_to_the_same_key(text: str) -> None:
    if _SIMPLE.fullmatch(text):
        assert " ".join(text.lower().split()) == _folded(text)
