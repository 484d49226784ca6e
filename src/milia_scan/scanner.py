"""The pipeline, top to bottom: text -> tokens -> matches -> score -> report."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .lexicon import Lexicon, load_lexicon
from .match import Match, Matcher, Resolution, read_vocabulary
from .models import CONTEXTS, Hit, LexiconEntry, Report, Token
from .score import risk_weight, score_risks
from .tokenizer import Span, split_label


class LabelScore(NamedTuple):
    """The lean result the bulk path uses: no pydantic models, only what a row needs."""

    score: int
    band: str
    hits: tuple[str, ...]  # risk ids in label order, each once
    helpful: tuple[str, ...]


class _Found(NamedTuple):
    span: Span
    position: int
    match: Match
    others_before: int


def _check_context(context: str) -> None:
    if context not in CONTEXTS:
        raise ValueError(f"unknown context {context!r}: use one of {', '.join(CONTEXTS)}")


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

    # ------------------------------------------------------------------ stages

    def tokenize(self, label: str) -> list[Token]:
        """The label's ingredients as tokens with spans and normalised forms."""
        return [self._token(label, sp, i, self.matcher.resolve(label[sp.start : sp.end]))
                for i, sp in enumerate(split_label(label))]

    def explain(self, id_or_name: str) -> LexiconEntry | None:
        """The lexicon entry for an id or any name (typos allowed), or None."""
        entry = self.lexicon.get(id_or_name)
        if entry is None:
            res = self.matcher.resolve(id_or_name)
            entry = self.lexicon.entries[res.matches[0].id] if res.matches else None
        return entry

    def _find(self, label: str) -> tuple[list[Span], list[Resolution], list[_Found]]:
        spans = split_label(label)
        resolve = self.matcher.resolve
        resolutions = [resolve(label[sp.start : sp.end]) for sp in spans]
        found: list[_Found] = []
        others = 0
        for pos, (sp, res) in enumerate(zip(spans, resolutions)):
            if not res.matches:
                others += 1
            for m in res.matches:
                found.append(_Found(sp, pos, m, others))
        return spans, resolutions, found

    def _score(self, found: list[_Found], context: str) -> tuple[int, str, list[float], list[_Found]]:
        risks = [f for f in found if self._role[f.match.id] == "risk"]
        seen: set[str] = set()
        inputs = []
        for f in risks:  # a repeated ingredient counts once, at its first (highest) place
            inputs.append((0.0 if f.match.id in seen else self._weight[f.match.id], f.others_before))
            seen.add(f.match.id)
        scored = score_risks(inputs, context)
        return scored.score, scored.band, scored.contributions, risks

    # ------------------------------------------------------------------ public

    def score(self, label: str, *, context: str = "leave-on") -> LabelScore:
        """Score a label without building a report (the fast path for bulk scoring)."""
        _check_context(context)
        _, _, found = self._find(label)
        score, band, _, risks = self._score(found, context)
        helpful = [f.match.id for f in found if self._role[f.match.id] == "helpful"]
        return LabelScore(score, band, tuple(dict.fromkeys(f.match.id for f in risks)),
                          tuple(dict.fromkeys(helpful)))

    def scan(self, label: str, *, context: str = "leave-on") -> Report:
        """Scan one label: every ingredient, every risk hit with its share of the score, and the
        helpful actives. Never raises for any `str` label; raises ValueError for a bad context.
        """
        _check_context(context)
        spans, resolutions, found = self._find(label)
        score, band, contributions, risks = self._score(found, context)
        n = len(spans)
        hits = [self._hit(label, f, c, n) for f, c in zip(risks, contributions)]
        helpful = [self._hit(label, f, 0.0, n) for f in found if self._role[f.match.id] == "helpful"]
        tokens = [self._token(label, sp, i, res) for i, (sp, res) in enumerate(zip(spans, resolutions))]
        unknown = [t for t, res in zip(tokens, resolutions) if not res.known]
        return Report.model_construct(
            score=score, band=band, context=context, hits=tuple(hits), helpful=tuple(helpful),
            ingredients=tuple(tokens), unrecognised=tuple(unknown),
        )

    # ------------------------------------------------------------------ building results

    @staticmethod
    def _token(label: str, sp: Span, position: int, res: Resolution) -> Token:
        return Token.model_construct(
            text=label[sp.start : sp.end], start=sp.start, end=sp.end, position=position,
            normalized=res.key, may_contain=sp.may_contain, section=sp.section,
        )

    def _hit(self, label: str, f: _Found, contribution: float, n: int) -> Hit:
        e = self.lexicon.entries[f.match.id]
        return Hit.model_construct(
            id=e.id, name=e.inci, text=label[f.span.start : f.span.end], start=f.span.start,
            end=f.span.end, position=f.position, confidence=f.match.confidence,
            contribution=contribution, role=e.role, family=e.family, matched=f.match.matched,
            method=f.match.method, occlusion=e.occlusion, rating=e.rating,
            ratings=tuple(str(r) for r in e.comedogenic), why=self._why(e, f, n),
        )

    @staticmethod
    def _why(e: LexiconEntry, f: _Found, n: int) -> str:
        parts = []
        if e.role == "helpful":
            parts.append(f"helpful active ({e.helpful_source})")
        if e.occlusion != "none":
            parts.append(f"{e.occlusion} ({e.occlusion_source})")
        if e.comedogenic:
            parts.append("comedogenic " + ", ".join(str(r) for r in e.comedogenic))
        elif e.role == "risk":
            parts.append("no published comedogenic rating")
        parts.append(f"{_ordinal(f.position + 1)} of {n} ingredients")
        if f.span.may_contain:
            parts.append("listed under 'may contain'")
        if f.match.method == "fuzzy":
            parts.append(f"read as {f.match.matched!r} (confidence {f.match.confidence:.2f})")
        return "; ".join(parts)


@lru_cache(maxsize=1)
def default_scanner() -> Scanner:
    """The shared scanner with the bundled lexicon (built on first use)."""
    return Scanner()


def scan(label: str, *, context: str = "leave-on") -> Report:
    """Scan one ingredient label with the bundled lexicon. See `Scanner.scan`."""
    return default_scanner().scan(label, context=context)
