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
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA, DamerauLevenshtein, Levenshtein

from .lexicon import Lexicon
from .cache import make_room
from .normalizer import compact_key, compact_of, match_key, ocr_key, token_key


class Match(NamedTuple):
    """A token resolved to one lexicon entry."""

    id: str
    confidence: float  # 1.0 for an exact match
    matched: str  # the lexicon name it matched
    method: str  # "exact" | "fuzzy"


class _Candidate(NamedTuple):
    """A lexicon key a typo may mean; sorts by edits over the words, then over the whole name."""

    edits: int
    whole: float
    id: str
    name: str
    key: str  # its OCR key


class Resolution(NamedTuple):
    """Everything the matcher concluded about one token text, and the rule that decided it."""

    key: str  # normalised form
    matches: tuple[Match, ...]  # usually 0 or 1; a translation list can name two entries
    known: bool  # a recognised name: an entry, a look-alike or a vocabulary name
    rule: str = "unknown"  # one of RULES
    detail: str = ""  # what the rule saw: the look-alike that vetoed, the edits of a fuzzy match


# The rules that can decide a token, in the order they are tried.
RULES = {
    "exact": "the normalised name is a lexicon name",
    "compact": "the same letters and digits as a lexicon name (spaces or hyphens differ)",
    "look-alike": "a real INCI name of another substance (lexicon look-alikes or the vocabulary)",
    "bracket variant": "the name without its bracketed part, or without a qualifier such as 'organic'",
    "translation part": "a part of a slash-joined translation list",
    "OCR key": "the same name once OCR confusions (rn/m, 0/o, 1/l) are undone",
    "fuzzy": "a typo of a lexicon name, within the edit budget for its words",
    "vetoed": "a typo candidate rejected: a real name of another substance is at least as close",
    "ambiguous": "a typo candidate rejected: two entries are equally close",
    "bracket synonym": "the synonym in brackets at the end of the name",
    "too long": "longer than any ingredient name: only looked up exactly",
    "unknown": "no rule matched",
}


_DIGITS = re.compile(r"\d+")
_HAS_WORD = re.compile(r"[^\W_]")
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
MAX_NAME = 256  # longer than any INCI name: exact lookup only, so a huge token costs linear time
_NO_FUZZY: tuple[None, str, str] = (None, "unknown", "")
_CACHE_LIMIT = 50_000  # distinct tokens per process; the older half dropped when full


def _word_budget(n: int) -> int:
    """Edits allowed in a word of n letters: none in short words, where one letter is identity;
    two only in long ones (Gluconic/Glycolic, Retinal/Retinol are real pairs one or two apart)."""
    return 0 if n < 6 else 1 if n < 14 else 2


# Endings that make a different substance (tocopheryl/tocopherol, chlorite/chloride), in OCR-key
# form (l folded to i).
_SUFFIX_PAIRS = frozenset(
    frozenset((a.replace("l", "i"), b.replace("l", "i")))
    for a, b in [("yl", "ol"), ("al", "ol"), ("yl", "al"), ("ite", "ide"), ("ate", "ite"),
                 ("ate", "ide"), ("ine", "ene"), ("ane", "ene"), ("one", "ane"), ("ic", "al")]
)


def _suffix_swap(a: str, b: str) -> bool:
    for n in (2, 3):
        if len(a) > n + 2 and len(b) > n + 2 and a[:-n] == b[:-n] and frozenset((a[-n:], b[-n:])) in _SUFFIX_PAIRS:
            return True
    return False


def _same_word(qw: str, cw: str, last: bool) -> int | None:
    """Edits between a query word and a candidate word (both OCR keys), or None when they are
    different words: numbers must be equal, first letters must agree, a plural last word or a
    chemical ending is another substance, edits (a swap of two letters is one) within the
    shorter word's budget."""
    if qw == cw:
        return 0
    if qw.isdigit() or cw.isdigit() or qw[0] != cw[0]:
        return None
    if last and (qw == cw + "s" or cw == qw + "s"):
        return None  # a plural is another INCI name: Glyceryl Stearates, Aluminum Stearates
    if _suffix_swap(qw, cw):
        return None
    budget = _word_budget(min(len(qw), len(cw)))
    d = OSA.distance(qw, cw, score_cutoff=budget)
    return d if d <= budget else None


