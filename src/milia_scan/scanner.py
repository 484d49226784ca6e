"""The pipeline, top to bottom: text -> tokens -> matches -> score -> report."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import count, groupby
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple

from pydantic import TypeAdapter

from .lexicon import Lexicon, load_lexicon
from .match import RULES, Match, Matcher, Resolution, read_vocabulary
from .profiles import assess
from .models import CONTEXTS, Decision, Hit, Inspection, LexiconEntry, Part, Report, Token, check_context
from .score import (
    POSITION_FACTORS,
    Scored,
    Weights,
    amount_factor,
    band_for,
    entry_weights,
    rating_evidence,
    score_risks,
    score_values,
)
from .sections import PartHead, Region
from .tokenizer import Batch, Piece, Tokenizer

_TOKENS = TypeAdapter(list[Token])  # one validation call for all tokens: faster than one each
_HITS = TypeAdapter(list[Hit])
_PIECE_CACHE_LIMIT = 50_000  # distinct pieces per process; the older half dropped when full


class Resolved(NamedTuple):
    """What the piece cache keeps for a token text: its resolution and what the scorer needs."""

    res: Resolution
    risks: tuple[tuple[str, Weights], ...]  # (id, weights) of each risk entry it matched
    helpful: tuple[str, ...]
    kind: int  # MATCHED, UNMATCHED, or NO_TOKEN for a piece that holds no token


#: A piece's kind (`Resolved.kind`): no token (not an ingredient), an unmatched token (an "other"
#: before a risk, for its position factor), a matched one.
NO_TOKEN, UNMATCHED, MATCHED = 0, 1, 2
_EMPTY_PIECE = Resolved(Resolution("", (), False), (), (), NO_TOKEN)
_PIECE_KIND = attrgetter("value.kind")
_PIECE = itemgetter(3)
_N_FACTORS = len(POSITION_FACTORS)


# One token of a scanned label: (start, end, region, piece). A plain tuple, because building a
# record per token costs more than the rest of the label; `_Found` names the fields of the few
# tokens that match. Bulk scoring never builds these.
_Tok = tuple[int, int, Region, Piece[Resolved]]


def _toks(batches: list[Batch[Resolved]]) -> list[_Tok]:
    return [(o + p.a, o + p.b, bt.region, p) for bt in batches for o, p in bt.spans()]


class LabelScore(NamedTuple):
    """The lean result the bulk path uses: no pydantic models, only what a row needs."""

    score: int
    band: str
    hits: tuple[str, ...]  # risk ids in label order, each once
    helpful: tuple[str, ...]
    milia: int  # the two axes' scores (Report.milia.score, Report.pore_clogging.score)
    pore_clogging: int


class _Found(NamedTuple):
    """One match of one token, with what its hit needs."""

    start: int
    end: int
    region: Region
    piece: Piece[Resolved]
    position: int  # in the whole label
    in_part: int  # position within its part
    match: Match
    others_before: int  # unmatched tokens before it in its part


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _by_part(toks: list[_Tok], parts: int) -> Iterator[tuple[int, list[_Tok]]]:
    """Tokens grouped by part (parts are contiguous: they follow the label's order)."""
    if parts == 1 or not toks:
        yield 0, toks
        return
    for part, group in groupby(toks, key=lambda t: t[2].part):
        yield part, list(group)


class Scanner:
    """A reusable scanner: loads the lexicon once and caches every distinct piece it reads.

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
        self._weight = {e.id: entry_weights(e) for e in entries}
        self._static = {e.id: self._explain_entry(e) for e in entries}
        self._tokenizer: Tokenizer[Resolved] = Tokenizer(self._derive, _EMPTY_PIECE, _PIECE_CACHE_LIMIT)

    @property
    def cache_limit(self) -> int:
        """Entries in each of the scanner's caches (distinct pieces; resolved token texts). Large
        in one long-lived process, smaller in each of many worker processes (memory per worker)."""
        return self._tokenizer.limit

    @cache_limit.setter
    def cache_limit(self, limit: int) -> None:
        self._tokenizer.limit = limit
        self.matcher.cache_limit = limit

    # ------------------------------------------------------------------ stages

    def _derive(self, text: str) -> Resolved:
        """Resolve one token text and classify its matches (cached per piece by the tokenizer)."""
        res = self.matcher.resolve(text)
        risks = tuple((m.id, self._weight[m.id]) for m in res.matches if self._role[m.id] == "risk")
        helpful = tuple(m.id for m in res.matches if self._role[m.id] == "helpful")
        return Resolved(res, risks, helpful, MATCHED if res.matches else UNMATCHED)

    def piece(self, piece: str) -> Piece[Resolved]:
        """One piece of a list, as a separator split leaves it, trimmed and resolved through the
        cache `score` and `scan` read: bulk's vectorised route resolves each distinct piece here."""
        return self._tokenizer.piece(piece)

    def _read(self, label: str) -> tuple[list[_Tok], tuple[PartHead, ...]]:
        batches, parts = self._tokenizer.read(label)
        return _toks(batches), parts

    def tokenize(self, label: str) -> list[Token]:
        """The label's ingredients as tokens with spans, sections, parts and normalised forms."""
        return self._tokens(label, self._read(label)[0])

    def explain(self, id_or_name: str) -> LexiconEntry | None:
        """The lexicon entry for an id or any name (typos allowed), or None."""
        entry = self.lexicon.get(id_or_name)
        if entry is None:
            res = self.matcher.resolve(id_or_name)
            entry = self.lexicon.entries[res.matches[0].id] if res.matches else None
        return entry

    # ------------------------------------------------------------------ public

    def score(self, label: str, *, context: str = "leave-on") -> LabelScore:
        """Score a label without building a report (the fast path for bulk scoring).
        Gives the same score, band and ids as `scan`."""
        if context not in CONTEXTS:
            check_context(context)
        batches, parts = self._tokenizer.read(label)
        if len(batches) == 1:
            return self._lean(batches[0].pieces, context)
        if len(parts) == 1:
            return self._lean([p for bt in batches for p in bt.pieces], context)
        results = [self._lean([p for bt in group for p in bt.pieces], context)
                   for _, group in groupby(batches, key=lambda bt: bt.region.part)]
        best = max(results, key=lambda r: r.score)
        hits = tuple(dict.fromkeys(i for r in results for i in r.hits))
        helpful = tuple(dict.fromkeys(i for r in results for i in r.helpful))
        return LabelScore(best.score, best.band, hits, helpful,
                          max(r.milia for r in results), max(r.pore_clogging for r in results))

    def _lean(self, pieces: list[Piece[Resolved]], context: str) -> LabelScore:
        kinds = list(map(_PIECE_KIND, pieces))
        if MATCHED not in kinds:
            return _EMPTY
        seen: dict[str, None] = {}
        inputs: list[tuple[float, float, float]] = []
        helpful: list[str] = []
        i = -1
        blanks = NO_TOKEN in kinds
        for n in count():  # only the matched tokens, found by C-level searches
            try:
                i = kinds.index(MATCHED, i + 1)
            except ValueError:
                break
            # others before it: unmatched tokens (pieces with no token are not ingredients)
            found, others = pieces[i].value, kinds[:i].count(UNMATCHED) if blanks else i - n
            for rid, (occlusion, comedogenic) in found.risks:
                if rid not in seen:  # a repeated ingredient counts once, at its first place
                    seen[rid] = None
                    percent = pieces[i].percent
                    amount = (POSITION_FACTORS[others] if percent is None and others < _N_FACTORS
                              else amount_factor(others, percent))
                    inputs.append((occlusion, comedogenic, amount))
            if found.helpful:
                helpful += found.helpful
        if not seen and not helpful:
            return _EMPTY
        score, milia, pore_clogging = score_values(inputs, context)
        return LabelScore(score, band_for(score), tuple(seen), tuple(dict.fromkeys(helpful)), milia, pore_clogging)

    def scan(self, label: str, *, context: str = "leave-on") -> Report:
        """Scan one label: every ingredient, every risk hit with its share of the score, and the
        helpful actives. A kit's products are scored apart (`parts`); the label's score is the
        highest. Never raises for any `str` label; raises ValueError for a bad context.
        """
        check_context(context)
        toks, heads = self._read(label)
        hits: list[Hit] = []
        helpful: list[Hit] = []
        parts: list[Part] = []
        at = 0
        for part, group in _by_part(toks, len(heads)):
            found = self._find(group, at)
            risks = [f for f in found if self._role[f.match.id] == "risk"]
            scored = self._score(risks, context)
            hits += self._hits(label, risks, scored.contributions, len(group))
            helpful += self._hits(label, [f for f in found if self._role[f.match.id] == "helpful"], None, len(group))
            head = heads[part]
            milia, pore_clogging = self._axes(risks, scored)
            parts.append(Part(index=part, heading=head.heading, start=head.start, end=head.end,
                              score=scored.score, band=scored.band,  # type: ignore[arg-type]
                              milia=milia, pore_clogging=pore_clogging))
            at += len(group)
        top = max(parts, key=lambda p: p.score)
        milia = max((p.milia for p in parts), key=lambda a: a.score)  # each axis: its highest part
        pore_clogging = max((p.pore_clogging for p in parts), key=lambda a: a.score)
        tokens = self._tokens(label, toks)
        unknown = [t for t, tok in zip(tokens, toks) if not tok[3].value.res.known]
        return Report(score=top.score, band=top.band, context=context, hits=hits, helpful=helpful,  # type: ignore[arg-type]
                      ingredients=tokens, unrecognised=unknown, parts=parts, milia=milia, pore_clogging=pore_clogging,
                      profiles=assess(label, tokens, self))

    def inspect(self, label: str) -> Inspection:
        """Every token with its span, section, part and the rule that decided its match (exact,
        compact, bracket variant, translation part, OCR key, fuzzy with its edits, vetoed by a
        look-alike, unknown): for a user who thinks a hit is wrong or missing."""
        report = self.scan(label)
        resolutions = [tok[3].value.res for tok in self._read(label)[0]]
        decisions = [
            Decision(token=tok, rule=res.rule, explanation=RULES[res.rule], detail=res.detail,
                     ids=tuple(m.id for m in res.matches))
            for tok, res in zip(report.ingredients, resolutions)
        ]
        return Inspection(tokens=decisions, parts=report.parts)

    # ------------------------------------------------------------------ building results

    @staticmethod
    def _find(toks: list[_Tok], at: int) -> list[_Found]:
        """The matches of a part's tokens; the matched ones are found by C-level searches."""
        matched = list(map(MATCHED.__eq__, map(_PIECE_KIND, map(_PIECE, toks))))
        found: list[_Found] = []
        i = -1
        for n in count():
            try:
                i = matched.index(True, i + 1)
            except ValueError:
                return found
            start, end, region, piece = toks[i]
            found += [_Found(start, end, region, piece, at + i, i, m, i - n) for m in piece.value.res.matches]

    def _score(self, risks: list[_Found], context: str) -> Scored:
        seen: set[str] = set()
        inputs = []
        for f in risks:  # a repeated ingredient counts once, at its first (highest) place
            occlusion, comedogenic = (0.0, 0.0) if f.match.id in seen else self._weight[f.match.id]
            inputs.append((occlusion, comedogenic, amount_factor(f.others_before, f.piece.percent)))
            seen.add(f.match.id)
        return score_risks(inputs, context)

    def _axes(self, risks: list[_Found], scored: Scored) -> tuple[dict[str, object], dict[str, object]]:
        """A part's two axes (validated with their Part): each score with its band and the ids of
        the hits that feed it."""
        feeds = [(f.match.id, self._weight[f.match.id].axes) for f in risks]
        return tuple(  # type: ignore[return-value]
            {"score": value, "band": band_for(value),
             "hits": tuple(dict.fromkeys(rid for rid, axes in feeds if axis in axes))}
            for axis, value in (("milia", scored.milia), ("pore_clogging", scored.pore_clogging))
        )

    @staticmethod
    def _tokens(label: str, toks: list[_Tok]) -> list[Token]:
        return _TOKENS.validate_python([
            {"text": label[s:e], "start": s, "end": e, "position": i, "normalized": p.value.res.key,
             "may_contain": r.may_contain, "section": r.section, "part": r.part, "percent": p.percent}
            for i, (s, e, r, p) in enumerate(toks)
        ])

    def _hits(self, label: str, found: list[_Found], contributions: list[float] | None, n: int) -> list[Hit]:
        """Hit models for matched tokens (contributions None: helpful actives, which add nothing)."""
        rows = []
        for i, f in enumerate(found):
            base, why = self._static[f.match.id]
            m = f.match
            rows.append({
                **base, "text": label[f.start : f.end], "start": f.start, "end": f.end,
                "position": f.position, "confidence": m.confidence, "matched": m.matched,
                "method": m.method, "contribution": contributions[i] if contributions else 0.0,
                "why": self._why(why, f, n), "section": f.region.section, "part": f.region.part,
                "percent": f.piece.percent,
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
        if e.comedogenic or e.role == "risk":
            parts.append(rating_evidence(e).describe())
        axes = entry_weights(e).axes if e.role == "risk" else ()
        base = {"id": e.id, "name": e.inci, "role": e.role, "family": e.family, "occlusion": e.occlusion,
                "rating": e.rating, "ratings": tuple(str(r) for r in e.comedogenic), "axes": axes}
        return base, "; ".join(parts)

    @staticmethod
    def _why(static: str, f: _Found, n: int) -> str:
        why = f"{static}; {_ordinal(f.in_part + 1)} of {n} ingredients"
        if f.piece.percent is not None:
            why += f"; {f.piece.percent:g}% declared (its amount, instead of its place)"
        if f.region.section == "active":
            why += "; a Drug Facts active ingredient"
        if f.region.may_contain:
            why += "; listed under 'may contain'"
        if f.match.method == "fuzzy":
            why += f"; read as {f.match.matched!r} (confidence {f.match.confidence:.2f})"
        return why


_EMPTY = LabelScore(0, "low", (), (), 0, 0)


@lru_cache(maxsize=1)
def default_scanner() -> Scanner:
    """The shared scanner with the bundled lexicon (built on first use)."""
    return Scanner()


def scan(label: str, *, context: str = "leave-on") -> Report:
    """Scan one ingredient label with the bundled lexicon. See `Scanner.scan`."""
    return default_scanner().scan(label, context=context)
