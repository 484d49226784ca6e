"""Trimming: one piece of a list -> the token inside it, and the amount it declares.

Percentages ("Petrolatum 41%", "5% Benzoyl Peroxide"), footnote marks, bullets, trailing periods
and brackets with no partner are cut from the edges, and so are a footnote legend or a retailer's
disclaimer glued on after the token; a footnote legend ("*Organic ingredient") holds no token.
The ends are read in bounded windows, so a piece of any length costs linear time.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from . import vocabulary as v
from .separators import BRACKET_CHARS, HAS_WORD, pair_brackets


class Trimmed(NamedTuple):
    """One piece of a list, trimmed: the token's bounds inside the piece (a == b: no token)."""

    a: int
    b: int
    percent: float | None  # a declared amount ("Petrolatum 41%")
    unbalanced: bool  # the piece leaves a bracket open or closes one it did not open


_KEEP = re.compile(rf"(?:(?![{v.SUPERSCRIPTS}])[^\W_]|[()\[\]{{}}])")
_TAIL = 64  # percentages and junk are trimmed from the ends in windows this wide: linear however long
_PCT_END = re.compile(r"(?:\(\s*<?\s*(\d+(?:[.,]\d+)?)\s*%\s*\)|<?\s*(\d+(?:[.,]\d+)?)\s*%)(?:[^\w()\[\]{}]|_)*\Z")
_AMOUNT_END = re.compile(rf"(?:\s*[:=]\s*|\s+)\d+(?:[.,]\d+)?\s*(?:{'|'.join(v.UNITS)})\b\.?\s*\Z", re.I)
_PCT_START = re.compile(r"<?\s*(\d+(?:[.,]\d+)?)\s*%\s*")
_PCT = re.compile(r"<?\s*(\d+(?:[.,]\d+)?)\s*%")
_DIGIT = re.compile(r"\d")
_JUNK_END = re.compile(rf"(?:[^\w()\[\]{{}}]|[_{v.SUPERSCRIPTS}])+\Z")
_MARK_CHAR = f"[{v.FOOTNOTE_MARKS}¹²³]"
_MARKS = _MARK_CHAR + "+"
_LEGEND_WORDS = rf"(?:certified\s+|from\s+|made\s+with\s+)?(?:{'|'.join(v.LEGEND_WORDS)})"
_LEGEND = re.compile(rf"(?i){_MARKS}\s*{_LEGEND_WORDS}")
# What a label glues on after its last token: a footnote legend, spaced from the token or from its
# mark ("Phenoxyethanol * Essential Oil", "Lavender Oil** Essential Oil"), or a disclaimer (a
# search costs ~0.4 us a piece, so it runs only where one can be). A run of marks is tried from its
# first mark only: from each of them, a long run would cost quadratic time.
_GLUED = re.compile(rf"(?i)(?:\s{_MARKS}\s*|(?<!{_MARK_CHAR}){_MARKS}\s+){_LEGEND_WORDS}|\b(?:{'|'.join(v.DISCLAIMERS)})")
_MARK = re.compile(_MARK_CHAR)
_DISCLAIMER_WORD = v.DISCLAIMER_WORD[1:]  # "ngredient": "Ingredient" too
_DISCLAIMER_CAPS = _DISCLAIMER_WORD.upper()


def _number(s: str) -> float:
    return float(s.replace(",", "."))


def trim(piece: str, *, active: bool = False) -> Trimmed:
    """The token inside one piece: junk, footnote marks, stray brackets and percentages trimmed
    from its edges. `active`: a Drug Facts active, whose purpose follows its percentage."""
    # a legend or a disclaimer is looked for only where one can be: a mark ("*" is the only ASCII
    # one), or the word every disclaimer holds as labels print it (lower, Title or UPPER case)
    glue = bool(("*" in piece if piece.isascii() else _MARK.search(piece)) or _DISCLAIMER_WORD in piece
                or _DISCLAIMER_CAPS in piece)
    if (glue or not piece[:1].isalpha() or not piece[-1:].isalpha() or not BRACKET_CHARS.isdisjoint(piece)
            or _DIGIT.search(piece)):
        return _cut(piece, active, glue)
    return Trimmed(0, len(piece), None, False)  # most pieces: letters at both ends, nothing to cut


def _cut(piece: str, active: bool, glue: bool) -> Trimmed:
    """`trim`, read in full; `glue`: look for a legend or a disclaimer glued on."""
    if BRACKET_CHARS.isdisjoint(piece):
        pairs: dict[int, int] = {}
        unbalanced = False
    else:
        pairs = pair_brackets(piece, 0, len(piece))
        unbalanced = len(pairs) != sum(map(piece.count, "()[]{}"))
    a, b, percent = 0, len(piece), None
    first = _KEEP.search(piece)
    while first is not None and piece[first.start()] in BRACKET_CHARS and not pairs.get(first.start(), -1) > first.start():
        first = _KEEP.search(piece, first.start() + 1)  # a bracket that closes nothing in the piece
    if first is None:
        return Trimmed(0, 0, None, unbalanced)
    a = first.start()
    lead = _PCT_START.match(piece, a)
    if lead is not None and lead.end() < b:  # "5% Benzoyl Peroxide"
        percent, a = _number(lead.group(1)), lead.end()
    if glue:
        glued = _GLUED.search(piece, a)
        if glued is not None:  # "Phenoxyethanol * Essential Oil Please be aware that ingredient lists may change"
            b = glued.start()
    if active:
        pct = _PCT.search(piece, a)
        if pct is not None and pct.start() > a:  # "Avobenzone 3% Sunscreen": the purpose follows
            percent, b = _number(pct.group(1)), pct.start()
    while a < b:
        lo = max(a, b - _TAIL)
        # each pattern is tried only where it can match: most pieces end in a letter, with no
        # digit near the end (a search tries every start in the window)
        digits = _DIGIT.search(piece, lo, b) is not None
        pct = _PCT_END.search(piece, lo, b) if digits and piece.find("%", lo, b) >= 0 else None
        if pct is not None:  # "Petrolatum 41%", "Adapalene (0.1%)": the amount is not the name
            percent = _number(pct.group(1) or pct.group(2)) if percent is None else percent
            b = pct.start()
            continue
        amount = _AMOUNT_END.search(piece, lo, b) if digits else None
        if amount is not None and amount.start() > a:  # "Vaseline : 40 g"
            b = amount.start()
            continue
        last = piece[b - 1]
        junk = None if last.isalnum() and last not in v.SUPERSCRIPTS else _JUNK_END.search(piece, lo, b)
        if junk is not None:
            b = junk.start()
            continue
        if piece[b - 1] in BRACKET_CHARS and not a <= pairs.get(b - 1, -1) < b:
            b -= 1  # a bracket with no partner in the token
            continue
        break
    indent = len(piece) - len(piece.lstrip())
    if a >= b or HAS_WORD.search(piece, a, b) is None or _LEGEND.match(piece, indent):
        return Trimmed(0, 0, None, unbalanced)
    return Trimmed(a, b, percent, unbalanced)
