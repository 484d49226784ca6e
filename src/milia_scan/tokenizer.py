"""Label text -> ingredient tokens with spans into the unchanged input. One route for every label:

  1. sections (`sections.py`): the regions that hold lists, with their section and part;
  2. separators (`separators.py`): each region split into pieces at bracket depth 0, a bracket
     that holds a list giving its items;
  3. trim (`trim.py`): each distinct piece is trimmed once (percentages, footnote marks,
     bullets, stray brackets) and cached here with whatever the tokenizer's owner derives from
     the token (the Scanner: its match), so a piece seen before costs one dict lookup.

`label[start:end]` is always the token. Every step is linear in the label.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import compress
from operator import attrgetter
from typing import Generic, NamedTuple, TypeVar

from .cache import make_room
from .sections import PartHead, Region, regions
from .separators import bulleted, depth_zero, has_break, join_hyphenated, split
from .trim import trim

_UNBALANCED = attrgetter("unbalanced")
_HAS_TOKEN = attrgetter("b")

T = TypeVar("T")


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


# --------------------------------------------------------------------------- trimming


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
        get = self._cache.get
        breaks = has_break(label, a, b)
        if breaks and bulleted(label, a, b):
            strs, offs = split(label, a, b, "only")
            entries, spans = [], depth_zero(label, a, b, strs, offs)
        else:
            strs, offs = split(label, a, b, False)
            entries = list(map(get, strs))
            if None in entries:
                entries = [e if e is not None else self._piece(s) for e, s in zip(entries, strs)]
            spans = depth_zero(label, a, b, strs, offs) if any(map(_UNBALANCED, entries)) else None
            if breaks and (spans.groups if spans else len(strs)) == 1:
                strs, offs = join_hyphenated(label, *split(label, a, b, True))  # one name per line
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
