"""Condition profiles beside the milia score: fungal acne (Malassezia folliculitis) and EU
fragrance allergens (issue #13). Pure functions over the tokens the scanner produced; they never
change the score.

    >>> import milia_scan
    >>> from milia_scan.profiles import assess
    >>> label = "Aqua, Glycerin, Isopropyl Myristate, Parfum, Linalool"
    >>> p = assess(label, milia_scan.tokenize(label), milia_scan.default_scanner())
    >>> p.fungal_acne.verdict, [t.text for t in p.fungal_acne.triggers]
    ('flag', ['Isopropyl Myristate'])
    >>> p.allergens.verdict, [a.text for a in p.allergens.triggers], p.allergens.fragrance_present
    ('flag', ['Linalool'], True)

What "known" means. A token is decided for the fungal profile when a rule of
`lexicon/profile-fungal-acne.toml` decides its name (exactly, or by pattern), or the name without its
bracketed part, or every part of a slash list, or the lexicon entry the matcher resolved it to (so
typos and OCR noise the matcher corrects are decided too). Everything else is 'unknown', even when
the matcher knows it as a real INCI name (a look-alike): knowing a name is not knowing whether it
feeds Malassezia. A rule whose sources disagree ('unsettled') decides nothing either. So `clear`
means: every token was decided by a rule and none is a trigger.

The allergen profile matches the names of `lexicon/profile-allergens.toml` exactly (case, spacing,
hyphens and a bracketed common name ignored); it does not correct typos. It reports `flag` when an
allergen is named, `cannot tell` when none is but parfum / fragrance / aroma is present (allergens
below the labelling thresholds need not be named) or some token is unrecognised, and `clear`
otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence, Set as AbstractSet
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .cache import make_room
from .lexicon import Lexicon, load_lexicon
from .match import MAX_NAME, Matcher, Resolution
from .models import (
    PROFILE_DISCLAIMER,
    Allergen,
    AllergenVerdict,
    FungalRule,
    ProfileHit,
    Profiles,
    ProfileToken,
    ProfileVerdict,
    Token,
    Verdict,
    built,
    built_one,
)
from .normalizer import compact_of, match_key

if TYPE_CHECKING:
    from .scanner import Scanner

FUNGAL = "fungal acne (Malassezia folliculitis)"
ALLERGENS = "EU fragrance allergens"
_SEVERITY = {"trigger": 2, "unsettled": 1, "no-trigger": 0}
_FRAGRANCE_WORDS = frozenset({"parfum", "fragrance", "fragrances", "aroma", "perfume", "flavor", "flavour", "parfums"})
_FRAGRANCE_QUALIFIERS = frozenset({"natural", "synthetic", "and", "or", "fragrance-free"})
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}")
_BRACKET_INNER = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")


@dataclass
class ProfileRules:
    """The profile data of one lexicon, indexed for lookup; decisions cached per match key."""

    lexicon: Lexicon
    matcher: Matcher
    names: dict[str, FungalRule] = field(default_factory=dict)
    patterns: list[tuple[FungalRule, re.Pattern[str]]] = field(default_factory=list)
    allergens: dict[str, Allergen] = field(default_factory=dict)
    cache: dict[str, FungalRule | None] = field(default_factory=dict)
    fragrance_rule: FungalRule | None = None  # the rule that decides parfum / fragrance / aroma
    tokens: dict[str, TokenInfo] = field(default_factory=dict)  # per token text
    fields: dict[str, _Row] = field(default_factory=dict)  # a rule's profile-row fields, per rule id

    @classmethod
    def build(cls, lexicon: Lexicon, matcher: Matcher | None = None) -> ProfileRules:
        rules = cls(lexicon, matcher or Matcher(lexicon))
        for rule in lexicon.fungal_rules:
            for name in rule.names:
                rules.names[compact_of(match_key(name))] = rule
            rules.patterns += [(rule, re.compile(p)) for p in rule.patterns]
        rules.fragrance_rule = rules.names.get("parfum")
        for allergen in lexicon.allergens:
            for name in allergen.inci:
                rules.allergens[compact_of(match_key(name))] = allergen
        return rules

    def decide(self, key: str) -> FungalRule | None:
        """The rule that decides one match key: an exact name, else the most severe pattern hit."""
        if key in self.cache:
            return self.cache[key]
        rule = self.names.get(compact_of(key))
        if rule is None and key:
            hits = [r for r, rx in self.patterns if rx.search(key)]
            rule = max(hits, key=lambda r: _SEVERITY[r.effect], default=None)
        make_room(self.cache, self.matcher.cache_limit)
        self.cache[key] = rule
        return rule


_BUILT: dict[int, tuple[Any, ProfileRules]] = {}


def rules_for(scanner_or_lexicon: Scanner | Lexicon | str | Path | None) -> ProfileRules:
    """Index the profile data once per scanner or lexicon object (kept alive with its index)."""
    obj = scanner_or_lexicon
    if obj is None:
        from .scanner import default_scanner

        obj = default_scanner()
    elif isinstance(obj, (str, Path)):
        obj = load_lexicon(obj)
    hit = _BUILT.get(id(obj))
    if hit is not None and hit[0] is obj:
        return hit[1]
    if isinstance(obj, Lexicon):
        rules = ProfileRules.build(obj)
    elif hasattr(obj, "matcher") and hasattr(obj, "lexicon"):
        rules = ProfileRules.build(obj.lexicon, obj.matcher)
    else:
        raise TypeError(f"assess() needs a Scanner, a Lexicon or a lexicon path, not {type(obj).__name__}")
    if len(_BUILT) >= 16:
        _BUILT.clear()
    _BUILT[id(obj)] = (obj, rules)
    return rules


# --------------------------------------------------------------------------- one token


def _outer(text: str) -> str:
    """The name without its bracketed parts ("Cocos Nucifera (Coconut) Oil" -> "cocos nucifera oil")."""
    return match_key(_BRACKETED.sub(" ", text)) if any(c in text for c in "([{") else ""


def _fungal_decision(rules: ProfileRules, text: str, key: str, res: Resolution) -> FungalRule | None:
    """The rule deciding one token (its text and match key): its whole name if an exact name
    decides it; otherwise the most severe decision among the whole name, the name without
    brackets, a slash list whose every part is decided, and the lexicon entries the matcher
    resolved it to."""
    if compact_of(key) in rules.names:
        return rules.names[compact_of(key)]
    found: list[FungalRule] = []
    for variant in (key, _outer(text)):
        if not variant:
            continue
        rule = rules.decide(variant)
        if rule is not None:
            found.append(rule)
        if "/" in variant:
            parts = [p.strip() for p in variant.split("/") if p.strip()]
            decided = [rules.decide(p) for p in parts]
            if len(parts) > 1 and all(d is not None for d in decided):
                found += [d for d in decided if d is not None]
    for m in res.matches:
        entry = rules.lexicon.entries.get(m.id)
        if entry is not None:
            rule = rules.decide(match_key(entry.inci))
            if rule is not None:
                found.append(rule)
    return max(found, key=lambda r: _SEVERITY[r.effect], default=None)


def _allergen(rules: ProfileRules, text: str, key: str) -> Allergen | None:
    variants = [key, _outer(text)]
    variants += [match_key(a or b) for a, b in _BRACKET_INNER.findall(text)]
    for v in variants:
        if v:
            hit = rules.allergens.get(compact_of(v))
            if hit is not None:
                return hit
    return None


def _is_fragrance(key: str) -> bool:
    words = [w for w in re.split(r"[\s/,+&]+", key) if w]
    return bool(words) and any(w in _FRAGRANCE_WORDS for w in words) and all(
        w in _FRAGRANCE_WORDS or w in _FRAGRANCE_QUALIFIERS for w in words)


_Row = dict[str, Any]  # a model's fields, as `built` takes them
# What one token is to each profile (worked out once per token text, in `token_info`).
_DECIDED, _TRIGGER, _UNDECIDED, _FRAGRANCE, _ALLERGEN, _UNKNOWN = range(6)


def _why_unknown(res: Resolution) -> str:
    if res.matches:
        ids = ", ".join(m.id for m in res.matches)
        return f"lexicon entry {ids}, but no fungal rule decides it"
    if res.known:
        return f"a real INCI name ({res.detail or 'known to the matcher'}), but no fungal rule decides it"
    return "unrecognised: no rule and no lexicon name matches it"


class TokenInfo(NamedTuple):
    """What the profiles make of one token text (cached per text: labels repeat them): for each
    profile, what kind of token it is and the fields its `ProfileHit` / `ProfileToken` takes
    besides the token's own (text, start, end, position)."""

    fungal: int  # _TRIGGER, _UNDECIDED, _FRAGRANCE (decided by the fragrance rule) or _DECIDED
    fungal_fields: _Row
    allergen: int  # _ALLERGEN, _FRAGRANCE, _UNKNOWN or _DECIDED
    allergen_fields: _Row
    new_named: bool  # an allergen added by Regulation (EU) 2023/1545


