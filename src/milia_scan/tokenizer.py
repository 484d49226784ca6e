"""Label text -> ingredient tokens with spans into the unchanged input. One route for every label:

  1. sections (`sections.py`): the regions that hold lists, with their section and part;
  2. separators: each region is split on its separators (`,` `;` `•` …, a period that ends a
     name, "(and)"; line breaks when the list has no other separator) by one compiled pattern;
     a piece that leaves a bracket open is joined with the pieces up to its closing bracket,
     which makes the split one at bracket depth 0, and a bracket that holds a list
     ("Parfum (Limonene, Linalool)") gives its items as tokens;
  3. trim: each distinct piece is trimmed once (percentages, footnote marks, bullets, stray
     brackets) and cached with whatever its owner derives from it (the Scanner: its match).

`label[start:end]` is always the token. Every step is linear in the label.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import accumulate, compress
from operator import attrgetter
from typing import Generic, NamedTuple, TypeVar

from . import vocabulary as v
from .cache import make_room
from .sections import PartHead, Region, regions

T = TypeVar("T")


class Trimmed(NamedTuple):
    """One piece of a list, trimmed: the token's bounds inside the piece (a == b: no token)."""

    a: int
    b: int
    percent: float | None  # a declared amount ("Petrolatum 41%")
    unbalanced: bool  # the piece leaves a bracket open or closes one it did not open


class Piece(NamedTuple, Generic[T]):
    """A cached piece: its trim and what the tokenizer's owner derived from the token text."""

    a: int
    b: int
    percent: float | None
    unbalanced: bool
    value: T


class Batch(NamedTuple, Generic[T]):
    """The tokens of one region: its section, part and flags, and each token's piece and offset.
    Batches, not a record per token: most callers (bulk scoring) never need the spans."""

    region: Region
    offsets: list[int]  # where each piece starts in the label: a token is label[o + p.a : o + p.b]
    pieces: list[Piece[T]]


# --------------------------------------------------------------------------- patterns


def _abbreviations() -> str:
    """"Vit. E", "Alcohol Denat.": no split after these words (lookbehinds need one width each)."""
    by_len: dict[int, list[str]] = {}
    for word in v.ABBREVIATIONS + ("l",):
        by_len.setdefault(len(word), []).append(word)
    return "".join(rf"(?<!\b(?:{'|'.join(ws)})\.)" for _, ws in sorted(by_len.items()))


_AND = rf"\(\s*(?:{'|'.join(v.AND_WORDS)})\s*\)"
# A period ends a name when followed by a space or a footnote mark, except after a digit-free
# abbreviation; a comma between digits is part of a name.
_CORE = rf"{_AND}|[{re.escape(v.SEPARATORS)}]|,(?!(?<=\d,)\d)|\.{_abbreviations()}(?=[\s{v.FOOTNOTE_MARKS}{v.SUPERSCRIPTS}])"
_SPLIT = re.compile(f"({_CORE})", re.I)
_SPLIT_LINES = re.compile(rf"({_CORE}|\r\n|[{v.LINE_BREAKS}])", re.I)
_BREAK = re.compile(f"[{v.LINE_BREAKS}]")
# What only the pattern can split: a period that ends a name, "(and)". Both start with a literal,
# which the regex engine finds fast.
_PATTERN_NEEDED = re.compile(rf"\.[\s{v.FOOTNOTE_MARKS}{v.SUPERSCRIPTS}]|{_AND}", re.I)
_TO_COMMA = str.maketrans(dict.fromkeys(v.SEPARATORS, ","))
_TO_COMMA_LINES = str.maketrans(dict.fromkeys(v.SEPARATORS + v.LINE_BREAKS, ","))
_COMMA_DIGIT = re.compile(r",\d")
_PLUS_ONE = (1).__add__
_BRACKET = re.compile(r"[()\[\]{}]")
_BRACKET_CHARS = frozenset("()[]{}")
_CLOSERS = frozenset(v.BRACKETS.values())
_HAS_WORD = re.compile(r"[^\W_]")
_KEEP = re.compile(rf"(?:(?![{v.SUPERSCRIPTS}])[^\W_]|[()\[\]{{}}])")
_TAIL = 64  # percentages and junk are trimmed from the ends in windows this wide: linear however long
_PCT_END = re.compile(r"(?:\(\s*<?\s*(\d+(?:[.,]\d+)?)\s*%\s*\)|<?\s*(\d+(?:[.,]\d+)?)\s*%)(?:[^\w()\[\]{}]|_)*\Z")
_PCT_START = re.compile(r"<?\s*(\d+(?:[.,]\d+)?)\s*%\s*")
_PCT = re.compile(r"<?\s*(\d+(?:[.,]\d+)?)\s*%")
_JUNK_END = re.compile(rf"(?:[^\w()\[\]{{}}]|[_{v.SUPERSCRIPTS}])+\Z")
_LEGEND = re.compile(rf"(?i)[{v.FOOTNOTE_MARKS}¹²³]+\s*(?:certified\s+|from\s+|made\s+with\s+)?(?:{'|'.join(v.LEGEND_WORDS)})")
_UNBALANCED = attrgetter("unbalanced")
_HAS_TOKEN = attrgetter("b")
_MAX_NESTING = 4  # sub-lists inside sub-lists deeper than this stay one token


