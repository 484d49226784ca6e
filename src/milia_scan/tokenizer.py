"""Label text -> ingredient tokens with spans into the unchanged input. One route for every label:

  1. sections (`headers.py` finds the marks, `sections.py` reads them): the regions that hold
     lists, with their section and part;
  2. separators (`separators.py`): each region split into pieces at bracket depth 0, a bracket
     that holds a list giving its items;
  3. trim (`trim.py`): each distinct piece is trimmed once (percentages, footnote marks,
     bullets, stray brackets) and cached here with whatever the tokenizer's owner derives from
     the token (the Scanner: its match), so a piece seen before costs one dict lookup.

`label[start:end]` is always the token. Every step is linear in the label.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Generic, NamedTuple, TypeVar

from . import vocabulary as v
from .cache import make_room
from .sections import PartHead, Region, plain, regions
from .separators import bulleted, depth_zero, has_break, join_hyphenated, key_offsets, offsets, split
from .trim import trim

_UNBALANCED = attrgetter("unbalanced")
_HAS_TOKEN = attrgetter("b")
_CUE = attrgetter("cue")

T = TypeVar("T")


class Piece(NamedTuple, Generic[T]):
    """A cached piece: its trim and what the tokenizer's owner derived from the token text (or
    the owner's `empty` value for a piece that holds no token: b == 0). `a` and `b` bound the
    token in the text looked up: `read` looks each piece up without its leading whitespace."""

    a: int
    b: int
    percent: float | None
    unbalanced: bool
    cue: bool  # holds a header or "may contain" word: the label needs `regions`
    value: T


class Batch(NamedTuple, Generic[T]):
    """The pieces of one region, with its section, part and flags. Batches, not a record per
    token: most callers (bulk scoring) never need the spans, so offsets are derived on demand."""

    region: Region
    texts: list[str]  # each piece as written
    keys: list[str]  # each piece without its leading whitespace: what was looked up (a piece's a, b index it)
    pieces: list[Piece[T]]  # pieces with no token (b == 0) included
    starts: list[int] | None  # where each piece starts; None: one-character separators (`key_starts`)

    def key_starts(self) -> list[int]:
        """Where each key starts in the label."""
        return key_offsets(self.texts, self.keys, self.region.start, self.starts)


def cue_chars(label: str) -> bool:
    """Whether the label holds a cue character (a header or marker may follow: `regions`)."""
    return any(map(label.__contains__, v.CUE_CHARS))


def one_list(label: str) -> bool:
    """Whether `read` reads the label as one list split on its separators (`split` without line
    breaks), unless one of its pieces holds a cue word or leaves a bracket open (`Piece.cue`,
    `Piece.unbalanced`): no cue character, no line break. Bulk's vectorised route takes these."""
    return not cue_chars(label) and not has_break(label, 0, len(label))


def canonical(piece: str) -> str:
    """The spelling a piece is trimmed and matched as: without the whitespace at its ends, and in
    lower case when ASCII without line breaks. Trim ignores both, and so does the matcher (it
    caches one resolution for such spellings, `match._cached_as`); the piece's bounds are the
    canonical one's moved by the whitespace before it (lower case keeps ASCII's length)."""
    core = piece.strip()
    return core.lower() if core.isascii() and "\n" not in core and "\r" not in core else core


