"""The pipeline, top to bottom: text -> tokens -> matches -> score -> report."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import chain, compress, count, groupby
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple

from .lexicon import Lexicon, load_lexicon
from .match import RULES, Match, Matcher, Resolution, read_vocabulary
from .models import (
    CONTEXTS,
    DISCLAIMER,
    Axis,
    Decision,
    Hit,
    Inspection,
    LexiconEntry,
    Part,
    Report,
    Token,
    built,
    built_one,
    check_context,
)
from .profiles import profiles_of_rows, rules_for, verdicts
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
from .sections import PartHead
from .tokenizer import Piece, Tokenizer

_PIECE_CACHE_LIMIT = 50_000  # distinct pieces per process; the older half dropped when full
_Row = dict[str, object]  # a result model's fields, in its order, as `built` takes them


class Resolved(NamedTuple):
    """What the piece cache keeps for a token text: its resolution and what the scorer needs."""

    res: Resolution
    risks: tuple[tuple[str, Weights], ...]  # (id, weights) of each risk entry it matched
    helpful: tuple[str, ...]
    kind: int  # MATCHED, UNMATCHED, or NO_TOKEN for a piece that holds no token
    hits: tuple[_Row, ...] = ()  # each match's `Hit` fields that do not depend on where it stands
    # res.key and not res.known, kept at hand: a report reads them for every token (one hop less)
    key: str = ""
    unknown: bool = True


#: A piece's kind (`Resolved.kind`): no token (not an ingredient), an unmatched token (an "other"
#: before a risk, for its position factor), a matched one.
NO_TOKEN, UNMATCHED, MATCHED = 0, 1, 2
_EMPTY_PIECE = Resolved(Resolution("", (), False), (), (), NO_TOKEN)
_PIECE_KIND = attrgetter("value.kind")
_UNKNOWN = attrgetter("value.unknown")
_HAS_TOKEN = attrgetter("b")
_PIECES = attrgetter("pieces")
_PART = itemgetter("part")
_SCORE = attrgetter("score")
_SCORE_OF, _MILIA, _PORE_CLOGGING = itemgetter("score"), itemgetter("milia"), itemgetter("pore_clogging")
_N_FACTORS = len(POSITION_FACTORS)


class _Read(NamedTuple):
    """A label's tokens as a report needs them (bulk scoring never builds these)."""

    rows: list[_Row]  # each token's fields (what `Token` holds), in label order
    pieces: list[Piece[Resolved]]  # each token's piece, aligned with rows
    heads: tuple[PartHead, ...]  # the parts: a kit has several


class LabelScore(NamedTuple):
    """The lean result the bulk path uses: no pydantic models, only what a row needs."""

    score: int
    band: str
    hits: tuple[str, ...]  # risk ids in label order, each once
    helpful: tuple[str, ...]
    milia: int  # the two axes' scores (Report.milia.score, Report.pore_clogging.score)
    pore_clogging: int
    fungal_acne: str | None = None  # the profiles' verdicts, when asked for: `score(label, profiles=True)`
    allergens: str | None = None


class _EntryHit(NamedTuple):
    """What a hit says of its entry wherever it appears, worked out once per entry."""

    id: str
    name: str
    role: str
    family: str
    occlusion: str
    rating: float | None  # a float, as validation would give it (a median may be a whole number)
    ratings: tuple[str, ...]
    axes: tuple[str, ...]  # the axes a risk feeds; none for a helpful active
    weights: Weights
    why: str  # why it matters; the hit adds where it stands


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_ORDINALS = [_ordinal(n) for n in range(200)]  # the places in all but the longest lists


def _why(static: str, i: int, n: int, tok: _Row, m: Match) -> str:
    """Why a hit matters: its entry's reasons (`static`), then where its token (the i-th of n in
    its part) stands and how it was read."""
    why = f"{static}; {_ORDINALS[i + 1] if i < 199 else _ordinal(i + 1)} of {n} ingredients"
    if tok["percent"] is not None:
        why += f"; {tok['percent']:g}% declared (its amount, instead of its place)"
    if tok["section"] == "active":
        why += "; a Drug Facts active ingredient"
    if tok["may_contain"]:
        why += "; listed under 'may contain'"
    if m.method == "fuzzy":
        why += f"; read as {m.matched!r} (confidence {m.confidence:.2f})"
    return why


def _by_part(read: _Read) -> Iterator[tuple[int, list[_Row], list[Piece[Resolved]]]]:
    """(part, rows, pieces) of each part: parts are contiguous, they follow the label."""
    if len(read.heads) == 1 or not read.rows:
        yield 0, read.rows, read.pieces
        return
    at = 0
    for part, group in groupby(read.rows, key=_PART):
        rows = list(group)
        yield part, rows, read.pieces[at : at + len(rows)]
        at += len(rows)


