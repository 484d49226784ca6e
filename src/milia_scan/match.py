"""Token text -> lexicon entry: exact lookup first, then a fuzzy match guarded by INCI structure.

Order of resolution for one token (each distinct token text is resolved once, then cached):
  1. exact: the normalised name, or the same letters and digits ("Laureth 4" == "Laureth-4");
  2. known other substance: a look-alike name (`lexicon/lookalikes.toml`) or a name of the
     user's vocabulary is a real INCI name of something else -> no match, never fuzzy;
  3. variants: the name without its bracketed synonym ("Lanolin Alcohol (Eucerit)"), the synonym
     alone, the parts of a translation list ("Aqua/Water/Eau"), a leading "Organic"/"Virgin";
  4. fuzzy, for typos and OCR noise: same number of words, identical numbers, each word within a
     small edit distance that grows with its length, after undoing OCR confusions (rn->m, 0->o).
     Two different entries equally close is ambiguous -> no match. With a vocabulary, a real
     INCI name at least as close as the entry vetoes the match.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .lexicon import Lexicon
from .normalizer import compact_key, compact_of, match_key, ocr_key
from .tokenizer import token_key


class Match(NamedTuple):
    """A token resolved to one lexicon entry."""

    id: str
    confidence: float  # 1.0 for an exact match
    matched: str  # the lexicon name it matched
    method: str  # "exact" | "fuzzy"


class Resolution(NamedTuple):
    """Everything the matcher concluded about one token text."""

    key: str  # normalised form
    matches: tuple[Match, ...]  # usually 0 or 1; a translation list can name two entries
    known: bool  # a recognised name: an entry, a look-alike or a vocabulary name


_WORD_SPLIT = re.compile(r"[\s\-/,]+")
_DIGITS = re.compile(r"\d+")
_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]|\{([^{}]*)\}")
# Qualifiers that do not change the substance ("Organic Shea Butter", "Virgin Coconut Oil").
_QUALIFIER = re.compile(
    r"^(?:(?:certified\s+)?organic|bio|extra\s+virgin|virgin|cold[\s-]pressed|unrefined|"
    r"refined|pure|natural|white|yellow)\s+"
)
# Slash names whose last word is a class are one substance ("Caprylic/Capric Triglyceride").
_CLASS_WORDS = frozenset(
    "copolymer crosspolymer polymer triglyceride triglycerides glycerides glyceride esters ester "
    "acrylates acrylate silicate extract".split()
)
_SLASH_BETWEEN_WORDS = re.compile(r"(?<=[^\W\d])\s*/\s*(?=[^\W\d])")
_MIN_FUZZY_LEN = 5
_MAX_EDITS = 2  # over the whole name
_CACHE_LIMIT = 500_000


def _word_budget(n: int) -> int:
    """Edits allowed in a word of n letters: none in short words, where one letter is identity;
    two only in long ones (Gluconic/Glycolic, Retinal/Retinol are real pairs one or two apart)."""
    return 0 if n < 6 else 1 if n < 14 else 2


# OCR reads these first letters as one another ("lsopropyl", "0ctyl").
_FIRST = str.maketrans({"l": "i", "1": "i", "0": "o"})


def _same_word(qw: str, cw: str) -> int | None:
    """Edits between a query word and a candidate word, or None when they are different words:
    numbers must be equal, first letters must agree, edits within the shorter word's budget."""
    if qw == cw:
        return 0
    if qw.isdigit() or cw.isdigit() or qw[0].translate(_FIRST) != cw[0].translate(_FIRST):
        return None
    if qw == cw + "s" or cw == qw + "s":
        return None  # a plural is another INCI name: Glyceryl Stearates, Aluminum Stearates
    budget = _word_budget(min(len(qw), len(cw)))
    d = Levenshtein.distance(qw, cw, score_cutoff=budget)
    return d if d <= budget else None


def _words(key: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(key) if w]


def read_vocabulary(path: str | Path) -> list[str]:
    """INCI names from a CSV in the EU CosIng inventory layout (`inci_name` column, else the first)."""
    p = Path(path)
    try:
        with p.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            col = header.index("inci_name") if "inci_name" in header else 0
            names = [row[col] for row in reader if len(row) > col and row[col].strip()]
            if col == 0 and header and "inci_name" not in header and header[0].strip():
                names.insert(0, header[0])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"cannot read vocabulary {p}: {exc}") from None
    return names