class Tokenizer(Generic[T]):
    """Reads labels into batches of pieces, caching each distinct piece with `derive(token_text)`.

    The owner (the Scanner) passes a `derive` that resolves the token against the lexicon, so a
    piece seen before costs one dict lookup. The cache is bounded: memory stays flat. A label with
    no cue character (colon, plus sign) is read as one list first; only when one of its pieces
    holds a header or "may contain" word does it go through `regions` (the word is looked for once
    per distinct piece, not in every label).
    """

    def __init__(self, derive: Callable[[str], T], empty: T, limit: int = 50_000) -> None:
        self._derive = derive
        self._empty = empty
        self.limit = limit  # entries in the piece cache; the older half dropped when full
        self._cache: dict[str, Piece[T]] = {}
        self._actives: dict[str, Piece[T]] = {}  # Drug Facts actives, trimmed their own way

    def __getstate__(self) -> dict[str, object]:
        """Pickle without the caches: smaller, and safe while another thread is reading."""
        return {**self.__dict__, "_cache": {}, "_actives": {}}

    def piece(self, piece: str) -> Piece[T]:
        """One piece as `read` caches it: trimmed, its cue flag, and what the owner derives from its
        token (bulk's vectorised route resolves each distinct piece here, the same route)."""
        return self._cache.get(piece) or self._piece(piece)

    def _piece(self, piece: str) -> Piece[T]:
        core = canonical(piece)
        if core != piece:  # " Water", "WATER" and "water" are one piece: trimmed and matched once
            found = self._cache.get(core) or self._piece(core)
            lead = len(piece) - len(piece.lstrip())
            if found.b and lead:  # else the canonical piece itself serves ("WATER" as "water")
                found = found._replace(a=found.a + lead, b=found.b + lead)
        else:
            t = trim(piece)
            cue = any(map(piece.lower().__contains__, v.CUE_WORDS))
            found = Piece(t.a, t.b, t.percent, t.unbalanced, cue, self._derive(piece[t.a : t.b]) if t.b else self._empty)
        make_room(self._cache, self.limit)
        self._cache[piece] = found
        return found

    def read(self, label: str) -> tuple[list[Batch[T]], tuple[PartHead, ...]]:
        """Every token of the label in order, in batches by region, and the parts they belong to."""
        if not isinstance(label, str):
            raise TypeError(f"label must be str, not {type(label).__name__}")
        whole = None
        if not cue_chars(label):  # most labels: perhaps one plain list
            whole = plain(label)
            batch = self._region(label, whole[0][0])
            if not any(map(_CUE, batch.pieces)):
                return [batch], whole[1]
        regs, parts = regions(label)
        if whole is not None and (regs, parts) == whole:  # a cue word, but one plain list: read already
            return [batch], parts
        batches = [self._region(label, r) for r in regs]
        if len(parts) == 1:
            return batches, parts
        used = sorted({bt.region.part for bt in batches if any(map(_HAS_TOKEN, bt.pieces))}) or [0]
        if used == list(range(len(parts))):
            return batches, parts
        renumber = {old: new for new, old in enumerate(used)}  # parts with no token are not parts
        batches = [bt._replace(region=bt.region._replace(part=renumber[bt.region.part]))
                   for bt in batches if bt.region.part in renumber]
        return batches, tuple(parts[i] for i in used)

    def _region(self, label: str, r: Region) -> Batch[T]:
        a, b = r.start, r.end
        breaks = has_break(label, a, b)
        if breaks and bulleted(label, a, b):
            strs, offs = split(label, a, b, "only")
            spans = depth_zero(label, a, b, strs, offs or offsets(strs, a))
        else:
            strs, offs = split(label, a, b, False)
            keys = list(map(str.lstrip, strs))
            entries = self._entries(keys)
            unbalanced = any(map(_UNBALANCED, entries))
            spans = depth_zero(label, a, b, strs, offs or offsets(strs, a)) if unbalanced else None
            if breaks and (spans.groups if spans else len(strs)) == 1:
                strs, offs = join_hyphenated(label, *split(label, a, b, True))  # one name per line
                spans = depth_zero(label, a, b, strs, offs)
        if spans is not None:
            strs = [label[s:e] for s, e in spans.spans]
            offs = [s for s, _ in spans.spans]
            keys = list(map(str.lstrip, strs))
            entries = self._entries(keys)
        if r.section == "active":
            entries = [self._actives.get(s) or self._active(s) for s in keys]
        return Batch(r, strs, keys, entries, offs)  # type: ignore[arg-type]

    def _entries(self, keys: list[str]) -> list[Piece[T]]:
        """The cached piece of each key, trimming the new ones. Keys are pieces without their
        leading whitespace: " Glycerin" after a comma and "Glycerin" first in a list are one entry,
        shared with no copy (a piece's bounds index its key), so a bounded cache holds more names."""
        get = self._cache.get
        entries = list(map(get, keys))
        if None in entries:
            entries = [e if e is not None else get(s) or self._piece(s) for e, s in zip(entries, keys)]
        return entries

    def _active(self, piece: str) -> Piece[T]:
        t = trim(piece, active=True)
        found = Piece(t.a, t.b, t.percent, t.unbalanced, False, self._derive(piece[t.a : t.b]) if t.b else self._empty)
        make_room(self._actives, self.limit)
        self._actives[piece] = found
        return found
