"""The vectorised route of the columnar engine: a batch of labels split and exploded with numpy
on their UTF-8 bytes, each distinct piece resolved once through `Scanner.piece` (the tokenizer's
own trim, match and cache), the pieces joined back and the rows scored with `score.score_rows`.

A label takes this route when `Tokenizer.read` reads it as one list split on its separators
(`tokenizer.one_list`: no cue character, no line break) and, once its pieces are resolved, no
piece holds a cue word or leaves a bracket open. Every other label goes to `Scanner.score` (see
`kernel`). Both tests are the tokenizer's own, asked once per distinct label.

Its pieces are what `separators.split` gives. When `split` takes its str.split route
(`separators.patterned` false: no name-ending period, "(and)" or spaced hyphen), they are split
here on bytes: the text between the separators (`vocabulary.SEPARATORS` and the comma) but a
comma between two ASCII digits ("1,2-Hexanediol"), as `split` joins them. The other labels, and
those with a non-ASCII character beside a comma (a Unicode digit might keep it), are split by
`split` itself.
"""

from __future__ import annotations

from array import array
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import vocabulary as v
from ..profiles import ALLERGEN_BY_MASK, FUNGAL_BY_MASK, kinds_of, rules_for
from ..scanner import MATCHED, UNMATCHED, Scanner
from ..score import declared_factor, position_factor, score_rows
from ..separators import patterned, split
from .strings import byte_view

_SEPARATORS = "," + v.SEPARATORS
_CUES = "".join(v.CUE_CHARS) + v.LINE_BREAKS  # a label with one is not `one_list`
_COMMA, _SEP, _WIDE, _CUE = 1, 2, 3, 4  # what a byte may start (0: nothing)


def _lut() -> Any:
    lut = np.zeros(256, np.uint8)
    lut[0xC0:] = _WIDE  # the lead byte of a non-ASCII character
    for chars, kind in ((_SEPARATORS, _SEP), (_CUES, _CUE)):
        for c in chars:
            if c.isascii():
                lut[ord(c)] = kind
    lut[ord(",")] = _COMMA
    return lut


_LUT = _lut()
_MARKED = _LUT != 0
_WIDE_SEPARATORS = [c.encode() for c in _SEPARATORS if not c.isascii()]
_WIDE_CUES = [c.encode() for c in _CUES if not c.isascii()]
_BLANK = np.array([c in b" \t" for c in range(256)])
_DIGIT = np.array([chr(c).isdigit() if c < 0x80 else False for c in range(256)])
_POSITION = np.array([position_factor(k) for k in range(65)])  # position_factor(k >= 64) == [64]


class Exploded(NamedTuple):
    """The pieces of the labels that take the vectorised route, in order."""

    plain: Any  # bool per label: split here (so far: a resolved piece may still send it back)
    rows: Any  # the label of each piece (non-decreasing)
    pieces: Any  # pa.StringArray: each piece with the separator before it (none for a first piece)


def _wide(data: Any, at: Any, row_end: Any, seqs: list[bytes]) -> Any:
    """Of the non-ASCII lead bytes at `at`, the byte length of the one of `seqs` each starts
    within its label (0: none)."""
    found = np.zeros(len(at), np.int64)
    for seq in seqs:
        hit = at + len(seq) <= row_end
        for k, byte in enumerate(seq):
            hit &= data[np.minimum(at + k, len(data) - 1)] == byte
        found[hit] = len(seq)
    return found


def _matches(labels: Any, pattern: str) -> Any:
    """Whether each label (null: False) holds a match of an RE2 pattern, as a numpy bool array."""
    found = pc.match_substring_regex(labels, pattern)
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def _ascii_class(chars: str) -> str:
    return "".join(f"\\x{{{ord(c):02x}}}" for c in chars if c.isascii())


# Where `separators.patterned` may hold (it is asked only there): a period before a whitespace,
# footnote mark or superscript (any non-ASCII character, and ASCII's whitespace: Python's \s);
# "(and)" with any non-word characters around the word. A hyphen beside a space or tab is found
# on the bytes. Each pattern starts with a literal, which RE2 finds fast; asked as one
# alternation they cost 15x more (RE2 then loses the literal).
_MAYBE_PATTERNED = (rf"\.[\t-\r\x1c-\x20{_ascii_class(v.FOOTNOTE_MARKS + v.SUPERSCRIPTS)}\x{{80}}-\x{{10FFFF}}]",
                    rf"\((?i:\W*(?:{'|'.join(v.AND_WORDS)})\W*)\)")