def _short_typo(qw: str, cw: str, numbered: bool) -> bool:
    """One edit in a short word ("Gycol", "Aci"), allowed once per name when the rest is exact.
    In a numbered name only a doubled letter ("Pegg-100"): PEG and PPG are different polymers."""
    if not (3 <= min(len(qw), len(cw)) < 6 and qw[0] == cw[0] and qw != cw + "s" and cw != qw + "s"):
        return False
    if numbered:
        longer, shorter = (qw, cw) if len(qw) > len(cw) else (cw, qw)
        return len(longer) == len(shorter) + 1 and any(
            longer[i] == longer[i - 1] and longer[:i] + longer[i + 1 :] == shorter for i in range(1, len(longer)))
    return OSA.distance(qw, cw, score_cutoff=1) == 1


def _has_bracket(text: str) -> bool:
    return "(" in text or "[" in text or "{" in text


def _cached_as(text: str, key: str) -> str:
    """The text a token's resolution is cached under. Without brackets, its key: a resolution
    reads nothing else from the text, and a key is its own key. With them, the text in lower case
    where that changes nothing (ASCII without line breaks: the hyphen-joining rule reads case)."""
    if not _has_bracket(text):
        return key
    return text.lower() if text.isascii() and "\n" not in text and "\r" not in text else text