def _fungal_info(rules: ProfileRules, rule: FungalRule | None, fragrance: bool, res: Resolution) -> tuple[int, _Row]:
    if rule is None:
        return _UNDECIDED, {"reason": _why_unknown(res), "rule": None}
    shared = rules.fields.get(rule.id)  # one dict per rule, not per text: the cache holds many texts
    if shared is None:
        shared = rules.fields[rule.id] = (
            {"rule": rule.id, "name": rule.group, "sources": rule.sources, "note": rule.note}
            if rule.effect == "trigger" else
            {"reason": f"unsettled: {rule.disagreement or rule.note}", "rule": rule.id}
            if rule.effect == "unsettled" else {})
    if rule.effect == "trigger":
        return _TRIGGER, shared
    if rule.effect == "unsettled":
        return _UNDECIDED, shared
    return (_FRAGRANCE if rule is rules.fragrance_rule and fragrance else _DECIDED), shared


def _allergen_info(rules: ProfileRules, allergen: Allergen | None, fragrance: bool, known: bool) -> tuple[int, _Row, bool]:
    if allergen is not None:
        lst = rules.lexicon.allergen_lists.get(allergen.list_id)
        new = lst is not None and bool(lst.placed_until)
        when = (f"; added by Regulation (EU) 2023/1545 (labelling required for products placed on the market "
                f"after {lst.placed_until}, on sale after {lst.available_until})") if new and lst else ""
        return _ALLERGEN, {"rule": allergen.id, "name": allergen.label_name, "sources": allergen.sources,
                           "note": f"Annex III entry {allergen.annex_ref}{when}"}, new
    if fragrance:
        return _FRAGRANCE, {"rule": "fragrance", "name": "parfum / fragrance / aroma", "sources": ("eu-cosing-annex-iii",),
                            "note": "an undisclosed fragrance or flavour composition"}, False
    if not known:
        return _UNKNOWN, {"reason": "unrecognised: no allergen, lexicon or profile name matches it", "rule": None}, False
    return _DECIDED, {}, False


