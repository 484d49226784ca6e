"""Splitting, the columnar engine's vectorised route's first stage: a batch of labels split and
exploded with numpy on their UTF-8 bytes into the pieces `separators.split` gives.

A label takes this route when `Tokenizer.read` reads it as one list split on its separators
(`tokenizer.one_list`, found here on the bytes: no cue character, no line break) and, once its
pieces are resolved (`pieces`), no piece holds a cue word or leaves a bracket open. Every other
label goes to `Scanner.score` (see `kernel`).

When `split` takes its str.split route (`separators.patterned` false: no name-ending period,
"(and)" or spaced hyphen; asked only of the labels a looser pattern finds), the pieces are split
here on bytes: the text between the separators (`vocabulary.SEPARATORS` and the comma) but a
comma between two ASCII digits ("1,2-Hexanediol"), as `split` joins them. The other labels, and
those with a non-ASCII character beside a comma (a Unicode digit might keep it), are split by
`split` itself. `pieces.py` resolves each distinct piece once; `vectorised.py` scores the rows.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import vocabulary as v
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