class Matcher:
    """Resolves token texts to lexicon entries; build once, reuse (it caches every token seen)."""

    def __init__(self, lexicon: Lexicon, vocabulary: Iterable[str] | None = None) -> None:
        self.lexicon = lexicon
        self._exact: dict[str, tuple[str, str]] = {}
        self._compact: dict[str, tuple[str, str]] = {}
        for entry in lexicon.entries.values():
            for name in entry.names:
                self._exact[match_key(name)] = (entry.id, name)
                self._compact.setdefault(compact_key(name), (entry.id, name))
        self._known: set[str] = set()
        for name in lexicon.lookalike_names():
            self._add_known(name)
        self._vocab: list[str] = []
        if vocabulary is not None:
            for name in vocabulary:
                if self._add_known(name):
                    self._vocab.append(ocr_key(match_key(name)))
        # Fuzzy candidates grouped by word count: (ocr key, words, entry id, name).
        self._fuzzy: dict[int, list[tuple[str, list[str], str, str]]] = {}
        for key, (eid, name) in self._exact.items():
            ok = ocr_key(key)
            words = _words(ok)
            self._fuzzy.setdefault(len(words), []).append((ok, words, eid, name))
        self._fuzzy_keys = {n: [c[0] for c in cands] for n, cands in self._fuzzy.items()}
        self._cache: dict[str, Resolution] = {}

    def _add_known(self, name: str) -> bool:
        key = match_key(name)
        if not key or key in self._exact or compact_key(key) in self._compact:
            return False
        self._known.add(key)
        self._known.add(compact_key(key))
        return True

    # ------------------------------------------------------------------ resolution

    def resolve(self, text: str) -> Resolution:
        """Resolve one token's text (as written in the label). Cached per distinct text."""
        res = self._cache.get(text)
        if res is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()  # bounded memory on endless streams of unique tokens
            res = self._cache[text] = self._resolve(text)
        return res

    def _lookup(self, key: str) -> tuple[Match | None, bool]:
        """Exact lookup: (match, is_known_other_substance)."""
        hit = self._exact.get(key)
        if hit is None:
            ck = compact_of(key)
            hit = self._compact.get(ck)
            if hit is None:
                return None, key in self._known or ck in self._known
        return Match(hit[0], 1.0, hit[1], "exact"), False

    def _resolve(self, text: str) -> Resolution:
        key = token_key(text)
        if not key:
            return Resolution(key, (), False)
        m, other = self._lookup(key)
        if m is not None:
            return Resolution(key, (m,), True)
        if other:
            return Resolution(key, (), True)

        outer, inners = _bracket_variants(text)
        primary = [k for k in (outer, _QUALIFIER.sub("", outer or key)) if k and k != key]
        for variant in primary:
            m, other = self._lookup(variant)
            if m is not None:
                return Resolution(key, (m,), True)
            if other:
                return Resolution(key, (), True)
        for variant in inners:
            m, _ = self._lookup(variant)
            if m is not None:
                return Resolution(key, (m,), True)

        parts = _slash_parts(outer or key)
        if parts:
            found: dict[str, Match] = {}
            votes: dict[str, int] = {}
            for part in parts:
                m, _ = self._lookup(part)
                if m is None and len(part) >= 8:
                    m = self._fuzzy_one(part)
                if m is None:
                    continue
                found.setdefault(m.id, m)
                votes[m.id] = votes.get(m.id, 0) + 1
            # A translation list: two parts agree ("Paraffinum Liquidum/Mineral Oil"), or every
            # part is one word ("Lanolin/Wollwachs"). "Glyceryl Stearate/Acetate" and
            # "Retinol/Saccharomyces Polypeptide" are single INCI names of other substances.
            if found and (max(votes.values()) > 1 or all(len(_words(p)) == 1 for p in parts)):
                return Resolution(key, tuple(found.values()), True)

        for variant in dict.fromkeys([key, *primary]):
            m = self._fuzzy_one(variant)
            if m is not None:
                return Resolution(key, (m,), True)
        return Resolution(key, (), False)

    def _fuzzy_one(self, key: str) -> Match | None:
        """The single entry within the edit budget of every word, or None (none or ambiguous)."""
        q = ocr_key(key)
        if len(q) < _MIN_FUZZY_LEN:
            return None
        qwords = _words(q)
        cands = self._fuzzy.get(len(qwords))
        if not cands:
            return None
        qdigits = _DIGITS.findall(q)
        best: list[tuple[int, str, str, str]] = []
        for _, _, idx in process.extract(
            q, self._fuzzy_keys[len(qwords)], scorer=Levenshtein.distance, score_cutoff=_MAX_EDITS, limit=8
        ):
            ok, words, eid, name = cands[idx]
            if _DIGITS.findall(ok) != qdigits:
                continue  # numbers are identity: Laureth-4 is not Laureth-7
            dists = [_same_word(qw, cw) for qw, cw in zip(qwords, words)]
            if None not in dists:
                best.append((sum(dists), eid, name, ok))  # type: ignore[arg-type]
        if not best:
            return None
        best.sort()
        total, eid, name, ok = best[0]
        if any(b[0] == total and b[1] != eid for b in best[1:]):
            return None  # two entries equally close: do not guess
        if self._vocab and process.extractOne(
            q, self._vocab, scorer=Levenshtein.distance, score_cutoff=Levenshtein.distance(q, ok)
        ):
            return None  # a real INCI name of something else is at least as close
        conf = 1.0 if total == 0 else round(max(0.0, 1.0 - total / max(len(ok), 1)), 3)
        return Match(eid, min(conf, 0.99) if total else 0.99, name, "fuzzy")


def _bracket_variants(text: str) -> tuple[str, list[str]]:
    """("name without bracketed parts", [each bracketed part]) as match keys.

    An unclosed bracket ("Petrolatum (White") splits the same way at the bracket.
    """
    if not any(c in text for c in "([{"):
        return "", []
    # "Poly(Linseed Oil)": a bracket glued to a word is chemistry, not a synonym.
    inners = [next(g for g in m.groups() if g is not None) for m in _BRACKETED.finditer(text)
              if m.start() == 0 or not text[m.start() - 1].isalnum()]
    rest = _BRACKETED.sub(" ", text)
    outer, bracket, tail = rest.partition("(") if "(" in rest else rest.partition("[")
    if bracket:
        inners.append(tail)
    keys = [token_key(k) for k in inners]
    return token_key(outer), [k for k in keys if k]


def _slash_parts(key: str) -> list[str]:
    """Parts of a translation list ("aqua/water/eau"); [] for a slash inside one INCI name."""
    if "/" not in key:
        return []
    words = _words(key)
    if words and words[-1] in _CLASS_WORDS:
        return []
    parts = [p.strip() for p in _SLASH_BETWEEN_WORDS.split(key)]
    return [p for p in parts if p] if len(parts) > 1 else []