def token_info(rules: ProfileRules, text: str, res: Resolution) -> TokenInfo:
    """What the profiles make of one token text, given its resolution by `rules.matcher`.
    About 20 us for a new text (the fungal patterns), so it is cached per text and worked out
    only where profiles are asked for."""
    key = res.key or match_key(text)
    if len(key) > MAX_NAME:  # as the matcher: no name is this long, and 94 patterns over it cost
        return TokenInfo(_UNDECIDED, {"reason": "longer than any ingredient name: not decided", "rule": None},
                         _UNKNOWN, {"reason": "longer than any ingredient name: not recognised", "rule": None}, False)
    rule = _fungal_decision(rules, text, key, res)
    fragrance = _is_fragrance(key)
    if rule is None and fragrance:  # "Natural Fragrance", "Parfum/Fragrance/Aroma"
        rule = rules.fragrance_rule
    allergen = _allergen(rules, text, key)
    known = res.known or rule is not None or allergen is not None or fragrance
    return TokenInfo(*_fungal_info(rules, rule, fragrance, res), *_allergen_info(rules, allergen, fragrance, known))


def _infos(rules: ProfileRules, texts: Iterable[str]) -> list[TokenInfo]:
    """`token_info` of each token text, from the per-text cache."""
    get = rules.tokens.get
    return [get(t) or _info(rules, t) for t in texts]


def _info(rules: ProfileRules, text: str) -> TokenInfo:
    """`token_info` of a token text, cached per text, as many texts as the matcher caches (one
    knob: `Scanner.cache_limit`), the older half dropped when full."""
    info = token_info(rules, text, rules.matcher.resolve(text))
    make_room(rules.tokens, rules.matcher.cache_limit)
    rules.tokens[text] = info
    return info


