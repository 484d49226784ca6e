"""Separators: one region of a label -> its pieces at bracket depth 0, with their offsets.

A region is split on its separators (`,` `;` `•` …, a period that ends a name, "(and)", a
hyphen spaced on one side or both between names; line breaks when the list has no other
separator). A piece that leaves a bracket open is joined with the pieces up to its closing
bracket, which makes the split one at bracket depth 0, and a bracket that holds a list ("Parfum
(Limonene, Linalool)") gives its items as pieces. Linear in the region.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate
from operator import add, sub
from typing import NamedTuple

from . import vocabulary as v


def _abbreviations() -> str:
    """"Vit. E", "Alcohol Denat.": no split after these words (lookbehinds need one width each)."""
    by_len: dict[int, list[str]] = {}
    for word in v.ABBREVIATIONS:
        by_len.setdefault(len(word), []).append(word)
    return "".join(rf"(?<!\b(?:{'|'.join(ws)})\.)" for _, ws in sorted(by_len.items()))


_AND = rf"\(\s*(?:{'|'.join(v.AND_WORDS)})\s*\)"
# A hyphen spaced on one side or both, from the end of a word to a capital, separates
# ("Isohexadecane- Butylene Glycol", "Cyclopentasiloxane -Tromethamine"): INCI names hyphenate
# without spaces (PEG-100, Laureth-4), "C12- 15" has a digit after it, and a word broken at the
# end of a printed line goes on in lower case ("La- vandula", "Hydroge- nated"). `split` turns
# each into a comma (one character for one), so the split patterns need no alternative for it;
# the pattern starts with the hyphen, which the regex engine finds fast.
HYPHEN = r"(?-i:-(?<=[a-z]-)(?=[ \t]+[A-Z])|-(?<=[a-z][ \t]-)(?=[ \t]*[A-Z]))"  # case matters
# A period ends a name when followed by a space or a footnote mark, except after a digit-free
# abbreviation; a comma between digits is part of a name.
_PERIOD_END = rf"\.{_abbreviations()}(?=[\s{v.FOOTNOTE_MARKS}{v.SUPERSCRIPTS}])"
CORE = rf"{_AND}|[{re.escape(v.SEPARATORS)}]|,(?!(?<=\d,)\d)|{_PERIOD_END}"
_SPLIT = re.compile(f"({CORE})", re.I)
_SPLIT_ONLY_LINES = re.compile(rf"(\r\n|[{v.LINE_BREAKS}])")
_SPLIT_LINES = re.compile(rf"({CORE}|\r\n|[{v.LINE_BREAKS}])", re.I)
BREAK = re.compile(f"[{v.LINE_BREAKS}]")
# What the separator characters do not split: a period that ends a name (made a comma, one
# character for one), "(and)" (only the pattern splits it). Each starts with a literal, which the
# regex engine finds fast.
_PERIOD = re.compile(_PERIOD_END, re.I)
_AND_RE = re.compile(_AND, re.I)
_HYPHEN_RE = re.compile(HYPHEN)
_OTHER_SEPARATORS = tuple(v.SEPARATORS)  # each becomes a comma: one character for one
_ASCII_SEPARATORS = tuple(c for c in v.SEPARATORS if c.isascii())
_COMMA_DIGIT = re.compile(r",\d")
_PLUS_ONE = (1).__add__
_BRACKET = re.compile(r"[()\[\]{}]")
BRACKET_CHARS = frozenset(v.BRACKETS) | frozenset(v.BRACKETS.values())
_CLOSERS = frozenset(v.BRACKETS.values())
HAS_WORD = re.compile(r"[^\W_]")
_MAX_NESTING = 4  # sub-lists inside sub-lists deeper than this stay one token


def pair_brackets(text: str, a: int, b: int) -> dict[int, int]:
    """Matched brackets in text[a:b]: open -> close and close -> open. A closer pairs with the
    nearest opener of its kind; openers skipped over stay unmatched. Linear: each opener is
    pushed and popped once, and a closer with no opener of its kind pops nothing."""
    pairs: dict[int, int] = {}
    stack: list[tuple[int, str]] = []
    open_count = dict.fromkeys(_CLOSERS, 0)
    for m in _BRACKET.finditer(text, a, b):
        ch, i = m.group(), m.start()
        if ch in v.BRACKETS:
            stack.append((i, v.BRACKETS[ch]))
            open_count[v.BRACKETS[ch]] += 1
        elif open_count[ch]:
            while True:
                o, want = stack.pop()
                open_count[want] -= 1
                if want == ch:
                    pairs[o], pairs[i] = i, o
                    break
    return pairs


def has_break(text: str, a: int, b: int) -> bool:
    return (text.find("\n", a, b) >= 0 or text.find("\r", a, b) >= 0
            or not text.isascii() and (text.find("\u2028", a, b) >= 0 or text.find("\u2029", a, b) >= 0))


def bulleted(text: str, a: int, b: int) -> bool:
    """One ingredient per line, each line starting with a bullet ("- Wollwachs (32,5%)"): commas
    inside a line then belong to the name ("- Paraffin, dickflüssig")."""
    lines = [line.lstrip() for line in BREAK.split(text[a:b]) if line.strip()]
    return len(lines) > 1 and all(line[0] in v.BULLETS for line in lines)


def split(text: str, a: int, b: int, lines: bool | str) -> tuple[list[str], list[int] | None]:
    """text[a:b] split on separators: the pieces and their offsets in `text`, or None for the
    offsets when every separator is one character (`offsets` derives them, when asked).
    `lines`: line breaks separate too; "only": only line breaks do (a bulleted list).

    Python's regex engine is slow on character classes, so the common shapes take C-level
    string methods: every separator character becomes a comma (one character for one, so the
    offsets hold), then `str.split`. A spaced hyphen that separates, and a period that ends a
    name, become commas first; "(and)" and line breaks take the pattern.
    """
    sub = text[a:b] if a or b != len(text) else text
    if lines != "only" and _spaced_hyphen(sub):
        sub = _HYPHEN_RE.sub(",", sub)
    if lines or "(" in sub and _AND_RE.search(sub):
        chunks = (_SPLIT_ONLY_LINES if lines == "only" else _SPLIT_LINES if lines else _SPLIT).split(sub)
        return chunks[::2], list(accumulate(map(len, chunks), initial=a))[::2]
    if "." in sub:
        ends = [m.start() for m in _PERIOD.finditer(sub)]
        if ends:
            sub = ",".join([sub[i + 1 : j] for i, j in zip([-1, *ends], [*ends, len(sub)])])
    if not sub.isascii() or any(map(sub.__contains__, _ASCII_SEPARATORS)):
        for ch in _OTHER_SEPARATORS:  # str.translate is slow on non-ASCII text; a few replaces are not
            if ch in sub:
                sub = sub.replace(ch, ",")
    strs = sub.split(",")
    if _COMMA_DIGIT.search(sub) is not None:
        strs = _digit_commas(text, a, strs)
    return strs, None


def _spaced_hyphen(sub: str) -> bool:
    return "- " in sub or " -" in sub  # what a separating hyphen needs (`HYPHEN`): the cheap test first


def patterned(sub: str) -> bool:
    """Whether `split` (without line breaks) reads `sub` with more than its separator characters:
    it may hold a period that ends a name, "(and)" or a spaced hyphen that separates."""
    return bool("." in sub and _PERIOD.search(sub) or "(" in sub and _AND_RE.search(sub)
                or _spaced_hyphen(sub) and _HYPHEN_RE.search(sub))


def offsets(strs: list[str], a: int) -> list[int]:
    """Where each piece starts, for pieces split on one-character separators from offset a."""
    return list(accumulate(map(_PLUS_ONE, map(len, strs)), initial=a))[:-1]


def key_offsets(strs: list[str], keys: list[str], a: int, starts: list[int] | None) -> list[int]:
    """Where each key starts: a key is its piece without the leading whitespace, so it ends where
    the piece does. `starts`: where each piece starts; None: one-character separators from
    offset a, so each piece ends one before the next starts. C-level steps: a report reads this
    for every batch of the label."""
    if starts is None:
        ends = accumulate(map(_PLUS_ONE, map(len, strs)), initial=a - 1)
        next(ends)  # the i-th piece ends at a + the lengths of pieces 0..i + i separators
    else:
        ends = map(add, starts, map(len, strs))
    return list(map(sub, ends, map(len, keys)))


def _digit_commas(text: str, a: int, strs: list[str]) -> list[str]:
    """"1,2-Hexanediol": a comma between digits is part of the name. Digits as the pattern's \\d
    has them (`isdecimal`: "1,²" is two pieces, whichever route splits it)."""
    bounds: list[list[int]] = []  # [start, end] of each joined piece: slicing once keeps it linear
    at = a
    for piece in strs:
        if bounds and text[at - 2 : at - 1].isdecimal() and piece[:1].isdecimal() and text[at - 1] == ",":
            bounds[-1][1] = at + len(piece)
        else:
            bounds.append([at, at + len(piece)])
        at += len(piece) + 1
    return [text[s:e] for s, e in bounds]


def join_hyphenated(text: str, strs: list[str], offs: list[int]) -> tuple[list[str], list[int]]:
    """One name per line: "Petro-\\nlatum" is one word hyphenated across the break."""
    bounds: list[list[int]] = []  # [start, end] of each joined piece: slicing once keeps it linear
    for s, o in zip(strs, offs):
        if bounds and _ends_with_hyphen(text, *bounds[-1]) and BREAK.match(text, bounds[-1][1]):
            bounds[-1][1] = o + len(s)
            continue
        bounds.append([o, o + len(s)])
    return [text[s:e] for s, e in bounds], [s for s, _ in bounds]


def _ends_with_hyphen(text: str, start: int, end: int) -> bool:
    j = end - 1
    while j >= start and text[j] in " \t":
        j -= 1
    return j >= start and text[j] == "-"


class Spans(NamedTuple):
    spans: list[tuple[int, int]]  # (start, end) of each piece, sub-list items included
    groups: int  # pieces at bracket depth 0: one means the separators were all inside brackets


class Brackets(NamedTuple):
    """A region's matched brackets: pairs both ways, and the openers in order."""

    pairs: dict[int, int]
    openers: list[int]