def explode(labels: Any) -> Exploded:
    """Split a string array (nulls: no label) where the tokenizer reads a label as one list."""
    n = len(labels)
    offs, data = byte_view(labels)
    lo, hi = int(offs[0]), int(offs[-1])
    at = np.flatnonzero(_MARKED[data[lo:hi]]) + lo  # numpy finds a bool array's trues fastest
    kind = _LUT[data[at]]
    row = np.searchsorted(offs, at, "right") - 1
    row_end = offs[row + 1]
    before = np.where(at > offs[row], data[np.maximum(at - 1, 0)], 0)  # 0: the label's edge
    after = np.where(at + 1 < row_end, data[np.minimum(at + 1, len(data) - 1)], 0)
    wide = kind == _WIDE
    cue = kind == _CUE
    cue[wide] = _wide(data, at[wide], row_end[wide], _WIDE_CUES) > 0
    plain = labels.is_valid().to_numpy(zero_copy_only=False)  # `one_list`: no cue character, no line break
    plain[row[cue]] = False
    dash = np.flatnonzero(data[lo:hi] == ord("-")) + lo
    dash = dash[_BLANK[data[np.maximum(dash - 1, 0)]] | _BLANK[data[np.minimum(dash + 1, len(data) - 1)]]]
    maybe = _matches(labels, _MAYBE_PATTERNED[0]) | _matches(labels, _MAYBE_PATTERNED[1])
    maybe[np.searchsorted(offs, dash, "right") - 1] = True  # (a neighbour in the next label: looser still)
    maybe = np.flatnonzero(plain & maybe)
    by_bytes = plain.copy()
    by_bytes[maybe] = [not patterned(x) for x in labels.take(pa.array(maybe)).to_pylist()]
    comma = kind == _COMMA
    width = (kind == _SEP).astype(np.int64)  # each separator's bytes (0: not one)
    width[wide] = _wide(data, at[wide], row_end[wide], _WIDE_SEPARATORS)
    by_bytes[row[comma & ((before >= 0x80) | (after >= 0x80))]] = False
    cut = ((width > 0) | comma & ~(_DIGIT[before] & _DIGIT[after])) & by_bytes[row]
    starts = np.sort(np.concatenate([offs[:-1], at[cut]]), kind="stable")
    counts = np.bincount(row[cut], minlength=n) + 1
    bounds = pa.py_buffer(np.append(starts, offs[-1]).astype(offs.dtype))
    kind_of = pa.LargeStringArray if offs.dtype == np.int64 else pa.StringArray
    pieces = kind_of.from_buffers(len(starts), bounds, labels.buffers()[2])
    rows = np.repeat(np.arange(n), counts)
    keep = by_bytes[rows]
    rows, pieces = rows[keep], pieces.filter(pa.array(keep))
    slow = np.flatnonzero(plain & ~by_bytes)
    if len(slow):  # the tokenizer's own split
        keys: list[str] = []
        at_rows: list[int] = []
        for i, text in zip(slow.tolist(), labels.take(pa.array(slow)).to_pylist()):
            strs = split(text, 0, len(text), False)[0]
            keys += ["," + s for s in strs]  # one separator before each, as `piece_texts` drops
            at_rows += [i] * len(strs)
        order = np.argsort(np.concatenate([rows, at_rows]), kind="stable")
        rows = np.concatenate([rows, at_rows])[order]
        pieces = pa.concat_arrays([pieces, pa.array(keys, pieces.type)]).take(pa.array(order))
    return Exploded(plain, rows, pieces)


def piece_texts(keys: Any) -> Any:
    """The pieces as `separators.split` gives them, from their keys in `Exploded.pieces` (the
    separator before each dropped: a first piece has none, and no piece holds a separator)."""
    first = pc.utf8_slice_codeunits(keys, 0, 1)
    after = pc.is_in(first, value_set=pa.array(list(_SEPARATORS), keys.type))
    return pc.if_else(after, pc.utf8_slice_codeunits(keys, 1), keys)


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


def _csr(per_group: list[tuple[Any, ...]], groups: Any, width: int) -> tuple[Any, Any]:
    """(element index, values) of each entry of each element's group, in order."""
    sizes = np.array([len(t) for t in per_group], np.int64)
    flat = np.array([x for t in per_group for entry in t for x in entry], np.float64).reshape(-1, width)
    start = np.concatenate([[0], np.cumsum(sizes)])[groups]
    n = sizes[groups]
    elem = np.repeat(np.arange(len(groups)), n)
    within = np.arange(len(elem)) - np.repeat(np.cumsum(n) - n, n)
    return elem, flat[start[elem] + within]