def fungal_verdict(kinds: AbstractSet[int]) -> Verdict:
    """The fungal-acne verdict from the kinds (`TokenInfo.fungal`) of a label's tokens: flag when
    one triggers; cannot tell when one is undecided, or when there is no token; else clear."""
    if _TRIGGER in kinds:
        return "flag"
    return "cannot tell" if _UNDECIDED in kinds or not kinds else "clear"


def allergen_verdict(kinds: AbstractSet[int]) -> Verdict:
    """The allergen verdict from the kinds (`TokenInfo.allergen`) of a label's tokens: flag when
    one is named; cannot tell with parfum / fragrance / aroma, an unrecognised token or no token;
    else clear."""
    if _ALLERGEN in kinds:
        return "flag"
    return "cannot tell" if _FRAGRANCE in kinds or _UNKNOWN in kinds or not kinds else "clear"


#: Each verdict for the kinds of a label's tokens given as a bitmask (bit k set: a token of kind
#: k): the two rules above, tabulated once for bulk's vectorised route (mask 0: no token).
KIND_BITS = 6
FUNGAL_BY_MASK = tuple(fungal_verdict({k for k in range(KIND_BITS) if m >> k & 1}) for m in range(1 << KIND_BITS))
ALLERGEN_BY_MASK = tuple(allergen_verdict({k for k in range(KIND_BITS) if m >> k & 1}) for m in range(1 << KIND_BITS))


def kinds_of(rules: ProfileRules, texts: Iterable[str]) -> list[tuple[int, int]]:
    """What each token text is to the two profiles (`TokenInfo.fungal`, `.allergen`), cached
    per text as for `assess`."""
    return [(i.fungal, i.allergen) for i in _infos(rules, texts)]


_FUNGAL_KIND = attrgetter("fungal")
_ALLERGEN_KIND = attrgetter("allergen")
_ROW_TEXT = itemgetter("text")
_ROW_NAME = itemgetter("name")
_FIELDS = attrgetter("__dict__")  # a result model's fields (`built` sets them so)


def _reported(toks: Sequence[_Row], infos: Sequence[TokenInfo], kinds: list[int]) -> Iterator[tuple[_Row, TokenInfo]]:
    """The (token fields, info) pairs a profile reports: every kind but _DECIDED, which is 0, so a
    C-level `compress` skips the decided tokens (most of a label) without a Python step each."""
    return compress(zip(toks, infos), kinds)


# --------------------------------------------------------------------------- the profiles


def _fungal(toks: Sequence[_Row], infos: Sequence[TokenInfo]) -> ProfileVerdict:
    triggers: list[_Row] = []
    unknown: list[_Row] = []
    kinds = list(map(_FUNGAL_KIND, infos))
    for tok, info in _reported(toks, infos, kinds):
        kind = info.fungal
        if kind != _FRAGRANCE:  # a trigger or undecided: a row (the token's fields, then the rule's)
            (triggers if kind == _TRIGGER else unknown).append(
                {"text": tok["text"], "start": tok["start"], "end": tok["end"], "position": tok["position"],
                 **info.fungal_fields})
    present = set(kinds)
    fragrance = _FRAGRANCE in present
    verdict = fungal_verdict(present)
    if triggers:
        names = ", ".join(dict.fromkeys(map(_ROW_TEXT, triggers)))
        note = f"{len(triggers)} ingredient(s) can feed Malassezia: {names}."
        if unknown:
            note += f" {len(unknown)} other(s) could not be decided (listed)."
    elif unknown:
        names = ", ".join(dict.fromkeys(map(_ROW_TEXT, unknown)))
        note = (f"No known trigger, but {len(unknown)} ingredient(s) could not be decided: {names}. "
                "'Cannot tell' is not 'clear': check these by hand.")
    elif verdict == "cannot tell":
        note = "No ingredients found in the label."
    else:
        note = "Every ingredient is decided by a rule and none is a known Malassezia trigger."
    if fragrance and not triggers:
        note += " Parfum is an undisclosed mixture: a fragrance oil may carry an ester the label does not name."
    return built_one(ProfileVerdict, name=FUNGAL, verdict=verdict, triggers=tuple(built(ProfileHit, triggers)),
                     unknown=tuple(built(ProfileToken, unknown)), note=note + " Not medical advice.")


