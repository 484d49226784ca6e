"""Scoring, the columnar engine's vectorised route's last stage: the pieces of a batch of
labels (`explode`), their codes in the piece table (`pieces`), the rows scored with numpy in
`score.score_rows`: the same arithmetic in the same order as `Scanner.score`, so the same ints."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..profiles import ALLERGEN_BY_MASK, FUNGAL_BY_MASK
from ..scanner import MATCHED, UNMATCHED, Scanner
from ..score import position_factor, score_rows
from .explode import explode, piece_texts
from .pieces import canonical_texts, pieces_for

_POSITION = np.array([position_factor(k) for k in range(65)])  # position_factor(k >= 64) == [64]


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