def brackets(text: str, a: int, b: int) -> Brackets:
    pairs = pair_brackets(text, a, b)
    return Brackets(pairs, sorted(o for o, c in pairs.items() if o < c))


def depth_zero(text: str, a: int, b: int, strs: list[str], offs: list[int], depth: int = 0,
               found: Brackets | None = None) -> Spans:
    """The pieces of text[a:b] at bracket depth 0: pieces split inside a bracket are joined, and
    a bracket that holds a list gives its items. Called only when a piece leaves a bracket open
    or shut, or for a one-per-line list (most labels never get here).

    A group of pieces joined this way is one name when a word follows the first bracket that
    holds a separator ("Persea Gratissima (Extra Virgin, Cold Pressed Avocado) Oil"); else that
    bracket's items are tokens, after the name before it ("Parfum (Limonene, Linalool)").
    Brackets are paired once per region: a matched pair holds only pairs of its own, so a
    sub-list reuses them.
    """
    if len(strs) == 1:  # no separator: nothing to join or expand
        return Spans([(offs[0], offs[0] + len(strs[0]))], 1)
    found = found or brackets(text, a, b)
    tops = top_intervals(found, a, b)
    out: list[tuple[int, int]] = []
    i, k, n, groups = 0, 0, len(strs), 0
    while i < n:
        groups += 1
        j, first = i, None
        while j + 1 < n:  # join while the separator after piece j is inside a bracket
            sep = offs[j] + len(strs[j])
            while k < len(tops) and tops[k][1] < sep:
                k += 1
            if k == len(tops) or tops[k][0] >= sep:
                break
            first = first or tops[k]
            j += 1
        s, e = offs[i], offs[j] + len(strs[j])
        i = j + 1
        if first is None:
            out.append((s, e))
            continue
        o, c = first
        nested = depth < _MAX_NESTING and not HAS_WORD.search(text, c + 1, e)
        items = _items(text, o + 1, c, depth, found) if nested else None
        out += [(s, e)] if items is None else [(s, o), *items, (c + 1, e)]
    return Spans(out, groups)


def top_intervals(found: Brackets, a: int, b: int) -> list[tuple[int, int]]:
    """The outermost bracket pairs within [a, b), in order (pairs nest or are disjoint)."""
    out: list[tuple[int, int]] = []
    pairs = found.pairs
    for o in found.openers[bisect_left(found.openers, a) : bisect_left(found.openers, b)]:
        if not out or o > out[-1][1]:
            out.append((o, pairs[o]))
    return out


def _items(text: str, a: int, b: int, depth: int, found: Brackets) -> list[tuple[int, int]] | None:
    """The items of a bracketed list, or None when the bracket holds one name."""
    strs, offs = split(text, a, b, False)
    inner = depth_zero(text, a, b, strs, offs or offsets(strs, a), depth + 1, found)
    return inner.spans if inner.groups > 1 else None