def _axis(value: int, feeds: list[tuple[str, tuple[str, ...]]], axis: str) -> Axis:
    """One axis of a part: its score, band and the ids of the hits that feed it, each once."""
    return built_one(Axis, score=value, band=band_for(value),
                     hits=tuple(dict.fromkeys(rid for rid, axes in feeds if axis in axes)))


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
        self._entry = {e.id: self._explain_entry(e) for e in entries}
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
        if not res.matches:  # most new texts (typos, names the lexicon does not hold)
            return Resolved(res, (), (), UNMATCHED, (), res.key, not res.known)
        risks = tuple((m.id, self._weight[m.id]) for m in res.matches if self._role[m.id] == "risk")
        helpful = tuple(m.id for m in res.matches if self._role[m.id] == "helpful")
        return Resolved(res, risks, helpful, MATCHED, tuple(self._hit_fields(m) for m in res.matches), res.key,
                        not res.known)

    def _hit_fields(self, m: Match) -> _Row:
        """A match's `Hit` fields, in the model's order; where the token stands (text, span,
        position, contribution, why, section, part, percent) is filled in per label."""
        e = self._entry[m.id]
        return {"id": e.id, "name": e.name, "text": "", "start": 0, "end": 0, "position": 0, "confidence": m.confidence,
                "contribution": 0.0, "role": e.role, "family": e.family, "matched": m.matched, "method": m.method,
                "occlusion": e.occlusion, "rating": e.rating, "ratings": e.ratings, "why": "",
                "section": "ingredients", "part": 0, "percent": None, "axes": e.axes}

    def piece(self, piece: str) -> Piece[Resolved]:
        """One piece of a list, as a separator split leaves it, trimmed and resolved through the
        cache `score` and `scan` read: bulk's vectorised route resolves each distinct piece here."""
        return self._tokenizer.piece(piece)

    def _read(self, label: str) -> _Read:
        """Every token's fields and piece: spans come from the piece's trim and where it starts."""
        batches, heads = self._tokenizer.read(label)
        rows: list[_Row] = []
        for bt in batches:
            r = bt.region
            may, section, part = r.may_contain, r.section, r.part
            # (offset of its key, piece) of each piece that holds a token (the token is
            # label[offset + a : offset + b]), picked by C-level compress rather than a generator
            held = compress(zip(bt.key_starts(), bt.pieces), map(_HAS_TOKEN, bt.pieces))
            rows += [{"text": label[(s := o + p.a) : (e := o + p.b)], "start": s, "end": e, "position": i,
                      "normalized": p.value.key, "may_contain": may, "section": section, "part": part,
                      "percent": p.percent}
                     for i, (o, p) in enumerate(held, len(rows))]
        pieces = list(filter(_HAS_TOKEN, chain.from_iterable(map(_PIECES, batches))))  # the pieces of the rows
        return _Read(rows, pieces, heads)

    def tokenize(self, label: str) -> list[Token]:
        """The label's ingredients as tokens with spans, sections, parts and normalised forms."""
        return built(Token, self._read(label).rows)

    def explain(self, id_or_name: str) -> LexiconEntry | None:
        """The lexicon entry for an id or any name (typos allowed), or None."""
        entry = self.lexicon.get(id_or_name)
        if entry is None:
            res = self.matcher.resolve(id_or_name)
            entry = self.lexicon.entries[res.matches[0].id] if res.matches else None
        return entry

    # ------------------------------------------------------------------ public

    def score(self, label: str, *, context: str = "leave-on", profiles: bool = False) -> LabelScore:
        """Score a label without building a report (the fast path for bulk scoring).
        Gives the same score, band and ids as `scan`; with `profiles`, also the condition
        profiles' verdicts as `scan(label).profiles` gives them (a new token text costs ~20 us
        more, so they are worked out only when asked for)."""
        if context not in CONTEXTS:
            check_context(context)
        batches, parts = self._tokenizer.read(label)
        if len(batches) == 1:
            result = self._lean(batches[0].pieces, context)
        elif len(parts) == 1:
            result = self._lean([p for bt in batches for p in bt.pieces], context)
        else:
            results = [self._lean([p for bt in group for p in bt.pieces], context)
                       for _, group in groupby(batches, key=lambda bt: bt.region.part)]
            best = max(results, key=lambda r: r.score)
            hits = tuple(dict.fromkeys(i for r in results for i in r.hits))
            helpful = tuple(dict.fromkeys(i for r in results for i in r.helpful))
            result = LabelScore(best.score, best.band, hits, helpful,
                                max(r.milia for r in results), max(r.pore_clogging for r in results))
        if profiles:
            texts = [t[p.a : p.b] for bt in batches for t, p in zip(bt.keys, bt.pieces) if p.b]
            return result._replace(**verdicts(rules_for(self), texts)._asdict())
        return result

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
        if context not in CONTEXTS:
            check_context(context)
        read = self._read(label)
        risks: list[_Row] = []
        helpful: list[_Row] = []
        rows: list[_Row] = []
        for part, toks, pieces in _by_part(read):
            scored, feeds = self._hit_rows(toks, pieces, context, risks, helpful)
            head = read.heads[part]
            rows.append({"index": part, "heading": head.heading, "start": head.start, "end": head.end,
                         "score": scored.score, "band": scored.band,
                         "milia": _axis(scored.milia, feeds, "milia"),
                         "pore_clogging": _axis(scored.pore_clogging, feeds, "pore_clogging")})
        parts = built(Part, rows)
        top = max(rows, key=_SCORE_OF)  # the fields, not the model: a dict read is cheaper
        hits = built(Hit, risks + helpful)  # one call for both: building has a fixed cost
        tokens = built(Token, read.rows)
        unknown = tuple(compress(tokens, map(_UNKNOWN, read.pieces)))
        return built_one(
            Report, score=top["score"], band=top["band"],
            milia=max(map(_MILIA, rows), key=_SCORE),  # each axis: its highest part
            pore_clogging=max(map(_PORE_CLOGGING, rows), key=_SCORE),
            context=context, hits=tuple(hits[: len(risks)]), helpful=tuple(hits[len(risks) :]),
            ingredients=tuple(tokens), unrecognised=unknown, parts=tuple(parts),
            profiles=profiles_of_rows(rules_for(self), read.rows), disclaimer=DISCLAIMER)

    def inspect(self, label: str) -> Inspection:
        """Every token with its span, section, part and the rule that decided its match (exact,
        compact, bracket variant, translation part, OCR key, fuzzy with its edits, vetoed by a
        look-alike, unknown): for a user who thinks a hit is wrong or missing."""
        report = self.scan(label)
        resolutions = [p.value.res for p in self._read(label).pieces]
        decisions = [
            Decision(token=tok, rule=res.rule, explanation=RULES[res.rule], detail=res.detail,
                     ids=tuple(m.id for m in res.matches))
            for tok, res in zip(report.ingredients, resolutions)
        ]
        return Inspection(tokens=decisions, parts=report.parts)

    # ------------------------------------------------------------------ building results

    def _hit_rows(self, toks: list[_Row], pieces: list[Piece[Resolved]], context: str,
                  risks: list[_Row], helpful: list[_Row]) -> tuple[Scored, list[tuple[str, tuple[str, ...]]]]:
        """Score one part, adding the fields of each of its hits to `risks` or `helpful`; returns
        the part's score and (id, axes) of each risk hit. One pass over the matched tokens (found
        by C-level searches); each risk's contribution is filled in once the part is scored."""
        kinds = list(map(_PIECE_KIND, pieces))
        n = len(toks)
        first = len(risks)  # this part's risks start here
        inputs: list[tuple[float, float, float]] = []  # (occlusion, comedogenic, amount) of each risk
        feeds: list[tuple[str, tuple[str, ...]]] = []
        seen: set[str] = set()
        i = -1
        for matched_before in range(kinds.count(MATCHED)):  # counted first: no ValueError to end the search
            i = kinds.index(MATCHED, i + 1)
            tok = toks[i]
            found = pieces[i].value
            for m, fields in zip(found.res.matches, found.hits):
                e = self._entry[m.id]
                row = fields.copy()  # keeps the model's field order
                row["text"], row["start"], row["end"], row["position"] = (
                    tok["text"], tok["start"], tok["end"], tok["position"])
                row["why"] = _why(e.why, i, n, tok, m)
                row["section"], row["part"], row["percent"] = tok["section"], tok["part"], tok["percent"]
                if e.role == "risk":  # a repeated ingredient counts once, at its first (highest) place
                    occlusion, comedogenic = (0.0, 0.0) if m.id in seen else e.weights
                    others, percent = i - matched_before, row["percent"]
                    amount = (POSITION_FACTORS[others] if percent is None and others < _N_FACTORS
                              else amount_factor(others, percent))  # type: ignore[arg-type]
                    inputs.append((occlusion, comedogenic, amount))
                    seen.add(m.id)
                    feeds.append((m.id, e.axes))
                    risks.append(row)
                else:
                    helpful.append(row)
        scored = score_risks(inputs, context)
        for row, contribution in zip(risks[first:], scored.contributions):
            row["contribution"] = contribution
        return scored, feeds

    @staticmethod
    def _explain_entry(e: LexiconEntry) -> _EntryHit:
        """What a hit says of its entry wherever it appears: its fixed fields, and why it matters."""
        parts = []
        if e.role == "helpful":
            parts.append(f"helpful active ({e.helpful_source})")
        if e.occlusion != "none":
            parts.append(f"{e.occlusion} ({e.occlusion_source})")
        if e.comedogenic or e.role == "risk":
            parts.append(rating_evidence(e).describe())
        weights = entry_weights(e)
        axes = weights.axes if e.role == "risk" else ()
        rating = None if e.rating is None else float(e.rating)
        return _EntryHit(e.id, e.inci, e.role, e.family, e.occlusion, rating, tuple(str(r) for r in e.comedogenic),
                         axes, weights, "; ".join(parts))


_EMPTY = LabelScore(0, "low", (), (), 0, 0)


@lru_cache(maxsize=1)
def default_scanner() -> Scanner:
    """The shared scanner with the bundled lexicon (built on first use)."""
    return Scanner()


def scan(label: str, *, context: str = "leave-on") -> Report:
    """Scan one ingredient label with the bundled lexicon. See `Scanner.scan`."""
    return default_scanner().scan(label, context=context)