def _words(key: str) -> list[str]:
    """The words of a key, split at whitespace, hyphens, slashes and commas (str.split's
    whitespace is the regex module's \\s)."""
    return key.replace("-", " ").replace("/", " ").replace(",", " ").split()


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
        self._ocr_compact: dict[str, tuple[str, str]] = {}
        for key, hit in self._exact.items():
            self._ocr_compact.setdefault(compact_of(ocr_key(key)), hit)
        # Keys of real names of other substances -> what inspection says of them.
        self._known: dict[str, str] = {}
        self._veto: list[str] = []  # OCR keys of real names of other substances
        for group in lexicon.lookalikes:
            for name in group.names:
                self._add_known(name, f"{name}, a look-alike of {group.not_}")
        for entry in lexicon.entries.values():
            for name in entry.lookalikes:
                self._add_known(name, f"{name}, a look-alike of {entry.id}")
        if vocabulary is not None:
            for name in vocabulary:
                self._add_known(name, f"{name}, in the vocabulary")
        # Fuzzy candidates grouped by (word count, first letter): a typo keeps both (the first
        # letter rule is in _same_word), so a token only meets the few names it could be.
        self._fuzzy: dict[tuple[int, str], list[tuple[str, list[str], str, str]]] = {}
        for key, (eid, name) in self._exact.items():
            ok = ocr_key(key)
            words = _words(ok)
            if words:
                self._fuzzy.setdefault((len(words), ok[0]), []).append((ok, words, eid, name))
        self._fuzzy_keys = {k: [c[0] for c in cands] for k, cands in self._fuzzy.items()}
        # Most tokens that reach the fuzzy stage are typos of names the lexicon does not hold. A
        # typo keeps each word at its place, so a token is ruled out when one of its words could
        # not stand at its place in any key with as many words: the places (word count, position)
        # of every candidate word, and the words by first letter (a typo keeps it).
        self._places: dict[str, set[tuple[int, int]]] = {}
        for (n, _), cands in self._fuzzy.items():
            for _, words, _, _ in cands:
                for j, w in enumerate(words):
                    self._places.setdefault(w, set()).add((n, j))
        self._by_letter: dict[str, list[str]] = {}
        for w in self._places:
            self._by_letter.setdefault(w[0], []).append(w)
        self._cache: dict[str, Resolution] = {}
        self._fits: dict[str, frozenset[tuple[int, int]]] = {}  # token word -> places it could fill
        # each distinct set of places, kept once: ~150 sets serve ~12k words (74% the empty set),
        # so a word's entry costs a slot, not a set of tuples (bulk workers' memory)
        self._fit_sets: dict[frozenset[tuple[int, int]], frozenset[tuple[int, int]]] = {}
        self.cache_limit = _CACHE_LIMIT  # entries in each cache; the older half dropped when full
        self._veto_near: dict[str, list[str]] = {}  # candidate key -> veto keys that could be as close

    def __getstate__(self) -> dict[str, object]:
        """Pickle the indexes, not the caches of resolved tokens and words."""
        return {**self.__dict__, "_cache": {}, "_fits": {}, "_fit_sets": {}, "_veto_near": {}}

    def _add_known(self, name: str, why: str) -> None:
        key = match_key(name)
        if not key or key in self._exact or compact_of(key) in self._compact:
            return
        ok = ocr_key(key)
        for k in (key, compact_of(key), "ocr:" + compact_of(ok)):
            self._known.setdefault(k, why)
        self._veto.append(ok)

    # ------------------------------------------------------------------ resolution

    def resolve(self, text: str) -> Resolution:
        """Resolve one token's text (as written in the label). Cached per distinct spelling
        (`_cached_as`), so texts that differ only in case or spacing are resolved once."""
        res = self._cache.get(text)
        if res is None:
            key = token_key(text)
            at = _cached_as(text, key)
            res = self._cache.get(at)
            if res is None:
                make_room(self._cache, self.cache_limit)
                res = self._cache[at] = self._resolve(at, key)
        return res

    def _lookup(self, key: str) -> tuple[Match | None, str]:
        """Exact lookup: (match, its rule), or (None, "look-alike") for a known other substance,
        or (None, "")."""
        hit = self._exact.get(key)
        rule = "exact"
        if hit is None:
            ck = compact_of(key)
            hit = self._compact.get(ck)
            rule = "compact"
            if hit is None:
                return None, "look-alike" if key in self._known or ck in self._known else ""
        return Match(hit[0], 1.0, hit[1], "exact"), rule

    def _known_as(self, key: str) -> str:
        """What a known other substance's key is (for inspection)."""
        return self._known.get(key) or self._known.get(compact_of(key)) or self._known.get("ocr:" + compact_of(ocr_key(key)), key)

    def _resolve(self, text: str, key: str) -> Resolution:
        if not key:
            return Resolution(key, (), False)
        m, rule = self._lookup(key)
        if rule:
            return Resolution(key, (m,) if m else (), True, rule, self._known_as(key) if m is None else "")
        if len(key) > MAX_NAME:
            return Resolution(key, (), False, "too long")
        if text == key and "/" not in key and not _QUALIFIER.match(key):
            m, rule, detail = self._fuzzy_one(key)  # no variant to try: the key's own typo search decides
            return Resolution(key, (m,) if m else (), m is not None, rule, detail)

        outer, inners, at_end = _bracket_variants(text)
        primary = [k for k in (outer, _QUALIFIER.sub("", outer or key)) if k and k != key]
        for variant in primary:
            m, rule = self._lookup(variant)
            if rule:
                return Resolution(key, (m,) if m else (), True, "bracket variant" if m else rule,
                                  variant if m else self._known_as(variant))

        found = self._translations(key) or (self._translations(outer) if outer else ())
        if found:
            return Resolution(key, found, True, "translation part", " / ".join(m.matched for m in found))

        rejected = ("unknown", "")
        for variant in dict.fromkeys([key, *primary]):
            m, rule, detail = self._fuzzy_one(variant)
            if m is not None:
                return Resolution(key, (m,), True, rule, detail)
            if rule != "unknown" and rejected[0] == "unknown":
                rejected = (rule, detail)

        # A bracketed synonym names the substance only when it ends the name ("Lanolin Alcohol
        # (Eucerit)", not "Chondrus Crispus (Carrageenan) Extract") and the outer name is not a
        # real name of something else ("Tocopheryl Acetate (Vitamin E)" is not tocopherol).
        if at_end and inners:
            for variant in inners:
                m, _ = self._lookup(variant)
                if m is not None:  # the look-alike search runs only once a synonym names an entry
                    if self._near_known(outer or key):
                        break
                    return Resolution(key, (m,), True, "bracket synonym", variant)
        return Resolution(key, (), False, *rejected)

    def _translations(self, key: str) -> tuple[Match, ...]:
        """Entries named by a translation list ("Aqua/Water/Eau", "Paraffinum Liquidum/Mineral
        Oil"), or () for a slash inside one INCI name ("Glyceryl Stearate/Acetate")."""
        if "/" not in key:
            return ()
        exact = [self._lookup(p.strip())[0] for p in key.split("/") if p.strip()]
        ids = {m.id for m in exact if m is not None}
        if len(ids) == 1 and sum(m is not None for m in exact) > 1:
            return (next(m for m in exact if m is not None),)  # the parts agree
        parts = _slash_parts(key)
        if not parts:
            return ()
        found: dict[str, Match] = {}
        votes: dict[str, int] = {}
        for part in parts:
            m, _ = self._lookup(part)
            if m is None and len(part) >= 8:
                m = self._fuzzy_one(part)[0]
            if m is None:
                continue
            found.setdefault(m.id, m)
            votes[m.id] = votes.get(m.id, 0) + 1
        # Two parts agree, or every part is one word ("Lanolin/Wollwachs"), or two names end in the
        # same word ("Theobroma Cacao Seed Butter/Cocoa Seed Butter": a translation keeps its
        # class word). "Retinol/Saccharomyces Polypeptide" is one INCI name of another substance.
        words = [_words(p) for p in parts]
        if found and (max(votes.values()) > 1 or all(len(w) == 1 for w in words)
                      or len(found) == 1 and _same_last_word(words)):
            return tuple(found.values())
        return ()

    def _near_known(self, key: str) -> bool:
        """Whether the key is, or is a typo of, a real name of another substance."""
        if not key:
            return False
        ok = ocr_key(key)
        if key in self._known or "ocr:" + compact_of(ok) in self._known:
            return True
        budget = 1 if len(ok) < 14 else 2
        return bool(self._veto) and process.extractOne(
            ok, self._veto, scorer=OSA.distance, score_cutoff=budget) is not None

    def _fuzzy_one(self, key: str) -> tuple[Match | None, str, str]:
        """The single entry a typo or OCR misreading most likely means, with the rule and what it
        saw; no match when there is none, or two are equally close, or a real name of something
        else is at least as close."""
        q = ocr_key(key)
        if len(q) < _MIN_FUZZY_LEN:
            return _NO_FUZZY
        cq = compact_of(q)
        if "ocr:" + cq in self._known:
            return None, "look-alike", self._known["ocr:" + cq]
        hit = self._ocr_compact.get(cq)  # an OCR misreading, perhaps with a space lost
        if hit is not None:
            return Match(hit[0], 0.99, hit[1], "fuzzy"), "OCR key", hit[1]
        qwords = _words(q)
        group = (len(qwords), q[0])
        cands = self._fuzzy.get(group)
        if not cands or not self._could_be_typo(qwords):
            return _NO_FUZZY
        qdigits = _DIGITS.findall(q)
        last = len(qwords) - 1
        best: list[_Candidate] = []
        for _, whole, idx in process.extract(
            q, self._fuzzy_keys[group], scorer=OSA.distance, score_cutoff=_MAX_EDITS, limit=8
        ):
            ok, words, eid, name = cands[idx]
            if _DIGITS.findall(ok) != qdigits:
                continue  # numbers are identity: Laureth-4 is not Laureth-7
            total = short = 0
            for j, (qw, cw) in enumerate(zip(qwords, words)):
                d = _same_word(qw, cw, j == last)
                if d is None:
                    if not _short_typo(qw, cw, bool(qdigits)):
                        break
                    d = 1
                    short += 1
                total += d
            else:
                if short == 0 or (short == 1 and total == 1 and len(cq) >= 8):
                    best.append(_Candidate(total, whole, eid, name, ok))
        if not best:
            return _NO_FUZZY
        best.sort()
        top = best[0]
        other = next((b for b in best[1:] if b.edits == top.edits and b.id != top.id), None)
        if other is not None:
            return None, "ambiguous", f"{top.name} or {other.name}"  # two entries equally close: do not guess
        veto = process.extractOne(q, self._vetoes_near(top.key), scorer=OSA.distance, score_cutoff=top.whole)
        if veto:  # a real name of something else is at least as close
            return None, "vetoed", f"{top.name}, but {veto[0]!r} is a real name of another substance as close"
        total = top.edits
        conf = 0.99 if total == 0 else round(max(0.0, 1.0 - total / max(len(cq), 1)), 3)
        return Match(top.id, min(conf, 0.99), top.name, "fuzzy"), "fuzzy", f"{top.name}, {total} edit{'s' if total != 1 else ''}"

    def _could_be_typo(self, qwords: list[str]) -> bool:
        """Whether each word of a token (OCR keys) could stand at its place in a key with as many
        words: what every fuzzy match needs, decided with one lookup per word."""
        n = len(qwords)
        for j, w in enumerate(qwords):
            fits = self._fits.get(w)
            if fits is None:
                fits = self._learn_word(w)
            if (n, j) not in fits:
                return False
        return True

    def _learn_word(self, w: str) -> frozenset[tuple[int, int]]:
        """The places of the candidate words that `_same_word` or `_short_typo` would accept for
        `w` (within two edits and with its first letter, so rapidfuzz narrows them first)."""
        near = process.extract(w, self._by_letter.get(w[0], ()), scorer=OSA.distance,
                               score_cutoff=_MAX_EDITS, limit=None)
        fits = frozenset().union(*(self._places[cw] for cw, _, _ in near
                                   if _same_word(w, cw, False) is not None or _short_typo(w, cw, False)))
        make_room(self._fit_sets, self.cache_limit)
        fits = self._fit_sets.setdefault(fits, fits)
        make_room(self._fits, self.cache_limit)
        self._fits[w] = fits
        return fits

    def _vetoes_near(self, key: str) -> list[str]:
        """The veto keys a token could be as close to as it is to the candidate `key`: within
        2 x _MAX_EDITS Damerau-Levenshtein edits of it (a lower bound of OSA that obeys the
        triangle inequality), found among those within twice that many Levenshtein edits (at
        most two a transposition) by rapidfuzz first. In the veto list's order, so `extractOne`
        names the same one. Found on first use, once per candidate: a vocabulary has ~29k names."""
        near = self._veto_near.get(key)
        if near is None:
            found = process.extract(key, self._veto, scorer=Levenshtein.distance,
                                    score_cutoff=4 * _MAX_EDITS, limit=None)
            near = self._veto_near[key] = [
                v for v, _, _ in sorted(found, key=itemgetter(2))
                if DamerauLevenshtein.distance(key, v, score_cutoff=2 * _MAX_EDITS) <= 2 * _MAX_EDITS]
        return near


