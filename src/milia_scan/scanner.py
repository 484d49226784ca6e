"""The pipeline, top to bottom: text -> tokens -> matches -> score -> report."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

from pydantic import TypeAdapter

from .cache import make_room
from .lexicon import Lexicon, load_lexicon
from .match import Match, Matcher, Resolution, read_vocabulary
from .models import CONTEXTS, Hit, LexiconEntry, Report, Token, check_context
from .score import band_for, risk_weight, score_risks, score_value
from .tokenizer import piece_token, plain_pieces, split_label_general

_TOKENS = TypeAdapter(list[Token])  # one validation call for all tokens: faster than one each
_HITS = TypeAdapter(list[Hit])
_PIECE_CACHE_LIMIT = 50_000  # distinct pieces per process; the older half dropped when full


# What the piece cache holds for one piece of a plain list. The class says what kind of piece it
# is, so the hot loop can find matches with C-level list searches instead of a Python loop.
class _Other(NamedTuple):
    """A token that matched no entry."""

    a: int  # token bounds inside the piece
    b: int
    res: Resolution


class _Matched(NamedTuple):
    """A token that matched at least one entry, with what the scorer needs from it."""

    a: int
    b: int
    res: Resolution
    risks: tuple[tuple[str, float], ...]  # (id, weight) of each risk entry
    helpful: tuple[str, ...]


class _Skip:
    """A piece with no token in it."""


class _Hazard:
    """A piece that sends its label to the general tokenizer."""


_SKIP, _HAZARD = _Skip(), _Hazard()


# One token as `_read` returns it: (start, end, may_contain, section, resolution). A plain tuple,
# because building a NamedTuple per token costs more than the rest of the row; `_Read` names the
# same fields for the few tokens that become hits.
_Row = tuple[int, int, bool, str, Resolution]


class _Read(NamedTuple):
    """A `_Row` with names, for matched tokens."""

    start: int
    end: int
    may_contain: bool
    section: str
    res: Resolution


class LabelScore(NamedTuple):
    """The lean result the bulk path uses: no pydantic models, only what a row needs."""

    score: int
    band: str
    hits: tuple[str, ...]  # risk ids in label order, each once
    helpful: tuple[str, ...]


class _Found(NamedTuple):
    tok: _Read
    position: int
    match: Match
    others_before: int


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Scanner:
    """A reusable scanner: loads the lexicon once and caches every distinct token it resolves.

    >>> Scanner().scan("Aqua, Petrolatum, Glycerin").hits[0].id
    'petrolatum'
    """

    def __init__(
        self,
        lexicon: str | Path | Lexicon | None = None,
        *,
        vocabulary: str | Path | Iterable[str] | None = None,
    ) -> None:
        """`lexicon`: a lexicon directory (default: the bundled one) or a loaded `Lexicon`.
        `vocabulary`: extra real INCI names (a CosIng-layout CSV path, or names) that must never
        be fuzzy-matched to an entry; makes rejection of look-alikes stricter.
        """
        self.lexicon = lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)
        if isinstance(vocabulary, (str, Path)):
            vocabulary = read_vocabulary(vocabulary)
        self.matcher = Matcher(self.lexicon, vocabulary)
        entries = self.lexicon.entries.values()
        self._role = {e.id: e.role for e in entries}
        self._weight = {e.id: risk_weight(e) for e in entries}
        self._pieces: dict[str, object] = {}
        self._static = {e.id: self._explain_entry(e) for e in entries}

    def __getstate__(self) -> dict[str, object]:
        """Pickle without the piece cache: smaller, and safe while another thread is scoring."""
        state = self.__dict__.copy()
        state["_pieces"] = {}
        return state

    # ------------------------------------------------------------------ stages

    def tokenize(self, label: str) -> list[Token]:
        """The label's ingredients as tokens with spans and normalised forms."""
        return self._tokens(label, self._read(label))

    def explain(self, id_or_name: str) -> LexiconEntry | None:
        """The lexicon entry for an id or any name (typos allowed), or None."""
        entry = self.lexicon.get(id_or_name)
        if entry is None:
            res = self.matcher.resolve(id_or_name)
            entry = self.lexicon.entries[res.matches[0].id] if res.matches else None
        return entry

    # ------------------------------------------------------------------ the hot path

    def _piece(self, piece: str) -> object:
        """Trim and resolve one piece of a plain list, once per distinct piece."""
        bounds = piece_token(piece)
        if bounds is None:
            found: object = _HAZARD
        elif not bounds[1]:
            found = _SKIP
        else:
            res = self.matcher.resolve(piece[bounds[0] : bounds[1]])
            if res.matches:
                found = _Matched(bounds[0], bounds[1], res, *self._classify(res))
            else:
                found = _Other(bounds[0], bounds[1], res)
        make_room(self._pieces, _PIECE_CACHE_LIMIT)
        self._pieces[piece] = found
        return found

    def _read(self, label: str) -> list[_Row]:
        """Tokens with their resolutions: plain lists through the piece cache, the rest through
        the general tokenizer."""
        pieces = plain_pieces(label)
        if pieces is not None:
            entries = list(map(self._pieces.get, pieces))
            if None in entries:
                entries = [e if e is not None else self._piece(p) for e, p in zip(entries, pieces)]
            if _HAZARD not in entries:
                starts = accumulate((len(p) + 1 for p in pieces), initial=0)
                return [(at + e.a, at + e.b, False, "ingredients", e.res)  # type: ignore[union-attr]
                        for at, e in zip(starts, entries) if e is not _SKIP]
        resolve = self.matcher.resolve
        return [(s.start, s.end, s.may_contain, s.section, resolve(label[s.start : s.end]))
                for s in split_label_general(label)]

    def _find(self, toks: list[_Row]) -> list[_Found]:
        found: list[_Found] = []
        others = 0
        for pos, tok in enumerate(toks):
            matches = tok[4].matches
            if not matches:
                others += 1
                continue
            for m in matches:
                found.append(_Found(_Read._make(tok), pos, m, others))
        return found

    def _score(self, found: list[_Found], context: str) -> tuple[int, str, list[float], list[_Found]]:
        risks = [f for f in found if self._role[f.match.id] == "risk"]
        seen: set[str] = set()
        inputs = []
        for f in risks:  # a repeated ingredient counts once, at its first (highest) place
            inputs.append((0.0 if f.match.id in seen else self._weight[f.match.id], f.others_before))
            seen.add(f.match.id)
        scored = score_risks(inputs, context)
        return scored.score, scored.band, scored.contributions, risks

    def _classify(self, res: Resolution) -> tuple[tuple[tuple[str, float], ...], tuple[str, ...]]:
        risks = tuple((m.id, self._weight[m.id]) for m in res.matches if self._role[m.id] == "risk")
        helpful = tuple(m.id for m in res.matches if self._role[m.id] == "helpful")
        return risks, helpful

    def _scored_plain(self, label: str) -> list[tuple[int, _Matched]] | None:
        """(others before it, entry) for each matched token of a plain list, or None when the
        label needs the general tokenizer. The bulk path's hot spot: per-piece work is done by
        C-level list operations (one dict lookup per piece, then searches by kind)."""
        pieces = plain_pieces(label)
        if pieces is None:
            return None
        entries = list(map(self._pieces.get, pieces))
        if None in entries:
            entries = [e if e is not None else self._piece(p) for e, p in zip(entries, pieces)]
        kinds = list(map(type, entries))
        if _Hazard in kinds:
            return None
        out: list[tuple[int, _Matched]] = []
        if _Matched not in kinds:
            return out
        skips = _Skip in kinds
        i = -1
        while True:
            try:
                i = kinds.index(_Matched, i + 1)
            except ValueError:
                return out
            # others before i: everything before it but skipped pieces and earlier matches
            others = kinds[:i].count(_Other) if skips else i - len(out)
            out.append((others, entries[i]))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ public

    def score(self, label: str, *, context: str = "leave-on") -> LabelScore:
        """Score a label without building a report (the fast path for bulk scoring).
        Gives the same score, band and ids as `scan`."""
        if context not in CONTEXTS:
            check_context(context)
        matched = self._scored_plain(label)
        if matched is None:  # the general tokenizer: the same facts from full records
            matched = [(f.others_before, _Matched(0, 0, f.tok.res, *self._classify(f.tok.res)))
                       for f in self._find(self._read(label)) if f.match is f.tok.res.matches[0]]
        if not matched:
            return _EMPTY
        seen: dict[str, None] = {}
        inputs: list[tuple[float, int]] = []
        helpful: list[str] = []
        for others, entry in matched:
            for rid, weight in entry.risks:
                if rid not in seen:  # a repeated ingredient counts once, at its first place
                    seen[rid] = None
                    inputs.append((weight, others))
            if entry.helpful:
                helpful += entry.helpful
        score = score_value(inputs, context)
        return LabelScore(score, band_for(score), tuple(seen), tuple(dict.fromkeys(helpful)))

    def scan(self, label: str, *, context: str = "leave-on") -> Report:
        """Scan one label: every ingredient, every risk hit with its share of the score, and the
        helpful actives. Never raises for any `str` label; raises ValueError for a bad context.
        """
        check_context(context)
        toks = self._read(label)
        found = self._find(toks)
        score, band, contributions, risks = self._score(found, context)
        n = len(toks)
        hits = self._hits(label, risks, contributions, n)
        helpful = self._hits(label, [f for f in found if self._role[f.match.id] == "helpful"], None, n)
        tokens = self._tokens(label, toks)
        unknown = [t for t, tok in zip(tokens, toks) if not tok[4].known]
        return Report(score=score, band=band, context=context, hits=hits, helpful=helpful,  # type: ignore[arg-type]
                      ingredients=tokens, unrecognised=unknown)

    # ------------------------------------------------------------------ building results

    @staticmethod
    def _tokens(label: str, toks: list[_Row]) -> list[Token]:
        return _TOKENS.validate_python([
            {"text": label[a:b], "start": a, "end": b, "position": i, "normalized": res.key,
             "may_contain": may, "section": section}
            for i, (a, b, may, section, res) in enumerate(toks)
        ])

    def _hits(self, label: str, found: list[_Found], contributions: list[float] | None, n: int) -> list[Hit]:
        """Hit models for matched tokens (contributions None: helpful actives, which add nothing)."""
        rows = []
        for i, f in enumerate(found):
            base, why = self._static[f.match.id]
            tok, m = f.tok, f.match
            rows.append({
                **base, "text": label[tok.start : tok.end], "start": tok.start, "end": tok.end,
                "position": f.position, "confidence": m.confidence, "matched": m.matched,
                "method": m.method, "contribution": contributions[i] if contributions else 0.0,
                "why": self._why(why, f, n),
            })
        return _HITS.validate_python(rows)

    @staticmethod
    def _explain_entry(e: LexiconEntry) -> tuple[dict[str, object], str]:
        """What a hit says of its entry wherever it appears: its fixed fields, and why it matters."""
        parts = []
        if e.role == "helpful":
            parts.append(f"helpful active ({e.helpful_source})")
        if e.occlusion != "none":
            parts.append(f"{e.occlusion} ({e.occlusion_source})")
        if e.comedogenic:
            parts.append("comedogenic " + ", ".join(str(r) for r in e.comedogenic))
        elif e.role == "risk":
            parts.append("no published comedogenic rating")
        base = {"id": e.id, "name": e.inci, "role": e.role, "family": e.family, "occlusion": e.occlusion,
                "rating": e.rating, "ratings": tuple(str(r) for r in e.comedogenic)}
        return base, "; ".join(parts)

    @staticmethod
    def _why(static: str, f: _Found, n: int) -> str:
        why = f"{static}; {_ordinal(f.position + 1)} of {n} ingredients"
        if f.tok.may_contain:
            why += "; listed under 'may contain'"
        if f.match.method == "fuzzy":
            why += f"; read as {f.match.matched!r} (confidence {f.match.confidence:.2f})"
        return why


_EMPTY = LabelScore(0, "low", (), ())


@lru_cache(maxsize=1)
def default_scanner() -> Scanner:
    """The shared scanner with the bundled lexicon (built on first use)."""
    return Scanner()


def scan(label: str, *, context: str = "leave-on") -> Report:
    """Scan one ingredient label with the bundled lexicon. See `Scanner.scan`."""
    return default_scanner().scan(label, context=context)