def _first(rows: Any, ids: Any) -> Any:
    """Indices of the first (row, id) of each pair, in order: a repeated id counts once."""
    if not len(ids):
        return np.zeros(0, np.int64)
    _, first = np.unique(rows * (int(ids.max()) + 1) + ids, return_index=True)  # first of each
    return np.sort(first)


def _joined(rows: Any, names: Any, n: int) -> Any:
    """Per row, its names joined with ';' (pa.StringArray)."""
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]).astype(np.int32)
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), names), ";")


_PIECES: WeakKeyDictionary[Scanner, Pieces] = WeakKeyDictionary()


def pieces_for(scanner: Scanner) -> Pieces:
    """This process's `Pieces` for a scanner (one per worker)."""
    found = _PIECES.get(scanner)
    if found is None:
        found = _PIECES[scanner] = Pieces(scanner)
    return found


class Vectorised(NamedTuple):
    """What the vectorised route gives for a batch of labels: values where `plain` holds."""

    plain: Any  # bool per label: scored here; the others need the tokenizer
    score: Any  # int64 per label (numpy), as are milia and pore_clogging
    milia: Any
    pore_clogging: Any
    hits: Any  # pa.StringArray: risk ids in label order, each once, joined with ';'
    helpful: Any
    verdicts: list[Any]  # with profiles: the fungal and allergen verdicts (pa.StringArray each)


def score_plain(labels: Any, scanner: Scanner, scale: Any, profiles: bool = False) -> Vectorised:
    """Score the labels of a string array that take the vectorised route; `scale` per label is
    MAX_SINGLE * CONTEXT_MULTIPLIER[its context]. Same values as `Scanner.score` (`_lean`): each
    risk id once, at its first place; its amount from its declared percentage, else from the
    unmatched pieces before it (pieces with no token are not ingredients). With `profiles`, the
    verdicts too: the kinds of a label's tokens as a bitmask, read through the profiles' rules
    (`FUNGAL_BY_MASK`, `ALLERGEN_BY_MASK`)."""
    n = len(labels)
    ex = explode(labels)
    known = pieces_for(scanner)
    enc = pc.dictionary_encode(ex.pieces)
    texts = canonical_texts(piece_texts(enc.dictionary)).to_pylist()
    codes = known.codes(texts)[enc.indices.to_numpy(zero_copy_only=False)]
    kind, back, group, declared = known.table()
    plain = ex.plain.copy()
    plain[ex.rows[back[codes]]] = False  # a bracket left open, a cue word: the tokenizer reads it
    keep = plain[ex.rows]
    rows, codes = ex.rows[keep], codes[keep]
    k = kind[codes]
    unmatched = (k == UNMATCHED).astype(np.int64)
    before = np.cumsum(unmatched) - unmatched  # unmatched pieces before each, in the batch
    firsts = np.flatnonzero(np.diff(rows, prepend=-1))
    others = before - np.repeat(before[firsts], np.diff(np.append(firsts, len(rows))))
    m = np.flatnonzero(k == MATCHED)
    mrow, mcode = rows[m], codes[m]
    pct = declared[mcode]
    amount = np.where(np.isnan(pct), _POSITION[np.minimum(others[m], 64)], pct)
    names = pa.array(known.names, pa.string())
    elem, risk = _csr(known.risks, group[mcode], 3)
    rrow, rid = mrow[elem], risk[:, 0].astype(np.int64)
    first = _first(rrow, rid)
    rrow, risk, ramount = rrow[first], risk[first], amount[elem][first]
    score, milia, pore = score_rows(rrow, risk[:, 1], risk[:, 2], ramount, scale, n)
    hits = _joined(rrow, names.take(pa.array(rid[first])), n)
    elem, helpful = _csr(known.helpful, group[mcode], 1)
    hrow, hid = mrow[elem], helpful[:, 0].astype(np.int64)
    first = _first(hrow, hid)
    helpful_ids = _joined(hrow[first], names.take(pa.array(hid[first])), n)
    verdicts = []
    if profiles:
        for kinds, by_mask in zip(known.profile_kinds(), (FUNGAL_BY_MASK, ALLERGEN_BY_MASK)):
            k = kinds[codes]
            token = k >= 0
            mask = np.zeros(n, np.int64)
            np.bitwise_or.at(mask, rows[token], np.left_shift(1, k[token]))
            verdicts.append(pa.array(by_mask, pa.string()).take(pa.array(mask)))
    return Vectorised(plain, score, milia, pore, hits, helpful_ids, verdicts)
