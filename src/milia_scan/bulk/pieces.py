"""The columnar engine's piece table: each distinct piece of this process resolved once through
`Scanner.piece` (the tokenizer's own trim, match and cache), kept as a code into arrays of what
scoring needs (`vectorised.py` reads them)."""

from __future__ import annotations

from array import array
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import pyarrow.compute as pc

from ..profiles import kinds_of, rules_for
from ..scanner import Scanner
from ..score import declared_factor


def canonical_texts(texts: Any) -> Any:
    """`tokenizer.canonical` of each piece (none here holds a line break: `one_list`), in Arrow:
    the piece table keeps one entry for the spellings the scanner trims and matches as one. (Where
    Arrow's whitespace differs from Python's, the scanner canonicalises the key again.)"""
    core = pc.utf8_trim_whitespace(texts)
    return pc.if_else(pc.string_is_ascii(core), pc.ascii_lower(core), core)


class Pieces:
    """Each distinct piece seen by this process, as a code into arrays of what scoring needs.
    Bounded at the scanner's cache limit (cleared when full: the scanner's piece cache still
    holds most resolutions, so a code costs a lookup to rebuild). A piece's text is the key the
    scanner's cache holds it under, the same string, so the table adds little to that cache."""

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner
        self.ids: dict[str, int] = {}  # risk and helpful ids -> codes (lexicon-sized)
        self.names: list[str] = []
        self._groups: dict[tuple[Any, ...], int] = {}
        self._reset()

    def _reset(self) -> None:
        self.code: dict[str, int] = {}
        self.kind, self.back, self.group = array("b"), array("b"), array("i")
        self.declared = array("d")  # declared_factor of its percentage; NaN: none declared
        self._groups.clear()
        self.risks: list[tuple[tuple[int, float, float], ...]] = []  # per group: (id, o, c) of each
        self.helpful: list[tuple[tuple[int], ...]] = []  # per group: (id,) of each
        self.keys: list[str] = []  # each code's piece
        self.a, self.b = array("i"), array("i")  # its token's bounds in the piece (a == b: none)
        self.fungal, self.allergen = array("b"), array("b")  # profile kinds, filled when asked for

    def _id(self, name: str) -> int:
        if name not in self.ids:
            self.ids[name] = len(self.names)
            self.names.append(name)
        return self.ids[name]

    def _add(self, key: str) -> int:
        code = self.code.get(key)  # two keys of a batch may be one piece (",X" and ";X")
        if code is not None:
            return code
        p = self.scanner.piece(key)
        found = p.value
        terms = (found.risks, found.helpful)
        g = self._groups.get(terms)
        if g is None:
            g = self._groups[terms] = len(self.risks)
            self.risks.append(tuple((self._id(r), w.occlusion, w.comedogenic) for r, w in found.risks))
            self.helpful.append(tuple((self._id(h),) for h in found.helpful))
        self.kind.append(found.kind)
        self.back.append(p.unbalanced or p.cue)
        self.group.append(g)
        self.declared.append(np.nan if p.percent is None else declared_factor(p.percent))
        self.a.append(p.a)
        self.b.append(p.b)
        self.keys.append(key)
        code = self.code[key] = len(self.keys) - 1
        return code

    def codes(self, keys: list[str]) -> Any:
        """The code of each key, resolving the new ones."""
        if len(self.code) + len(keys) > self.scanner.cache_limit:
            self._reset()
        codes = list(map(self.code.get, keys))
        if None in codes:
            codes = [c if c is not None else self._add(k) for c, k in zip(codes, keys)]
        return np.array(codes, np.int64)

    def profile_kinds(self) -> tuple[Any, Any]:
        """What each code's token is to the two profiles (`profiles.kinds_of`; -1: no token), as
        numpy arrays. Worked out only here: a new token text costs ~20 us in the fungal rules."""
        new = range(len(self.fungal), len(self.keys))
        if new:
            texts = [self.keys[i][self.a[i] : self.b[i]] for i in new if self.b[i]]
            kinds = iter(kinds_of(rules_for(self.scanner), texts))
            for i in new:
                f, a = next(kinds) if self.b[i] else (-1, -1)
                self.fungal.append(f)
                self.allergen.append(a)
        return np.array(self.fungal, np.int64), np.array(self.allergen, np.int64)

    def table(self) -> tuple[Any, ...]:
        """kind, back, group, declared as numpy arrays (copies: the arrays keep growing)."""
        return (np.array(self.kind, np.int8), np.array(self.back, bool), np.array(self.group, np.int64),
                np.array(self.declared, np.float64))


_PIECES: WeakKeyDictionary[Scanner, Pieces] = WeakKeyDictionary()


def pieces_for(scanner: Scanner) -> Pieces:
    """This process's `Pieces` for a scanner (one per worker)."""
    found = _PIECES.get(scanner)
    if found is None:
        found = _PIECES[scanner] = Pieces(scanner)
    return found