# --------------------------------------------------------------------------- trimming


def _pairs(text: str, a: int, b: int) -> dict[int, int]:
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


def _number(s: str) -> float:
    return float(s.replace(",", "."))


def trim(piece: str, *, active: bool = False) -> Trimmed:
    """The token inside one piece: junk, footnote marks, stray brackets and percentages trimmed
    from its edges. `active`: a Drug Facts active, whose purpose follows its percentage."""
    if _BRACKET_CHARS.isdisjoint(piece):
        pairs: dict[int, int] = {}
        unbalanced = False
    else:
        pairs = _pairs(piece, 0, len(piece))
        unbalanced = len(pairs) != sum(map(piece.count, "()[]{}"))
    a, b, percent = 0, len(piece), None
    first = _KEEP.search(piece)
    while first is not None and piece[first.start()] in _BRACKET_CHARS and not pairs.get(first.start(), -1) > first.start():
        first = _KEEP.search(piece, first.start() + 1)  # a bracket that closes nothing in the piece
    if first is None:
        return Trimmed(0, 0, None, unbalanced)
    a = first.start()
    lead = _PCT_START.match(piece, a)
    if lead is not None and lead.end() < b:  # "5% Benzoyl Peroxide"
        percent, a = _number(lead.group(1)), lead.end()
    if active:
        pct = _PCT.search(piece, a)
        if pct is not None and pct.start() > a:  # "Avobenzone 3% Sunscreen": the purpose follows
            percent, b = _number(pct.group(1)), pct.start()
    while a < b:
        lo = max(a, b - _TAIL)
        pct = _PCT_END.search(piece, lo, b)
        if pct is not None:  # "Petrolatum 41%", "Adapalene (0.1%)": the amount is not the name
            percent = _number(pct.group(1) or pct.group(2)) if percent is None else percent
            b = pct.start()
            continue
        junk = _JUNK_END.search(piece, lo, b)
        if junk is not None:
            b = junk.start()
            continue
        if piece[b - 1] in _BRACKET_CHARS and not a <= pairs.get(b - 1, -1) < b:
            b -= 1  # a bracket with no partner in the token
            continue
        break
    indent = len(piece) - len(piece.lstrip())
    if a >= b or _HAS_WORD.search(piece, a, b) is None or _LEGEND.match(piece, indent):
        return Trimmed(0, 0, None, unbalanced)
    return Trimmed(a, b, percent, unbalanced)


# --------------------------------------------------------------------------- splitting


def _split(text: str, a: int, b: int, lines: bool) -> tuple[list[str], list[int]]:
    """text[a:b] split on separators: the pieces and their offsets in `text`.

    Python's regex engine is slow on character classes, so the common shapes take C-level
    string methods: every separator character becomes a comma (one character for one, so the
    offsets hold), then `str.split`. A period that ends a name or "(and)" takes the pattern.
    """
    sub = text[a:b] if a or b != len(text) else text
    if _PATTERN_NEEDED.search(sub) is not None:
        chunks = (_SPLIT_LINES if lines else _SPLIT).split(sub)
        return chunks[::2], list(accumulate(map(len, chunks), initial=a))[::2]
    if not sub.isascii() or ";" in sub or "|" in sub or lines:
        sub = sub.translate(_TO_COMMA_LINES if lines else _TO_COMMA)
    strs = sub.split(",")
    if _COMMA_DIGIT.search(sub) is not None:
        strs = _digit_commas(text, a, strs)
    return strs, list(accumulate(map(_PLUS_ONE, map(len, strs)), initial=a))[:-1]


def _digit_commas(text: str, a: int, strs: list[str]) -> list[str]:
    """"1,2-Hexanediol": a comma between digits is part of the name."""
    out: list[str] = []
    at = a
    for piece in strs:
        if out and out[-1][-1:].isdigit() and piece[:1].isdigit() and text[at - 1] == ",":
            out[-1] += "," + piece
        else:
            out.append(piece)
        at += len(piece) + 1
    return out


def _join_hyphenated(text: str, strs: list[str], offs: list[int]) -> tuple[list[str], list[int]]:
    """One name per line: "Petro-\\nlatum" is one word hyphenated across the break."""
    out_s: list[str] = []
    out_o: list[int] = []
    for s, o in zip(strs, offs):
        if out_s and out_s[-1].rstrip(" \t").endswith("-") and _BREAK.match(text, out_o[-1] + len(out_s[-1])):
            out_s[-1] = text[out_o[-1] : o + len(s)]
            continue
        out_s.append(s)
        out_o.append(o)
    return out_s, out_o


class Spans(NamedTuple):
    spans: list[tuple[int, int]]  # (start, end) of each piece, sub-list items included
    groups: int  # pieces at bracket depth 0: one means the separators were all inside brackets