_THRESHOLDS = ("EU law requires these allergens to be named above 0.001 % in leave-on and 0.01 % in rinse-off "
               "products; below that they need not be, and labels made for markets outside the EU need not name "
               "them at all.")
# True on any date: written as the regulation's dates, not as "not yet" (31 July 2026 has passed).
_NOT_YET = (" The allergens added by Regulation (EU) 2023/1545 must be named on products placed on the EU "
            "market from 31 July 2026; products placed before then may be sold without them until 31 July 2028.")


def _allergens(toks: Sequence[_Row], infos: Sequence[TokenInfo]) -> AllergenVerdict:
    found: list[_Row] = []
    fragrance: list[_Row] = []
    unknown: list[_Row] = []
    rows = {_ALLERGEN: found, _FRAGRANCE: fragrance, _UNKNOWN: unknown}
    new_named = False
    kinds = list(map(_ALLERGEN_KIND, infos))
    for tok, info in _reported(toks, infos, kinds):
        rows[info.allergen].append(
            {"text": tok["text"], "start": tok["start"], "end": tok["end"], "position": tok["position"],
             **info.allergen_fields})
        new_named = new_named or info.new_named  # only an allergen's is ever True
    verdict = allergen_verdict(set(kinds))
    if found:
        names = ", ".join(dict.fromkeys(map(_ROW_NAME, found)))
        note = f"{len(found)} labelled fragrance allergen(s): {names}."
    elif fragrance:
        note = ("No allergen is named, but the label has parfum / fragrance / aroma: it can contain allergens below "
                "the labelling thresholds without naming them.")
    elif unknown:
        note = (f"No allergen is named, but {len(unknown)} ingredient(s) were not recognised and could be one under "
                "another name.")
    elif verdict == "cannot tell":
        note = "No ingredients found in the label."
    else:
        note = "No labelled fragrance allergen and no parfum / fragrance / aroma."
    note += " " + _THRESHOLDS + ("" if new_named else _NOT_YET)
    return built_one(AllergenVerdict, name=ALLERGENS, verdict=verdict, triggers=tuple(built(ProfileHit, found)),
                     unknown=tuple(built(ProfileToken, unknown)), note=note + " Not medical advice.",
                     fragrance=tuple(built(ProfileHit, fragrance)))


def assess(label: str, tokens: Sequence[Token] | None = None,
           scanner_or_lexicon: Scanner | Lexicon | str | Path | None = None) -> Profiles:
    """Both condition profiles of one label, from the tokens the scanner produced.

    `tokens`: `milia_scan.tokenize(label)` or `Scanner.tokenize(label)` (None: tokenised here with
    `scanner_or_lexicon` when it is a Scanner, else with the default scanner). `scanner_or_lexicon`:
    the Scanner that produced them (its matcher decides which names are known), a `Lexicon`, a
    lexicon directory, or None for the bundled one. Spans in the result point into `label`.
    """
    rules = rules_for(scanner_or_lexicon)
    if tokens is None:
        if scanner_or_lexicon is not None and hasattr(scanner_or_lexicon, "tokenize"):
            tokens = scanner_or_lexicon.tokenize(label)
        else:
            from .scanner import default_scanner

            tokens = default_scanner().tokenize(label)
    return profiles_of_rows(rules, list(map(_FIELDS, tokens)))


def profiles_of_rows(rules: ProfileRules, toks: Sequence[_Row]) -> Profiles:
    """`assess` from the tokens' fields (`Token.__dict__`, as the scanner builds them): what
    `Scanner.scan` calls. Reading a dict is cheaper than a pydantic model's attribute."""
    infos = _infos(rules, map(_ROW_TEXT, toks))
    return built_one(Profiles, fungal_acne=_fungal(toks, infos), allergens=_allergens(toks, infos),
                     disclaimer=PROFILE_DISCLAIMER)


class Verdicts(NamedTuple):
    """The two profiles' verdicts alone: what bulk scoring adds as columns."""

    fungal_acne: Verdict
    allergens: Verdict


def verdicts(rules: ProfileRules, texts: Iterable[str]) -> Verdicts:
    """Both verdicts from a label's token texts, as `assess` gives them, without the report."""
    infos = _infos(rules, texts)
    return Verdicts(fungal_verdict({i.fungal for i in infos}), allergen_verdict({i.allergen for i in infos}))