def _same_last_word(words: list[list[str]]) -> bool:
    """Two names of two or more words that end in the same word."""
    return len(words) == 2 and all(len(w) > 1 for w in words) and words[0][-1] == words[1][-1]


def _bracket_variants(text: str) -> tuple[str, list[str], bool]:
    """("name without bracketed parts", [each bracketed part], whether a bracket ends the name)
    as match keys. An unclosed bracket ("Petrolatum (White") splits the same way at the bracket.
    """
    if not _has_bracket(text):
        return "", [], False
    # "Poly(Linseed Oil)": a bracket glued to a word is chemistry, not a synonym ("Red 40[CI 16035]"
    # after a number is one).
    found = [m for m in _BRACKETED.finditer(text) if m.start() == 0 or not text[m.start() - 1].isalpha()]
    inners = [next(g for g in m.groups() if g is not None) for m in found]
    at_end = bool(found) and not _HAS_WORD.search(text, found[-1].end())
    rest = _BRACKETED.sub(" ", text)
    outer, bracket, tail = rest.partition("(") if "(" in rest else rest.partition("[")
    if bracket:
        inners.append(tail)
        at_end = True
    keys = [token_key(k) for k in inners]
    return token_key(outer), [k for k in keys if k], at_end


def _slash_parts(key: str) -> list[str]:
    """Parts of a translation list ("aqua/water/eau"); [] for a slash inside one INCI name."""
    if "/" not in key:
        return []
    words = _words(key)
    if words and words[-1] in _CLASS_WORDS:
        return []
    parts = [p.strip() for p in _SLASH_BETWEEN_WORDS.split(key)]
    return [p for p in parts if p] if len(parts) > 1 else []