def depth_zero(text: str, a: int, b: int, strs: list[str], offs: list[int], depth: int = 0) -> Spans:
    """The pieces of text[a:b] at bracket depth 0: pieces split inside a bracket are joined, and
    a bracket that holds a list gives its items. Called only when a piece leaves a bracket open
    or shut (most labels never get here)."""
    pairs = _pairs(text, a, b)
    out: list[tuple[int, int]] = []
    i, n, groups = 0, len(strs), 0
    while i < n:
        groups += 1
        s, e = offs[i], offs[i] + len(strs[i])
        o = _crossing(text, s, e, pairs)
        if o is None:
            out.append((s, e))
            i += 1
            continue
        c = pairs[o]
        j = i
        while j + 1 < n and offs[j + 1] <= c:
            j += 1
        g_end = offs[j] + len(strs[j])
        items = _items(text, o + 1, c, depth) if depth < _MAX_NESTING else None
        if _HAS_WORD.search(text, c + 1, g_end) or items is None or len(items) < 2:
            out.append((s, g_end))  # "Persea Gratissima (Extra Virgin, Cold Pressed Avocado) Oil": one name
        else:
            out += [(s, o), *items, (c + 1, g_end)]
        i = j + 1
    return Spans(out, groups)


def _crossing(text: str, s: int, e: int, pairs: dict[int, int]) -> int | None:
    """The opener in [s, e) whose bracket closes after e (at most one is outermost), or None."""
    for m in _BRACKET.finditer(text, s, e):
        c = pairs.get(m.start(), -1)
        if c >= e:
            return m.start()
    return None


def _items(text: str, a: int, b: int, depth: int) -> list[tuple[int, int]] | None:
    """The items of a bracketed list, or None when the bracket holds one name."""
    strs, offs = _split(text, a, b, False)
    if len(strs) < 2:
        return None
    inner = depth_zero(text, a, b, strs, offs, depth + 1)
    return inner.spans if inner.groups > 1 else None


# --------------------------------------------------------------------------- the route


class Tokenizer(Generic[T]):
    """Reads labels into rows, caching each distinct piece with `derive(token_text)`.

    The owner (the Scanner) passes a `derive` that resolves the token against the lexicon, so a
    piece seen before costs one dict lookup. The cache is bounded: memory stays flat.
    """

    def __init__(self, derive: Callable[[str], T], limit: int = 50_000) -> None:
        self._derive = derive
        self._limit = limit
        self._cache: dict[str, Piece[T]] = {}

    def __getstate__(self) -> dict[str, object]:
        """Pickle without the cache: smaller, and safe while another thread is reading."""
        return {**self.__dict__, "_cache": {}}

    def _piece(self, piece: str) -> Piece[T]:
        t = trim(piece)
        found = Piece(t.a, t.b, t.percent, t.unbalanced, self._derive(piece[t.a : t.b]) if t.b else None)
        make_room(self._cache, self._limit)
        self._cache[piece] = found
        return found

    def read(self, label: str) -> tuple[list[Batch[T]], tuple[PartHead, ...]]:
        """Every token of the label in order, in batches by region, and the parts they belong to."""
        if not isinstance(label, str):
            raise TypeError(f"label must be str, not {type(label).__name__}")
        regs, parts = regions(label)
        batches = [self._region(label, r) for r in regs]
        if len(parts) == 1:
            return batches, parts
        used = sorted({bt.region.part for bt in batches if bt.pieces}) or [0]
        if used == list(range(len(parts))):
            return batches, parts
        renumber = {old: new for new, old in enumerate(used)}  # parts with no token are not parts
        batches = [bt._replace(region=bt.region._replace(part=renumber[bt.region.part])) for bt in batches if bt.pieces]
        return batches, tuple(parts[i] for i in used)

    def _region(self, label: str, r: Region) -> Batch[T]:
        a, b = r.start, r.end
        strs, offs = _split(label, a, b, False)
        get = self._cache.get
        entries = list(map(get, strs))
        if None in entries:
            entries = [e if e is not None else self._piece(s) for e, s in zip(entries, strs)]
        spans = depth_zero(label, a, b, strs, offs) if any(map(_UNBALANCED, entries)) else None
        if (spans.groups if spans else len(strs)) == 1 and _BREAK.search(label, a, b):
            strs, offs = _join_hyphenated(label, *_split(label, a, b, True))  # one name per line
            spans = depth_zero(label, a, b, strs, offs)
        if spans is not None:
            strs = [label[s:e] for s, e in spans.spans]
            offs = [s for s, _ in spans.spans]
            entries = [get(s) or self._piece(s) for s in strs]
        if r.section == "active":
            entries = [self._active(s) for s in strs]
        keep = list(map(_HAS_TOKEN, entries))
        return Batch(r, list(compress(offs, keep)), list(compress(entries, keep)))  # type: ignore[arg-type]

    def _active(self, piece: str) -> Piece[T]:
        t = trim(piece, active=True)
        return Piece(t.a, t.b, t.percent, t.unbalanced, self._derive(piece[t.a : t.b]) if t.b else None)
